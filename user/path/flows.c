// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Folding of identical packet paths; see flows.h for the key. */
#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "flows.h"

struct flows_fold {
	struct gw_packet pkt; /* deep copy of the first one seen */
	__u64 count;
	__u64 hash;
	unsigned char *key;
	size_t key_len;
	struct flows_fold *hnext;
};

struct gw_flows {
	struct flows_fold **folds; /* first-seen order */
	size_t n_folds, cap_folds;
	struct flows_fold **buckets; /* by key hash, power of two */
	size_t n_buckets;
	__u64 packets, overflow;
	unsigned char *scratch; /* key being built */
	size_t scratch_len, scratch_cap;
	bool scratch_bad; /* ran out of memory building it */
};

/* Fixed-size, zero-filled record so keys compare with memcmp. */
struct flows_key_head {
	__u8 family, proto, nat, complete;
	__be16 sport, dport;
	__be32 spi;
	__u8 saddr[GW_ADDR_LEN];
	__u8 daddr[GW_ADDR_LEN];
};

struct flows_key_step {
	__u16 kind;
	__u8 hook, verdict;
	__u32 netns;
	char ifname[GW_IFNAMSIZ];
	__u32 u32a, u32b; /* kind-specific */
	__u64 u64a;
	__u8 addr[GW_ADDR_LEN];
	char s1[GW_IFNAMSIZ], s2[GW_IFNAMSIZ];
};

#define FLOWS_MIN_BUCKETS 256

struct gw_flows *flows__new(void)
{
	struct gw_flows *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->n_buckets = FLOWS_MIN_BUCKETS;
	f->buckets = calloc(f->n_buckets, sizeof(*f->buckets));
	if (!f->buckets) {
		free(f);
		return NULL;
	}
	return f;
}

static void fold_free(struct flows_fold *fo)
{
	free(fo->pkt.steps);
	free(fo->key);
	free(fo);
}

void flows__free(struct gw_flows *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n_folds; i++)
		fold_free(f->folds[i]);
	free(f->folds);
	free(f->buckets);
	free(f->scratch);
	free(f);
}

static void key_put(struct gw_flows *f, const void *data, size_t len)
{
	if (f->scratch_len + len > f->scratch_cap) {
		size_t cap = f->scratch_cap ? f->scratch_cap * 2 : 1024;
		unsigned char *s;

		while (cap < f->scratch_len + len)
			cap *= 2;
		s = realloc(f->scratch, cap);
		if (!s) {
			f->scratch_bad = true;
			return;
		}
		f->scratch = s;
		f->scratch_cap = cap;
	}
	memcpy(f->scratch + f->scratch_len, data, len);
	f->scratch_len += len;
}

/* The function of a drop location: the same drop site seen from
 * different offsets of one function is one cause. */
static __u64 location_symbol_hash(const struct gw_names *n, __u64 addr)
{
	char buf[256];
	const char *s = packet__location_function(n, addr, buf, sizeof(buf));

	return hash__fnv1a(s, strlen(s));
}

/* A kernel name into a zeroed key field: bytes after the NUL must not
 * tell two keys apart. */
static void key_name(char dst[GW_IFNAMSIZ], const char src[GW_IFNAMSIZ])
{
	memcpy(dst, src, strnlen(src, GW_IFNAMSIZ));
}

static void key_step(struct gw_flows *f, const struct gw_event *ev, const struct gw_names *n)
{
	struct flows_key_step k;

	memset(&k, 0, sizeof(k));
	k.kind = ev->kind;
	k.netns = ev->netns;
	key_name(k.ifname, ev->ifname);
	switch (ev->kind) {
	case GW_EV_NF_ENTER:
	case GW_EV_NF_EXIT:
	case GW_EV_NF_TABLE:
		k.hook = ev->nf.hook;
		k.verdict = ev->nf.verdict;
		key_name(k.s1, ev->nf.table);
		key_name(k.s2, ev->nf.chain);
		break;
	case GW_EV_ROUTE:
		k.u32a = ev->route.table;
		k.u32b = (__u32)ev->route.err;
		k.u64a = (__u64)ev->route.oif << 16 | ev->route.type << 8 | ev->route.gw_family;
		memcpy(k.addr, ev->route.gw, sizeof(k.addr));
		key_name(k.s1, ev->route.oif_name);
		break;
	case GW_EV_DROP:
		k.u32a = ev->drop.reason;
		k.u64a = location_symbol_hash(n, ev->drop.location);
		key_name(k.s1, ev->drop.table);
		key_name(k.s2, ev->drop.chain);
		break;
	case GW_EV_XFRM_OUT:
	case GW_EV_XFRM_IN:
	case GW_EV_XFRM_POLICY:
		k.u32a = ev->xfrm.dir;
		k.u32b = ev->xfrm.err != 0;
		break;
	}
	key_put(f, &k, sizeof(k));
}

static void key_build(struct gw_flows *f, const struct gw_packet *p, const struct gw_names *n)
{
	struct flows_key_head h;
	size_t i;

	f->scratch_len = 0;
	f->scratch_bad = false;
	memset(&h, 0, sizeof(h));
	h.family = p->flow.family;
	h.proto = p->flow.proto;
	h.nat = (__u8)p->nat.type;
	h.complete = p->complete;
	h.spi = p->flow.spi;
	memcpy(h.saddr, p->flow.saddr, sizeof(h.saddr));
	memcpy(h.daddr, p->flow.daddr, sizeof(h.daddr));
	/* Ports for TCP/UDP-like protocols, the echo id for pings; other
	 * ICMP messages fold by type and code instead. */
	if (packet__is_icmp(&p->flow)) {
		if (packet__is_echo(&p->flow))
			h.sport = p->flow.sport;
		h.dport = (__be16)(p->flow.icmp_type << 8 | p->flow.icmp_code);
	} else {
		h.sport = p->flow.sport;
		h.dport = p->flow.dport;
	}
	key_put(f, &h, sizeof(h));
	for (i = 0; i < p->n_steps; i++)
		key_step(f, &p->steps[i], n);
}

static struct flows_fold *fold_find(const struct gw_flows *f, __u64 hash)
{
	struct flows_fold *fo = f->buckets[hash & (f->n_buckets - 1)];

	for (; fo; fo = fo->hnext)
		if (fo->hash == hash && fo->key_len == f->scratch_len &&
		    !memcmp(fo->key, f->scratch, f->scratch_len))
			return fo;
	return NULL;
}

static void fold_rehash(struct gw_flows *f)
{
	size_t nb = f->n_buckets * 2, i;
	struct flows_fold **b;

	if (f->n_folds < f->n_buckets)
		return;
	b = calloc(nb, sizeof(*b));
	if (!b)
		return; /* longer chains, still correct */
	for (i = 0; i < f->n_folds; i++) {
		struct flows_fold *fo = f->folds[i];

		fo->hnext = b[fo->hash & (nb - 1)];
		b[fo->hash & (nb - 1)] = fo;
	}
	free(f->buckets);
	f->buckets = b;
	f->n_buckets = nb;
}

static struct flows_fold *fold_new(struct gw_flows *f, const struct gw_packet *p, __u64 hash)
{
	struct flows_fold *fo;

	if (f->n_folds >= FLOWS_MAX_FOLDS)
		return NULL;
	if (f->n_folds == f->cap_folds) {
		size_t cap = f->cap_folds ? f->cap_folds * 2 : 64;
		struct flows_fold **a = realloc(f->folds, cap * sizeof(*a));

		if (!a)
			return NULL;
		f->folds = a;
		f->cap_folds = cap;
	}
	fo = calloc(1, sizeof(*fo));
	if (!fo)
		return NULL;
	fo->key = malloc(f->scratch_len);
	if (!fo->key || packet__copy(&fo->pkt, p)) {
		free(fo->key);
		free(fo);
		return NULL;
	}
	memcpy(fo->key, f->scratch, f->scratch_len);
	fo->key_len = f->scratch_len;
	fo->hash = hash;
	f->folds[f->n_folds++] = fo;
	fold_rehash(f);
	fo->hnext = f->buckets[hash & (f->n_buckets - 1)];
	f->buckets[hash & (f->n_buckets - 1)] = fo;
	return fo;
}

__u64 flows__add(struct gw_flows *f, const struct gw_packet *p, const struct gw_names *n)
{
	struct flows_fold *fo;
	__u64 hash;

	f->packets++;
	key_build(f, p, n);
	if (f->scratch_bad) {
		f->overflow++;
		return 1;
	}
	hash = hash__fnv1a(f->scratch, f->scratch_len);
	fo = fold_find(f, hash);
	if (!fo)
		fo = fold_new(f, p, hash);
	if (!fo) {
		f->overflow++;
		return 1;
	}
	return ++fo->count;
}

size_t flows__count(const struct gw_flows *f)
{
	return f->n_folds;
}

struct gw_fold flows__get(const struct gw_flows *f, size_t i)
{
	struct gw_fold out = { NULL, 0 };

	if (i < f->n_folds) {
		out.pkt = &f->folds[i]->pkt;
		out.count = f->folds[i]->count;
	}
	return out;
}

__u64 flows__packets(const struct gw_flows *f)
{
	return f->packets;
}

__u64 flows__overflow(const struct gw_flows *f)
{
	return f->overflow;
}

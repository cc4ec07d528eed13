// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SA/policy table of one namespace, kept what the kernel has by
 * applying each decoded notification (or dump reply) in order. SAs hash
 * by SPI (packets are looked up by SPI); policies are few, in an array.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include "log.h"
#include "xfrm_nl_priv.h"

static unsigned int spi_hash(__be32 spi)
{
	__u32 h = ntohl(spi) * 2654435761u;

	return (h >> 24) & (SA_BUCKETS - 1);
}

/* An SA is (daddr, spi, proto); larval ones (spi 0) also by peer and reqid. */
static bool sa_same(const struct xfrm_nl_sa *a, const struct xfrm_nl_sa *b)
{
	size_t n = xfrm_nl__addr_len(a->family);

	if (a->spi != b->spi || a->proto != b->proto || a->family != b->family ||
	    memcmp(&a->daddr, &b->daddr, n))
		return false;
	return a->spi || (a->reqid == b->reqid && !memcmp(&a->saddr, &b->saddr, n));
}

static struct sa_node **sa_find(struct xfrm_nl *x, const struct xfrm_nl_sa *sa)
{
	struct sa_node **pp = &x->sa_hash[spi_hash(sa->spi)];

	while (*pp && !sa_same(&(*pp)->sa, sa))
		pp = &(*pp)->next;
	return pp;
}

static void sa_upsert(struct xfrm_nl *x, const struct xfrm_nl_sa *sa)
{
	struct sa_node **pp = sa_find(x, sa), *n = *pp;

	if (!n) {
		n = calloc(1, sizeof(*n));
		if (!n) {
			pr_warn("xfrm: out of memory for the SA table");
			return;
		}
		*pp = n;
		x->nsa++;
	}
	n->sa = *sa;
}

static void sa_remove(struct xfrm_nl *x, struct sa_node **pp)
{
	struct sa_node *n = *pp;

	*pp = n->next;
	free(n);
	x->nsa--;
}

/* Notifications without the algorithms (EXPIRE, MAPPING) borrow them. */
static void sa_enrich(struct xfrm_nl_sa *dst, const struct xfrm_nl_sa *known, bool whole)
{
	struct xfrm_nl_sa keep = *dst;

	if (whole) {
		*dst = *known;
		return;
	}
	if (!dst->aead[0] && !dst->enc[0] && !dst->auth[0]) {
		memcpy(dst->aead, known->aead, sizeof(dst->aead));
		memcpy(dst->enc, known->enc, sizeof(dst->enc));
		memcpy(dst->auth, known->auth, sizeof(dst->auth));
		memcpy(dst->comp, known->comp, sizeof(dst->comp));
		dst->aead_icv_bits = known->aead_icv_bits;
		dst->auth_trunc_bits = known->auth_trunc_bits;
	}
	if (!keep.has_encap && known->has_encap) {
		dst->has_encap = true;
		dst->encap = known->encap;
	}
	if (!keep.dir)
		dst->dir = known->dir;
}

/* A rekeyed SA: same peers, protocol and reqid, another SPI. */
static bool sa_has_successor(const struct xfrm_nl *x, const struct xfrm_nl_sa *sa)
{
	const struct sa_node *n;
	size_t len = xfrm_nl__addr_len(sa->family);
	unsigned int i;

	for (i = 0; i < SA_BUCKETS; i++) {
		for (n = x->sa_hash[i]; n; n = n->next) {
			if (n->sa.spi && n->sa.spi != sa->spi && n->sa.proto == sa->proto &&
			    n->sa.reqid == sa->reqid && n->sa.family == sa->family &&
			    !memcmp(&n->sa.daddr, &sa->daddr, len) &&
			    !memcmp(&n->sa.saddr, &sa->saddr, len))
				return true;
		}
	}
	return false;
}

static void sa_flush(struct xfrm_nl *x, __u8 proto)
{
	struct sa_node **pp;
	unsigned int i;
	__u8 p;

	for (i = 0; i < SA_BUCKETS; i++) {
		pp = &x->sa_hash[i];
		while (*pp) {
			p = (*pp)->sa.proto;
			/* xfrm_id_proto_match(): 0 = all, 255 = any IPsec */
			if (!proto || p == proto ||
			    (proto == 255 && (p == IPPROTO_ESP || p == IPPROTO_AH ||
					      p == IPPROTO_COMP)))
				sa_remove(x, pp);
			else
				pp = &(*pp)->next;
		}
	}
}

static ssize_t pol_find(const struct xfrm_nl *x, const struct xfrm_nl_policy *p)
{
	size_t i;

	for (i = 0; i < x->npol; i++) {
		const struct xfrm_nl_policy *q = &x->pols[i];

		if (p->index ? q->index == p->index :
			       q->dir == p->dir && !memcmp(&q->sel, &p->sel, sizeof(p->sel)))
			return i;
	}
	return -1;
}

static void pol_upsert(struct xfrm_nl *x, const struct xfrm_nl_policy *p)
{
	ssize_t i = pol_find(x, p);
	struct xfrm_nl_policy *np;

	if (i >= 0) {
		x->pols[i] = *p;
		return;
	}
	if (x->npol == x->cappol) {
		np = realloc(x->pols, (x->cappol ? x->cappol * 2 : 16) * sizeof(*np));
		if (!np) {
			pr_warn("xfrm: out of memory for the policy table");
			return;
		}
		x->pols = np;
		x->cappol = x->cappol ? x->cappol * 2 : 16;
	}
	x->pols[x->npol++] = *p;
}

static void pol_remove_at(struct xfrm_nl *x, size_t i)
{
	memmove(&x->pols[i], &x->pols[i + 1], (x->npol - i - 1) * sizeof(x->pols[0]));
	x->npol--;
}

static void pol_remove(struct xfrm_nl *x, const struct xfrm_nl_policy *p)
{
	ssize_t i = pol_find(x, p);

	if (i >= 0)
		pol_remove_at(x, i);
}

static void pol_flush(struct xfrm_nl *x, __u8 type)
{
	size_t i = 0;

	while (i < x->npol) {
		if (x->pols[i].type == type)
			pol_remove_at(x, i);
		else
			i++;
	}
}

void xfrm_nl__table_clear(struct xfrm_nl *x)
{
	sa_flush(x, 0);
	x->npol = 0;
}

/* Keeps the table what the kernel has after ev; fills ev in from it. */
void xfrm_nl__table_apply(struct xfrm_nl *x, struct xfrm_nl_event *ev)
{
	struct sa_node **pp;

	switch (ev->type) {
	case XFRM_NL_EV_NEW_SA:
	case XFRM_NL_EV_UPD_SA:
		sa_upsert(x, &ev->sa);
		break;
	case XFRM_NL_EV_DEL_SA:
	case XFRM_NL_EV_EXPIRE:
	case XFRM_NL_EV_MAPPING:
		pp = sa_find(x, &ev->sa);
		if (*pp) {
			sa_enrich(&ev->sa, &(*pp)->sa, ev->type == XFRM_NL_EV_MAPPING);
			ev->sa_id_only = false;
			if (ev->type == XFRM_NL_EV_DEL_SA ||
			    (ev->type == XFRM_NL_EV_EXPIRE && ev->hard))
				sa_remove(x, pp);
			else if (ev->type == XFRM_NL_EV_EXPIRE)
				(*pp)->sa = ev->sa;
		}
		if (ev->type != XFRM_NL_EV_MAPPING && ev->sa.spi)
			ev->sa_replaced = sa_has_successor(x, &ev->sa);
		break;
	case XFRM_NL_EV_FLUSH_SA:
		sa_flush(x, ev->proto);
		break;
	case XFRM_NL_EV_NEW_POLICY:
	case XFRM_NL_EV_UPD_POLICY:
		pol_upsert(x, &ev->policy);
		break;
	case XFRM_NL_EV_DEL_POLICY:
		pol_remove(x, &ev->policy);
		break;
	case XFRM_NL_EV_POLICY_EXPIRE:
		if (ev->hard)
			pol_remove(x, &ev->policy);
		break;
	case XFRM_NL_EV_FLUSH_POLICY:
		pol_flush(x, ev->policy.type);
		break;
	default:
		break;
	}
}

const struct xfrm_nl_sa *xfrm_nl__sa_by_spi(const struct xfrm_nl *x, __be32 spi, __u8 proto,
					    const __u8 *daddr)
{
	const struct sa_node *n;

	if (!x)
		return NULL;
	for (n = x->sa_hash[spi_hash(spi)]; n; n = n->next) {
		if (n->sa.spi != spi || (proto && n->sa.proto != proto))
			continue;
		if (daddr && memcmp(&n->sa.daddr, daddr, xfrm_nl__addr_len(n->sa.family)))
			continue;
		return &n->sa;
	}
	return NULL;
}

const struct xfrm_nl_policy *xfrm_nl__policy_by_index(const struct xfrm_nl *x, __u32 index)
{
	size_t i;

	for (i = 0; x && i < x->npol; i++)
		if (x->pols[i].index == index)
			return &x->pols[i];
	return NULL;
}

/* Whether the first plen bits of a and b agree (plen capped at len*8). */
static bool prefix_covers(const __u8 *net, const __u8 *addr, unsigned plen, size_t len)
{
	size_t whole;

	if (plen > len * 8)
		plen = (unsigned)(len * 8);
	whole = plen / 8;
	if (memcmp(net, addr, whole))
		return false;
	if (plen % 8) {
		__u8 mask = (__u8)(0xff << (8 - plen % 8));

		return !((net[whole] ^ addr[whole]) & mask);
	}
	return true;
}

bool xfrm_nl__sel_covers(const struct xfrm_selector *sel, __u16 family, const __u8 *saddr,
			 const __u8 *daddr)
{
	size_t alen = xfrm_nl__addr_len(family);

	/* A selector of family 0 (AF_UNSPEC) matches any family. */
	return alen && (!sel->family || sel->family == family) &&
	       prefix_covers((const __u8 *)&sel->saddr, saddr, sel->prefixlen_s, alen) &&
	       prefix_covers((const __u8 *)&sel->daddr, daddr, sel->prefixlen_d, alen);
}

const struct xfrm_nl_policy *xfrm_nl__policy_covering(const struct xfrm_nl *x, __u8 dir,
						       __u16 family, const __u8 *saddr,
						       const __u8 *daddr)
{
	const struct xfrm_nl_policy *best = NULL;

	for (size_t i = 0; x && i < x->npol; i++) {
		const struct xfrm_nl_policy *p = &x->pols[i];

		if (p->dir != dir || p->action != XFRM_POLICY_ALLOW || !p->ntmpl ||
		    !xfrm_nl__sel_covers(&p->sel, family, saddr, daddr))
			continue;
		if (!best || p->priority < best->priority)
			best = p;
	}
	return best;
}

size_t xfrm_nl__sa_count(const struct xfrm_nl *x)
{
	return x ? x->nsa : 0;
}

size_t xfrm_nl__policy_count(const struct xfrm_nl *x)
{
	return x ? x->npol : 0;
}

int xfrm_nl__foreach_sa(const struct xfrm_nl *x, int (*fn)(const struct xfrm_nl_sa *, void *),
			void *ctx)
{
	const struct sa_node *n;
	unsigned int i;
	int ret;

	for (i = 0; x && i < SA_BUCKETS; i++)
		for (n = x->sa_hash[i]; n; n = n->next)
			if ((ret = fn(&n->sa, ctx)))
				return ret;
	return 0;
}

int xfrm_nl__foreach_policy(const struct xfrm_nl *x,
			    int (*fn)(const struct xfrm_nl_policy *, void *), void *ctx)
{
	size_t i;
	int ret;

	for (i = 0; x && i < x->npol; i++)
		if ((ret = fn(&x->pols[i], ctx)))
			return ret;
	return 0;
}

int xfrm_nl__feed(struct xfrm_nl *x, const void *buf, size_t len, __u64 ts_ns, __u64 wall_s,
		  xfrm_nl_cb cb, void *ctx)
{
	const struct nlmsghdr *nlh = buf;
	struct xfrm_nl_event ev;
	int left = len, n = 0;

	/* mnl_nlmsg_ok() compares nlmsg_len as an int: a length of 2^31 or
	 * more passes, aligns to 0, and mnl_nlmsg_next() never moves (found
	 * by tests/fuzz/fuzz_xfrm_nl). */
	for (; mnl_nlmsg_ok(nlh, left) && nlh->nlmsg_len <= (__u32)left;
	     nlh = mnl_nlmsg_next(nlh, &left)) {
		if (xfrm_nl__parse(nlh, &ev))
			continue;
		ev.ts_ns = ts_ns;
		ev.wall_s = wall_s;
		ev.netns = x->netns;
		xfrm_nl__table_apply(x, &ev);
		if (cb)
			cb(&ev, ctx);
		n++;
	}
	return n;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The kernel's monitor tables are per-CPU hashes of running sums. Each
 * harvest sums every entry over the CPUs and compares with the previous
 * harvest (mon_table): the growth goes to the Prometheus counters, so they
 * are monotonic even when the same labels come from several kernel keys
 * (a function's drop sites) and when flows are evicted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "diagnose.h"
#include "harvest.h"
#include "log.h"
#include "metrics.h"
#include "mon_table.h"
#include "netns.h"
#include "packet.h"

#define TOP_FLOWS 5

struct harvest {
	struct harvest_opts o;
	struct mon_table *fates;
	struct mon_table *flows;
	struct gw_mon_val *vals;	/* one per possible CPU */
	int ncpu;
	__u64 round;
	__u64 evicted;
	__u64 total[GW_FATE_MAX];	/* packets by fate since the start */
};

static const char *const fate_names[GW_FATE_MAX] = {
	[GW_FATE_NONE] = "none",
	[GW_FATE_FORWARDED] = "forwarded",
	[GW_FATE_DELIVERED] = "delivered",
	[GW_FATE_SENT] = "sent",
	[GW_FATE_ENCRYPTED] = "encrypted",
	[GW_FATE_DECRYPTED] = "decrypted",
	[GW_FATE_DROPPED] = "dropped",
};

const char *harvest__fate_name(unsigned f)
{
	return f < GW_FATE_MAX ? fate_names[f] : "unknown";
}

int harvest__declare(struct metrics *m)
{
	int err = 0;

	err = err ?: metrics__family(m, "gwtrace_packets_total", METRIC_COUNTER,
		"Packets by fate, counted in the kernel at the step that settled it "
		"(a forwarded packet is also sent; a drop is final)");
	err = err ?: metrics__family(m, "gwtrace_bytes_total", METRIC_COUNTER,
		"Bytes (skb->len) by fate, with the labels of gwtrace_packets_total");
	err = err ?: metrics__family(m, "gwtrace_flows", METRIC_GAUGE,
		"Flows in the kernel's flow table now");
	err = err ?: metrics__family(m, "gwtrace_flow_table_size", METRIC_GAUGE,
		"Entries the kernel's flow table holds at most (--flows)");
	err = err ?: metrics__family(m, "gwtrace_flows_evicted_total", METRIC_COUNTER,
		"Flows removed from the flow table after a window without packets");
	return err;
}

struct harvest *harvest__new(const struct harvest_opts *o)
{
	struct harvest *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->o = *o;
	h->ncpu = libbpf_num_possible_cpus();
	h->fates = mon_table__new(sizeof(struct gw_mon_key));
	h->flows = mon_table__new(sizeof(struct gw_mon_flow_key));
	h->vals = h->ncpu > 0 ? calloc(h->ncpu, sizeof(*h->vals)) : NULL;
	if (!h->fates || !h->flows || !h->vals) {
		harvest__free(h);
		return NULL;
	}
	if (!h->o.window_rounds)
		h->o.window_rounds = 1;
	return h;
}

void harvest__free(struct harvest *h)
{
	if (!h)
		return;
	mon_table__free(h->fates);
	mon_table__free(h->flows);
	free(h->vals);
	free(h);
}

/* A fate key's names, as labels and in the text report. */
struct key_names {
	char reason[32];	/* drop reason, its number if unnamed; "" if no drop */
	char location[128];	/* function of the drop site; "" if no drop */
	char xfrm_error[48];	/* "XfrmInNoStates"; "" if none */
	const char *cause;	/* diagnose.c's id from the drop alone; "" if none */
	char netns[32];		/* `ip netns` name, else the inode */
	bool netns_named;
	char proto[16];		/* "" if not IP */
	char ifname[GW_IFNAMSIZ + 1];
};

/* The cause of a counted drop, from what the key holds: no ports (IKE on
 * UDP is firewall_drop here), no route, no history (diagnose.h). */
static const char *key_cause(const struct gw_mon_key *k, const char *reason,
			     const struct key_names *kn)
{
	struct gw_tuple t = { .family = k->family, .proto = k->proto };
	struct gw_drop_facts f = {
		.reason = reason,
		.xfrm_mib = kn->xfrm_error[0] ? kn->xfrm_error : NULL,
		.location = kn->location,
		.t = &t,
		.netfilter = reason && !strcmp(reason, "NETFILTER_DROP"),
		.policy = reason && !strcmp(reason, "XFRM_POLICY"),
	};

	return gw_causes[diagnose__cause(&f)].id ?: "";
}

static void key_names(struct harvest *h, const struct gw_mon_key *k, struct key_names *kn)
{
	const char *name = netns__name(h->o.netns, k->netns);
	char pbuf[16];

	memset(kn, 0, sizeof(*kn));
	kn->cause = "";
	memcpy(kn->ifname, k->ifname, GW_IFNAMSIZ);
	kn->netns_named = name != NULL;
	if (name)
		snprintf(kn->netns, sizeof(kn->netns), "%s", name);
	else
		snprintf(kn->netns, sizeof(kn->netns), "%u", k->netns);
	if (k->family)
		snprintf(kn->proto, sizeof(kn->proto), "%s",
			 gw_proto_name(k->proto, pbuf, sizeof(pbuf)));
	if (k->fate != GW_FATE_DROPPED)
		return;
	name = packet__reason_name(h->o.names, k->reason);
	if (name)
		snprintf(kn->reason, sizeof(kn->reason), "%s", name);
	else
		snprintf(kn->reason, sizeof(kn->reason), "%u", k->reason);
	packet__location_function(h->o.names, k->location, kn->location,
				  sizeof(kn->location));
	if (k->xfrm_mib)
		packet__xfrm_mib_name(h->o.names, k->xfrm_mib, kn->xfrm_error,
				      sizeof(kn->xfrm_error));
	kn->cause = key_cause(k, name, kn);
}

static void add_fate_growth(struct harvest *h, const struct gw_mon_key *k,
			    const struct gw_mon_val *d)
{
	struct key_names kn;
	struct metric_label l[9];
	size_t n = 0;

	key_names(h, k, &kn);
	l[n++] = (struct metric_label){ "fate", harvest__fate_name(k->fate) };
	l[n++] = (struct metric_label){ "hook",
		k->hook == GW_MON_NO_HOOK ? "" : gw_hook_name(k->hook) };
	l[n++] = (struct metric_label){ "reason", kn.reason };
	l[n++] = (struct metric_label){ "location", kn.location };
	l[n++] = (struct metric_label){ "xfrm_error", kn.xfrm_error };
	l[n++] = (struct metric_label){ "cause", kn.cause };
	l[n++] = (struct metric_label){ "interface", kn.ifname };
	l[n++] = (struct metric_label){ "netns", kn.netns };
	l[n++] = (struct metric_label){ "proto", kn.proto };
	if (metrics__add(h->o.metrics, "gwtrace_packets_total", l, n, (double)d->packets) ||
	    metrics__add(h->o.metrics, "gwtrace_bytes_total", l, n, (double)d->bytes))
		pr_debug("monitor: a counter could not be updated (out of memory?)");
}

/* Sums one entry over the CPUs. */
static int read_sum(struct harvest *h, int fd, const void *key, struct gw_mon_val *sum)
{
	if (bpf_map_lookup_elem(fd, key, h->vals))
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (int c = 0; c < h->ncpu; c++) {
		sum->packets += h->vals[c].packets;
		sum->bytes += h->vals[c].bytes;
	}
	return 0;
}

/* Reads every entry of one table and records its growth in the table's
 * mirror; the fate table's growth also goes to the totals and metrics. */
static int read_table(struct harvest *h, int fd, struct mon_table *t, size_t key_size,
		      bool fates)
{
	unsigned char key[sizeof(struct gw_mon_flow_key)], next[sizeof(key)];
	void *prev = NULL;
	struct gw_mon_val sum, d;
	struct mon_entry *e;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		if (read_sum(h, fd, key, &sum))
			continue;	/* deleted meanwhile */
		e = mon_table__get(t, key);
		if (!e)
			return -ENOMEM;
		if (sum.packets < e->last.packets)	/* re-created entry */
			e->last = (struct gw_mon_val){ 0 };
		d.packets = sum.packets - e->last.packets;
		d.bytes = sum.bytes - e->last.bytes;
		e->last = sum;
		if (!d.packets)
			continue;
		e->seen = h->round;
		e->win_packets += d.packets;
		if (fates) {
			const struct gw_mon_key *k = (const void *)key;

			if (k->fate < GW_FATE_MAX)
				h->total[k->fate] += d.packets;
			add_fate_growth(h, k, &d);
		}
	}
	return 0;
}

/* Flows without packets for idle harvests leave the kernel's table. A
 * packet racing a delete is lost to that flow's count, never to the
 * totals (the fate table is never pruned). */
static void evict_flows(struct harvest *h, __u64 idle)
{
	size_t n = mon_table__count(h->flows), cap = mon_table__cap(h->flows), k = 0;
	struct gw_mon_flow_key *victims;

	victims = calloc(n ?: 1, sizeof(*victims));
	if (!victims)
		return;
	for (size_t i = 0; i < cap && k < n; i++) {
		struct mon_entry *e = mon_table__at(h->flows, i);

		if (e && h->round - e->seen >= idle)
			memcpy(&victims[k++], e->key, sizeof(*victims));
	}
	for (size_t i = 0; i < k; i++) {
		bpf_map_delete_elem(h->o.flows_fd, &victims[i]);
		mon_table__del(h->flows, &victims[i]);
	}
	h->evicted += k;
	free(victims);
}

static void set_gauges(struct harvest *h)
{
	metrics__set(h->o.metrics, "gwtrace_flows", NULL, 0,
		     (double)mon_table__count(h->flows));
	metrics__set(h->o.metrics, "gwtrace_flow_table_size", NULL, 0,
		     (double)h->o.flows_max);
	metrics__advance(h->o.metrics, "gwtrace_flows_evicted_total", NULL, 0,
			 (double)h->evicted);
}

int harvest__run(struct harvest *h)
{
	int err;

	h->round++;
	err = read_table(h, h->o.fates_fd, h->fates, sizeof(struct gw_mon_key), true);
	if (!err)
		err = read_table(h, h->o.flows_fd, h->flows,
				 sizeof(struct gw_mon_flow_key), false);
	if (err)
		return err;
	/* Nearly full: make room now rather than at the window's end. */
	if (mon_table__count(h->flows) * 10 >= (size_t)h->o.flows_max * 9)
		evict_flows(h, 1);
	set_gauges(h);
	return 0;
}

void harvest__stats(const struct harvest *h, struct harvest_stats *out)
{
	size_t cap = mon_table__cap(h->fates);

	memset(out, 0, sizeof(*out));
	out->flows = mon_table__count(h->flows);
	out->evicted = h->evicted;
	for (size_t i = 0; i < cap; i++) {
		struct mon_entry *e = mon_table__at(h->fates, i);
		const struct gw_mon_key *k = e ? (const void *)e->key : NULL;

		if (k && k->fate < GW_FATE_MAX)
			out->fate_packets[k->fate] += e->win_packets;
	}
	memcpy(out->fate_total, h->total, sizeof(out->fate_total));
}

static void report_drops(struct harvest *h, FILE *out)
{
	size_t cap = mon_table__cap(h->fates);

	for (size_t i = 0; i < cap; i++) {
		struct mon_entry *e = mon_table__at(h->fates, i);
		const struct gw_mon_key *k = e ? (const void *)e->key : NULL;
		struct key_names kn;

		if (!k || k->fate != GW_FATE_DROPPED || !e->win_packets)
			continue;
		key_names(h, k, &kn);
		fprintf(out, "  dropped %-8llu %s at %s on %s%s%s%s%s%s\n",
			(unsigned long long)e->win_packets, kn.reason, kn.location,
			kn.ifname[0] ? kn.ifname : "-", kn.netns_named ? " (netns " : "",
			kn.netns_named ? kn.netns : "", kn.netns_named ? ")" : "",
			kn.xfrm_error[0] ? " " : "", kn.xfrm_error);
	}
}

static int cmp_win(const void *a, const void *b)
{
	const struct mon_entry *x = *(struct mon_entry *const *)a;
	const struct mon_entry *y = *(struct mon_entry *const *)b;

	return x->win_packets < y->win_packets ? 1 : x->win_packets > y->win_packets ? -1 : 0;
}

/* The flows that lost most packets this window. */
static void report_flows(struct harvest *h, FILE *out)
{
	size_t cap = mon_table__cap(h->flows), n = 0;
	struct mon_entry **top = calloc(mon_table__count(h->flows) + 1, sizeof(*top));

	if (!top)
		return;
	for (size_t i = 0; i < cap; i++) {
		struct mon_entry *e = mon_table__at(h->flows, i);
		const struct gw_mon_flow_key *k = e ? (const void *)e->key : NULL;

		if (k && k->k.fate == GW_FATE_DROPPED && e->win_packets)
			top[n++] = e;
	}
	qsort(top, n, sizeof(*top), cmp_win);
	for (size_t i = 0; i < n && i < TOP_FLOWS; i++) {
		const struct gw_mon_flow_key *k = (const void *)top[i]->key;
		char src[64], dst[64], proto[16];
		__u16 sp, dp;

		packet__ports(&k->tuple, &sp, &dp);
		fprintf(out, "  flow %s %s -> %s: %llu dropped (%s)\n",
			gw_proto_name(k->tuple.proto, proto, sizeof(proto)),
			packet__endpoint_str(k->tuple.family, k->tuple.saddr, sp, src, sizeof(src)),
			packet__endpoint_str(k->tuple.family, k->tuple.daddr, dp, dst, sizeof(dst)),
			(unsigned long long)top[i]->win_packets,
			packet__reason_name(h->o.names, k->k.reason) ?: "?");
	}
	free(top);
}

void harvest__report(struct harvest *h, FILE *out)
{
	size_t cap;

	if (out) {
		struct harvest_stats st;

		harvest__stats(h, &st);
		fprintf(out, "window:");
		for (int f = GW_FATE_FORWARDED; f < GW_FATE_MAX; f++)
			fprintf(out, " %s %llu", harvest__fate_name(f),
				(unsigned long long)st.fate_packets[f]);
		fprintf(out, "; flows %llu (evicted %llu)\n",
			(unsigned long long)st.flows, (unsigned long long)st.evicted);
		report_drops(h, out);
		report_flows(h, out);
		fflush(out);
	}
	evict_flows(h, h->o.window_rounds);
	set_gauges(h);
	cap = mon_table__cap(h->fates);
	for (size_t i = 0; i < cap; i++)
		if (mon_table__at(h->fates, i))
			mon_table__at(h->fates, i)->win_packets = 0;
	cap = mon_table__cap(h->flows);
	for (size_t i = 0; i < cap; i++)
		if (mon_table__at(h->flows, i))
			mon_table__at(h->flows, i)->win_packets = 0;
}

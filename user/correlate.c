// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Correlation of step events into packet paths, and the conclusions drawn
 * from a finished path (corr__finish). See correlate.h for the life cycle.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "correlate.h"

struct corr_path {
	struct gw_packet pkt;
	struct corr_path *hnext; /* hash chain */
	struct corr_path *older; /* activity list: least recent first */
	struct corr_path *newer;
};

struct gw_corr {
	struct gw_corr_opts opts;
	gw_packet_cb cb;
	void *ctx;
	struct corr_path **buckets; /* power-of-two sized, by pkt_id */
	size_t n_buckets;
	size_t n_paths;
	struct corr_path *oldest; /* first victim of eviction */
	struct corr_path *newest;
	struct gw_corr_stats stats;
};

#define CORR_MIN_BUCKETS 64

static size_t corr_hash(const struct gw_corr *c, __u64 id)
{
	/* pkt_ids are CPU << 48 | sequence: mix before masking. */
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	return (size_t)id & (c->n_buckets - 1);
}

struct gw_corr *corr__new(const struct gw_corr_opts *opts, gw_packet_cb cb, void *ctx)
{
	struct gw_corr *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->opts = *opts;
	if (!c->opts.idle_timeout_ns)
		c->opts.idle_timeout_ns = CORR_DEFAULT_IDLE_NS;
	if (!c->opts.max_packets)
		c->opts.max_packets = CORR_DEFAULT_MAX;
	c->cb = cb;
	c->ctx = ctx;
	c->n_buckets = CORR_MIN_BUCKETS;
	c->buckets = calloc(c->n_buckets, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	return c;
}

static struct corr_path *corr_lookup(const struct gw_corr *c, __u64 id)
{
	struct corr_path *p = c->buckets[corr_hash(c, id)];

	while (p && p->pkt.id != id)
		p = p->hnext;
	return p;
}

/* Doubles the table when it gets crowded; on ENOMEM keeps the old one
 * (longer chains, still correct). */
static void corr_grow(struct gw_corr *c)
{
	size_t old_n = c->n_buckets, i;
	struct corr_path **old = c->buckets, **nb;

	if (c->n_paths < old_n)
		return;
	nb = calloc(old_n * 2, sizeof(*nb));
	if (!nb)
		return;
	c->buckets = nb;
	c->n_buckets = old_n * 2;
	for (i = 0; i < old_n; i++) {
		struct corr_path *p = old[i], *next;

		for (; p; p = next) {
			size_t h = corr_hash(c, p->pkt.id);

			next = p->hnext;
			p->hnext = nb[h];
			nb[h] = p;
		}
	}
	free(old);
}

static void list_unlink(struct gw_corr *c, struct corr_path *p)
{
	if (p->older)
		p->older->newer = p->newer;
	else
		c->oldest = p->newer;
	if (p->newer)
		p->newer->older = p->older;
	else
		c->newest = p->older;
	p->older = p->newer = NULL;
}

static void list_append(struct gw_corr *c, struct corr_path *p)
{
	p->older = c->newest;
	p->newer = NULL;
	if (c->newest)
		c->newest->newer = p;
	else
		c->oldest = p;
	c->newest = p;
}

static void corr_unhash(struct gw_corr *c, struct corr_path *p)
{
	struct corr_path **pp = &c->buckets[corr_hash(c, p->pkt.id)];

	while (*pp && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = p->hnext;
}

static void path_free(struct corr_path *p)
{
	free(p->pkt.steps);
	free(p);
}

/* Takes p out of flight, concludes, reports, frees. */
static void corr_emit(struct gw_corr *c, struct corr_path *p)
{
	corr_unhash(c, p);
	list_unlink(c, p);
	c->n_paths--;
	corr__finish(&p->pkt, c->opts.names);
	c->stats.packets++;
	if (c->cb)
		c->cb(&p->pkt, c->ctx);
	path_free(p);
}

static struct corr_path *corr_add_path(struct gw_corr *c, __u64 id)
{
	struct corr_path *p;
	size_t h;

	/* Full: the least recently active path is the likeliest to be a life
	 * whose end we missed; it goes out incomplete. */
	while (c->n_paths >= c->opts.max_packets && c->oldest) {
		c->stats.evicted++;
		corr_emit(c, c->oldest);
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pkt.id = id;
	p->pkt.nf_drop_hook = -1;
	p->pkt.route_prefixlen = GW_PREFIX_UNKNOWN;
	corr_grow(c);
	h = corr_hash(c, id);
	p->hnext = c->buckets[h];
	c->buckets[h] = p;
	list_append(c, p);
	c->n_paths++;
	return p;
}

/* Inserts ev keeping steps sorted by ts_ns; equal stamps keep arrival
 * order. Late arrivals are rare and close to the end: search backwards. */
static int path_add_step(struct gw_packet *pkt, const struct gw_event *ev)
{
	size_t i;

	if (pkt->n_steps == pkt->cap_steps) {
		size_t cap = pkt->cap_steps ? pkt->cap_steps * 2 : 8;
		struct gw_event *s = realloc(pkt->steps, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		pkt->steps = s;
		pkt->cap_steps = cap;
	}
	i = pkt->n_steps;
	while (i && pkt->steps[i - 1].ts_ns > ev->ts_ns)
		i--;
	memmove(&pkt->steps[i + 1], &pkt->steps[i], (pkt->n_steps - i) * sizeof(*ev));
	pkt->steps[i] = *ev;
	pkt->n_steps++;
	if (ev->ts_ns > pkt->last_ts)
		pkt->last_ts = ev->ts_ns;
	return 0;
}

int corr__push(struct gw_corr *c, const struct gw_event *ev)
{
	struct corr_path *p;
	bool fresh = false, end;

	c->stats.events++;
	if (!ev->pkt_id) {
		c->stats.unattributed++;
		return 0;
	}
	p = corr_lookup(c, ev->pkt_id);
	if (!p) {
		p = corr_add_path(c, ev->pkt_id);
		if (!p)
			return -ENOMEM;
		fresh = true;
	}
	end = ev->kind == GW_EV_DROP || ev->kind == GW_EV_FREE;
	/* A runaway path (a routing loop) is capped, but its end is kept:
	 * the end carries the verdict. */
	if (p->pkt.n_steps >= CORR_MAX_STEPS && !end) {
		c->stats.truncated++;
	} else if (path_add_step(&p->pkt, ev)) {
		if (fresh) {
			corr_unhash(c, p);
			list_unlink(c, p);
			c->n_paths--;
			path_free(p);
		}
		return -ENOMEM;
	}
	list_unlink(c, p);
	list_append(c, p);
	if (end) {
		p->pkt.complete = true;
		corr_emit(c, p);
	}
	return 0;
}

void corr__expire(struct gw_corr *c, __u64 now_ns)
{
	struct corr_path *p = c->oldest, *next;

	/* The list is in push order, not ts order (cross-CPU skew): look at
	 * every path; there are at most max_packets. */
	for (; p; p = next) {
		next = p->newer;
		if (now_ns > p->pkt.last_ts && now_ns - p->pkt.last_ts >= c->opts.idle_timeout_ns)
			corr_emit(c, p);
	}
}

void corr__flush(struct gw_corr *c)
{
	while (c->oldest)
		corr_emit(c, c->oldest);
}

void corr__free(struct gw_corr *c)
{
	struct corr_path *p, *next;

	if (!c)
		return;
	for (p = c->oldest; p; p = next) {
		next = p->newer;
		path_free(p);
	}
	free(c->buckets);
	free(c);
}

void corr__stats(const struct gw_corr *c, struct gw_corr_stats *out)
{
	*out = c->stats;
}

/* ------------------------------------------------------------------------
 * Conclusions (corr__finish), in short:
 *
 * verdicts  DROP NETFILTER_DROP -> netfilter_drop; DROP XFRM_POLICY ->
 *           policy_drop; DROP with any other reason -> dropped, except
 *           NOT_SPECIFIED/CONSUMED (a life ended without a judgement).
 *           XFRM_OUT ok -> encrypted, XFRM_IN ok -> decrypted, either
 *           failed -> dropped; XFRM_POLICY rejected -> policy_drop.
 *           NF_EXIT ACCEPT at FORWARD -> forwarded, at INPUT -> delivered
 *           (undone by a later successful XFRM_IN: that INPUT was the
 *           ESP packet reaching the gateway's IPsec); NF_EXIT DROP ->
 *           netfilter_drop; TX -> sent; a NAT -> nat; the decisive route
 *           with prefix length 0 -> default_route.
 * outcome   dropped > delivered > forwarded > sent > unknown.
 * drop      the DROP step with a real reason; nf_drop_hook the hook still
 *           open at a NETFILTER_DROP, or of an NF_EXIT DROP, else -1.
 * route     the decisive step of the last FIB lookup, prefix resolved.
 * nat       the first address/port change between parsed steps.
 * flow      the first parsed headers (before NAT and any xfrm).
 */

unsigned corr__nat_change(const struct gw_tuple *a, const struct gw_tuple *b)
{
	size_t alen = packet__addr_len(a->family);
	bool ports = true;
	unsigned ch = 0;

	if (!alen || a->family != b->family || a->proto != b->proto)
		return 0;
	/* ICMP echo: NAT may rewrite the id (sport); other ICMP: no ports. */
	if (packet__is_icmp(a))
		ports = packet__is_echo(a) && packet__is_echo(b);
	if (memcmp(a->saddr, b->saddr, alen) ||
	    (ports && a->sport && b->sport && a->sport != b->sport))
		ch |= CORR_NAT_SRC;
	if (memcmp(a->daddr, b->daddr, alen) ||
	    (ports && a->dport && b->dport && a->dport != b->dport))
		ch |= CORR_NAT_DST;
	return ch;
}

enum gw_nat_type corr__nat_type(unsigned change, unsigned hook)
{
	if (!change)
		return GW_NAT_NONE;
	if (change == CORR_NAT_SRC)
		return GW_NAT_SNAT;
	if (change == CORR_NAT_DST)
		return GW_NAT_DNAT;
	/* Both sides in one step: netfilter rewrites destinations at
	 * PREROUTING/OUTPUT and sources at POSTROUTING/INPUT. */
	if (hook == GW_NF_PRE_ROUTING || hook == GW_NF_LOCAL_OUT)
		return GW_NAT_DNAT;
	return GW_NAT_SNAT;
}

size_t corr__route_run(const struct gw_packet *p, size_t start, size_t *end)
{
	size_t i = start, decisive = start;
	bool hit = false;

	for (; i < p->n_steps && p->steps[i].kind == GW_EV_ROUTE; i++) {
		/* Tables are tried in rule order; later ones only on a miss,
		 * so the last hit is the route used. */
		if (!p->steps[i].route.err) {
			decisive = i;
			hit = true;
		} else if (!hit) {
			decisive = i;
		}
	}
	*end = i > start ? i : start + 1;
	return decisive;
}

static void finish_reset(struct gw_packet *p)
{
	size_t i;

	p->outcome = GW_OUT_UNKNOWN;
	p->verdicts = 0;
	p->drop = NULL;
	p->route = NULL;
	p->route_prefixlen = GW_PREFIX_UNKNOWN;
	memset(&p->nat, 0, sizeof(p->nat));
	p->nat.hook = GW_HOOK_UNKNOWN;
	p->nf_drop_hook = -1;
	/* The flow is the packet as first seen: before NAT and before
	 * encapsulation or decapsulation. */
	memset(&p->flow, 0, sizeof(p->flow));
	for (i = 0; i < p->n_steps; i++) {
		if (p->steps[i].tuple.family) {
			p->flow = p->steps[i].tuple;
			break;
		}
	}
	if (p->n_steps && p->steps[p->n_steps - 1].ts_ns > p->last_ts)
		p->last_ts = p->steps[p->n_steps - 1].ts_ns;
}

#define V(x) (1u << (x))

/* The hook a NETFILTER_DROP happened in: the most recently entered hook
 * not left yet. */
static int open_hook(const long open[GW_NF_NUMHOOKS])
{
	long best = -1;
	int hook = -1, h;

	for (h = 0; h < GW_NF_NUMHOOKS; h++) {
		if (open[h] > best) {
			best = open[h];
			hook = h;
		}
	}
	return hook;
}

/*
 * A DROP step. Drop reasons are named through names->reason() because
 * their numbers differ between kernels:
 *   NETFILTER_DROP -> netfilter_drop, in the hook that was entered and not
 *                     left (or, failing that, the hook of a table that said
 *                     DROP);
 *   XFRM_POLICY    -> policy_drop;
 *   NOT_SPECIFIED / CONSUMED -> no verdict (see packet__reason_is_drop);
 *   anything else  -> dropped.
 */
static void finish_drop(struct gw_packet *p, const struct gw_event *ev, const struct gw_names *n,
			const long open[], int table_drop_hook)
{
	const char *name = packet__reason_name(n, ev->drop.reason);
	int hook;

	if (!packet__reason_is_drop(name))
		return;
	p->drop = ev;
	if (name && !strcmp(name, "NETFILTER_DROP")) {
		p->verdicts |= V(GW_V_NETFILTER_DROP);
		hook = open_hook(open);
		if (hook < 0)
			hook = table_drop_hook;
		if (hook >= 0)
			p->nf_drop_hook = hook;
	} else if (name && !strcmp(name, "XFRM_POLICY")) {
		p->verdicts |= V(GW_V_POLICY_DROP);
	} else {
		p->verdicts |= V(GW_V_DROPPED);
	}
}

/* Leaving a hook: ACCEPT at FORWARD = forwarded, at INPUT = delivered;
 * a DROP result (fentry/kprobe give nf_hook_slow's) = netfilter_drop. */
static void finish_nf_exit(struct gw_packet *p, const struct gw_event *ev)
{
	if (ev->nf.verdict == GW_NF_ACCEPT && ev->nf.hook == GW_NF_FORWARD)
		p->verdicts |= V(GW_V_FORWARDED);
	else if (ev->nf.verdict == GW_NF_ACCEPT && ev->nf.hook == GW_NF_LOCAL_IN)
		p->verdicts |= V(GW_V_DELIVERED);
	else if (ev->nf.verdict == GW_NF_DROP) {
		p->verdicts |= V(GW_V_NETFILTER_DROP);
		p->nf_drop_hook = ev->nf.hook;
	}
}

/*
 * IPsec as the netfilter hooks see it (the only view the tracepoint
 * strategy has; fentry/kprobe add xfrm steps): a packet that carries a
 * secpath was decrypted -- its earlier INPUT "delivery" was the ESP packet
 * going to IPsec -- and a packet routed into an SA (xfrm dst) that later
 * shows an ESP header (or ESP in UDP 4500) was encrypted.
 */
#define IPSEC_DECRYPTED	1u
#define IPSEC_XFRM_DST	2u

static void finish_ipsec_flags(struct gw_packet *p, const struct gw_event *ev, unsigned *state)
{
	if ((ev->flags & GW_EVF_SECPATH) && !(*state & IPSEC_DECRYPTED)) {
		*state |= IPSEC_DECRYPTED;
		p->verdicts &= ~V(GW_V_DELIVERED);
		p->verdicts |= V(GW_V_DECRYPTED);
	}
	if (ev->flags & GW_EVF_XFRM_DST)
		*state |= IPSEC_XFRM_DST;
	else if ((*state & IPSEC_XFRM_DST) && ev->tuple.family &&
		 (ev->tuple.proto == IPPROTO_ESP || ev->tuple.spi))
		p->verdicts |= V(GW_V_ENCRYPTED);
}

static void finish_verdicts(struct gw_packet *p, const struct gw_names *n)
{
	long open[GW_NF_NUMHOOKS]; /* step index of an unclosed ENTER */
	unsigned ipsec = 0;
	int table_drop_hook = -1, h;
	size_t i;

	for (h = 0; h < GW_NF_NUMHOOKS; h++)
		open[h] = -1;
	for (i = 0; i < p->n_steps; i++) {
		const struct gw_event *ev = &p->steps[i];
		unsigned hook = ev->nf.hook;

		finish_ipsec_flags(p, ev, &ipsec);
		switch (ev->kind) {
		case GW_EV_NF_ENTER:
			if (hook < GW_NF_NUMHOOKS)
				open[hook] = (long)i;
			break;
		case GW_EV_NF_EXIT:
			if (hook < GW_NF_NUMHOOKS)
				open[hook] = -1;
			finish_nf_exit(p, ev);
			break;
		case GW_EV_NF_TABLE:
			if (ev->nf.verdict == GW_NF_DROP && hook < GW_NF_NUMHOOKS)
				table_drop_hook = (int)hook;
			break;
		case GW_EV_TX:
			p->verdicts |= V(GW_V_SENT);
			break;
		/* fentry/kprobe: past FORWARD / INPUT even where no
		 * netfilter hook is registered (nf_hook_slow never runs). */
		case GW_EV_IP_FORWARD:
			p->verdicts |= V(GW_V_FORWARDED);
			break;
		case GW_EV_IP_DELIVER:
			p->verdicts |= V(GW_V_DELIVERED);
			break;
		case GW_EV_XFRM_OUT:
			p->verdicts |= V(ev->xfrm.err ? GW_V_DROPPED : GW_V_ENCRYPTED);
			break;
		case GW_EV_XFRM_IN:
			/* ESP reaches the xfrm stack through INPUT; that
			 * "delivery" was to the gateway's IPsec, and a
			 * decrypted packet starts over from PREROUTING. */
			p->verdicts &= ~V(GW_V_DELIVERED);
			p->verdicts |= V(ev->xfrm.err ? GW_V_DROPPED : GW_V_DECRYPTED);
			break;
		case GW_EV_XFRM_POLICY:
			if (ev->xfrm.err)
				p->verdicts |= V(GW_V_POLICY_DROP);
			break;
		case GW_EV_DROP:
			finish_drop(p, ev, n, open, table_drop_hook);
			break;
		}
	}
}

/* Prefix length of the route a decisive hit matched, -1 if unknown. */
static int route_prefixlen(const struct gw_packet *p, const struct gw_event *r,
			   const struct gw_names *n)
{
	unsigned family;
	int pl;

	if (r->route.err)
		return -1;
	pl = r->route.prefixlen;
	if (pl == GW_PREFIX_UNKNOWN) {
		family = r->tuple.family ? r->tuple.family : p->flow.family;
		pl = packet__prefixlen(n, r->netns, family, r->route.daddr, r->route.table);
	}
	return pl >= 0 && pl <= 128 ? pl : -1;
}

/* Whether the packet was forwarded in netns after step i. */
static bool forwarded_after(const struct gw_packet *p, size_t i, __u32 netns)
{
	for (i++; i < p->n_steps; i++) {
		const struct gw_event *ev = &p->steps[i];

		if (ev->netns != netns)
			continue;
		if (ev->kind == GW_EV_IP_FORWARD ||
		    (ev->kind == GW_EV_NF_EXIT && ev->nf.hook == GW_NF_FORWARD))
			return true;
	}
	return false;
}

/*
 * A packet may be routed several times: re-routed after DNAT, the outer
 * header after encapsulation, and once per namespace when it crosses veth
 * pairs. The route reported is the decisive step of the last lookup --
 * unless a namespace FORWARDED the packet out a default route: that is
 * the gateway sending traffic past the tunnel to its default gateway, the
 * leak an operator needs to see, so it wins and sets default_route. (A
 * sending host's own default route is ordinary and does not count, unless
 * its lookup is the packet's last one.) The tracepoint cannot see prefix
 * lengths, so names->prefixlen() asks the kernel (FIB match) for each hit.
 */
static void finish_route(struct gw_packet *p, const struct gw_names *n)
{
	size_t i = 0, end, dec;
	int pl;

	while (i < p->n_steps) {
		if (p->steps[i].kind != GW_EV_ROUTE) {
			i++;
			continue;
		}
		dec = corr__route_run(p, i, &end);
		i = end;
		if (p->verdicts & V(GW_V_DEFAULT_ROUTE))
			continue;	/* keep the default-route lookup */
		p->route = &p->steps[dec];
		pl = route_prefixlen(p, p->route, n);
		p->route_prefixlen = pl >= 0 ? (__u8)pl : GW_PREFIX_UNKNOWN;
		if (pl == 0 && forwarded_after(p, dec, p->route->netns))
			p->verdicts |= V(GW_V_DEFAULT_ROUTE);
	}
	if (p->route && p->route_prefixlen == 0)
		p->verdicts |= V(GW_V_DEFAULT_ROUTE);	/* the last lookup */
}

static bool is_xfrm(const struct gw_event *ev)
{
	return ev->kind == GW_EV_XFRM_OUT || ev->kind == GW_EV_XFRM_IN ||
	       ev->kind == GW_EV_XFRM_POLICY;
}

/*
 * NAT: the first change of addresses/ports between two successive steps
 * that both parsed the headers (same family and protocol). An xfrm step in
 * between means encapsulation or decapsulation, not NAT: the comparison
 * restarts after it. The hook is that of the step that saw the new
 * headers when it is a hook's exit (or a table): netfilter tuples are
 * "before the hook" at ENTER and "after" at EXIT. Seen first at any other
 * step, the rewriting hook is not known.
 */
static void finish_nat(struct gw_packet *p)
{
	const struct gw_event *prev = NULL, *ev;
	unsigned change, hook;
	size_t i;

	for (i = 0; i < p->n_steps; i++) {
		ev = &p->steps[i];
		if (is_xfrm(ev)) {
			prev = NULL;
			continue;
		}
		if (!ev->tuple.family)
			continue;
		change = prev ? corr__nat_change(&prev->tuple, &ev->tuple) : 0;
		if (change) {
			hook = GW_HOOK_UNKNOWN;
			if (ev->kind == GW_EV_NF_EXIT || ev->kind == GW_EV_NF_TABLE)
				hook = ev->nf.hook;
			p->nat.type = corr__nat_type(change, hook);
			p->nat.hook = (__u8)hook;
			p->nat.from = prev->tuple;
			p->nat.to = ev->tuple;
			p->verdicts |= V(GW_V_NAT);
			return;
		}
		prev = ev;
	}
}

/* Dropped beats everything (a forwarded packet can still die later);
 * delivered beats forwarded (a path through several namespaces is
 * forwarded by the gateway and delivered by the server); sent is the
 * weakest: a transmission says nothing about what came after. */
static enum gw_outcome outcome_of(__u32 v)
{
	if (v & (V(GW_V_NETFILTER_DROP) | V(GW_V_POLICY_DROP) | V(GW_V_DROPPED)))
		return GW_OUT_DROPPED;
	if (v & V(GW_V_DELIVERED))
		return GW_OUT_DELIVERED;
	if (v & V(GW_V_FORWARDED))
		return GW_OUT_FORWARDED;
	if (v & V(GW_V_SENT))
		return GW_OUT_SENT;
	return GW_OUT_UNKNOWN;
}

void corr__finish(struct gw_packet *p, const struct gw_names *n)
{
	finish_reset(p);
	finish_verdicts(p, n);
	finish_route(p, n);
	finish_nat(p);
	p->outcome = outcome_of(p->verdicts);
}

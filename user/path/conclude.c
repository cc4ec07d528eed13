// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The conclusions drawn from a finished packet path: verdicts, outcome,
 * drop, route, NAT (corr__finish), and the helpers the renderers share so
 * text, JSON and conclusions agree.
 */
#include <netinet/in.h>
#include <string.h>
#include "correlate.h"
#include "diagnose.h"
#include "ike.h"

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
 * outcome   dropped > delivered > forwarded > sent > unknown; unknown
 *           for a path finished while held (no end, waiting after
 *           POSTROUTING: its fate had not happened yet).
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

	if (!packet__drop_step_is_drop(n, ev))
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
		if (packet__is_xfrm_step(ev)) {
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

bool corr__path_held(const struct gw_packet *p)
{
	const struct gw_event *last;

	if (p->complete || !p->n_steps)
		return false;
	last = &p->steps[p->n_steps - 1];
	return gw_step_holds(last->kind, last->nf.hook);
}

/* Whether p's steps left it with a local socket: nothing of its life on
 * the network comes after (gw_delivered_after). */
static bool path_delivered_last(const struct gw_packet *p)
{
	int delivered = 0;

	for (size_t i = 0; i < p->n_steps; i++)
		delivered = gw_delivered_after(delivered, p->steps[i].kind, p->steps[i].nf.hook,
					       p->steps[i].nf.verdict);
	return delivered;
}

void corr__finish(struct gw_packet *p, const struct gw_names *n)
{
	/* A socket's read frees a packet with no tracepoint: for a path that
	 * ended at a socket, going idle is the end of its life, not one we
	 * missed. */
	if (path_delivered_last(p))
		p->complete = true;
	finish_reset(p);
	finish_verdicts(p, n);
	finish_route(p, n);
	finish_nat(p);
	p->held = corr__path_held(p);
	p->ike = ike__step(p);
	/* Forwarded by the hops before, but its own end is yet to come. */
	p->outcome = p->held ? GW_OUT_UNKNOWN : outcome_of(p->verdicts);
	diagnose__packet(p, n);
}

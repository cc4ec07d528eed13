// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Diagnosis of a finished path (see diagnose.h). The rules, first match:
 *
 *   not dropped (or held)              no cause
 *   an xfrm counter moved              by counter: XfrmInNoStates sa_missing,
 *                                      ...ProtoError/Mismatch sa_mismatch,
 *                                      ...SeqError replay, ...Expired/Invalid
 *                                      sa_expired, XfrmOutNoStates/Acquire/
 *                                      NoQueueSpace sa_not_established,
 *                                      policy counters policy_block
 *   netfilter dropped it               IKE (UDP 500, 4500 without SPI)
 *                                      ike_blocked; ESP (50, 4500 with SPI)
 *                                      esp_blocked; decrypted before
 *                                      firewall_after_decrypt; else
 *                                      firewall_drop
 *   drop reason                        QUEUE_PURGE after an xfrm ACQUIRE for
 *                                      the flow (held in the policy queue
 *                                      while IKE had no SA) sa_not_established;
 *                                      XFRM_POLICY policy_block, NO_SOCKET,
 *                                      IP_RPFILTER, NEIGH_*, PKT_TOO_BIG, no
 *                                      route; no route or host unreachable
 *                                      after the FIB found a route for a
 *                                      received packet, or IP_INADDRERRORS in
 *                                      ip6_forward: forwarding_disabled;
 *                                      else kernel_drop
 *
 * Leaks, judged first and for any outcome (the packet may die downstream,
 * where the cause is not): it left a namespace unencrypted although IPsec
 * wanted it there --
 *   NAT changed it after it had been routed into an SA (an xfrm dst on a
 *   step before the NAT), or its pre-NAT addresses match an out policy
 *                                      nat_before_ipsec (at the NAT)
 *   its route was the default route, and an out policy there covers it
 *   (route-based VPN: the route into the tunnel's interface is missing)
 *                                      reply_via_default_route (at the
 *                                      route lookup)
 * IKE that lived: an answer whose notify is NO_PROPOSAL_CHOSEN
 *                                      ike_no_proposal (ike_unanswered is
 *                                      found across packets: ike.c)
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "diagnose.h"
#include "ike.h"

#define IKE_PORT 500
#define NAT_T_PORT 4500
#define RTN_UNICAST_ 1	/* <linux/rtnetlink.h> RTN_UNICAST, stable uapi */

const struct gw_cause_def gw_causes[GW_CAUSE_MAX] = {
	[GW_CAUSE_FIREWALL_DROP] = { "firewall_drop",
		"a firewall rule dropped the packet",
		"find the rule at that hook in that namespace (nft list ruleset, iptables-save); "
		"table and chain are named where the probe could see them" },
	[GW_CAUSE_IKE_BLOCKED] = { "ike_blocked",
		"IKE (UDP 500/4500) is dropped by a firewall: the IKE SA cannot come up",
		"allow UDP 500 and 4500 between the two gateways: INPUT and OUTPUT on both, "
		"FORWARD on every firewall between them" },
	[GW_CAUSE_IKE_UNANSWERED] = { "ike_unanswered",
		"an IKE request was retransmitted and never answered: the peer does not hear it, "
		"or its answers do not come back",
		"check that the peer's IKE daemon runs and listens (UDP 500 and 4500), and every "
		"firewall and NAT on the way, both directions; the request's last place is in "
		"\"at\"" },
	[GW_CAUSE_IKE_NO_PROPOSAL] = { "ike_no_proposal",
		"the IKE responder accepted none of the proposals (NO_PROPOSAL_CHOSEN): the two "
		"ends' algorithms do not overlap",
		"compare the IKE proposals (encryption, integrity, PRF, DH group) on both ends: "
		"swanctl.conf proposals=, ipsec.conf ike=/esp=; the responder's log names what it "
		"was offered" },
	[GW_CAUSE_ESP_BLOCKED] = { "esp_blocked",
		"ESP is dropped by a firewall: the tunnel may be up but carries nothing",
		"allow IP protocol 50 (ESP), or UDP 4500 when NAT traversal is on, between the "
		"two gateways" },
	[GW_CAUSE_FIREWALL_AFTER_DECRYPT] = { "firewall_after_decrypt",
		"a firewall dropped the packet after IPsec decrypted it",
		"decrypted packets cross the hooks again with their inner addresses: accept the "
		"tunnelled subnets (nft: meta ipsec exists accept; iptables: -m policy --dir in "
		"--pol ipsec -j ACCEPT)" },
	[GW_CAUSE_SA_NOT_ESTABLISHED] = { "sa_not_established",
		"an IPsec policy requires encryption but no SA exists: IKE has not finished, or "
		"failed",
		"check the IKE daemon (swanctl --list-sas, ipsec status, its log) and the "
		"ike_* causes of UDP 500/4500 on both gateways" },
	[GW_CAUSE_SA_MISSING] = { "sa_missing",
		"ESP arrived for an SPI this host has no SA for",
		"the peer still uses an SA this side deleted or never installed: compare "
		"ip xfrm state on both ends and re-establish the IKE SA" },
	[GW_CAUSE_SA_MISMATCH] = { "sa_mismatch",
		"decryption or the integrity check failed: the two ends' keys or algorithms differ",
		"compare proposals and pre-shared keys or certificates on both ends; with manual "
		"keys, compare ip xfrm state (enc/auth keys) on both" },
	[GW_CAUSE_SA_EXPIRED] = { "sa_expired",
		"the SA had expired or was being replaced when the packet used it",
		"check the SA lifetimes (ip xfrm state, lifetime) and re-key margins on both ends: "
		"far shorter than configured means flapping" },
	[GW_CAUSE_LIFETIME_MISMATCH] = { "lifetime_mismatch",
		"an SA expired minutes or seconds after it was made: its lifetime is far shorter "
		"than it should be (or than the peer's), so the tunnel re-keys or drops all the "
		"time (flapping)",
		"compare the lifetimes on both ends (swanctl.conf rekey_time/life_time, ipsec.conf "
		"ikelifetime/lifetime; ip xfrm state shows the kernel's) and the rekey margins; "
		"the shorter side decides" },
	[GW_CAUSE_REPLAY] = { "replay",
		"the ESP sequence number is outside the replay window (replayed, reordered or "
		"duplicated)",
		"look for duplication or reordering between the gateways, or an SA reused after "
		"a restart; a larger replay window tolerates reordering" },
	[GW_CAUSE_POLICY_BLOCK] = { "policy_block",
		"an IPsec policy rejects the packet (a block policy, no matching policy, or an SA "
		"that does not match the policy's template)",
		"ip xfrm policy in that namespace: look for action block, or a selector or "
		"template that does not match this traffic" },
	[GW_CAUSE_SELECTOR_TOO_BROAD] = { "selector_too_broad",
		"an IPsec policy for everything (0.0.0.0/0 or ::/0) also takes the gateway's own "
		"traffic into the tunnel, where it dies",
		"narrow the policy to the subnets behind the tunnel (swanctl.conf local_ts/"
		"remote_ts, ipsec.conf leftsubnet/rightsubnet), or add a bypass (pass) policy "
		"for the gateway's own addresses and IKE" },
	[GW_CAUSE_NAT_BEFORE_IPSEC] = { "nat_before_ipsec",
		"NAT rewrote the packet after it was routed into the tunnel: the IPsec policy no "
		"longer matches and it leaves unencrypted",
		"exempt the tunnelled traffic from NAT (nft: a rule before the masquerade with "
		"\"meta ipsec exists\" or the peer subnet accept; iptables: -m policy --pol ipsec "
		"--dir out -j ACCEPT in POSTROUTING)" },
	[GW_CAUSE_REPLY_VIA_DEFAULT_ROUTE] = { "reply_via_default_route",
		"the packet left through the default route, unencrypted, although an IPsec policy "
		"covers it: the route into the tunnel is missing",
		"add the route for the peer's subnet into the tunnel (the xfrm/VTI interface of a "
		"route-based tunnel, or via the peer for a policy-based one): ip route get "
		"DESTINATION in that namespace" },
	[GW_CAUSE_NO_ROUTE] = { "no_route",
		"no route to the destination",
		"ip route get DESTINATION in that namespace; add the route (or the tunnel's)" },
	[GW_CAUSE_FORWARDING_DISABLED] = { "forwarding_disabled",
		"the packet had to be forwarded, but IP forwarding is off on this host",
		"sysctl net.ipv4.ip_forward=1 (IPv6: net.ipv6.conf.all.forwarding=1) in that "
		"namespace" },
	[GW_CAUSE_RP_FILTER] = { "rp_filter",
		"reverse-path filter: the source is not routed back through the interface the "
		"packet came in on",
		"fix the route back to the source, or set net.ipv4.conf.DEV.rp_filter=2 (loose)" },
	[GW_CAUSE_NEIGH_FAILED] = { "neigh_failed",
		"the next hop never answered ARP / neighbour discovery",
		"check that the route's gateway is up and on that link (ip neigh show; ping it)" },
	[GW_CAUSE_MTU_EXCEEDED] = { "mtu_exceeded",
		"the packet is larger than the path MTU and may not be fragmented",
		"lower the MTU or clamp the TCP MSS on the tunnel, and let ICMP \"fragmentation "
		"needed\" / \"packet too big\" back to the sender" },
	[GW_CAUSE_NO_SOCKET] = { "no_socket",
		"nothing listens on the destination port",
		"start the service, or check the port (ss -lnu / ss -lnt in that namespace)" },
	[GW_CAUSE_KERNEL_DROP] = { "kernel_drop",
		"the kernel dropped the packet",
		"the drop reason and location name the check that failed" },
};

static void evidence(struct gw_diagnosis *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void evidence(struct gw_diagnosis *d, const char *fmt, ...)
{
	va_list ap;

	if (d->n_evidence >= GW_DIAG_EVIDENCE)
		return;
	va_start(ap, fmt);
	vsnprintf(d->evidence[d->n_evidence++], sizeof(d->evidence[0]), fmt, ap);
	va_end(ap);
}

static bool port_is(const struct gw_tuple *t, unsigned port)
{
	return t->proto == IPPROTO_UDP && (ntohs(t->sport) == port || ntohs(t->dport) == port);
}

/* IKE: UDP 500, or UDP 4500 with the non-ESP marker (no SPI read). */
static bool is_ike(const struct gw_tuple *t)
{
	return port_is(t, IKE_PORT) || (port_is(t, NAT_T_PORT) && !t->spi);
}

static bool is_esp(const struct gw_tuple *t)
{
	return t->proto == IPPROTO_ESP || (port_is(t, NAT_T_PORT) && t->spi);
}

static bool starts(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

static bool ends(const char *s, const char *suffix)
{
	size_t n = s ? strlen(s) : 0, m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* The cause an xfrm counter names, NONE for one that names no cause. */
static enum gw_cause cause_of_mib(const char *mib)
{
	if (!mib)
		return GW_CAUSE_NONE;
	if (!strcmp(mib, "XfrmInNoStates"))
		return GW_CAUSE_SA_MISSING;
	if (ends(mib, "StateProtoError") || ends(mib, "StateMismatch"))
		return GW_CAUSE_SA_MISMATCH;
	if (ends(mib, "StateSeqError"))
		return GW_CAUSE_REPLAY;
	if (ends(mib, "StateExpired") || ends(mib, "StateInvalid"))
		return GW_CAUSE_SA_EXPIRED;
	if (!strcmp(mib, "XfrmOutNoStates") || !strcmp(mib, "XfrmAcquireError") ||
	    !strcmp(mib, "XfrmOutNoQueueSpace"))
		return GW_CAUSE_SA_NOT_ESTABLISHED;
	if (strstr(mib, "Pol") || ends(mib, "TmplMismatch") || !strcmp(mib, "XfrmFwdHdrError"))
		return GW_CAUSE_POLICY_BLOCK;
	return GW_CAUSE_NONE;
}

/* Whether the packet came in on a device (an rx step). */
static bool received(const struct gw_packet *p)
{
	for (size_t i = 0; i < p->n_steps; i++)
		if (p->steps[i].kind == GW_EV_RX)
			return true;
	return false;
}

static enum gw_cause cause_of_reason(const struct gw_drop_facts *f)
{
	const char *reason = f->reason;

	/* IPv6's neighbour layer frees without a reason (6.1-6.18). */
	if (starts(f->location, "neigh_invalidate") || starts(f->location, "ndisc_error_report"))
		return GW_CAUSE_NEIGH_FAILED;
	if (!reason)
		return GW_CAUSE_KERNEL_DROP;
	if (!strcmp(reason, "XFRM_POLICY"))
		return GW_CAUSE_POLICY_BLOCK;
	if (!strcmp(reason, "NO_SOCKET"))
		return GW_CAUSE_NO_SOCKET;
	if (!strcmp(reason, "IP_RPFILTER"))
		return GW_CAUSE_RP_FILTER;
	if (starts(reason, "NEIGH_"))
		return GW_CAUSE_NEIGH_FAILED;
	if (!strcmp(reason, "PKT_TOO_BIG"))
		return GW_CAUSE_MTU_EXCEEDED;
	/* A received packet whose FIB lookup found a unicast route, then
	 * "no route" / "host unreachable" (ip_error): the input path refuses
	 * to forward (6.1-6.18: EHOSTUNREACH when forwarding is off). */
	if ((!strcmp(reason, "IP_INNOROUTES") || !strcmp(reason, "IP_INADDRERRORS")) &&
	    f->routed_rx)
		return GW_CAUSE_FORWARDING_DISABLED;
	/* IPv6 (no FIB probe): ip6_forward's first check is forwarding,
	 * and its failure is "address error" (else only bad sources). */
	if (!strcmp(reason, "IP_INADDRERRORS") && starts(f->location, "ip6_forward+"))
		return GW_CAUSE_FORWARDING_DISABLED;
	if (!strcmp(reason, "IP_INNOROUTES") || !strcmp(reason, "IP_OUTNOROUTES") ||
	    !strcmp(reason, "IPV6_NOROUTE"))
		return GW_CAUSE_NO_ROUTE;
	return GW_CAUSE_KERNEL_DROP;
}

/*
 * With xfrm_larval_drop 0, a packet whose policy has no SA yet waits in
 * the policy's queue while IKE negotiates; the kernel purges the queue
 * when the policy goes or the SA never comes (QUEUE_PURGE from 6.8; 6.1
 * frees it without a reason).
 */
static bool queue_purged(const struct gw_drop_facts *f)
{
	return f->reason && !strcmp(f->reason, "QUEUE_PURGE");
}

/* Freed by a blackhole route's output, without a reason: a flow whose
 * policy has no SA yet while IKE negotiates (xfrm_larval_drop 1) dies so,
 * as does a blackhole route's. */
static bool blackholed(const struct gw_drop_facts *f)
{
	return starts(f->location, "dst_discard_out");
}

enum gw_cause diagnose__cause(const struct gw_drop_facts *f)
{
	static const struct gw_tuple none;
	const struct gw_tuple *t = f->t ?: &none, *flow = f->flow ?: t;
	enum gw_cause c = cause_of_mib(f->xfrm_mib);

	if (c)
		return c;
	if (f->netfilter) {
		if (is_ike(t) || is_ike(flow))
			return GW_CAUSE_IKE_BLOCKED;
		if (is_esp(t) || is_esp(flow))
			return GW_CAUSE_ESP_BLOCKED;
		return f->decrypted ? GW_CAUSE_FIREWALL_AFTER_DECRYPT : GW_CAUSE_FIREWALL_DROP;
	}
	/* Without an xfrm probe (tracepoint strategy) no counter tells a
	 * missing SA from a block: the kernel's ACQUIRE for the flow does. */
	if (f->policy)
		return f->acquired ? GW_CAUSE_SA_NOT_ESTABLISHED : GW_CAUSE_POLICY_BLOCK;
	if ((queue_purged(f) || blackholed(f)) && f->acquired)
		return GW_CAUSE_SA_NOT_ESTABLISHED;
	return cause_of_reason(f);
}

/* Whether IPsec decrypted the packet before step `until`. */
static bool decrypted_before(const struct gw_packet *p, const struct gw_event *until)
{
	for (const struct gw_event *ev = p->steps; ev < until; ev++)
		if ((ev->kind == GW_EV_XFRM_IN && !ev->xfrm.err) || (ev->flags & GW_EVF_SECPATH))
			return true;
	return false;
}

/* The first step showing the NAT's new headers: where it happened. */
static const struct gw_event *nat_step(const struct gw_packet *p)
{
	for (size_t i = 0; i < p->n_steps; i++)
		if (p->steps[i].tuple.family &&
		    !memcmp(&p->steps[i].tuple, &p->nat.to, sizeof(p->nat.to)))
			return &p->steps[i];
	return NULL;
}

/* The packet's transmission out of from's namespace after from, unless it
 * is ESP: NULL if it did not leave there in clear. */
static const struct gw_event *left_in_clear(const struct gw_packet *p, const struct gw_event *from)
{
	for (const struct gw_event *ev = from; ev < p->steps + p->n_steps; ev++)
		if (ev->kind == GW_EV_TX && ev->netns == from->netns)
			return is_esp(&ev->tuple) ? NULL : ev;
	return NULL;
}

static bool out_policy(const struct gw_names *n, __u32 netns, const struct gw_tuple *t,
		       unsigned plen[2], char *desc, size_t len)
{
	return n && n->xfrm_out_policy && t->family &&
	       n->xfrm_out_policy(n->ctx, netns, t->family, t->saddr, t->daddr, plen, desc, len);
}

static bool leak_nat(struct gw_packet *p, const struct gw_names *n)
{
	struct gw_diagnosis *d = &p->diag;
	const struct gw_event *at = nat_step(p), *routed = NULL, *tx;
	char pol[96], a[64], b[64];

	if (!at)
		return false;
	for (const struct gw_event *ev = p->steps; ev < at; ev++)
		if ((ev->flags & GW_EVF_XFRM_DST) && ev->netns == at->netns)
			routed = ev;
	if (!routed && !out_policy(n, at->netns, &p->nat.from, NULL, pol, sizeof(pol)))
		return false;
	tx = left_in_clear(p, at);
	if (!tx)
		return false;
	d->cause = GW_CAUSE_NAT_BEFORE_IPSEC;
	d->at = at;
	d->hook = p->nat.hook < GW_NF_NUMHOOKS ? p->nat.hook : -1;
	if (p->nat.type == GW_NAT_SNAT)
		evidence(d, "SNAT %s -> %s",
			 packet__addr_str(p->nat.from.family, p->nat.from.saddr, a, sizeof(a)),
			 packet__addr_str(p->nat.to.family, p->nat.to.saddr, b, sizeof(b)));
	else
		evidence(d, "DNAT %s -> %s",
			 packet__addr_str(p->nat.from.family, p->nat.from.daddr, a, sizeof(a)),
			 packet__addr_str(p->nat.to.family, p->nat.to.daddr, b, sizeof(b)));
	if (routed && routed->nf.xfrm_spi)
		evidence(d, "routed into SA 0x%x before the NAT", ntohl(routed->nf.xfrm_spi));
	else if (routed)
		evidence(d, "routed into an SA before the NAT");
	else
		evidence(d, "%s covers it before the NAT", pol);
	evidence(d, "left unencrypted on %.16s", tx->ifname);
	return true;
}

static bool leak_default_route(struct gw_packet *p, const struct gw_names *n)
{
	struct gw_diagnosis *d = &p->diag;
	const struct gw_event *r = p->route, *tx;
	char pol[96];

	if (!r || !(p->verdicts & (1u << GW_V_DEFAULT_ROUTE)))
		return false;
	if (!out_policy(n, r->netns, r->tuple.family ? &r->tuple : &p->flow, NULL, pol,
			sizeof(pol)))
		return false;
	tx = left_in_clear(p, r);
	if (!tx)
		return false;
	d->cause = GW_CAUSE_REPLY_VIA_DEFAULT_ROUTE;
	d->at = r;
	evidence(d, "default route (prefix length 0) out of %.16s",
		 r->route.oif_name[0] ? r->route.oif_name : tx->ifname);
	evidence(d, "%s covers it", pol);
	evidence(d, "left unencrypted on %.16s", tx->ifname);
	return true;
}

/* Whether the packet was made in netns (no reception there before at). */
static bool made_in(const struct gw_packet *p, __u32 netns, const struct gw_event *at)
{
	for (const struct gw_event *ev = p->steps; ev < at; ev++)
		if (ev->kind == GW_EV_RX && ev->netns == netns)
			return false;
	return true;
}

/* IPsec killed a packet the gateway itself sent, under an out policy for
 * everything: the selector, not the SA, is what to fix. */
static void selector_too_broad(struct gw_packet *p, const struct gw_names *n,
			       const struct gw_tuple *t)
{
	struct gw_diagnosis *d = &p->diag;
	unsigned plen[2] = { 1, 1 };
	char pol[96], a[64];

	if (!d->at || !made_in(p, d->at->netns, d->at) ||
	    !out_policy(n, d->at->netns, t, plen, pol, sizeof(pol)) || (plen[0] && plen[1]))
		return;
	d->cause = GW_CAUSE_SELECTOR_TOO_BROAD;
	evidence(d, "sent by this host (%s)", packet__addr_str(t->family, t->saddr, a, sizeof(a)));
	evidence(d, "%s covers it", pol);
}

/* A leak: the packet left a namespace in clear where IPsec wanted it. */
static bool diagnose_leak(struct gw_packet *p, const struct gw_names *n)
{
	if (p->held || (p->verdicts & (1u << GW_V_ENCRYPTED)))
		return false;
	if (p->nat.type != GW_NAT_NONE && leak_nat(p, n))
		return true;
	return leak_default_route(p, n);
}

/* An IKE answer refusing every proposal, on a packet that lived. */
static bool diagnose_ike(struct gw_packet *p)
{
	const struct gw_event *ev = p->ike;
	struct gw_diagnosis *d = &p->diag;

	if (!ev || !ike__is_response(&ev->ike) ||
	    ev->ike.notify != GW_IKE_NOTIFY_NO_PROPOSAL_CHOSEN)
		return false;
	d->cause = GW_CAUSE_IKE_NO_PROPOSAL;
	d->at = ev;
	evidence(d, "IKEv%u %s answer: notify NO_PROPOSAL_CHOSEN", ike__version(&ev->ike),
		 ike__exchange_name(&ev->ike) ?: "?");
	return true;
}

void diagnose__packet(struct gw_packet *p, const struct gw_names *n)
{
	struct gw_diagnosis *d = &p->diag;
	const struct gw_event *x = packet__xfrm_step(p), *drop = packet__drop_event(p);
	struct gw_drop_facts f = { .flow = &p->flow, .location = "" };
	__u32 mib = x ? x->xfrm.mib : 0;
	char buf[32], loc[128] = "";

	memset(d, 0, sizeof(*d));
	d->hook = -1;
	if (!p->n_steps || diagnose_leak(p, n))
		return;
	if (p->outcome != GW_OUT_DROPPED) {
		if (!p->held)
			diagnose_ike(p);
		return;
	}
	d->at = drop ?: (x && x->xfrm.err ? x : &p->steps[p->n_steps - 1]);
	if (!mib && drop)
		mib = drop->drop.xfrm_mib;
	if (drop) {
		f.reason = packet__reason_name(n, drop->drop.reason);
		if (drop->drop.location)
			f.location = packet__location(n, drop->drop.location, loc, sizeof(loc));
	}
	if (mib)
		f.xfrm_mib = packet__xfrm_mib_name(n, mib, buf, sizeof(buf));
	f.t = drop && drop->tuple.family ? &drop->tuple : &p->flow;
	f.netfilter = p->verdicts & (1u << GW_V_NETFILTER_DROP);
	f.policy = p->verdicts & (1u << GW_V_POLICY_DROP);
	f.decrypted = decrypted_before(p, d->at);
	f.routed_rx = p->route && !p->route->route.err &&
		      (p->route->route.type == RTN_UNICAST_ || !p->route->route.type) && received(p);
	if ((f.policy || queue_purged(&f) || blackholed(&f)) && !f.xfrm_mib && n && n->xfrm_acquired)
		f.acquired = n->xfrm_acquired(n->ctx, d->at->netns, p->flow.family, p->flow.saddr,
					      p->flow.daddr, d->at->ts_ns);
	d->cause = diagnose__cause(&f);
	if (d->cause == GW_CAUSE_SA_NOT_ESTABLISHED || d->cause == GW_CAUSE_POLICY_BLOCK)
		selector_too_broad(p, n, f.t);

	/* The facts that decided it, for the reader. */
	if (f.reason)
		evidence(d, "drop reason %s", f.reason);
	if (f.xfrm_mib)
		evidence(d, "xfrm counter %s", f.xfrm_mib);
	if (cause_of_mib(f.xfrm_mib) && x && x->xfrm.err)
		d->at = x;	/* the failed xfrm step, not the free after it */
	if (f.netfilter && !cause_of_mib(f.xfrm_mib)) {
		d->hook = p->nf_drop_hook;
		if (d->hook >= 0)
			evidence(d, "netfilter hook %s", gw_hook_name((unsigned)d->hook));
		if (drop && drop->drop.table[0])
			evidence(d, "table %.16s chain %.16s", drop->drop.table, drop->drop.chain);
	}
	switch (d->cause) {
	case GW_CAUSE_IKE_BLOCKED:
		evidence(d, "UDP %s: IKE", port_is(f.t, IKE_PORT) || port_is(&p->flow, IKE_PORT) ?
			 "500" : "4500");
		break;
	case GW_CAUSE_ESP_BLOCKED:
		evidence(d, "%s", f.t->proto == IPPROTO_ESP ? "ESP" : "ESP in UDP 4500");
		break;
	case GW_CAUSE_FIREWALL_AFTER_DECRYPT:
		evidence(d, "decrypted before the drop");
		break;
	case GW_CAUSE_SA_NOT_ESTABLISHED:
		if (f.acquired)
			evidence(d, "xfrm ACQUIRE for this flow: no SA yet");
		if (queue_purged(&f))
			evidence(d, "held in the xfrm policy queue, then purged");
		if (blackholed(&f))
			evidence(d, "discarded while IKE negotiates (xfrm_larval_drop)");
		break;
	case GW_CAUSE_FORWARDING_DISABLED:
		if (f.routed_rx)
			evidence(d, "the route lookup found a route (table %s)",
				 packet__table_name(n, p->route->route.table, buf, sizeof(buf)));
		else
			evidence(d, "refused at %s", loc);
		break;
	case GW_CAUSE_KERNEL_DROP:
		if (loc[0])
			evidence(d, "at %s", loc);
		if (starts(loc, "xfrm_input"))
			evidence(d, "IPsec refused it (no SA, wrong key, replay...): "
				    "the summary's xfrm_stat says which");
		break;
	default:
		break;
	}
}

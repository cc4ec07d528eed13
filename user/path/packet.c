// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Names and formatting shared by the correlator and the renderers. The
 * words returned here appear in the JSON output: changing one changes the
 * schema.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "names.h"
#include "packet.h"
#include "probe_table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Picks a[i] if in range and set, else dflt. */
#define NAME_OR(a, i, dflt) ((size_t)(i) < ARRAY_SIZE(a) && (a)[i] ? (a)[i] : (dflt))

const char *gw_verdict_name(enum gw_verdict v)
{
	static const char *const names[GW_V_MAX] = {
		[GW_V_ENCRYPTED] = "encrypted",
		[GW_V_DECRYPTED] = "decrypted",
		[GW_V_POLICY_DROP] = "policy_drop",
		[GW_V_NAT] = "nat",
		[GW_V_DEFAULT_ROUTE] = "default_route",
		[GW_V_NETFILTER_DROP] = "netfilter_drop",
		[GW_V_DROPPED] = "dropped",
		[GW_V_FORWARDED] = "forwarded",
		[GW_V_DELIVERED] = "delivered",
		[GW_V_SENT] = "sent",
	};

	return NAME_OR(names, v, "unknown");
}

const char *gw_outcome_name(enum gw_outcome o)
{
	static const char *const names[] = {
		[GW_OUT_UNKNOWN] = "unknown",	  [GW_OUT_DROPPED] = "dropped",
		[GW_OUT_FORWARDED] = "forwarded", [GW_OUT_DELIVERED] = "delivered",
		[GW_OUT_SENT] = "sent",
	};

	return NAME_OR(names, o, "unknown");
}

const char *gw_hook_name(unsigned hook)
{
	/* iptables' chain names: what an operator greps the ruleset for. */
	static const char *const names[GW_NF_NUMHOOKS] = {
		[GW_NF_PRE_ROUTING] = "PREROUTING",   [GW_NF_LOCAL_IN] = "INPUT",
		[GW_NF_FORWARD] = "FORWARD",	      [GW_NF_LOCAL_OUT] = "OUTPUT",
		[GW_NF_POST_ROUTING] = "POSTROUTING",
	};

	return NAME_OR(names, hook, "?");
}

/* The one protocol name table: packet JSON and text, --proto, xfrm output. */
const struct gw_proto_name_def gw_proto_names[] = {
	{ IPPROTO_ICMP, "icmp" },   { IPPROTO_IPIP, "ipip" }, { IPPROTO_TCP, "tcp" },
	{ IPPROTO_UDP, "udp" },     { IPPROTO_IPV6, "ipv6" }, { IPPROTO_GRE, "gre" },
	{ IPPROTO_ESP, "esp" },     { IPPROTO_AH, "ah" },     { IPPROTO_ICMPV6, "icmpv6" },
	{ IPPROTO_COMP, "comp" },   { IPPROTO_SCTP, "sctp" },
};
const size_t gw_n_proto_names = sizeof(gw_proto_names) / sizeof(gw_proto_names[0]);

const char *gw_proto_name(unsigned proto, char *buf, size_t len)
{
	for (size_t i = 0; i < gw_n_proto_names; i++)
		if (gw_proto_names[i].proto == proto)
			return gw_proto_names[i].name;
	if (!buf || !len)
		return "?";
	snprintf(buf, len, "%u", proto);
	return buf;
}

const char *packet__kind_name(unsigned kind)
{
	static const char *const names[GW_EV_KIND_MAX] = {
		[GW_EV_RX] = "rx",
		[GW_EV_TX] = "tx",
		[GW_EV_NF_ENTER] = "nf_enter",
		[GW_EV_NF_EXIT] = "nf_exit",
		[GW_EV_NF_TABLE] = "nf_table",
		[GW_EV_ROUTE] = "route",
		[GW_EV_DROP] = "drop",
		[GW_EV_FREE] = "free",
		[GW_EV_XFRM_OUT] = "xfrm_out",
		[GW_EV_XFRM_IN] = "xfrm_in",
		[GW_EV_XFRM_POLICY] = "xfrm_policy",
		[GW_EV_IP_FORWARD] = "forward",
		[GW_EV_IP_DELIVER] = "deliver",
	};

	return NAME_OR(names, kind, "unknown");
}

const char *packet__probe_name(unsigned probe)
{
	/* The probe table (load/probe_table.c) names every probe once. */
	if (probe >= GW_PROBE_MAX || !gw_probe_defs[probe].name)
		return "unknown";
	return gw_probe_defs[probe].name;
}

const char *packet__strategy_name(unsigned strategy)
{
	static const char *const names[] = {
		[GW_STRAT_NONE] = "none",
		[GW_STRAT_FENTRY] = "fentry",
		[GW_STRAT_KPROBE] = "kprobe",
		[GW_STRAT_TRACEPOINT] = "tracepoint",
	};

	return NAME_OR(names, strategy, "none");
}

const char *packet__nf_verdict_name(unsigned verdict)
{
	static const char *const names[] = {
		[GW_NF_DROP] = "drop",	 [GW_NF_ACCEPT] = "accept", [GW_NF_STOLEN] = "stolen",
		[GW_NF_QUEUE] = "queue", [GW_NF_REPEAT] = "repeat", [GW_NF_STOP] = "stop",
	};

	return NAME_OR(names, verdict, NULL);
}

const char *packet__xfrm_dir_name(unsigned dir)
{
	static const char *const names[] = {
		[GW_XFRM_IN] = "in",
		[GW_XFRM_OUT] = "out",
		[GW_XFRM_FWD] = "fwd",
	};

	return NAME_OR(names, dir, NULL);
}

const char *packet__route_type_name(unsigned type)
{
	/* RTN_* from <linux/rtnetlink.h>, by value: stable uapi. */
	static const char *const names[] = {
		[1] = "unicast",   [2] = "local",     [3] = "broadcast",   [4] = "anycast",
		[5] = "multicast", [6] = "blackhole", [7] = "unreachable", [8] = "prohibit",
		[9] = "throw",	   [10] = "nat",      [11] = "xresolve",
	};

	return NAME_OR(names, type, NULL);
}

const char *packet__family_name(unsigned family)
{
	if (family == AF_INET)
		return "ipv4";
	if (family == AF_INET6)
		return "ipv6";
	return NULL;
}

size_t packet__addr_len(unsigned family)
{
	if (family == AF_INET)
		return 4;
	if (family == AF_INET6)
		return 16;
	return 0;
}

/* glibc's inet_ntop() formats IPv4 with sprintf(): a fifth of the JSON
 * output's time, with four addresses per step. */
static bool addr4_str(const __u8 *addr, char *buf, size_t len)
{
	char *p = buf;
	int i;

	if (len < INET_ADDRSTRLEN)
		return false;
	for (i = 0; i < 4; i++) {
		unsigned v = addr[i];

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
	return true;
}

const char *packet__addr_str(unsigned family, const __u8 *addr, char *buf, size_t len)
{
	if (family == AF_INET && addr4_str(addr, buf, len))
		return buf;
	if (!packet__addr_len(family) || !inet_ntop((int)family, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *packet__endpoint_str(unsigned family, const __u8 *addr, __u16 port, char *buf,
				 size_t len)
{
	char a[INET6_ADDRSTRLEN];

	packet__addr_str(family, addr, a, sizeof(a));
	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

bool packet__has_ports(const struct gw_tuple *t)
{
	switch (t->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return packet__addr_len(t->family) != 0;
	}
	return false;
}

void packet__ports(const struct gw_tuple *t, __u16 *sport, __u16 *dport)
{
	/* ICMP keeps its echo id in sport: not a port, reported apart. */
	*sport = packet__has_ports(t) ? ntohs(t->sport) : 0;
	*dport = packet__has_ports(t) ? ntohs(t->dport) : 0;
}

bool packet__is_icmp(const struct gw_tuple *t)
{
	return (t->family == AF_INET && t->proto == IPPROTO_ICMP) ||
	       (t->family == AF_INET6 && t->proto == IPPROTO_ICMPV6);
}

bool packet__is_echo(const struct gw_tuple *t)
{
	if (t->family == AF_INET && t->proto == IPPROTO_ICMP)
		return t->icmp_type == 8 || t->icmp_type == 0;
	if (t->family == AF_INET6 && t->proto == IPPROTO_ICMPV6)
		return t->icmp_type == 128 || t->icmp_type == 129;
	return false;
}

const char *packet__xfrm_mib_name(const struct gw_names *n, __u32 index, char *buf, size_t len)
{
	const char *name = n && n->xfrm_mib && index ? n->xfrm_mib(n->ctx, index) : NULL;

	if (!index)
		return NULL;
	if (name)
		return name;
	snprintf(buf, len, "xfrm_mib_%u", index);
	return buf;
}

const struct gw_event *packet__drop_event(const struct gw_packet *p)
{
	/* Judged by another step (a failed xfrm step, a hook's DROP
	 * result): the free that ended the life, if any, says where. */
	for (size_t i = p->n_steps; !p->drop && i--;)
		if (p->steps[i].kind == GW_EV_DROP)
			return &p->steps[i];
	return p->drop;
}

bool packet__is_xfrm_step(const struct gw_event *ev)
{
	return ev->kind == GW_EV_XFRM_OUT || ev->kind == GW_EV_XFRM_IN ||
	       ev->kind == GW_EV_XFRM_POLICY;
}

const struct gw_event *packet__xfrm_step(const struct gw_packet *p)
{
	const struct gw_event *good = NULL;

	for (size_t i = 0; i < p->n_steps; i++) {
		const struct gw_event *ev = &p->steps[i];

		if (!packet__is_xfrm_step(ev))
			continue;
		if (ev->xfrm.err)
			return ev;
		if (ev->kind != GW_EV_XFRM_POLICY)
			good = ev;
	}
	return good;
}

const char *packet__reason_name(const struct gw_names *n, __u32 reason)
{
	return n && n->reason ? n->reason(n->ctx, reason) : NULL;
}

bool packet__reason_is_drop(const char *name)
{
	/*
	 * kfree_skb() without a reason, or the "consumed" pseudo reason, ends
	 * a life that no one judged: GSO segmentation frees the original that
	 * way, and so does xfrm_input() when it fails (the XFRM_IN step says
	 * so). Both spellings of the not-dropped names are accepted because
	 * the kernel's enum uses two prefixes (SKB_DROP_REASON_, SKB_).
	 * An unknown reason (NULL) is reported as a drop: hiding a real drop
	 * is worse than showing a free.
	 */
	static const char *const not_drops[] = {
		"NOT_SPECIFIED",       "CONSUMED", "SKB_CONSUMED", "NOT_DROPPED_YET",
		"SKB_NOT_DROPPED_YET",
	};
	size_t i;

	if (!name)
		return true;
	for (i = 0; i < ARRAY_SIZE(not_drops); i++)
		if (!strcmp(name, not_drops[i]))
			return false;
	return true;
}

/*
 * Kernel functions that free a packet without a reason although it is a
 * loss: when IPv6 neighbour discovery fails, ndisc_error_report() frees
 * the queued packets with plain kfree_skb() (IPv4's arp_error_report says
 * NEIGH_FAILED); as a tail call, the location reads neigh_invalidate,
 * which frees nothing but packets whose next hop failed. Seen on 6.18.
 * dst_discard_out is the output of a blackhole route: a blackhole route's
 * packets, and those of a flow whose IPsec policy has no SA yet while IKE
 * negotiates (xfrm_larval_drop 1, the default). Seen on 6.18. xfrm_input
 * frees what IPsec refuses (no SA, wrong key, replay) without a reason,
 * and frees nothing else: where no xfrm probe names the counter (the
 * tracepoint strategy), the place still says it died. Seen on 6.1, 6.12.
 * Monitor counts these last two the same way (gw_packet_lossy_funcs into
 * bpf/monitor.bpf.h's gw_mon_lossy, by user/load/attach.c).
 */
const char *const gw_packet_lossy_funcs[GW_LOSSY_FUNCS] = { "dst_discard_out", "xfrm_input" };

static bool reasonless_loss_at(const struct gw_names *n, __u64 location)
{
	static const char *const neigh[] = { "neigh_invalidate", "ndisc_error_report" };
	char buf[128];

	packet__location_function(n, location, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(neigh) / sizeof(neigh[0]); i++)
		if (!strcmp(buf, neigh[i]))
			return true;
	for (size_t i = 0; i < GW_LOSSY_FUNCS; i++)
		if (!strcmp(buf, gw_packet_lossy_funcs[i]))
			return true;
	return false;
}

const char *packet__netns_str(const struct gw_names *n, __u32 inum, char *buf, size_t len)
{
	const char *name = n && n->netns_name ? n->netns_name(n->ctx, inum) : NULL;

	if (name)
		return name;
	snprintf(buf, len, "%u", inum);
	return buf;
}

bool packet__drop_step_is_drop(const struct gw_names *n, const struct gw_event *ev)
{
	const char *name = packet__reason_name(n, ev->drop.reason);
	const struct gw_tuple *t = &ev->tuple;

	/* Without a reason, an xfrm counter that moved for this skb names the
	 * cause (6.1's xfrm_input frees its failures that way), or the place
	 * it was freed does. */
	if (!packet__reason_is_drop(name))
		return ev->drop.xfrm_mib != 0 || reasonless_loss_at(n, ev->drop.location);
	/* A raw socket (root's ping) got a clone of the echo reply; the
	 * kernel then frees the original for want of a ping socket. The reply
	 * was delivered: calling it dropped sends an operator chasing a
	 * healthy path. (bpf/skb.bpf.c does not count it in monitor mode either.) */
	if (name && !strcmp(name, "NO_SOCKET") &&
	    ((t->proto == IPPROTO_ICMP && t->icmp_type == 0) ||
	     (t->proto == IPPROTO_ICMPV6 && t->icmp_type == 129)))
		return false;
	return true;
}

const char *packet__location(const struct gw_names *n, __u64 addr, char *buf, size_t len)
{
	const char *s = NULL;

	if (n && n->location)
		s = n->location(n->ctx, addr, buf, len);
	if (!s || !*s) {
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
		s = buf;
	}
	return s;
}

const char *packet__location_function(const struct gw_names *n, __u64 addr, char *buf,
				      size_t len)
{
	const char *s = packet__location(n, addr, buf, len);

	if (s != buf)	/* a names callback may answer with its own string */
		snprintf(buf, len, "%s", s);
	buf[strcspn(buf, "+")] = '\0';
	return buf;
}

const char *packet__table_name(const struct gw_names *n, __u32 table, char *buf, size_t len)
{
	const char *s = NULL;

	if (n && n->table)
		s = n->table(n->ctx, table, buf, len);
	if (s && *s)
		return s;
	/* rt_names defaults, for a names backend that could not answer. */
	switch (table) {
	case 253:
		return "default";
	case 254:
		return "main";
	case 255:
		return "local";
	}
	snprintf(buf, len, "%u", table);
	return buf;
}

int packet__prefixlen(const struct gw_names *n, __u32 netns, unsigned family, const __u8 *daddr,
		      __u32 table)
{
	int pl;

	if (!n || !n->prefixlen || !packet__addr_len(family))
		return -1;
	pl = n->prefixlen(n->ctx, netns, (int)family, daddr, table);
	return pl >= 0 && pl <= 128 ? pl : -1;
}

int packet__copy(struct gw_packet *dst, const struct gw_packet *src)
{
	*dst = *src;
	dst->steps = malloc((src->n_steps ? src->n_steps : 1) * sizeof(*src->steps));
	if (!dst->steps)
		return -1;
	memcpy(dst->steps, src->steps, src->n_steps * sizeof(*src->steps));
	dst->cap_steps = src->n_steps;
	/* The conclusions point into steps: into the copy's now. */
	if (src->drop)
		dst->drop = dst->steps + (src->drop - src->steps);
	if (src->route)
		dst->route = dst->steps + (src->route - src->steps);
	if (src->ike)
		dst->ike = dst->steps + (src->ike - src->steps);
	if (src->diag.at)
		dst->diag.at = dst->steps + (src->diag.at - src->steps);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A packet's life as user space sees it: the events the BPF side recorded
 * for one pkt_id, in time order, plus what the correlator concluded.
 */
#ifndef GW_PACKET_H
#define GW_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "gwtrace.h"

/* Verdict words of the JSON schema, in this order (bit = 1 << enum). */
enum gw_verdict {
	GW_V_ENCRYPTED,
	GW_V_DECRYPTED,
	GW_V_POLICY_DROP,
	GW_V_NAT,
	GW_V_DEFAULT_ROUTE,
	GW_V_NETFILTER_DROP,
	GW_V_DROPPED,
	GW_V_FORWARDED,
	GW_V_DELIVERED,
	GW_V_SENT,
	GW_V_MAX,
};

enum gw_outcome {
	GW_OUT_UNKNOWN,
	GW_OUT_DROPPED,
	GW_OUT_FORWARDED,
	GW_OUT_DELIVERED,
	GW_OUT_SENT,
};

enum gw_nat_type { GW_NAT_NONE, GW_NAT_SNAT, GW_NAT_DNAT };

struct gw_nat {
	enum gw_nat_type type;
	__u8 hook;			/* enum gw_nf_hook where it happened */
	struct gw_tuple from;
	struct gw_tuple to;
};

/* Causes, in the order of diagnose.c's table (its ids are the schema). */
enum gw_cause {
	GW_CAUSE_NONE = 0,
	GW_CAUSE_FIREWALL_DROP,
	GW_CAUSE_IKE_BLOCKED,
	GW_CAUSE_IKE_UNANSWERED,
	GW_CAUSE_IKE_NO_PROPOSAL,
	GW_CAUSE_ESP_BLOCKED,
	GW_CAUSE_FIREWALL_AFTER_DECRYPT,
	GW_CAUSE_SA_NOT_ESTABLISHED,
	GW_CAUSE_SA_MISSING,
	GW_CAUSE_SA_MISMATCH,
	GW_CAUSE_SA_EXPIRED,
	GW_CAUSE_LIFETIME_MISMATCH,
	GW_CAUSE_REPLAY,
	GW_CAUSE_POLICY_BLOCK,
	GW_CAUSE_SELECTOR_TOO_BROAD,
	GW_CAUSE_NAT_BEFORE_IPSEC,
	GW_CAUSE_REPLY_VIA_DEFAULT_ROUTE,
	GW_CAUSE_NO_ROUTE,
	GW_CAUSE_FORWARDING_DISABLED,
	GW_CAUSE_RP_FILTER,
	GW_CAUSE_NEIGH_FAILED,
	GW_CAUSE_MTU_EXCEEDED,
	GW_CAUSE_NO_SOCKET,
	GW_CAUSE_KERNEL_DROP,
	GW_CAUSE_MAX,
};

#define GW_DIAG_EVIDENCE 4

/* What diagnose__packet() concluded: the cause, where it is, and the
 * facts that say so ("reason NETFILTER_DROP", "UDP 500: IKE"). */
struct gw_diagnosis {
	enum gw_cause cause;		/* GW_CAUSE_NONE: healthy, or not judged */
	const struct gw_event *at;	/* the step where the cause shows */
	int hook;			/* netfilter hook there, -1 if none */
	unsigned n_evidence;
	char evidence[GW_DIAG_EVIDENCE][80];
};

struct gw_packet {
	__u64 id;			/* pkt_id from the kernel */
	struct gw_tuple flow;		/* headers at first sight (pre-NAT) */
	struct gw_event *steps;		/* sorted by ts_ns */
	size_t n_steps, cap_steps;
	__u64 last_ts;			/* ts of the newest step */
	bool complete;			/* saw the end of its life */
	bool held;			/* finished while held (corr__path_held) */
	/* Conclusions, filled by corr__finish(). */
	enum gw_outcome outcome;
	__u32 verdicts;			/* 1 << enum gw_verdict */
	const struct gw_event *drop;	/* the DROP step, or NULL */
	const struct gw_event *route;	/* the decisive ROUTE step, or NULL */
	__u8 route_prefixlen;		/* resolved, GW_PREFIX_UNKNOWN if not */
	struct gw_nat nat;		/* type GW_NAT_NONE if none */
	int nf_drop_hook;		/* hook it died in, -1 if not netfilter */
	const struct gw_event *ike;	/* first RX/TX step with an IKE header, or NULL */
	struct gw_diagnosis diag;	/* the cause, by diagnose__packet() */
};

/* Deep copy (steps malloc'd, conclusions pointing into them); -1: ENOMEM. */
int packet__copy(struct gw_packet *dst, const struct gw_packet *src);

const char *gw_verdict_name(enum gw_verdict v);
const char *gw_outcome_name(enum gw_outcome o);
const char *gw_hook_name(unsigned hook);	/* "PREROUTING", ... */
/* IPPROTO_* names, one table for every output and the filter. */
struct gw_proto_name_def {
	__u8 proto;
	const char *name;
};
extern const struct gw_proto_name_def gw_proto_names[];
extern const size_t gw_n_proto_names;
/* The name, else the number in buf ("?" without buf). */
const char *gw_proto_name(unsigned proto, char *buf, size_t len);

/*
 * Added with the correlator and renderers: words and formatting shared by
 * correlate.c, flows.c and render_*.c. JSON output uses these words, so
 * they are part of the output schema.
 */
struct gw_names;

#define GW_HOOK_UNKNOWN	0xff	/* struct gw_nat.hook: no netfilter step saw it */

const char *packet__kind_name(unsigned kind);		/* "nf_enter", ...; "unknown" */
const char *packet__probe_name(unsigned probe);		/* "nf:hook", ...; "unknown" */
const char *packet__strategy_name(unsigned strategy);	/* "fentry", ...; "none" */
const char *packet__nf_verdict_name(unsigned verdict);	/* "accept", ...; NULL: none */
const char *packet__xfrm_dir_name(unsigned dir);	/* "in", "out", "fwd"; NULL */
const char *packet__route_type_name(unsigned type);	/* "unicast", ...; NULL: 0 */
const char *packet__family_name(unsigned family);	/* "ipv4", "ipv6"; NULL */
/* Functions whose frees without a drop reason are losses, in trace and
 * in monitor alike (packet.c says why). */
extern const char *const gw_packet_lossy_funcs[GW_LOSSY_FUNCS];
/* A namespace for people: its `ip netns` name, else its inode in buf. */
const char *packet__netns_str(const struct gw_names *n, __u32 inum, char *buf, size_t len);

/* Bytes of an address of family (4 or 16), 0 for anything else. */
size_t packet__addr_len(unsigned family);
/* inet_ntop into buf; "?" when the family is not IPv4/IPv6. */
const char *packet__addr_str(unsigned family, const __u8 *addr, char *buf,
			     size_t len);
/* "10.1.0.2:80", "[fd00::1]:80". */
const char *packet__endpoint_str(unsigned family, const __u8 *addr, __u16 port,
				 char *buf, size_t len);
/* Host-order ports for TCP/UDP/SCTP/UDP-Lite/DCCP; 0 for the rest (ICMP). */
void packet__ports(const struct gw_tuple *t, __u16 *sport, __u16 *dport);
/* The protocol has the ports packet__ports() reports. */
bool packet__has_ports(const struct gw_tuple *t);
bool packet__is_icmp(const struct gw_tuple *t);
/* ICMP/ICMPv6 echo request or reply: sport holds the echo id. */
bool packet__is_echo(const struct gw_tuple *t);

/*
 * struct gw_names wrappers that tolerate missing callbacks and NULL/-1
 * answers, so every caller does not have to.
 */
const char *packet__reason_name(const struct gw_names *n, __u32 reason); /* or NULL */
/* /proc/net/xfrm_stat name of an xfrm MIB index ("XfrmInNoStates"),
 * "xfrm_mib_N" when the kernel's name is unknown, NULL for index 0. */
const char *packet__xfrm_mib_name(const struct gw_names *n, __u32 index, char *buf, size_t len);
/* The xfrm step that tells the packet's IPsec story: the first failing
 * one, else the last good encrypt/decrypt; NULL if none. */
/* The step that says where it died: p->drop, else the last DROP step. */
const struct gw_event *packet__drop_event(const struct gw_packet *p);
/* An xfrm_out / xfrm_in / xfrm_policy step. */
bool packet__is_xfrm_step(const struct gw_event *ev);
const struct gw_event *packet__xfrm_step(const struct gw_packet *p);
/* False for the names that end a life without a drop verdict. */
bool packet__reason_is_drop(const char *name);
/* Whether a DROP step is a drop: its reason is one (or, without one, an
 * xfrm counter names the cause), and it is not the original of an echo
 * reply a raw socket received (NO_SOCKET). */
bool packet__drop_step_is_drop(const struct gw_names *n, const struct gw_event *ev);
const char *packet__location(const struct gw_names *n, __u64 addr, char *buf,
			     size_t len);
/* The function of a location ("nf_hook_slow" of "nf_hook_slow+0x9c"),
 * into buf: drop sites of one function are one cause. */
const char *packet__location_function(const struct gw_names *n, __u64 addr, char *buf,
				      size_t len);
const char *packet__table_name(const struct gw_names *n, __u32 table, char *buf,
			       size_t len);
int packet__prefixlen(const struct gw_names *n, __u32 netns, unsigned family,
		      const __u8 *daddr, __u32 table);

#endif /* GW_PACKET_H */

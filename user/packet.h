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

struct gw_packet {
	__u64 id;			/* pkt_id from the kernel */
	struct gw_tuple flow;		/* headers at first sight (pre-NAT) */
	struct gw_event *steps;		/* sorted by ts_ns */
	size_t n_steps, cap_steps;
	__u64 last_ts;			/* ts of the newest step */
	bool complete;			/* saw the end of its life */
	/* Conclusions, filled by corr__finish(). */
	enum gw_outcome outcome;
	__u32 verdicts;			/* 1 << enum gw_verdict */
	const struct gw_event *drop;	/* the DROP step, or NULL */
	const struct gw_event *route;	/* the decisive ROUTE step, or NULL */
	__u8 route_prefixlen;		/* resolved, GW_PREFIX_UNKNOWN if not */
	struct gw_nat nat;		/* type GW_NAT_NONE if none */
	int nf_drop_hook;		/* hook it died in, -1 if not netfilter */
};

const char *gw_verdict_name(enum gw_verdict v);
const char *gw_outcome_name(enum gw_outcome o);
const char *gw_hook_name(unsigned hook);	/* "PREROUTING", ... */
const char *gw_proto_name(unsigned proto, char *buf, size_t len);

#endif /* GW_PACKET_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Text output for an operator: one header line per packet path with the
 * outcome first, then one line per step with the time since the first
 * step. Example:
 *
 *   DROP icmp 10.1.0.2 -> 10.2.0.2 (id 4242)  x37 packets
 *     +0us    rx        dev veth-lan
 *     +2us    nf        PREROUTING accept
 *     +4us    route     table main -> via 172.16.9.1 dev veth-wan  [DEFAULT ROUTE]
 *     +5us    nf        FORWARD DROP
 *     +5us    drop      NETFILTER_DROP at nft_do_chain+0x3a8
 */
#ifndef GW_RENDER_TEXT_H
#define GW_RENDER_TEXT_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "flows.h"
#include "names.h"
#include "packet.h"
#include "summary.h"

/* One path; "  xN packets" is added to the header when count > 1. */
void render_text__packet(FILE *out, const struct gw_packet *p, __u64 count,
			 const struct gw_names *n);
/* Every fold once with its count, dropped folds first (first-seen order
 * within each group); all = false: dropped folds only. */
void render_text__report(FILE *out, const struct gw_flows *f, bool all,
			 const struct gw_names *n);
/* The IKE header of an IKE packet, one indented line (render_ike.c). */
void render_text__ike(FILE *out, const struct gw_ike *k);
struct ike_finding;
/* A finding about an IKE exchange: what, the cause, where, advice. */
void render_text__finding(FILE *out, const struct ike_finding *f);
/* End-of-run block. "lost events: N" is always printed, 0 included. */
void render_text__summary(FILE *out, const struct gw_summary *s);

#endif /* GW_RENDER_TEXT_H */

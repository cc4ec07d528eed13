/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Folding: packets of the same flow that took the same path are one line
 * with a count ("x37 packets"), not 37 copies.
 *
 * The fold key is the flow (family, protocol, addresses, ports or ICMP echo
 * id, SPI) plus the path signature: for each step its kind, netns, device,
 * hook and netfilter verdict, drop reason and drop location symbol (without
 * the offset), route table/gateway/output device/type/error, xfrm
 * direction and failure; plus the NAT type and whether the path was
 * complete. Timestamps, pkt_ids, skb addresses, CPUs, lengths and SPIs of
 * the steps are not part of it.
 */
#ifndef GW_FLOWS_H
#define GW_FLOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "names.h"
#include "packet.h"

/* Distinct folds kept; packets of further new paths are counted in
 * flows__overflow() and not stored, so memory stays bounded. */
#define FLOWS_MAX_FOLDS 65536

struct gw_flows;

/* One fold: the first packet seen with that key, and how many there were. */
struct gw_fold {
	const struct gw_packet *pkt;
	__u64 count;
};

struct gw_flows *flows__new(void);
/*
 * Adds p (copied: p need not outlive the call). Returns the fold's count
 * after adding: 1 = first time this path was seen. A packet that could not
 * be stored (no memory, FLOWS_MAX_FOLDS) also returns 1, so a caller that
 * prints first sightings still prints it.
 */
__u64 flows__add(struct gw_flows *f, const struct gw_packet *p, const struct gw_names *n);
void flows__free(struct gw_flows *f);

/* Folds in first-seen order: i in [0, flows__count()). */
size_t flows__count(const struct gw_flows *f);
struct gw_fold flows__get(const struct gw_flows *f, size_t i);
/* Packets added, folded or not. */
__u64 flows__packets(const struct gw_flows *f);
/* Packets not stored (no memory or FLOWS_MAX_FOLDS reached). */
__u64 flows__overflow(const struct gw_flows *f);

#endif /* GW_FLOWS_H */

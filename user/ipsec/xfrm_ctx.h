/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The IPsec context of a trace: xfrm netlink events and SA tables
 * (xfrm_nl) and xfrm counters (xfrm_stat) of every network namespace
 * gwtrace can reach (with --netns: its own and that one). Events are printed as they happen
 * (an SA expiring minutes into a trace is the lifetime mismatch an
 * operator is chasing), counter increases go into the summary, and the
 * tables answer gw_names.sa_json() for packets.
 *
 * Everything here is optional: a kernel without xfrm netlink
 * (CONFIG_XFRM_USER) or xfrm_stat (CONFIG_XFRM_STATISTICS) gets a debug
 * line and a trace without that part.
 */
#ifndef GW_XFRM_CTX_H
#define GW_XFRM_CTX_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "summary.h"

struct jw;
struct netns_map;
struct xfrm_ctx;

struct xfrm_ctx_opts {
	FILE *out;			/* events go here as they happen */
	bool json;			/* {"type":"xfrm_event",...} lines, else text */
	__u32 netns;			/* --netns inode, also watched; 0 = none:
					 * every namespace is */
	struct netns_map *netns_map;	/* opens it (borrowed) */
};

/*
 * Subscribes, dumps the SAs and policies and reads the counters, in our
 * namespace and in o->netns, or in every namespace reachable now. NULL
 * only when out of memory.
 */
struct xfrm_ctx *xfrm_ctx__open(const struct xfrm_ctx_opts *o);
void xfrm_ctx__close(struct xfrm_ctx *x);

/*
 * Without --netns: starts watching the namespaces that appeared and stops
 * watching those no longer reachable (a watch keeps its namespace alive).
 * Call every second or so.
 */
void xfrm_ctx__refresh(struct xfrm_ctx *x);

/* Prints the events pending now and updates the tables; never blocks. */
void xfrm_ctx__poll(struct xfrm_ctx *x);

/*
 * At exit: prints the last pending events, reads the counters again and
 * fills s's xfrm fields. The delta lives as long as x.
 */
void xfrm_ctx__finish(struct xfrm_ctx *x, struct gw_summary *s);

/*
 * Writes the SA (spi, proto, daddr) of netns's table (0 or a namespace not
 * watched: gwtrace's own) with xfrm_nl__sa_json(); false if unknown.
 */
bool xfrm_ctx__sa_json(const struct xfrm_ctx *x, struct jw *w, __u32 netns, __be32 spi,
		       __u8 proto, const __u8 *daddr);

/*
 * Whether the kernel sent an ACQUIRE (asked the IKE daemon for an SA) for
 * the flow saddr -> daddr in netns (0: any) within the larval SA's life
 * around ts_ns (CLOCK_MONOTONIC): a policy wanted IPsec and no SA existed.
 * Reads pending events first.
 */
bool xfrm_ctx__acquired(struct xfrm_ctx *x, __u32 netns, unsigned int family, const __u8 *saddr,
			const __u8 *daddr, __u64 ts_ns);

/*
 * Whether an IPsec out policy of netns (0: gwtrace's own) covers saddr ->
 * daddr (xfrm_nl__policy_covering); if so, plen (unless NULL) its
 * selector's prefix lengths (source, destination) and desc it in words
 * ("out policy 10.2.0.0/24 -> 10.1.0.0/24 if_id 0x42").
 */
bool xfrm_ctx__out_policy(const struct xfrm_ctx *x, __u32 netns, unsigned int family,
			  const __u8 *saddr, const __u8 *daddr, unsigned int plen[2], char *desc,
			  size_t len);

#endif /* GW_XFRM_CTX_H */

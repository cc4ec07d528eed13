/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the correlator and renderers need from the running system, behind
 * one interface so unit tests can feed fixed answers.
 */
#ifndef GW_NAMES_H
#define GW_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct jw;

struct gw_names {
	void *ctx;
	/* Drop reason name without the SKB_DROP_REASON_ prefix; NULL if unknown. */
	const char *(*reason)(void *ctx, __u32 reason);
	/* "sym+0xoff" into buf; returns buf, or a hex address if unknown. */
	const char *(*location)(void *ctx, __u64 addr, char *buf, size_t len);
	/* Prefix length of the route that matched daddr in table of netns;
	 * returns 0..128, or -1 if it cannot be resolved. */
	int (*prefixlen)(void *ctx, __u32 netns, int family, const __u8 *daddr,
			 __u32 table);
	/* Table name: "main", "local", "default" or the number. */
	const char *(*table)(void *ctx, __u32 table, char *buf, size_t len);
	/* Name of an xfrm MIB counter index (LINUX_MIB_XFRM*) as in
	 * /proc/net/xfrm_stat ("XfrmInNoStates"); NULL if unknown. */
	const char *(*xfrm_mib)(void *ctx, __u32 index);
	/* Writes the SA known for (netns, spi, proto, daddr) as a JSON value
	 * (an object) to w, the caller having written the member name;
	 * returns false, writing nothing, if the SA is unknown. May be NULL. */
	bool (*sa_json)(void *ctx, struct jw *w, __u32 netns, __be32 spi,
			__u8 proto, const __u8 *daddr);
	/* Whether an xfrm ACQUIRE (no SA for a policy that wants one) was seen
	 * for saddr -> daddr in netns around ts_ns. May be NULL. */
	bool (*xfrm_acquired)(void *ctx, __u32 netns, unsigned family, const __u8 *saddr,
			      const __u8 *daddr, __u64 ts_ns);
	/* The `ip netns` name of a namespace ("gw-a"), NULL if it has none
	 * (the init namespace, a container's). May be NULL. */
	const char *(*netns_name)(void *ctx, __u32 inum);
	/* Whether an IPsec out policy of netns covers saddr -> daddr; desc
	 * gets it in words, plen (unless NULL) its selector's source and
	 * destination prefix lengths. May be NULL. */
	bool (*xfrm_out_policy)(void *ctx, __u32 netns, unsigned family, const __u8 *saddr,
				const __u8 *daddr, unsigned plen[2], char *desc, size_t len);
};

#endif /* GW_NAMES_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the correlator and renderers need from the running system, behind
 * one interface so unit tests can feed fixed answers.
 */
#ifndef GW_NAMES_H
#define GW_NAMES_H

#include <stddef.h>
#include <linux/types.h>

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
};

#endif /* GW_NAMES_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Names for the fuzz targets: nothing known, as for a foreign recording. */
#ifndef GW_FUZZ_NAMES_H
#define GW_FUZZ_NAMES_H

#include <stdio.h>
#include "names.h"

static const char *fz_reason(void *ctx, __u32 reason)
{
	(void)ctx;
	return reason == 2 ? "NO_SOCKET" : NULL;
}

static const char *fz_location(void *ctx, __u64 addr, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	return buf;
}

static int fz_prefixlen(void *ctx, __u32 netns, int family, const __u8 *daddr, __u32 table)
{
	(void)ctx, (void)netns, (void)family, (void)table;
	return daddr[0] & 1 ? 0 : -1;	/* both answers, by the input */
}

static const char *fz_table(void *ctx, __u32 table, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "%u", table);
	return buf;
}

static const char *fz_xfrm_mib(void *ctx, __u32 index)
{
	(void)ctx;
	return index == 1 ? "XfrmInError" : NULL;
}

static const struct gw_names fz_names = {
	.reason = fz_reason,
	.location = fz_location,
	.prefixlen = fz_prefixlen,
	.table = fz_table,
	.xfrm_mib = fz_xfrm_mib,
};

#endif /* GW_FUZZ_NAMES_H */

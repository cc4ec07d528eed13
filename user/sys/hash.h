/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The one hash function of gwtrace's user-space tables (flow folding,
 * metric series, monitor mirrors): keys are short and none comes from a
 * hostile source, so FNV-1a serves. */
#ifndef GW_HASH_H
#define GW_HASH_H

#include <stddef.h>
#include <linux/types.h>

static inline __u64 hash__fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	__u64 h = 0xcbf29ce484222325ULL;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

#endif /* GW_HASH_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * /proc/net/xfrm_stat: the kernel's per-netns IPsec drop counters
 * (CONFIG_XFRM_STATISTICS). Read before and after, diff, and say what
 * each counter that moved means for a gateway operator.
 */
#ifndef GW_XFRM_STAT_H
#define GW_XFRM_STAT_H

#include <stdio.h>
#include <linux/types.h>

struct jw;

/* 6.18 has 32 counters; room for the kernel to grow. */
#define XFRM_STAT_MAX		64
#define XFRM_STAT_NAME_LEN	32

struct xfrm_stat_counter {
	char name[XFRM_STAT_NAME_LEN];	/* "XfrmInNoStates" */
	__u64 value;			/* absolute, or the increase in a delta */
};

/* In the order the kernel prints them. */
struct xfrm_stat {
	unsigned int n;
	struct xfrm_stat_counter c[XFRM_STAT_MAX];
};

/* Only the counters that increased. */
struct xfrm_stat_delta {
	unsigned int n;
	struct xfrm_stat_counter c[XFRM_STAT_MAX];
};

/*
 * Parses path (NULL: /proc/net/xfrm_stat of this thread's netns). Returns
 * a malloc'd snapshot for xfrm_stat__free(), or NULL with errno: ENOENT if
 * the file does not exist (kernel without CONFIG_XFRM_STATISTICS: callers
 * just skip), EINVAL if it holds no counter line.
 */
struct xfrm_stat *xfrm_stat__read(const char *path);

/*
 * The same for the network namespace netns_fd refers to (-1: our own).
 * A short-lived helper thread setns()es into it and opens its
 * /proc/thread-self/net/xfrm_stat (/proc/self/net would show the main
 * thread's netns), so the caller's thread never changes namespace and
 * cannot be stranded in the wrong one. Needs CAP_SYS_ADMIN for setns.
 */
struct xfrm_stat *xfrm_stat__read_netns(int netns_fd);

void xfrm_stat__free(struct xfrm_stat *s);

/* 0 and *v set, or -ENOENT if s has no counter of that name. */
int xfrm_stat__value(const struct xfrm_stat *s, const char *name, __u64 *v);

/*
 * Fills d with the counters that grew from before to after (before NULL:
 * every nonzero counter of after). A counter that went down (namespace
 * recreated) counts from 0. Returns d->n.
 */
unsigned int xfrm_stat__delta(const struct xfrm_stat *before, const struct xfrm_stat *after,
			      struct xfrm_stat_delta *d);

/* What a counter increase means on a gateway; NULL for unknown names. */
const char *xfrm_stat__meaning(const char *name);

/*
 * The i-th counter name (from 0) gwtrace knows, in the order 6.18 prints
 * them, which is also LINUX_MIB_XFRM* order from 1 (the kernel only ever
 * appends counters); NULL past the end. For when neither the file nor
 * BTF can say.
 */
const char *xfrm_stat__known_name(unsigned int i);

/* {"XfrmInNoStates":3,...}: one member per nonzero delta, kernel order. */
void xfrm_stat__json(struct jw *w, const struct xfrm_stat_delta *d);

/* "XfrmInNoStates +3  no SA for the SPI (...)", one line per counter. */
void xfrm_stat__text(FILE *f, const struct xfrm_stat_delta *d);

#endif /* GW_XFRM_STAT_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the xfrm_nl_*.c files share and nothing else may see: the table
 * (xfrm_nl_table.c) is filled by the sockets (xfrm_nl.c) and by tests
 * through xfrm_nl__feed(); decoding and rendering need no table.
 */
#ifndef GW_XFRM_NL_PRIV_H
#define GW_XFRM_NL_PRIV_H

#include <sys/socket.h>
#include "xfrm_nl.h"

#define SA_BUCKETS	256

struct mnl_socket;

struct sa_node {
	struct sa_node *next;
	struct xfrm_nl_sa sa;
};

struct xfrm_nl {
	struct mnl_socket *dump_nl, *ev_nl;
	unsigned int dump_portid, seq;
	struct sa_node *sa_hash[SA_BUCKETS];
	size_t nsa;
	struct xfrm_nl_policy *pols;
	size_t npol, cappol;
	__u64 lost;
	__u32 netns;		/* inode of the sockets' namespace, 0 = detached */
	char *buf;
};

/* Bytes of an xfrm_address_t that count for family; 0 if unknown. */
static inline size_t xfrm_nl__addr_len(__u16 family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* Keeps the table what the kernel has after ev; fills ev in from it. */
void xfrm_nl__table_apply(struct xfrm_nl *x, struct xfrm_nl_event *ev);
/* Forgets every SA and policy (before a dump, at close). */
void xfrm_nl__table_clear(struct xfrm_nl *x);

#endif /* GW_XFRM_NL_PRIV_H */

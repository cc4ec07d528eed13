/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The prefix length of the route a FIB lookup matched. fib:fib_table_lookup
 * carries the table and the next hop but no prefix, so we ask the kernel
 * again over rtnetlink, in the packet's network namespace.
 */
#ifndef GW_ROUTE_H
#define GW_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct netns_map;
struct route_resolver;

/*
 * netns is borrowed (it must outlive the resolver); NULL limits queries
 * to our own namespace. Remembers the calling thread's netns to come back
 * to: use a resolver from the thread that made it (not thread-safe).
 */
struct route_resolver *route__new(struct netns_map *netns);
void route__free(struct route_resolver *r);

/*
 * rtm_dst_len of the route daddr (4 or 16 bytes, network order) matches
 * in table (0 = whatever the policy rules pick) of the namespace with
 * inode netns_inum (0 = ours): 0 for a default route, up to 32/128, or -1
 * if it cannot be told. Answers are cached for 1 s.
 */
int route__prefixlen(struct route_resolver *r, __u32 netns_inum, int family,
		     const __u8 *daddr, __u32 table);

struct route_stats {
	__u64 queries;		/* route__prefixlen() calls */
	__u64 cached;		/* answered from the 1 s cache */
	__u64 dumps;		/* table dumps: the rules did not reach the table */
	__u64 unresolved;	/* answered -1 (not cached ones) */
};

void route__stats(const struct route_resolver *r, struct route_stats *st);

/*
 * "local", "main", "default", a name from /etc/iproute2/rt_tables (or
 * /usr/share/iproute2/rt_tables), else the number. Returns buf.
 */
const char *route__table_name(__u32 table, char *buf, size_t len);

/*
 * The answer in buf (len bytes of rtnetlink messages, as one receive
 * returns them) to a route question about daddr of family: dump false,
 * the single reply of a RTM_F_FIB_MATCH GET (its table into *table, if
 * not NULL); dump true, the longest prefix covering daddr among table
 * want_table's routes. The prefix length, or -1 if none answers.
 */
int route__parse_reply(const void *buf, size_t len, bool dump, int family, const __u8 *daddr,
		       __u32 want_table, __u32 *table);

#endif /* GW_ROUTE_H */

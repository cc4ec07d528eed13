/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Network namespaces by inode number (what the BPF side records as
 * net->ns.inum): find a path that opens it, and its "ip netns" name.
 */
#ifndef GW_NETNS_H
#define GW_NETNS_H

#include <linux/types.h>

/* Not thread-safe: one map per thread, or a lock around it. */
struct netns_map;

struct netns_map *netns__new(void);
/* Closes every fd the map handed out. */
void netns__free(struct netns_map *m);

/*
 * An open fd for the netns with this inode, owned by the map (do not
 * close it); -1 if no process or /run/netns entry shows it. A miss
 * rescans /run/netns, /var/run/netns and /proc/<pid>/ns/net, at most
 * once per 200 ms.
 */
int netns__fd(struct netns_map *m, __u32 inum);

/*
 * The inodes of every namespace reachable now ("ip netns" mounts, the
 * processes'), rescanning at most once per 200 ms: up to max of them into
 * inums. Returns how many there are (may exceed max), or -errno.
 */
int netns__list(struct netns_map *m, __u32 *inums, size_t max);

/* The /run/netns name ("gw") for display, or NULL (e.g. the init netns). */
const char *netns__name(struct netns_map *m, __u32 inum);

/*
 * Inode of a netns given as an "ip netns" name ("gw" -> /run/netns/gw),
 * an absolute path (/proc/1/ns/net, /run/netns/gw), or "pid:1234".
 * Returns 0, -ENOENT if it does not exist, -EINVAL if it is not a network
 * namespace, or another -errno.
 */
int netns__inode_of(const char *name_or_path, __u32 *inum);

#endif /* GW_NETNS_H */

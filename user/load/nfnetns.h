/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * BPF netfilter links register a hook in ONE network namespace: the one
 * the creating task is in. To see every namespace, gwtrace enters each
 * (setns) and attaches there, and rescans for namespaces that appear or
 * disappear. A link holds a reference on its namespace (kernel >= 6.12,
 * CVE-2024-50130 fix), so links of a namespace that is gone from
 * /run/netns and from every process are closed: keeping them would keep a
 * deleted namespace, and its veths, alive.
 */
#ifndef GW_NFNETNS_H
#define GW_NFNETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct nfns_set;

struct gw_nf_census;

/* only_inum: attach in that namespace only (--netns), 0 = all.
 * hooks: bit mask of NF_INET_* hooks; prog_first_fd < 0: last only.
 * census: gw_nf_census's program and output, to link only the hooks of a
 * namespace that need it (nfnetns.c); NULL: every hook of `hooks`. */
struct nfns_set *nfns__new(int prog_first_fd, int prog_last_fd, __u32 only_inum,
			   unsigned int hooks, int census_fd,
			   volatile struct gw_nf_census *census);
/* Attaches in new namespaces, detaches from vanished ones, and (with a
 * census) adds the links that rules added since want. Returns the
 * number of namespaces attached, or -errno if none could be. */
int nfns__refresh(struct nfns_set *s);
void nfns__free(struct nfns_set *s);
size_t nfns__count(const struct nfns_set *s);
/* Human description ("ipv4+ipv6, 5 hooks, 3 namespaces, priorities ..."). */
const char *nfns__describe(const struct nfns_set *s, char *buf, size_t len);

#endif /* GW_NFNETNS_H */

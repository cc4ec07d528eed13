/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * BPF netfilter links (kernel >= 6.4). libbpf 1.1 predates them, so this is
 * the one place that speaks raw bpf(BPF_LINK_CREATE) for them.
 */
#ifndef GW_NFLINK_H
#define GW_NFLINK_H

#include <stdbool.h>

#define GW_BPF_PROG_TYPE_NETFILTER	32
#define GW_BPF_NETFILTER		45	/* enum bpf_attach_type */
#define GW_NFPROTO_IPV4			2
#define GW_NFPROTO_IPV6			10

/*
 * Attaches prog_fd at hook of family pf at the priority nearest to
 * *priority, walking toward the middle (step +1 or -1) while the kernel
 * answers EBUSY (a priority already used by another hook). On success
 * returns the link fd and stores the priority used; else -errno.
 */
int nflink__attach(int prog_fd, int pf, int hook, int *priority, int step);

struct btf;
/* Whether the running kernel knows BPF_PROG_TYPE_NETFILTER (from BTF). */
bool nflink__supported(const struct btf *vmlinux_btf);

#endif /* GW_NFLINK_H */

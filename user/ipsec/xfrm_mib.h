/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names of the kernel's xfrm MIB counters by index. The BPF side records
 * which LINUX_MIB_XFRM* counter a failure bumped (bpf/xfrm_mib.bpf.h) as
 * the kernel's enum value; an operator knows the counters by the names
 * /proc/net/xfrm_stat prints ("XfrmInNoStates"). The enum is anonymous
 * (include/uapi/linux/snmp.h), so it is found in BTF by its enumerators,
 * and each LINUX_MIB_XFRMINNOSTATES is paired with the file's name that
 * reads the same ignoring case.
 */
#ifndef GW_XFRM_MIB_H
#define GW_XFRM_MIB_H

#include <linux/types.h>

struct btf;
struct xfrm_mib;
struct xfrm_stat;

/*
 * btf: where to find the LINUX_MIB_XFRM* enum (NULL: the running kernel's
 * vmlinux BTF). proc: the counter names as /proc/net/xfrm_stat prints them
 * (NULL: read this namespace's file, or gwtrace's own list without one).
 * Without BTF or without the enum in it, index i is the i-th name of the
 * list (the kernel only appends counters). NULL only when out of memory.
 */
struct xfrm_mib *xfrm_mib__new(const struct btf *btf, const struct xfrm_stat *proc);
void xfrm_mib__free(struct xfrm_mib *m);

/* "XfrmInNoStates" for LINUX_MIB_XFRMINNOSTATES's value; NULL if unknown or 0. */
const char *xfrm_mib__name(const struct xfrm_mib *m, __u32 index);

#endif /* GW_XFRM_MIB_H */

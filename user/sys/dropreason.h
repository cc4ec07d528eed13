/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names of the running kernel's enum skb_drop_reason, read from its BTF.
 * Never a built-in table: the values move in every release
 * (NETFILTER_DROP is 7 on 6.1, 11 on 6.12, 12 on 6.18).
 */
#ifndef GW_DROPREASON_H
#define GW_DROPREASON_H

#include <linux/types.h>

struct dropreason;

/*
 * Load from a BTF file (raw or ELF), or from the running kernel when
 * btf_path is NULL (/sys/kernel/btf/vmlinux, plus module BTF for subsystem
 * reasons). Returns NULL, with the reason printed, when there is no BTF or
 * it has no enum skb_drop_reason.
 */
struct dropreason *dropreason__load(const char *btf_path);
/* The same from the running kernel's vmlinux BTF, already parsed (and
 * borrowed): module BTF is read for subsystem reasons. */
struct btf;
struct dropreason *dropreason__from_btf(struct btf *vmlinux);
void dropreason__free(struct dropreason *d);

/*
 * Name without the SKB_DROP_REASON_ prefix ("NETFILTER_DROP", "CONSUMED",
 * "NOT_DROPPED_YET"). Subsystem reasons (6.4+: subsys << 16 | code) read
 * "OPENVSWITCH:OVS_DROP_LAST_ACTION", "OPENVSWITCH:5" when the subsystem's
 * own enum is not in BTF, or "subsys7:5" when even the subsystem is unknown.
 * NULL for an unknown core value. The string lives as long as d.
 */
const char *dropreason__name(struct dropreason *d, __u32 value);

/*
 * Value of a name as dropreason__name() prints it, or the kernel's full
 * enumerator name ("SKB_DROP_REASON_NOT_SPECIFIED"); -1 if absent.
 */
int dropreason__value(const struct dropreason *d, const char *name);

#endif /* GW_DROPREASON_H */

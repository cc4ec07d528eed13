// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/types.h>
#include <bpf/btf.h>
#include "nflink.h"

#define GW_BPF_LINK_CREATE	28
#define NFLINK_MAX_TRIES	64

/* The link_create layout of union bpf_attr for netfilter (uapi 6.4);
 * Debian 12's headers predate it. */
struct nflink_attr {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__u32 pf;
	__u32 hooknum;
	__s32 priority;
	__u32 nf_flags;
	__u8 _zero[112];	/* rest of union bpf_attr: must be zero */
};

static int nflink_create(int prog_fd, int pf, int hook, int priority)
{
	struct nflink_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = prog_fd;
	attr.attach_type = GW_BPF_NETFILTER;
	attr.pf = pf;
	attr.hooknum = hook;
	attr.priority = priority;
	fd = syscall(__NR_bpf, GW_BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

int nflink__attach(int prog_fd, int pf, int hook, int *priority, int step)
{
	int prio = *priority, fd = -EBUSY;

	for (int i = 0; i < NFLINK_MAX_TRIES; i++, prio += step) {
		fd = nflink_create(prog_fd, pf, hook, prio);
		if (fd != -EBUSY)
			break;
	}
	if (fd >= 0)
		*priority = prio;
	return fd;
}

bool nflink__supported(const struct btf *btf)
{
	bool found = false;
	int id;

	id = btf__find_by_name_kind(btf, "bpf_prog_type", BTF_KIND_ENUM);
	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e = btf_enum(t);

		for (int i = 0; i < btf_vlen(t); i++, e++)
			if (!strcmp(btf__name_by_offset(btf, e->name_off),
				    "BPF_PROG_TYPE_NETFILTER"))
				found = true;
	}
	return found;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "log.h"
#include "privs.h"

#define GW_CAP_NET_ADMIN	12
#define GW_CAP_SYS_ADMIN	21
#define GW_CAP_PERFMON		38
#define GW_CAP_BPF		39

static bool has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

int privs__check(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	bool sys_admin;
	char missing[128] = "";

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &hdr, d)) {
		pr_err("cannot read capabilities: %s", strerror(errno));
		return -EPERM;
	}
	/* Before 5.8 CAP_SYS_ADMIN is what BPF and perf events need. */
	sys_admin = has_cap(d, GW_CAP_SYS_ADMIN);
	if (!has_cap(d, GW_CAP_BPF) && !sys_admin)
		strcat(missing, " CAP_BPF");
	if (!has_cap(d, GW_CAP_PERFMON) && !sys_admin)
		strcat(missing, " CAP_PERFMON");
	if (!has_cap(d, GW_CAP_NET_ADMIN))
		strcat(missing, " CAP_NET_ADMIN");
	if (!missing[0])
		return 0;
	pr_err("missing capabilities:%s (run as root, or grant them: "
	       "CAP_BPF and CAP_PERFMON to load and attach the probes, "
	       "CAP_NET_ADMIN for netfilter links and netlink)", missing);
	return -EPERM;
}

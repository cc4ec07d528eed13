/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef GW_TRACE_H
#define GW_TRACE_H

#include <linux/types.h>
#include "cli.h"

/* Runs `gwtrace trace`; returns the process exit code. */
int trace__run(const struct gw_config *cfg);
/* CLOCK_MONOTONIC in ns: the clock of bpf_ktime_get_ns(). */
__u64 trace__now_ns(void);

#endif /* GW_TRACE_H */

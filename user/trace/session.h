/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What every long-running command shares: stopping on a signal, the
 * ready file, and the BPF clock. */
#ifndef GW_SESSION_H
#define GW_SESSION_H

#include <stdbool.h>
#include <linux/types.h>

/* SIGINT/SIGTERM ask to stop (a second one exits at once); SIGPIPE is
 * ignored. 0 or -errno. */
int session__install_signals(void);
bool session__stop_requested(void);
/* Creates path with "ready\n" plus extra (may be NULL); 0 or -errno,
 * reported. */
int session__write_ready_file(const char *path, const char *extra);
/* CLOCK_MONOTONIC in ns: the clock of bpf_ktime_get_ns(). */
__u64 session__now_ns(void);

#endif /* GW_SESSION_H */

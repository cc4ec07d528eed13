// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "session.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	/* Second Ctrl-C: the user wants out now; the kernel detaches links
	 * when the process dies. */
	if (stop_requested)
		_exit(130);
	stop_requested = 1;
}

int session__install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

bool session__stop_requested(void)
{
	return stop_requested;
}

int session__write_ready_file(const char *path, const char *extra)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char buf[256];
	int len, err;

	len = snprintf(buf, sizeof(buf), "ready\n%s", extra ?: "");
	if (fd < 0 || write(fd, buf, len) != len) {
		err = errno ? -errno : -EIO;
		pr_err("cannot write ready file '%s': %s", path, strerror(-err));
		if (fd >= 0)
			close(fd);
		return err;
	}
	close(fd);
	return 0;
}

__u64 session__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

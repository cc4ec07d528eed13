// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * udpsink: bind ADDR:PORT and drain datagrams with recvmmsg until SIGINT or
 * SIGTERM, so that flood packets end their life the normal way (delivered to
 * a socket, consumed) rather than as NO_SOCKET drops with ICMP replies.
 * RCVBUF sets the socket's receive buffer exactly (tests of a full queue).
 *
 * The benchmark counts at the server's interface, not here: this process
 * shares a CPU with the tracer's user space and may fall behind (the kernel
 * then counts UDP RcvbufErrors). Prints "received=N" at exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 256
#define BUFSZ 2048

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static char bufs[BATCH][BUFSZ];
	static struct iovec iov[BATCH];
	static struct mmsghdr msgs[BATCH];
	union {
		struct sockaddr sa;
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} addr = { .v4.sin_family = AF_INET };
	socklen_t addr_len = sizeof(addr.v4);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long long received = 0;
	int fd, rcvbuf = 8 << 20;
	long port;

	if ((argc == 3 || argc == 4) && inet_pton(AF_INET6, argv[1], &addr.v6.sin6_addr) == 1) {
		addr.v6.sin6_family = AF_INET6;
		addr_len = sizeof(addr.v6);
	} else if ((argc != 3 && argc != 4) || inet_pton(AF_INET, argv[1], &addr.v4.sin_addr) != 1) {
		argc = 0;
	}
	if (argc == 4 && ((rcvbuf = (int)strtol(argv[3], NULL, 10)) < 1024 || rcvbuf > (64 << 20)))
		argc = 0;
	if (!argc || (port = strtol(argv[2], NULL, 10)) < 1 || port > 65535) {
		fprintf(stderr, "usage: udpsink ADDR PORT [RCVBUF] (ADDR: IPv4 or IPv6; "
			"RCVBUF: SO_RCVBUFFORCE bytes, 1024..64M, default SO_RCVBUF 8M)\n");
		return 2;
	}
	/* sin_port and sin6_port are at the same offset. */
	addr.v4.sin_port = htons((unsigned short)port);
	fd = socket(addr.sa.sa_family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, &addr.sa, addr_len)) {
		fprintf(stderr, "udpsink: %s:%ld: %s\n", argv[1], port, strerror(errno));
		return 1;
	}
	/* An exact size (the kernel doubles it) where asked: a test needs
	 * a queue of known depth, whatever net.core.rmem_max says. */
	if (argc == 4 ? setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) :
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf))) {
		if (argc == 4) {
			fprintf(stderr, "udpsink: SO_RCVBUFFORCE: %s\n", strerror(errno));
			return 1;
		}
	}
	/* A timeout so that a signal between two checks of stop is seen. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = BUFSZ;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	/* No SA_RESTART: a signal ends a blocked recvmmsg with EINTR. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		int r = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);

		if (r > 0)
			received += r;
		else if (r < 0 && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "udpsink: recvmmsg: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("received=%llu\n", received);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * udpflood: send 64-byte UDP datagrams as fast as one thread can, with
 * sendmmsg, to ADDR:PORT for a time or a packet count. A source port range
 * makes many flows (one socket per port, batches round-robin).
 *
 * Unconnected sockets on purpose: a connected socket would see the server's
 * ICMP port-unreachable as ECONNREFUSED on the next send and stop the flood.
 *
 * With -r, at most PPS datagrams per second (paced per batch): the
 * consumer bench records a flood slow enough that no event is lost, so
 * the recording holds complete packet paths.
 *
 * Prints one line: "sent=N errors=E seconds=S pps=P".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD 64
#define MAX_BATCH 1024
#define MAX_PORTS 4096

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: udpflood -d ADDR -p PORT [-t SEC | -n PACKETS] [-s PORT[-PORT]] [-b BATCH] [-r PPS]\n"
		   "  -d ADDR   IPv4 or IPv6 destination\n"
		   "  -p PORT   UDP destination port\n"
		   "  -t SEC    send for SEC seconds (decimals allowed; default 3)\n"
		   "  -n N      send N packets instead (whichever of -t/-n comes first)\n"
		   "  -s LO-HI  source port range, one socket per port (at most %d)\n"
		   "  -b N      datagrams per sendmmsg call, 1..%d (default 64)\n"
		   "  -r PPS    at most PPS datagrams per second (default: no limit)\n",
		MAX_PORTS, MAX_BATCH);
}

static int parse_range(const char *s, int *lo, int *hi)
{
	char *end;
	long a = strtol(s, &end, 10), b = a;

	if (*end == '-')
		b = strtol(end + 1, &end, 10);
	if (*end || a < 1 || b > 65535 || a > b || b - a + 1 > MAX_PORTS)
		return -1;
	*lo = (int)a;
	*hi = (int)b;
	return 0;
}

union inet_addr {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

/* ADDR (IPv4 or IPv6) and PORT as a socket address: its length, 0 if ADDR
 * is neither. */
static socklen_t inet_addr_set(union inet_addr *a, int family, const char *addr, int port)
{
	memset(a, 0, sizeof(*a));
	if ((!family || family == AF_INET) &&
	    (!addr || inet_pton(AF_INET, addr, &a->v4.sin_addr) == 1)) {
		a->v4.sin_family = AF_INET;
		a->v4.sin_port = htons((unsigned short)port);
		return sizeof(a->v4);
	}
	if ((!family || family == AF_INET6) &&
	    (!addr || inet_pton(AF_INET6, addr, &a->v6.sin6_addr) == 1)) {
		a->v6.sin6_family = AF_INET6;
		a->v6.sin6_port = htons((unsigned short)port);
		return sizeof(a->v6);
	}
	return 0;
}

static int open_sockets(int *fds, int family, int lo, int hi)
{
	int n = 0, sndbuf = 4 << 20;

	for (int port = lo; port <= hi; port++, n++) {
		union inet_addr src;
		socklen_t len = inet_addr_set(&src, family, NULL, port);

		fds[n] = socket(family, SOCK_DGRAM, 0);
		if (fds[n] < 0) {
			fprintf(stderr, "udpflood: socket: %s\n", strerror(errno));
			return -1;
		}
		setsockopt(fds[n], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		if (port && bind(fds[n], &src.sa, len)) {
			fprintf(stderr, "udpflood: bind port %d: %s\n", port, strerror(errno));
			return -1;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	static char payload[PAYLOAD];
	static struct mmsghdr msgs[MAX_BATCH];
	static struct iovec iov = { .iov_base = payload, .iov_len = PAYLOAD };
	static int fds[MAX_PORTS];
	union inet_addr dst;
	socklen_t dst_len = 0;
	unsigned long long sent = 0, errors = 0, limit = 0;
	double seconds = 3, rate = 0, t0, t1;
	int opt, batch = 64, lo = 0, hi = 0, nfd, i = 0;
	const char *addr = NULL;
	long port = 0;

	while ((opt = getopt(argc, argv, "d:p:t:n:s:b:r:h")) != -1) {
		switch (opt) {
		case 'd':
			addr = optarg;
			break;
		case 'p':
			port = strtol(optarg, NULL, 10);
			break;
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		case 'n':
			limit = strtoull(optarg, NULL, 10);
			break;
		case 's':
			if (parse_range(optarg, &lo, &hi)) {
				fprintf(stderr, "udpflood: bad source port range '%s'\n", optarg);
				return 2;
			}
			break;
		case 'b':
			batch = atoi(optarg);
			break;
		case 'r':
			rate = strtod(optarg, NULL);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (addr && port >= 1 && port <= 65535)
		dst_len = inet_addr_set(&dst, 0, addr, (int)port);
	if (!dst_len ||
	    seconds <= 0 || batch < 1 || batch > MAX_BATCH || rate < 0) {
		usage(stderr);
		return 2;
	}
	memset(payload, 'g', sizeof(payload));
	for (int k = 0; k < batch; k++) {
		msgs[k].msg_hdr.msg_name = &dst;
		msgs[k].msg_hdr.msg_namelen = dst_len;
		msgs[k].msg_hdr.msg_iov = &iov;
		msgs[k].msg_hdr.msg_iovlen = 1;
	}
	nfd = open_sockets(fds, dst.sa.sa_family, lo, hi);
	if (nfd < 0)
		return 1;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = now_s();
	t1 = t0;
	while (!stop && t1 - t0 < seconds && (!limit || sent < limit)) {
		unsigned int want = batch;
		int r;

		if (limit && limit - sent < want)
			want = (unsigned int)(limit - sent);
		r = sendmmsg(fds[i], msgs, want, 0);
		if (r < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "udpflood: sendmmsg: %s\n", strerror(errno));
				return 1;
			}
			errors++;
		} else {
			sent += r;
		}
		i = (i + 1) % nfd;
		t1 = now_s();
		/* Paced: wait until the datagrams sent so far are due. */
		if (rate > 0 && sent / rate > t1 - t0) {
			double d = sent / rate - (t1 - t0);
			struct timespec ts = { (time_t)d, (long)((d - (time_t)d) * 1e9) };

			nanosleep(&ts, NULL);
			t1 = now_s();
		}
	}
	printf("sent=%llu errors=%llu seconds=%.3f pps=%.0f\n", sent, errors, t1 - t0,
	       sent / (t1 - t0));
	return 0;
}

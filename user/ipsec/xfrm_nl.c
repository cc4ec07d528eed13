// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * NETLINK_XFRM sockets: a dump socket to read the table, an event socket
 * subscribed to the xfrm groups to keep it current, both created in the
 * namespace watched. Decoding is xfrm_nl_parse.c, the table
 * xfrm_nl_table.c, output xfrm_nl_render.c.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <libmnl/libmnl.h>
#include "log.h"
#include "xfrm_nl_priv.h"

#define BUF_SIZE	65536	/* one notification is a few hundred bytes */
#define EV_RCVBUF	(1 << 20)
#define MAX_READS	256	/* per process() call: bounded work */

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static struct xfrm_nl *nl_alloc(void)
{
	struct xfrm_nl *x = calloc(1, sizeof(*x));

	if (x && !(x->buf = malloc(BUF_SIZE))) {
		free(x);
		x = NULL;
	}
	if (!x)
		errno = ENOMEM;
	return x;
}

struct xfrm_nl *xfrm_nl__new_detached(void)
{
	return nl_alloc();
}

void xfrm_nl__close(struct xfrm_nl *x)
{
	if (!x)
		return;
	if (x->dump_nl)
		mnl_socket_close(x->dump_nl);
	if (x->ev_nl)
		mnl_socket_close(x->ev_nl);
	xfrm_nl__table_clear(x);
	free(x->pols);
	free(x->buf);
	free(x);
}

static int sockets_open(struct xfrm_nl *x)
{
	static const int groups[] = { XFRMNLGRP_ACQUIRE, XFRMNLGRP_EXPIRE, XFRMNLGRP_SA,
				      XFRMNLGRP_POLICY, XFRMNLGRP_REPORT, XFRMNLGRP_MAPPING };
	struct timeval tv = { .tv_sec = 2 };
	int rcvbuf = EV_RCVBUF, fd;
	size_t i;

	x->dump_nl = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC);
	x->ev_nl = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!x->dump_nl || !x->ev_nl || mnl_socket_bind(x->dump_nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_bind(x->ev_nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	x->dump_portid = mnl_socket_get_portid(x->dump_nl);
	/* A dump is answered at once; never let it hang the tool. */
	setsockopt(mnl_socket_get_fd(x->dump_nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		int g = groups[i];

		if (mnl_socket_setsockopt(x->ev_nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
			return -errno;
	}
	/* Bursts (a flush of thousands of SAs) should not overrun us. */
	fd = mnl_socket_get_fd(x->ev_nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return 0;
}

/* Events say which namespace they come from when several are watched. */
static __u32 netns_inode(int netns_fd)
{
	struct stat st;
	int err = netns_fd < 0 ? stat("/proc/thread-self/ns/net", &st) : fstat(netns_fd, &st);

	return err ? 0 : (__u32)st.st_ino;
}

struct ns_open {
	struct xfrm_nl *x;
	int netns_fd;
	int err;
};

/*
 * A socket belongs to the netns it was created in. Creating them in a
 * short-lived thread that setns()es means no thread of ours is ever left
 * in the other namespace if returning failed.
 */
static void *ns_open_thread(void *arg)
{
	struct ns_open *o = arg;

	if (setns(o->netns_fd, CLONE_NEWNET))
		o->err = -errno;
	else
		o->err = sockets_open(o->x);
	return NULL;
}

struct xfrm_nl *xfrm_nl__open(int netns_fd)
{
	struct ns_open o = { .netns_fd = netns_fd };
	pthread_t t;
	int err;

	o.x = nl_alloc();
	if (!o.x)
		return NULL;
	if (netns_fd < 0) {
		o.err = sockets_open(o.x);
	} else if ((err = pthread_create(&t, NULL, ns_open_thread, &o))) {
		o.err = -err;
	} else {
		pthread_join(t, NULL);
	}
	if (o.err) {
		pr_debug("xfrm: netlink sockets: %s", strerror(-o.err));
		xfrm_nl__close(o.x);
		errno = -o.err;
		return NULL;
	}
	o.x->netns = netns_inode(netns_fd);
	return o.x;
}

int xfrm_nl__fd(const struct xfrm_nl *x)
{
	return x && x->ev_nl ? mnl_socket_get_fd(x->ev_nl) : -1;
}

__u64 xfrm_nl__lost(const struct xfrm_nl *x)
{
	return x ? x->lost : 0;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct xfrm_nl_event ev;

	if (!xfrm_nl__parse(nlh, &ev))
		xfrm_nl__table_apply(data, &ev);
	return MNL_CB_OK;
}

static int dump_one(struct xfrm_nl *x, __u16 type, char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned int seq = ++x->seq;
	ssize_t n;
	int ret;

	/* No payload: xfrm_dump_sa() reads attributes right after the header. */
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(x->dump_nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(x->dump_nl, buf, BUF_SIZE);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, n, seq, x->dump_portid, dump_cb, x);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

int xfrm_nl__dump(struct xfrm_nl *x)
{
	char *buf;
	int err;

	if (!x || !x->dump_nl)
		return -ENOTCONN;
	buf = malloc(BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	xfrm_nl__table_clear(x);
	err = dump_one(x, XFRM_MSG_GETSA, buf);
	if (!err)
		err = dump_one(x, XFRM_MSG_GETPOLICY, buf);
	free(buf);
	return err;
}

int xfrm_nl__process(struct xfrm_nl *x, xfrm_nl_cb cb, void *ctx)
{
	struct xfrm_nl_event ev;
	bool resync = false;
	int i, err, cnt = 0;
	ssize_t n;

	if (!x || !x->ev_nl)
		return -ENOTCONN;
	for (i = 0; i < MAX_READS; i++) {
		n = mnl_socket_recvfrom(x->ev_nl, x->buf, BUF_SIZE);
		if (n >= 0) {
			cnt += xfrm_nl__feed(x, x->buf, n, clock_ns(CLOCK_MONOTONIC),
					     clock_ns(CLOCK_REALTIME) / 1000000000ULL, cb, ctx);
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		if (errno == EINTR)
			continue;
		/* ENOBUFS: the kernel dropped notifications; ENOSPC: truncated. */
		if (errno != ENOBUFS && errno != ENOSPC)
			return -errno;
		x->lost++;
		resync = true;
		memset(&ev, 0, sizeof(ev));
		ev.type = XFRM_NL_EV_OVERRUN;
		ev.ts_ns = clock_ns(CLOCK_MONOTONIC);
		ev.netns = x->netns;
		ev.lost = x->lost;
		if (cb)
			cb(&ev, ctx);
		cnt++;
	}
	if (resync && (err = xfrm_nl__dump(x)))
		pr_warn("xfrm: re-dump after netlink overrun failed: %s", strerror(-err));
	return cnt;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Writes the fuzz targets' seed inputs into DIR/<target>/: recordings made
 * by the real recorder from the unit tests' hand-made packet lives, the
 * unit tests' xfrm netlink messages, and command lines. Generated at build
 * time, so the seeds always match this build's formats (a recording's
 * event size, a netlink struct); tests/fuzz/corpus/ holds what is checked
 * in (regression inputs). Usage: seeds DIR
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include "events_fixture.h"
#include "record.h"
#include "xfrm_nl_msgs.h"
#include <stdbool.h>
#include <linux/rtnetlink.h>

static char out[4096];

static const char *path(const char *dir, const char *target, const char *name)
{
	snprintf(out, sizeof(out), "%s/%s", dir, target);
	mkdir(out, 0755);
	snprintf(out, sizeof(out), "%s/%s/%s", dir, target, name);
	return out;
}

static int write_file(const char *p, const void *buf, size_t len)
{
	FILE *f = fopen(p, "w");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "seeds: %s: %s\n", p, strerror(errno));
		return -1;
	}
	return 0;
}

/* One life's steps as records of at most GW_CHUNK_STEPS, the last with
 * end_flags, as the kernel sends them. */
static void life(struct gw_recorder *r, const struct gw_event *ev, size_t n, __u8 end_flags)
{
	struct gw_chunk c;
	__u16 seq = 0;

	while (n) {
		size_t k = n > GW_CHUNK_STEPS ? GW_CHUNK_STEPS : n;

		recorder__event(r, &c, fx_chunk(&c, ev, k, seq++, k == n ? end_flags : GW_CHF_MORE));
		ev += k;
		n -= k;
	}
}

static int recordings(const char *dir)
{
	struct gw_tuple t4 = fx_icmp("10.1.0.2", "10.2.0.2", 7);
	struct gw_tuple t6 = fx_tuple("fd00:1::2", "fd00:2::2", 17, 40000, 9000);
	struct gw_event ev[24];
	struct gw_recorder *r;
	struct gw_chunk c;
	size_t n;
	int err;

	/* A forwarded ping, and its long twin in records of 8 + 3. */
	r = recorder__open(path(dir, "fuzz_record", "forwarded"), &err);
	if (!r)
		return -1;
	n = fx_forward_path(ev, 1, 1000, &t4);
	life(r, ev, n, GW_CHF_END);
	recorder__tick(r, 2000000000ULL);
	n = fx_forward_path(ev, 2, 3000000000ULL, &t4);
	life(r, ev, n, 0);
	recorder__tick(r, 5000000000ULL);
	if (recorder__close(r))
		return -1;

	/* Drops: a netfilter drop, a lone step of an untracked packet, an
	 * IPv6 datagram with no socket, an xfrm failure. */
	r = recorder__open(path(dir, "fuzz_record", "drops"), &err);
	if (!r)
		return -1;
	ev[0] = fx_rx(3, 100, "veth-lan", &t4);
	ev[1] = fx_nf(3, 200, false, GW_NF_FORWARD, &t4);
	ev[2] = fx_drop(3, 300, FX_R_NETFILTER_DROP, FX_LOC_NFT, &t4);
	life(r, ev, 3, GW_CHF_END);
	ev[0] = fx_drop(0, 400, FX_R_NO_SOCKET, FX_LOC_FWD, &t6);
	recorder__event(r, &c, fx_chunk(&c, ev, 1, 0, GW_CHF_ALONE));
	ev[0] = fx_rx(4, 500, "veth-wan", &t6);
	ev[1] = fx_xfrm(4, 600, GW_EV_XFRM_IN, 0x1000, -1, 0, &t6);
	ev[2] = fx_drop(4, 700, FX_R_NOT_SPECIFIED, FX_LOC_XFRM, &t6);
	life(r, ev, 3, GW_CHF_END);
	recorder__tick(r, 3000000000ULL);
	return recorder__close(r);
}

static int xfrm_msgs(const char *dir)
{
	static char buf[16384] __attribute__((aligned(8)));
	struct xfrm_userpolicy_info p;
	struct xfrm_user_tmpl t;
	struct nlmsghdr *nlh;
	size_t len;

	nlh = build_newsa(buf);
	if (write_file(path(dir, "fuzz_xfrm_nl", "newsa"), buf, nlh->nlmsg_len))
		return -1;
	nlh = build_acquire(buf);
	if (write_file(path(dir, "fuzz_xfrm_nl", "acquire"), buf, nlh->nlmsg_len))
		return -1;
	policy_info(&p, XFRM_POLICY_FWD, 0x42);
	nlh = put_msg(buf, XFRM_MSG_NEWPOLICY, &p, sizeof(p));
	tmpl7(&t);
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
	if (write_file(path(dir, "fuzz_xfrm_nl", "policy"), buf, nlh->nlmsg_len))
		return -1;
	/* Several in one buffer, as a receive returns them. */
	len = NLMSG_ALIGN(build_newsa(buf)->nlmsg_len);
	len += NLMSG_ALIGN(build_expire(buf + len, 0)->nlmsg_len);
	len += NLMSG_ALIGN(build_expire(buf + len, 1)->nlmsg_len);
	len += build_delsa(buf + len, 0x1000)->nlmsg_len;
	return write_file(path(dir, "fuzz_xfrm_nl", "sa_life"), buf, len);
}

/* A route answer for 10.2.0.9: mode, address, table, then the messages. */
static size_t route_seed(char *buf, bool dump, __u8 dst_len, __u32 table)
{
	static const __u8 daddr[16] = { 10, 2, 0, 9 }, net[4] = { 10, 2, 0, 0 };
	static char msg[512] __attribute__((aligned(8)));
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	buf[0] = dump;
	memcpy(buf + 1, daddr, 16);
	memcpy(buf + 17, &table, 4);
	memset(msg, 0, sizeof(msg));
	nlh = mnl_nlmsg_put_header(msg);
	nlh->nlmsg_type = RTM_NEWROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = (__u8)table;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	mnl_attr_put(nlh, RTA_DST, 4, net);
	memcpy(buf + 21, msg, nlh->nlmsg_len);	/* the target copies it aligned */
	return 21 + nlh->nlmsg_len;
}

static int route_msgs(const char *dir)
{
	static char buf[4096] __attribute__((aligned(8)));

	if (write_file(path(dir, "fuzz_route", "fib_match"), buf, route_seed(buf, false, 24, 254)))
		return -1;
	return write_file(path(dir, "fuzz_route", "dump"), buf, route_seed(buf, true, 16, 254));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: seeds DIR\n");
		return 2;
	}
	mkdir(argv[1], 0755);
	return recordings(argv[1]) || xfrm_msgs(argv[1]) || route_msgs(argv[1]) ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * route + netns against a real namespace built by the test (root only):
 * queries go from this, the root, namespace into gwt-route-<pid> through
 * the setns path. The namespace is deleted in the group teardown, which
 * cmocka runs whatever the tests did.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "names_sys.h"
#include "netns.h"
#include "route.h"
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include "ns_fixture.h"

static struct fx_ns ns;

static int group_setup(void **state)
{
	(void)state;
	if (!fx_ns_add(&ns, "route",
		       "not root (needs CAP_NET_ADMIN and CAP_SYS_ADMIN for ip netns and setns)"))
		fx_ns_configured(&ns, fx_sh("ip -n %1$s link set lo up && "
					    "ip -n %1$s link add gw0 type veth peer name gw1 && "
					    "ip -n %1$s link set gw0 up && ip -n %1$s link set gw1 up && "
					    "ip -n %1$s addr add 10.9.0.1/24 dev gw0 && "
					    "ip -n %1$s route add default via 10.9.0.254 && "
					    "ip -n %1$s route add 192.0.2.0/24 via 10.9.0.254 && "
					    "ip -n %1$s route add 198.51.100.0/25 via 10.9.0.254 table 100 && "
					    /* policy routing as strongSwan does it (table 220) */
					    "ip -n %1$s rule add to 203.0.113.128/25 lookup 220 pref 220 && "
					    "ip -n %1$s route add 203.0.113.128/26 via 10.9.0.254 table 220 && "
					    "ip -n %1$s -6 addr add 2001:db8:9::1/64 dev gw0 nodad && "
					    "ip -n %1$s -6 route add default via 2001:db8:9::fe && "
					    "ip -n %1$s -6 route add 2001:db8:77::77/128 via 2001:db8:9::fe && "
					    "ip -n %1$s -6 route add 2001:db8:100::/48 via 2001:db8:9::fe table 100",
					    ns.name),
				 "could not configure the test namespace (veth missing?)");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	fx_ns_del(&ns);
	return 0;
}

static __u32 stat_inode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static __u32 test_ns_inode(void)
{
	char cmd[128], out[32] = "";
	FILE *p;

	/* what the shell says, independently of netns.c */
	snprintf(cmd, sizeof(cmd), "stat -L -c %%i /run/netns/%s", ns.name);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, sizeof(out), p));
	pclose(p);
	return strtoul(out, NULL, 10);
}

static int plen4(struct route_resolver *r, __u32 ns, const char *a, __u32 table)
{
	__u8 addr[4];

	assert_int_equal(inet_pton(AF_INET, a, addr), 1);
	return route__prefixlen(r, ns, AF_INET, addr, table);
}

static int plen6(struct route_resolver *r, __u32 ns, const char *a, __u32 table)
{
	__u8 addr[16];

	assert_int_equal(inet_pton(AF_INET6, a, addr), 1);
	return route__prefixlen(r, ns, AF_INET6, addr, table);
}

static void test_netns_inode_of(void **state)
{
	char path[128], pid[32];
	__u32 ino = 0, ino2 = 0;

	(void)state;
	fx_ns_need(&ns);
	assert_int_equal(netns__inode_of(ns.name, &ino), 0);
	assert_int_equal(ino, test_ns_inode());
	snprintf(path, sizeof(path), "/run/netns/%s", ns.name);
	assert_int_equal(netns__inode_of(path, &ino2), 0);
	assert_int_equal(ino2, ino);
	snprintf(pid, sizeof(pid), "pid:%d", (int)getpid());
	assert_int_equal(netns__inode_of(pid, &ino2), 0);
	assert_int_equal(ino2, stat_inode("/proc/self/ns/net"));
	assert_int_equal(netns__inode_of("gwt-no-such-ns", &ino2), -ENOENT);
	assert_int_equal(netns__inode_of("pid:999999999", &ino2), -ENOENT);
	assert_int_equal(netns__inode_of("pid:12x", &ino2), -EINVAL);
	/* a file that is not a namespace */
	assert_int_equal(netns__inode_of("/proc/self/status", &ino2), -EINVAL);
}

static void test_netns_map(void **state)
{
	struct netns_map *m;
	__u32 ino, self = stat_inode("/proc/self/ns/net");
	struct stat st;
	int fd;

	(void)state;
	fx_ns_need(&ns);
	ino = test_ns_inode();
	m = netns__new();
	assert_non_null(m);
	fd = netns__fd(m, ino);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_ino, ino);
	assert_int_equal(netns__fd(m, ino), fd);	/* cached */
	assert_string_equal(netns__name(m, ino), ns.name);
	/* the root netns is found through /proc/1, and has no name */
	assert_true(netns__fd(m, self) >= 0);
	assert_null(netns__name(m, self));
	assert_int_equal(netns__fd(m, 0), -1);
	assert_int_equal(netns__fd(m, 1), -1);
	netns__free(m);
}

static void test_prefixlen_v4(void **state)
{
	struct netns_map *m;
	struct route_resolver *r;
	__u32 ino, self = stat_inode("/proc/self/ns/net");
	struct route_stats st, st2;

	(void)state;
	fx_ns_need(&ns);
	ino = test_ns_inode();
	m = netns__new();
	r = route__new(m);
	assert_non_null(r);
	assert_int_equal(plen4(r, ino, "203.0.113.7", 254), 0);	/* default */
	assert_int_equal(plen4(r, ino, "192.0.2.9", 254), 24);
	assert_int_equal(plen4(r, ino, "192.0.2.9", 0), 24);
	assert_int_equal(plen4(r, ino, "10.9.0.7", 254), 24);	/* connected */
	assert_int_equal(plen4(r, ino, "10.9.0.1", 255), 32);	/* local */
	/* the rules lead to table 220: RTM_F_LOOKUP_TABLE says so, no dump */
	route__stats(r, &st);
	assert_int_equal(plen4(r, ino, "203.0.113.130", 220), 26);
	route__stats(r, &st2);
	assert_int_equal(st2.dumps, st.dumps);
	/* no rule reaches table 100: answered by a dump of it */
	assert_int_equal(plen4(r, ino, "198.51.100.3", 100), 25);
	route__stats(r, &st);
	assert_int_equal(st.dumps, st2.dumps + 1);
	assert_int_equal(plen4(r, ino, "198.51.100.3", 254), 0);
	assert_int_equal(plen4(r, ino, "198.51.100.200", 100), -1);
	assert_int_equal(plen4(r, ino, "198.51.100.3", 4242), -1);	/* no such table */
	/* we are still in our own namespace */
	assert_int_equal(stat_inode("/proc/self/ns/net"), self);
	/* an inode no namespace has */
	assert_int_equal(plen4(r, 1, "192.0.2.9", 254), -1);
	route__free(r);
	netns__free(m);
}

static void test_prefixlen_v6(void **state)
{
	struct netns_map *m;
	struct route_resolver *r;
	__u32 ino;

	(void)state;
	fx_ns_need(&ns);
	ino = test_ns_inode();
	m = netns__new();
	r = route__new(m);
	assert_non_null(r);
	assert_int_equal(plen6(r, ino, "2001:db8:77::1", 254), 0);	/* default */
	assert_int_equal(plen6(r, ino, "2001:db8:9::5", 254), 64);
	/* twice: the second answer comes from the cache */
	assert_int_equal(plen6(r, ino, "2001:db8:77::77", 254), 128);
	assert_int_equal(plen6(r, ino, "2001:db8:77::77", 254), 128);
	assert_int_equal(plen6(r, ino, "2001:db8:100::9", 100), 48);
	assert_int_equal(plen6(r, ino, "2001:db8:101::9", 100), -1);
	route__free(r);
	netns__free(m);
}

static void test_prefixlen_cache(void **state)
{
	struct netns_map *m;
	struct route_resolver *r;
	__u32 ino;
	struct timespec ts = { .tv_sec = 1, .tv_nsec = 100 * 1000 * 1000 };
	struct route_stats st;

	(void)state;
	fx_ns_need(&ns);
	ino = test_ns_inode();
	m = netns__new();
	r = route__new(m);
	assert_int_equal(plen4(r, ino, "192.0.2.77", 254), 24);
	assert_int_equal(fx_sh("ip -n %s route del 192.0.2.0/24", ns.name), 0);
	/* cached for a second, then asked again */
	assert_int_equal(plen4(r, ino, "192.0.2.77", 254), 24);
	route__stats(r, &st);
	assert_int_equal(st.queries, 2);
	assert_int_equal(st.cached, 1);
	nanosleep(&ts, NULL);
	assert_int_equal(plen4(r, ino, "192.0.2.77", 254), 0);
	assert_int_equal(fx_sh("ip -n %s route add 192.0.2.0/24 via 10.9.0.254", ns.name), 0);
	route__free(r);
	netns__free(m);
}

/* Through the gw_names the correlator uses, sharing one netns map. */
static void test_names_sys_prefixlen(void **state)
{
	struct gw_names n;
	__u8 a[4] = { 192, 0, 2, 9 };
	__u32 ino;

	(void)state;
	fx_ns_need(&ns);
	ino = test_ns_inode();
	assert_int_equal(names_sys__init(&n, NAMES_SYS_NO_KSYMS, NULL), 0);
	assert_int_equal(n.prefixlen(n.ctx, ino, AF_INET, a, 254), 24);
	assert_string_equal(netns__name(names_sys__netns(&n), ino), ns.name);
	names_sys__free(&n);
	assert_int_equal(names_sys__init(&n, NAMES_SYS_NO_ROUTE, NULL), 0);
	assert_int_equal(n.prefixlen(n.ctx, ino, AF_INET, a, 254), -1);
	names_sys__free(&n);
}

static void test_own_netns(void **state)
{
	struct route_resolver *r = route__new(NULL);
	__u8 lo[4] = { 127, 0, 0, 2 };

	(void)state;
	assert_non_null(r);
	/* 127.0.0.0/8 is a local route in table 255 in every netns (.1 has a /32) */
	assert_int_equal(route__prefixlen(r, 0, AF_INET, lo, 255), 8);
	assert_int_equal(route__prefixlen(r, 0, AF_INET, lo, 0), 8);
	assert_int_equal(route__prefixlen(r, 0, 99, lo, 0), -1);
	assert_int_equal(route__prefixlen(NULL, 0, AF_INET, lo, 0), -1);
	route__free(r);
}

/* A route message into buf at off: RTM_NEWROUTE of family, prefix
 * net/dst_len in table. Returns the new end. */
static size_t put_route(char *buf, size_t off, int family, const char *net, __u8 dst_len,
			__u32 table, bool header_only)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + off);
	__u8 a[16] = {};
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	if (header_only)
		return off + NLMSG_ALIGN(nlh->nlmsg_len);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	assert_int_equal(inet_pton(family, net, a), 1);
	if (dst_len)
		mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, a);
	return off + NLMSG_ALIGN(nlh->nlmsg_len);
}

/* The reply parser (route__parse_reply, fuzzed by tests/fuzz/fuzz_route):
 * the FIB_MATCH answer, the longest covering prefix of a dump in the
 * wanted table, and messages too short to be routes ignored. */
static void test_parse_reply(void **state)
{
	static char buf[4096] __attribute__((aligned(8)));
	__u8 d4[4] = { 10, 2, 0, 9 }, d6[16] = { 0xfd, 0, 0, 2, [15] = 9 };
	__u32 table = 0;
	size_t n;

	(void)state;
	n = put_route(buf, 0, AF_INET, "10.2.0.0", 24, 100, false);
	assert_int_equal(route__parse_reply(buf, n, false, AF_INET, d4, 0, &table), 24);
	assert_int_equal(table, 100);

	n = put_route(buf, 0, AF_INET, "0.0.0.0", 0, 254, false);
	n = put_route(buf, n, AF_INET, "10.2.0.0", 16, 254, false);
	n = put_route(buf, n, AF_INET, "10.3.0.0", 24, 254, false);	/* does not cover */
	n = put_route(buf, n, AF_INET, "10.2.0.0", 24, 100, false);	/* other table */
	n = put_route(buf, n, AF_INET, "10.2.0.0", 0, 254, true);	/* no rtmsg */
	assert_int_equal(route__parse_reply(buf, n, true, AF_INET, d4, 254, NULL), 16);
	assert_int_equal(route__parse_reply(buf, n, true, AF_INET, d4, 7, NULL), -1);
	n = put_route(buf, 0, AF_INET6, "fd00:2::", 64, 254, false);
	n = put_route(buf, n, AF_INET, "10.2.0.0", 16, 254, false);	/* other family */
	assert_int_equal(route__parse_reply(buf, n, true, AF_INET6, d6, 254, NULL), 64);
	n = put_route(buf, 0, AF_INET, "10.2.0.0", 0, 254, true);
	assert_int_equal(route__parse_reply(buf, n, false, AF_INET, d4, 0, NULL), -1);
	assert_int_equal(route__parse_reply(buf, 3, false, AF_INET, d4, 0, NULL), -1);
	assert_int_equal(route__parse_reply(buf, n, false, AF_UNIX, d4, 0, NULL), -1);
	/* A length of 2^31 or more (libmnl takes it as an int): not read. */
	n = put_route(buf, 0, AF_INET, "10.2.0.0", 24, 100, false);
	((struct nlmsghdr *)buf)->nlmsg_len = 0xc4c4c4c4;
	assert_int_equal(route__parse_reply(buf, n, false, AF_INET, d4, 0, NULL), -1);
}

static void test_table_names(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(route__table_name(254, buf, sizeof(buf)), "main");
	assert_string_equal(route__table_name(255, buf, sizeof(buf)), "local");
	assert_string_equal(route__table_name(253, buf, sizeof(buf)), "default");
	assert_string_equal(route__table_name(4242421, buf, sizeof(buf)), "4242421");
	assert_string_equal(route__table_name(254, buf, 3), "ma");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_names),
		cmocka_unit_test(test_parse_reply),
		cmocka_unit_test(test_own_netns),
		cmocka_unit_test(test_netns_inode_of),
		cmocka_unit_test(test_netns_map),
		cmocka_unit_test(test_prefixlen_v4),
		cmocka_unit_test(test_prefixlen_v6),
		cmocka_unit_test(test_prefixlen_cache),
		cmocka_unit_test(test_names_sys_prefixlen),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Filter parsing, and the reference match the BPF side must agree with. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include "filter.h"

static struct gw_prefix prefix(const char *s)
{
	struct gw_prefix p;

	memset(&p, 0xaa, sizeof(p));
	assert_int_equal(filter__parse_prefix(s, &p), 0);
	return p;
}

static void assert_addr(const struct gw_prefix *p, int family, const char *addr)
{
	__u8 want[GW_ADDR_LEN] = {};

	assert_int_equal(inet_pton(family, addr, want), 1);
	assert_int_equal(p->family, family);
	assert_memory_equal(p->addr, want, GW_ADDR_LEN);
}

static void test_prefix_v4(void **state)
{
	struct gw_prefix p;

	(void)state;
	p = prefix("10.1.0.2");
	assert_int_equal(p.len, 32);
	assert_addr(&p, AF_INET, "10.1.0.2");	/* bytes 4..15 zero */

	p = prefix("10.1.2.3/16");		/* host bits cleared */
	assert_int_equal(p.len, 16);
	assert_addr(&p, AF_INET, "10.1.0.0");

	p = prefix("10.1.255.255/20");		/* not on a byte boundary */
	assert_int_equal(p.len, 20);
	assert_addr(&p, AF_INET, "10.1.240.0");

	p = prefix("192.168.7.9/32");
	assert_int_equal(p.len, 32);
	assert_addr(&p, AF_INET, "192.168.7.9");

	p = prefix("10.9.9.9/0");
	assert_int_equal(p.len, 0);
	assert_addr(&p, AF_INET, "0.0.0.0");
	assert_int_equal(p._pad[0] | p._pad[1], 0);
}

static void test_prefix_v6(void **state)
{
	struct gw_prefix p;

	(void)state;
	p = prefix("fd00::1");
	assert_int_equal(p.len, 128);
	assert_addr(&p, AF_INET6, "fd00::1");

	p = prefix("fd00:1:2:3:4:5:6:7/64");
	assert_int_equal(p.len, 64);
	assert_addr(&p, AF_INET6, "fd00:1:2:3::");

	p = prefix("fd00:1:2:3:ffff::/65");
	assert_int_equal(p.len, 65);
	assert_addr(&p, AF_INET6, "fd00:1:2:3:8000::");

	p = prefix("2001:db8::1/128");
	assert_int_equal(p.len, 128);
	assert_addr(&p, AF_INET6, "2001:db8::1");

	p = prefix("2001:db8::1/0");
	assert_int_equal(p.len, 0);
	assert_addr(&p, AF_INET6, "::");

	p = prefix("::ffff:10.1.0.2");		/* mapped: still IPv6 */
	assert_int_equal(p.len, 128);
	assert_addr(&p, AF_INET6, "::ffff:10.1.0.2");
}

static void test_prefix_bad(void **state)
{
	static const char *const bad[] = {
		"", "/24", "10.1.0.300", "10.1", "10.1.0.2.3", "hello",
		"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8",
		"10.0.0.0/8x", "10.0.0.0/ 8", "10.0.0.0/8/8",
		"10.0.0.0/99999999999999999999", " 10.0.0.1", "10.0.0.1 ",
		"fd00::/129", "fd00::/1000", "fd00:::1", "fd00::1%eth0",
		"[fd00::1]", "0x0a.1.0.2",
	};
	struct gw_prefix p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&p, 0x5a, sizeof(p));
		if (filter__parse_prefix(bad[i], &p) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(p.family, 0x5a);	/* untouched */
	}
}

static void test_proto(void **state)
{
	static const struct {
		const char *s;
		__u8 want;
	} good[] = {
		{ "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 },
		{ "esp", 50 }, { "ah", 51 }, { "icmpv6", 58 }, { "ESP", 50 },
		{ "0", 0 }, { "50", 50 }, { "132", 132 }, { "255", 255 },
	};
	static const char *const bad[] = {
		"", "256", "-1", "+6", "6x", "tcpx", "ipv6-icmpx", " tcp", "0x32",
	};
	size_t i;
	__u8 v;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0xee;
		assert_int_equal(filter__parse_proto(good[i].s, &v), 0);
		assert_int_equal(v, good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (filter__parse_proto(bad[i], &v) != -EINVAL)
			fail_msg("proto '%s' accepted", bad[i]);
}

static void test_port(void **state)
{
	static const char *const bad[] = {
		"0", "65536", "", "-1", "+53", "53x", "0x35", " 53",
		"99999999999999999999999",
	};
	size_t i;
	__u16 v;

	(void)state;
	assert_int_equal(filter__parse_port("1", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(filter__parse_port("4500", &v), 0);
	assert_int_equal(v, 4500);
	assert_int_equal(filter__parse_port("65535", &v), 0);
	assert_int_equal(v, 65535);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (filter__parse_port(bad[i], &v) != -EINVAL)
			fail_msg("port '%s' accepted", bad[i]);
}

static void test_iface(void **state)
{
	static const char *const bad[] = {
		"", "0123456789abcdef", "a/b", "a b", "a\tb", "eth0:1", ".", "..",
	};
	char name[GW_IFNAMSIZ];
	size_t i;

	(void)state;
	memset(name, 'x', sizeof(name));
	assert_int_equal(filter__parse_iface("eth1", name), 0);
	assert_string_equal(name, "eth1");
	assert_int_equal(name[GW_IFNAMSIZ - 1], 0);	/* zero-filled */
	assert_int_equal(filter__parse_iface("0123456789abcde", name), 0);
	assert_string_equal(name, "0123456789abcde");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (filter__parse_iface(bad[i], name) != -EINVAL)
			fail_msg("iface '%s' accepted", bad[i]);
}

/* --- filter__match ----------------------------------------------------- */

static struct gw_tuple tuple(int family, __u8 proto, const char *src,
			     const char *dst, __u16 sport, __u16 dport)
{
	struct gw_tuple t = {};

	t.family = (__u8)family;
	t.proto = proto;
	assert_int_equal(inet_pton(family, src, t.saddr), 1);
	assert_int_equal(inet_pton(family, dst, t.daddr), 1);
	t.sport = htons(sport);
	t.dport = htons(dport);
	return t;
}

static struct gw_filter filter_addr(__u32 flag, const char *s)
{
	struct gw_filter f = {};

	f.flags = flag;
	if (flag == GW_F_HOST)
		f.host = prefix(s);
	else if (flag == GW_F_SRC)
		f.src = prefix(s);
	else
		f.dst = prefix(s);
	return f;
}

static void test_match_empty(void **state)
{
	struct gw_tuple t = tuple(AF_INET, IPPROTO_TCP, "1.2.3.4", "5.6.7.8", 1, 2);
	struct gw_tuple unparsed = {};
	struct gw_filter f = {};

	(void)state;
	assert_true(filter__match(&f, &t, "eth0", 1));
	assert_true(filter__match(&f, &unparsed, NULL, 0));
}

static void test_match_host_src_dst(void **state)
{
	struct gw_tuple out = tuple(AF_INET, IPPROTO_ICMP, "10.1.0.2", "10.2.0.9", 0, 0);
	struct gw_tuple back = tuple(AF_INET, IPPROTO_ICMP, "10.2.0.9", "10.1.0.2", 0, 0);
	struct gw_tuple other = tuple(AF_INET, IPPROTO_ICMP, "10.3.0.1", "10.4.0.1", 0, 0);
	struct gw_filter f;

	(void)state;
	f = filter_addr(GW_F_HOST, "10.1.0.2");
	assert_true(filter__match(&f, &out, "eth0", 1));
	assert_true(filter__match(&f, &back, "eth0", 1));
	assert_false(filter__match(&f, &other, "eth0", 1));

	f = filter_addr(GW_F_SRC, "10.1.0.2");
	assert_true(filter__match(&f, &out, "eth0", 1));
	assert_false(filter__match(&f, &back, "eth0", 1));

	f = filter_addr(GW_F_DST, "10.1.0.2");
	assert_false(filter__match(&f, &out, "eth0", 1));
	assert_true(filter__match(&f, &back, "eth0", 1));

	/* Prefixes: 10.2.0.0/16 holds 10.2.0.9, 10.2.0.0/24 does not hold 10.2.1.1. */
	f = filter_addr(GW_F_DST, "10.2.0.0/16");
	assert_true(filter__match(&f, &out, NULL, 0));
	f = filter_addr(GW_F_HOST, "10.2.1.0/24");
	assert_false(filter__match(&f, &out, NULL, 0));
	f = filter_addr(GW_F_HOST, "10.0.0.0/12");	/* 10.0-10.15 */
	assert_true(filter__match(&f, &other, NULL, 0));
	f = filter_addr(GW_F_HOST, "10.16.0.0/12");
	assert_false(filter__match(&f, &other, NULL, 0));

	/* src AND dst. */
	f = filter_addr(GW_F_SRC, "10.1.0.0/16");
	f.flags |= GW_F_DST;
	f.dst = prefix("10.2.0.9");
	assert_true(filter__match(&f, &out, NULL, 0));
	assert_false(filter__match(&f, &back, NULL, 0));
}

static void test_match_family(void **state)
{
	struct gw_tuple v4 = tuple(AF_INET, IPPROTO_UDP, "10.1.0.2", "10.1.0.3", 1, 2);
	/* An IPv6 address whose first 4 bytes are 10.1.0.2. */
	struct gw_tuple v6 = tuple(AF_INET6, IPPROTO_UDP, "a01:2::", "a01:3::", 1, 2);
	struct gw_filter f;

	(void)state;
	f = filter_addr(GW_F_HOST, "10.1.0.2");
	assert_true(filter__match(&f, &v4, NULL, 0));
	assert_false(filter__match(&f, &v6, NULL, 0));

	f = filter_addr(GW_F_HOST, "0.0.0.0/0");	/* any IPv4, no IPv6 */
	assert_true(filter__match(&f, &v4, NULL, 0));
	assert_false(filter__match(&f, &v6, NULL, 0));

	f = filter_addr(GW_F_SRC, "a01:2::/32");
	assert_true(filter__match(&f, &v6, NULL, 0));
	assert_false(filter__match(&f, &v4, NULL, 0));

	f = filter_addr(GW_F_DST, "::/0");
	assert_true(filter__match(&f, &v6, NULL, 0));
	assert_false(filter__match(&f, &v4, NULL, 0));
}

static void test_match_proto_port(void **state)
{
	struct gw_tuple dns = tuple(AF_INET, IPPROTO_UDP, "10.1.0.2", "10.2.0.1", 40000, 53);
	struct gw_tuple reply = tuple(AF_INET, IPPROTO_UDP, "10.2.0.1", "10.1.0.2", 53, 40000);
	struct gw_tuple http = tuple(AF_INET6, IPPROTO_TCP, "fd00::1", "fd00::2", 80, 5555);
	/* ICMP echo: the id sits in sport and is not a port. */
	struct gw_tuple ping = tuple(AF_INET, IPPROTO_ICMP, "10.1.0.2", "10.2.0.1", 53, 0);
	struct gw_filter f = {};

	(void)state;
	f.flags = GW_F_PORT;
	f.port = 53;
	assert_true(filter__match(&f, &dns, NULL, 0));		/* dport */
	assert_true(filter__match(&f, &reply, NULL, 0));	/* sport */
	assert_false(filter__match(&f, &http, NULL, 0));
	assert_false(filter__match(&f, &ping, NULL, 0));
	f.port = 80;
	assert_true(filter__match(&f, &http, NULL, 0));
	f.port = htons(80);	/* host order in the filter */
	assert_false(filter__match(&f, &http, NULL, 0));

	f.flags = GW_F_PROTO;
	f.proto = IPPROTO_UDP;
	assert_true(filter__match(&f, &dns, NULL, 0));
	assert_false(filter__match(&f, &http, NULL, 0));
	f.proto = IPPROTO_ICMP;
	assert_true(filter__match(&f, &ping, NULL, 0));

	f.flags = GW_F_PROTO | GW_F_PORT;	/* AND */
	f.proto = IPPROTO_TCP;
	f.port = 53;
	assert_false(filter__match(&f, &dns, NULL, 0));
	f.port = 5555;
	assert_true(filter__match(&f, &http, NULL, 0));
}

static void test_match_iface_netns(void **state)
{
	struct gw_tuple t = tuple(AF_INET, IPPROTO_ESP, "192.0.2.1", "192.0.2.2", 0, 0);
	char full[GW_IFNAMSIZ];		/* 16 bytes, no NUL */
	struct gw_filter f = {};

	(void)state;
	f.flags = GW_F_IFACE;
	assert_int_equal(filter__parse_iface("veth-lan", f.iface), 0);
	assert_true(filter__match(&f, &t, "veth-lan", 7));
	assert_false(filter__match(&f, &t, "veth-lan0", 7));
	assert_false(filter__match(&f, &t, "veth-la", 7));
	assert_false(filter__match(&f, &t, "", 7));
	assert_false(filter__match(&f, &t, NULL, 7));

	/* Compared over 16 bytes at most: no terminator needed. */
	assert_int_equal(filter__parse_iface("0123456789abcde", f.iface), 0);
	memcpy(full, "0123456789abcde", GW_IFNAMSIZ);	/* with its NUL */
	assert_true(filter__match(&f, &t, full, 7));
	memcpy(full, "0123456789abcdeX", GW_IFNAMSIZ);	/* no NUL */
	assert_false(filter__match(&f, &t, full, 7));

	f.flags = GW_F_NETNS;
	f.netns = 4026531840u;
	assert_true(filter__match(&f, &t, "eth0", 4026531840u));
	assert_false(filter__match(&f, &t, "eth0", 4026531841u));
	assert_false(filter__match(&f, &t, "eth0", 0));	/* unknown netns */

	f.flags = GW_F_NETNS | GW_F_IFACE;
	assert_int_equal(filter__parse_iface("eth0", f.iface), 0);
	assert_true(filter__match(&f, &t, "eth0", 4026531840u));
	assert_false(filter__match(&f, &t, "eth1", 4026531840u));
	assert_false(filter__match(&f, &t, "eth0", 1));
}

static void test_match_unparsed(void **state)
{
	static const __u32 need_tuple[] = {
		GW_F_HOST, GW_F_SRC, GW_F_DST, GW_F_PROTO, GW_F_PORT,
	};
	struct gw_tuple t = {};
	struct gw_filter f = {};
	size_t i;

	(void)state;
	f.host = f.src = f.dst = prefix("0.0.0.0/0");
	f.proto = 0;		/* a zeroed tuple has proto 0 too */
	f.port = 1;
	for (i = 0; i < sizeof(need_tuple) / sizeof(need_tuple[0]); i++) {
		f.flags = need_tuple[i];
		assert_false(filter__match(&f, &t, "eth0", 5));
	}
	f.flags = GW_F_IFACE | GW_F_NETNS;
	f.netns = 5;
	assert_int_equal(filter__parse_iface("eth0", f.iface), 0);
	assert_true(filter__match(&f, &t, "eth0", 5));
	f.flags |= GW_F_PROTO;
	assert_false(filter__match(&f, &t, "eth0", 5));
}

static void test_match_combined(void **state)
{
	struct gw_tuple t = tuple(AF_INET, IPPROTO_ICMP, "10.1.0.2", "10.2.0.1", 7, 0);
	struct gw_filter f = filter_addr(GW_F_HOST, "10.1.0.2");

	(void)state;
	f.flags |= GW_F_PROTO | GW_F_IFACE;
	f.proto = IPPROTO_ICMP;
	assert_int_equal(filter__parse_iface("veth-lan", f.iface), 0);
	assert_true(filter__match(&f, &t, "veth-lan", 1));
	assert_false(filter__match(&f, &t, "eth1", 1));
	t.proto = IPPROTO_UDP;
	assert_false(filter__match(&f, &t, "veth-lan", 1));
}

/* --- filter__describe -------------------------------------------------- */

static void test_describe(void **state)
{
	struct gw_filter f = {};
	char buf[256], tiny[12];

	(void)state;
	assert_string_equal(filter__describe(&f, buf, sizeof(buf)), "all");

	f = filter_addr(GW_F_HOST, "10.1.0.2");
	f.flags |= GW_F_PROTO | GW_F_IFACE;
	f.proto = IPPROTO_ICMP;
	assert_int_equal(filter__parse_iface("veth-lan", f.iface), 0);
	assert_ptr_equal(filter__describe(&f, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "host 10.1.0.2 and proto icmp and iface veth-lan");

	memset(&f, 0, sizeof(f));
	f.flags = GW_F_SRC | GW_F_DST | GW_F_PORT | GW_F_PROTO | GW_F_NETNS;
	f.src = prefix("10.1.2.3/16");
	f.dst = prefix("fd00::/64");
	f.port = 4500;
	f.proto = 132;	/* named in the one protocol table (packet.c) */
	f.netns = 4026531840u;
	assert_string_equal(filter__describe(&f, buf, sizeof(buf)),
			    "src 10.1.0.0/16 and dst fd00::/64 and proto sctp "
			    "and port 4500 and netns 4026531840");

	/* Truncates, always terminated. */
	memset(tiny, 'x', sizeof(tiny));
	filter__describe(&f, tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_memory_equal(tiny, "src 10.1.0.", sizeof(tiny));

	f.flags = GW_F_PROTO;
	f.proto = 200;	/* no name: the number */
	assert_string_equal(filter__describe(&f, buf, sizeof(buf)), "proto 200");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_v4),
		cmocka_unit_test(test_prefix_v6),
		cmocka_unit_test(test_prefix_bad),
		cmocka_unit_test(test_proto),
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_iface),
		cmocka_unit_test(test_match_empty),
		cmocka_unit_test(test_match_host_src_dst),
		cmocka_unit_test(test_match_family),
		cmocka_unit_test(test_match_proto_port),
		cmocka_unit_test(test_match_iface_netns),
		cmocka_unit_test(test_match_unparsed),
		cmocka_unit_test(test_match_combined),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

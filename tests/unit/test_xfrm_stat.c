// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xfrm_stat: parsing, deltas and rendering on recorded files (6.18's 32
 * counters plus an unknown one), the real /proc file when the kernel has
 * it, and (root only) a counter moved inside a test namespace by a packet
 * that an outbound block policy drops.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "json_writer.h"
#include "xfrm_stat.h"
#include "ns_fixture.h"

#define FIXTURES "tests/unit/fixtures"
#define BEFORE FIXTURES "/xfrm_stat_before.txt"
#define AFTER FIXTURES "/xfrm_stat_after.txt"

static char *render_json(const struct xfrm_stat_delta *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;

	assert_non_null(f);
	jw_init(&w, f);
	xfrm_stat__json(&w, d);
	assert_true(jw_ok(&w));
	fclose(f);
	return buf;
}

static char *render_text(const struct xfrm_stat_delta *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	xfrm_stat__text(f, d);
	fclose(f);
	return buf;
}

static void test_parse_fixture(void **state)
{
	struct xfrm_stat *s = xfrm_stat__read(BEFORE);
	__u64 v = 0;

	(void)state;
	assert_non_null(s);
	assert_int_equal(s->n, 33);
	assert_string_equal(s->c[0].name, "XfrmInError");
	assert_string_equal(s->c[3].name, "XfrmInNoStates");
	assert_int_equal(s->c[3].value, 7);
	assert_int_equal(xfrm_stat__value(s, "XfrmOutNoStates", &v), 0);
	assert_int_equal(v, 40);
	/* full 64-bit range */
	assert_int_equal(xfrm_stat__value(s, "XfrmInPolBlock", &v), 0);
	assert_true(v == 18446744073709551000ULL);
	assert_int_equal(xfrm_stat__value(s, "XfrmInFutureError", &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(xfrm_stat__value(s, "NoSuchCounter", &v), -ENOENT);
	xfrm_stat__free(s);
}

/* Every counter a 6.18 kernel prints has an explanation. */
static void test_meanings_cover_kernel(void **state)
{
	struct xfrm_stat *s = xfrm_stat__read(BEFORE);
	unsigned int i;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < s->n; i++) {
		if (!strcmp(s->c[i].name, "XfrmInFutureError"))
			assert_null(xfrm_stat__meaning(s->c[i].name));
		else
			assert_non_null(xfrm_stat__meaning(s->c[i].name));
	}
	assert_string_equal(xfrm_stat__meaning("XfrmInNoStates"),
			    "no SA for the SPI (SA missing or expired on this side)");
	assert_string_equal(xfrm_stat__meaning("XfrmOutNoStates"),
			    "policy has no SA (IKE not done? -> ACQUIRE)");
	assert_null(xfrm_stat__meaning(NULL));
	xfrm_stat__free(s);
}

static void test_delta(void **state)
{
	struct xfrm_stat *b = xfrm_stat__read(BEFORE), *a = xfrm_stat__read(AFTER);
	struct xfrm_stat_delta d;

	(void)state;
	assert_non_null(b);
	assert_non_null(a);
	assert_int_equal(xfrm_stat__delta(b, a, &d), 5);
	/* kernel order */
	assert_string_equal(d.c[0].name, "XfrmInNoStates");
	assert_int_equal(d.c[0].value, 3);
	assert_string_equal(d.c[1].name, "XfrmInStateProtoError");
	assert_int_equal(d.c[1].value, 1);
	assert_string_equal(d.c[2].name, "XfrmInPolBlock");
	assert_int_equal(d.c[2].value, 5);
	assert_string_equal(d.c[3].name, "XfrmOutPolBlock");
	assert_int_equal(d.c[3].value, 2);
	assert_string_equal(d.c[4].name, "XfrmInFutureError");
	assert_int_equal(d.c[4].value, 5);
	/* nothing changed */
	assert_int_equal(xfrm_stat__delta(a, a, &d), 0);
	/* a counter that went down (netns recreated) counts from zero */
	assert_int_equal(xfrm_stat__delta(a, b, &d), 3);
	assert_string_equal(d.c[0].name, "XfrmInNoStates");
	assert_int_equal(d.c[0].value, 7);
	assert_string_equal(d.c[1].name, "XfrmInPolBlock");
	assert_true(d.c[1].value == 18446744073709551000ULL);
	assert_string_equal(d.c[2].name, "XfrmInFutureError");
	assert_int_equal(d.c[2].value, 4);
	/* no before: every nonzero counter */
	assert_int_equal(xfrm_stat__delta(NULL, b, &d), 5);
	xfrm_stat__free(a);
	xfrm_stat__free(b);
}

static void test_json(void **state)
{
	struct xfrm_stat *b = xfrm_stat__read(BEFORE), *a = xfrm_stat__read(AFTER);
	struct xfrm_stat_delta d;
	char *out;

	(void)state;
	xfrm_stat__delta(b, a, &d);
	out = render_json(&d);
	assert_string_equal(out, "{\"XfrmInNoStates\":3,\"XfrmInStateProtoError\":1,"
				 "\"XfrmInPolBlock\":5,\"XfrmOutPolBlock\":2,"
				 "\"XfrmInFutureError\":5}");
	free(out);
	xfrm_stat__delta(a, a, &d);
	out = render_json(&d);
	assert_string_equal(out, "{}");
	free(out);
	xfrm_stat__free(a);
	xfrm_stat__free(b);
}

static void test_text(void **state)
{
	struct xfrm_stat *b = xfrm_stat__read(BEFORE), *a = xfrm_stat__read(AFTER);
	struct xfrm_stat_delta d;
	char *out;

	(void)state;
	xfrm_stat__delta(b, a, &d);
	out = render_text(&d);
	assert_string_equal(out,
		"XfrmInNoStates           +3      no SA for the SPI (SA missing or expired on this side)\n"
		"XfrmInStateProtoError    +1      decryption/ICV failed (wrong key?)\n"
		"XfrmInPolBlock           +5      inbound/forward policy blocks\n"
		"XfrmOutPolBlock          +2      outbound policy blocks\n"
		"XfrmInFutureError        +5\n");
	free(out);
	xfrm_stat__free(a);
	xfrm_stat__free(b);
}

static void test_missing_and_bad(void **state)
{
	char path[] = "/tmp/gwt-xfrm-stat-XXXXXX";
	int fd;

	(void)state;
	errno = 0;
	assert_null(xfrm_stat__read(FIXTURES "/no-such-xfrm_stat"));
	assert_int_equal(errno, ENOENT);
	/* a file without counter lines is not an xfrm_stat */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "garbage\n\n", 9), 9);
	close(fd);
	errno = 0;
	assert_null(xfrm_stat__read(path));
	assert_int_equal(errno, EINVAL);
	unlink(path);
}

static void test_real_proc(void **state)
{
	struct xfrm_stat *s = xfrm_stat__read(NULL), *s2;
	struct xfrm_stat_delta d;
	unsigned int i;
	__u64 v;

	(void)state;
	if (!s) {
		assert_int_equal(errno, ENOENT);
		print_message("skip: no /proc/net/xfrm_stat (kernel without CONFIG_XFRM_STATISTICS)\n");
		skip();
	}
	assert_true(s->n >= 28);	/* 4.x already had 28 */
	assert_int_equal(xfrm_stat__value(s, "XfrmInNoStates", &v), 0);
	assert_int_equal(xfrm_stat__value(s, "XfrmOutPolBlock", &v), 0);
	for (i = 0; i < s->n; i++)
		if (!xfrm_stat__meaning(s->c[i].name))
			print_message("note: counter %s has no explanation yet\n", s->c[i].name);
	/* -1 is our own namespace */
	s2 = xfrm_stat__read_netns(-1);
	assert_non_null(s2);
	assert_int_equal(s2->n, s->n);
	xfrm_stat__delta(s, s, &d);
	assert_int_equal(d.n, 0);
	xfrm_stat__free(s2);
	xfrm_stat__free(s);
}

/* ---- root: a counter in another namespace ------------------------------ */

static struct fx_ns ns;

static int group_setup(void **state)
{
	(void)state;
	if (access("/proc/net/xfrm_stat", R_OK))
		ns.skip = "no /proc/net/xfrm_stat";
	/* Not via lo: it has disable_xfrm set, its routes skip policy lookups. */
	else if (!fx_ns_add(&ns, "xst", "not root (ip netns, setns and xfrm policies need it)"))
		fx_ns_configured(&ns, fx_sh("ip -n %1$s link add gw0 type veth peer name gw1 && "
					    "ip -n %1$s link set gw0 up && ip -n %1$s link set gw1 up && "
					    "ip -n %1$s addr add 10.1.0.1/24 dev gw0 && "
					    "ip -n %1$s route add 10.2.0.0/24 dev gw0 && "
					    "ip -n %1$s xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 "
					    "dir out action block", ns.name),
				 "could not configure the test namespace (no xfrm?)");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	fx_ns_del(&ns);
	return 0;
}

struct send_arg {
	int netns_fd;
	int err;
};

/* In its own thread so the test's thread never changes namespace. */
static void *send_blocked(void *p)
{
	struct send_arg *a = p;
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
	int fd;

	a->err = -1;
	if (setns(a->netns_fd, CLONE_NEWNET))
		return NULL;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	inet_pton(AF_INET, "10.1.0.1", &src.sin_addr);
	inet_pton(AF_INET, "10.2.0.1", &dst.sin_addr);
	dst.sin_port = htons(9);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)))
		return NULL;
	a->err = sendto(fd, "x", 1, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0 ? errno : 0;
	close(fd);
	return NULL;
}

static void test_read_netns(void **state)
{
	struct xfrm_stat *before, *after;
	struct xfrm_stat_delta d;
	struct send_arg a;
	pthread_t t;
	int fd, bad;

	(void)state;
	fx_ns_need(&ns);
	fd = open(ns.path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	before = xfrm_stat__read_netns(fd);
	assert_non_null(before);
	a.netns_fd = fd;
	assert_int_equal(pthread_create(&t, NULL, send_blocked, &a), 0);
	pthread_join(t, NULL);
	assert_int_equal(a.err, EPERM);		/* xfrm_lookup: block policy */
	after = xfrm_stat__read_netns(fd);
	assert_non_null(after);
	assert_int_equal(xfrm_stat__delta(before, after, &d), 1);
	assert_string_equal(d.c[0].name, "XfrmOutPolBlock");
	assert_int_equal(d.c[0].value, 1);
	/* not a netns fd: setns fails in the helper thread, the error comes back */
	bad = open("/dev/null", O_RDONLY | O_CLOEXEC);
	errno = 0;
	assert_null(xfrm_stat__read_netns(bad));
	assert_int_equal(errno, EINVAL);
	close(bad);
	xfrm_stat__free(before);
	xfrm_stat__free(after);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_fixture),
		cmocka_unit_test(test_meanings_cover_kernel),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_missing_and_bad),
		cmocka_unit_test(test_real_proc),
		cmocka_unit_test(test_read_netns),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

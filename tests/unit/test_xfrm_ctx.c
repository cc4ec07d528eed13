// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The trace's IPsec context. The summary's xfrm parts rendered from fixed
 * numbers (no root); then xfrm_ctx live (root) in namespace
 * gwt-xctx-<pid>: an out block policy added while watching is printed as
 * an xfrm_event line carrying the namespace, a blocked packet shows as
 * the XfrmOutPolBlock delta, and the watched namespace's counters are the
 * ones the summary gets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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
#include <sys/stat.h>
#include "netns.h"
#include "render_json.h"
#include "render_text.h"
#include "xfrm_ctx.h"
#include "events_fixture.h"
#include "ns_fixture.h"

static const struct xfrm_stat_delta blocked = {
	.n = 2,
	.c = { { "XfrmOutPolBlock", 1 }, { "XfrmBrandNew", 4 } },
};

static char *summary(const struct gw_summary *s, bool json)
{
	struct fx_out o;

	fx_out_open(&o);
	if (json)
		render_json__summary(o.f, s);
	else
		render_text__summary(o.f, s);
	fx_out_close(&o);
	return o.buf;
}

static void test_summary_json(void **state)
{
	struct xfrm_stat_delta none = { .n = 0 };
	struct gw_summary s = { .duration_s = 1.0 };
	char *out;

	(void)state;
	/* a kernel without xfrm_stat or xfrm netlink: nothing claimed */
	out = summary(&s, true);
	assert_null(strstr(out, "xfrm"));
	free(out);

	s.xfrm_stat = &blocked;
	s.xfrm_events = true;
	s.xfrm_events_lost = 2;
	out = summary(&s, true);
	assert_true(fx_json_line_ok(out));
	assert_non_null(strstr(out, ",\"evicted\":0,\"xfrm_events_lost\":2,"
				    "\"xfrm_stat\":{\"XfrmOutPolBlock\":1,\"XfrmBrandNew\":4},"
				    "\"duration_s\":1.000,"));
	free(out);

	/* watched, nothing moved, nothing lost: said so, not left out */
	s.xfrm_stat = &none;
	s.xfrm_events_lost = 0;
	out = summary(&s, true);
	assert_non_null(strstr(out, "\"xfrm_events_lost\":0,\"xfrm_stat\":{},"));
	free(out);
}

static void test_summary_text(void **state)
{
	struct xfrm_stat_delta none = { .n = 0 };
	struct gw_summary s = { .duration_s = 1.0, .xfrm_events = true };
	char *out;

	(void)state;
	s.xfrm_stat = &blocked;
	s.xfrm_events_lost = 3;
	out = summary(&s, false);
	assert_non_null(strstr(out, "lost events: 0\n"
				    "xfrm events lost: 3 netlink overruns (tables read again)\n"
				    "xfrm counters that moved:\n"
				    "XfrmOutPolBlock          +1      outbound policy blocks\n"
				    "XfrmBrandNew             +4\n"));
	free(out);

	s.xfrm_stat = &none;
	s.xfrm_events_lost = 0;
	out = summary(&s, false);
	assert_null(strstr(out, "xfrm"));
	free(out);
}

/* ---- live, root -------------------------------------------------------- */

static struct fx_ns ns;

static int group_setup(void **state)
{
	(void)state;
	/* veth, not lo: lo has disable_xfrm, its routes skip the policy lookup */
	if (!fx_ns_add(&ns, "xctx", "not root"))
		fx_ns_configured(&ns, fx_sh("ip -n %1$s link add gw0 type veth peer name gw1 && "
					    "ip -n %1$s link set gw0 up && ip -n %1$s link set gw1 up && "
					    "ip -n %1$s addr add 10.1.0.1/24 dev gw0 && "
					    "ip -n %1$s route add 10.2.0.0/24 dev gw0", ns.name),
				 "could not configure the test namespace");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	fx_ns_del(&ns);
	return 0;
}

static void *send_udp(void *p)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd, nsfd = open(ns.path, O_RDONLY | O_CLOEXEC);

	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET))
		return p;
	close(nsfd);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	inet_pton(AF_INET, "10.2.0.5", &dst.sin_addr);
	if (fd >= 0)
		sendto(fd, "x", 1, 0, (struct sockaddr *)&dst, sizeof(dst));
	close(fd);
	return NULL;
}

static void test_live_netns(void **state)
{
	struct netns_map *map = netns__new();
	struct xfrm_ctx_opts o = { .json = true, .netns_map = map };
	struct gw_summary s = { 0 };
	struct xfrm_ctx *x;
	struct fx_out out;
	char want[128];
	pthread_t t;
	__u64 v = 0;

	(void)state;
	fx_ns_need(&ns);
	assert_int_equal(netns__inode_of(ns.name, &o.netns), 0);
	fx_out_open(&out);
	o.out = out.f;
	x = xfrm_ctx__open(&o);
	assert_non_null(x);
	if (fx_sh("ip -n %s xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out action block",
	       ns.name)) {
		print_message("skip: cannot add an xfrm policy (no CONFIG_XFRM_USER?)\n");
		xfrm_ctx__close(x);
		netns__free(map);
		fclose(out.f);
		free(out.buf);
		skip();
	}
	assert_int_equal(pthread_create(&t, NULL, send_udp, NULL), 0);
	pthread_join(t, NULL);
	usleep(100 * 1000);
	xfrm_ctx__poll(x);
	xfrm_ctx__finish(x, &s);
	fx_out_close(&out);
	snprintf(want, sizeof(want), ",\"netns\":%u,\"event\":\"new_policy\",\"policy\":{"
		 "\"dir\":\"out\",\"action\":\"block\"", o.netns);
	assert_non_null(strstr(out.buf, want));
	assert_non_null(strstr(out.buf, "{\"type\":\"xfrm_event\",\"t_ns\":"));
	assert_true(s.xfrm_events);
	assert_int_equal(s.xfrm_events_lost, 0);
	if (!s.xfrm_stat) {
		print_message("note: no /proc/net/xfrm_stat (CONFIG_XFRM_STATISTICS off)\n");
	} else {
		struct xfrm_stat st = { .n = s.xfrm_stat->n };

		memcpy(st.c, s.xfrm_stat->c, sizeof(st.c));
		assert_int_equal(xfrm_stat__value(&st, "XfrmOutPolBlock", &v), 0);
		assert_true(v >= 1);
	}
	/* no SA on this kernel: unknown SPIs write nothing */
	assert_false(xfrm_ctx__sa_json(x, NULL, o.netns, htonl(0x1000), IPPROTO_ESP, NULL));
	xfrm_ctx__close(x);
	netns__free(map);
	free(out.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_json),
		cmocka_unit_test(test_summary_text),
		cmocka_unit_test(test_live_netns),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

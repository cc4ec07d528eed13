// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xfrm_nl against the running kernel (root): namespace gwt-xnl-<pid> with
 * an out block policy and a fwd policy with an ESP template; dump, events
 * for policy add/update/delete, an ACQUIRE from a packet, a forced
 * receive-buffer overrun. SAs need ESP, which this host's kernel lacks:
 * test_live_sa skips unless `ip xfrm state add ... proto esp` works
 * (scripts/vmlab/run.sh runs it on Debian's 6.1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "json_writer.h"
#include "xfrm_nl.h"
#include "xfrm_nl_fixture.h"
#include "ns_fixture.h"

static struct fx_ns ns;

static int group_setup(void **state)
{
	(void)state;
	/* veth, not lo: lo has disable_xfrm, its routes skip the policy lookup */
	if (!fx_ns_add(&ns, "xnl",
		       "not root (needs CAP_NET_ADMIN for xfrm and CAP_SYS_ADMIN for setns)"))
		fx_ns_configured(&ns, fx_sh("ip -n %1$s link add gw0 type veth peer name gw1 && "
					    "ip -n %1$s link set gw0 up && ip -n %1$s link set gw1 up && "
					    "ip -n %1$s addr add 10.1.0.1/24 dev gw0 && "
					    "ip -n %1$s route add 10.2.0.0/24 dev gw0 && "
					    "ip -n %1$s route add 10.8.0.0/24 dev gw0 && "
					    "ip -n %1$s xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out action block && "
					    "ip -n %1$s xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir fwd "
					    "tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 7",
					    ns.name),
				 "could not configure the test namespace (no xfrm_user?)");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	fx_ns_del(&ns);
	return 0;
}

static struct xfrm_nl *open_ns(void)
{
	int fd = open(ns.path, O_RDONLY | O_CLOEXEC);
	struct xfrm_nl *x;

	assert_true(fd >= 0);
	x = xfrm_nl__open(fd);
	close(fd);	/* the sockets keep their namespace */
	assert_non_null(x);
	assert_true(xfrm_nl__fd(x) >= 0);
	return x;
}

/* Polls and processes until pred() holds for a new event, or timeout. */
static const struct xfrm_nl_event *wait_for(struct xfrm_nl *x, struct evlog *l,
					    bool (*pred)(const struct xfrm_nl_event *),
					    int timeout_ms)
{
	struct pollfd pfd = { .fd = xfrm_nl__fd(x), .events = POLLIN };
	int seen = 0, waited = 0;

	for (;;) {
		for (; seen < l->n; seen++)
			if (pred(&l->ev[seen]))
				return &l->ev[seen];
		if (waited >= timeout_ms)
			return NULL;
		poll(&pfd, 1, 100);
		waited += 100;
		assert_true(xfrm_nl__process(x, collect, l) >= 0);
	}
}

struct found {
	const struct xfrm_nl_policy *out, *fwd;
};

static int find_pols(const struct xfrm_nl_policy *p, void *ctx)
{
	struct found *f = ctx;

	if (p->dir == XFRM_POLICY_OUT && p->sel.prefixlen_d == 24)
		f->out = p;
	if (p->dir == XFRM_POLICY_FWD)
		f->fwd = p;
	return 0;
}

static void assert_addr4(const xfrm_address_t *a, const char *s)
{
	xfrm_address_t b;

	addr4(&b, s);
	assert_memory_equal(&a->a4, &b.a4, 4);
}

static void test_live_dump(void **state)
{
	struct xfrm_nl *x;
	struct found f = { 0 };
	char want[1024], *out;

	(void)state;
	fx_ns_need(&ns);
	x = open_ns();
	assert_int_equal(xfrm_nl__dump(x), 0);
	assert_int_equal(xfrm_nl__policy_count(x), 2);
	assert_int_equal(xfrm_nl__sa_count(x), 0);
	xfrm_nl__foreach_policy(x, find_pols, &f);
	assert_non_null(f.out);
	assert_non_null(f.fwd);
	assert_int_equal(f.out->action, XFRM_POLICY_BLOCK);
	assert_int_equal(f.out->sel.family, AF_INET);
	assert_addr4(&f.out->sel.saddr, "10.1.0.0");
	assert_addr4(&f.out->sel.daddr, "10.2.0.0");
	assert_int_equal(f.out->sel.prefixlen_s, 24);
	assert_int_equal(f.out->ntmpl, 0);
	assert_int_equal(f.fwd->action, XFRM_POLICY_ALLOW);
	assert_int_equal(f.fwd->ntmpl, 1);
	assert_int_equal(f.fwd->tmpl[0].id.proto, IPPROTO_ESP);
	assert_int_equal(f.fwd->tmpl[0].mode, XFRM_MODE_TUNNEL);
	assert_int_equal(f.fwd->tmpl[0].reqid, 7);
	assert_int_equal(f.fwd->tmpl[0].family, AF_INET);
	assert_addr4(&f.fwd->tmpl[0].saddr, "192.0.2.1");
	assert_addr4(&f.fwd->tmpl[0].id.daddr, "192.0.2.2");
	assert_ptr_equal(xfrm_nl__policy_by_index(x, f.fwd->index), f.fwd);
	snprintf(want, sizeof(want),
		 "{\"dir\":\"fwd\",\"action\":\"allow\",\"src\":\"10.1.0.0/24\","
		 "\"dst\":\"10.2.0.0/24\",\"proto\":\"any\",\"priority\":%u,\"index\":%u,"
		 "\"tmpl\":[{\"proto\":\"esp\",\"mode\":\"tunnel\",\"reqid\":7,"
		 "\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\"}]}",
		 f.fwd->priority, f.fwd->index);
	out = policy_json(f.fwd);
	assert_string_equal(out, want);
	free(out);
	/* dumping again gives the same table, not twice the policies */
	assert_int_equal(xfrm_nl__dump(x), 0);
	assert_int_equal(xfrm_nl__policy_count(x), 2);
	xfrm_nl__close(x);
}

static bool is_new_443(const struct xfrm_nl_event *ev)
{
	return ev->type == XFRM_NL_EV_NEW_POLICY && ev->policy.sel.dport == htons(443);
}

static bool is_upd_443(const struct xfrm_nl_event *ev)
{
	return ev->type == XFRM_NL_EV_UPD_POLICY && ev->policy.sel.dport == htons(443);
}

static bool is_del_443(const struct xfrm_nl_event *ev)
{
	return ev->type == XFRM_NL_EV_DEL_POLICY && ev->policy.sel.dport == htons(443);
}

static void test_live_policy_events(void **state)
{
	struct xfrm_nl *x;
	struct evlog *l;
	const struct xfrm_nl_event *ev;
	char *out;

	(void)state;
	fx_ns_need(&ns);
	l = evlog_new();
	x = open_ns();
	assert_int_equal(xfrm_nl__dump(x), 0);
	assert_int_equal(xfrm_nl__process(x, collect, l), 0);	/* nothing pending */
	assert_int_equal(fx_sh("ip -n %s xfrm policy add src 10.3.0.0/16 dst 10.4.0.0/16 proto tcp "
			    "dport 443 dir out priority 100 tmpl src 192.0.2.1 dst 192.0.2.9 "
			    "proto esp mode tunnel reqid 9", ns.name), 0);
	ev = wait_for(x, l, is_new_443, 3000);
	assert_non_null(ev);
	assert_int_equal(ev->policy.dir, XFRM_POLICY_OUT);
	assert_int_equal(ev->policy.priority, 100);
	assert_int_equal(ev->policy.sel.proto, IPPROTO_TCP);
	assert_addr4(&ev->policy.sel.saddr, "10.3.0.0");
	assert_int_equal(ev->policy.sel.prefixlen_s, 16);
	assert_int_equal(ev->policy.tmpl[0].reqid, 9);
	assert_true(ev->ts_ns > 0);
	assert_int_equal(xfrm_nl__policy_count(x), 3);
	out = event_json(ev);
	assert_non_null(strstr(out, "\"event\":\"new_policy\",\"policy\":{\"dir\":\"out\","
				    "\"action\":\"allow\",\"src\":\"10.3.0.0/16\","
				    "\"dst\":\"10.4.0.0/16\",\"proto\":\"tcp\",\"dport\":443,"
				    "\"priority\":100,"));
	free(out);

	assert_int_equal(fx_sh("ip -n %s xfrm policy update src 10.3.0.0/16 dst 10.4.0.0/16 "
			    "proto tcp dport 443 dir out priority 100 action block", ns.name), 0);
	ev = wait_for(x, l, is_upd_443, 3000);
	assert_non_null(ev);
	assert_int_equal(ev->policy.action, XFRM_POLICY_BLOCK);
	assert_int_equal(xfrm_nl__policy_count(x), 3);
	assert_int_equal(xfrm_nl__policy_by_index(x, ev->policy.index)->action,
			 XFRM_POLICY_BLOCK);

	assert_int_equal(fx_sh("ip -n %s xfrm policy delete src 10.3.0.0/16 dst 10.4.0.0/16 "
			    "proto tcp dport 443 dir out", ns.name), 0);
	ev = wait_for(x, l, is_del_443, 3000);
	assert_non_null(ev);
	assert_addr4(&ev->policy.sel.daddr, "10.4.0.0");
	assert_int_equal(xfrm_nl__policy_count(x), 2);
	assert_int_equal(xfrm_nl__lost(x), 0);
	xfrm_nl__close(x);
	free(l);
}

struct send_arg {
	int netns_fd;
};

static void *send_udp(void *p)
{
	struct send_arg *a = p;
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd;

	if (setns(a->netns_fd, CLONE_NEWNET))
		return NULL;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	inet_pton(AF_INET, "10.8.0.5", &dst.sin_addr);
	if (fd >= 0)
		sendto(fd, "x", 1, 0, (struct sockaddr *)&dst, sizeof(dst));
	close(fd);
	return NULL;
}

static bool is_acquire(const struct xfrm_nl_event *ev)
{
	return ev->type == XFRM_NL_EV_ACQUIRE;
}

/* An out policy with a template and no SA: the kernel asks IKE. */
static void test_live_acquire(void **state)
{
	struct xfrm_nl *x;
	struct evlog *l;
	const struct xfrm_nl_event *ev;
	struct send_arg a;
	pthread_t t;

	(void)state;
	fx_ns_need(&ns);
	l = evlog_new();
	x = open_ns();
	assert_int_equal(xfrm_nl__dump(x), 0);
	assert_int_equal(fx_sh("ip -n %s xfrm policy add src 10.1.0.0/24 dst 10.8.0.0/24 dir out "
			    "tmpl src 192.0.2.1 dst 192.0.2.8 proto esp mode tunnel reqid 8",
			    ns.name), 0);
	a.netns_fd = open(ns.path, O_RDONLY | O_CLOEXEC);
	assert_int_equal(pthread_create(&t, NULL, send_udp, &a), 0);
	pthread_join(t, NULL);
	close(a.netns_fd);
	ev = wait_for(x, l, is_acquire, 3000);
	assert_non_null(ev);
	assert_int_equal(ev->flow.proto, IPPROTO_UDP);
	assert_addr4(&ev->flow.saddr, "10.1.0.1");
	assert_addr4(&ev->flow.daddr, "10.8.0.5");
	assert_int_equal(ev->flow.prefixlen_d, 32);
	assert_int_equal(ntohs(ev->flow.dport), 9);
	assert_int_equal(ev->policy.dir, XFRM_POLICY_OUT);
	assert_int_equal(ev->sa.reqid, 8);
	assert_int_equal(ev->sa.proto, IPPROTO_ESP);
	assert_addr4(&ev->sa.daddr, "192.0.2.8");
	/* the kernel now holds a larval SA (spi 0) for the flow */
	assert_int_equal(xfrm_nl__dump(x), 0);
	assert_int_equal(xfrm_nl__sa_count(x), 1);
	assert_non_null(xfrm_nl__sa_by_spi(x, 0, IPPROTO_ESP, NULL));
	assert_int_equal(fx_sh("ip -n %s xfrm policy delete src 10.1.0.0/24 dst 10.8.0.0/24 dir out",
			    ns.name), 0);
	fx_sh("ip -n %s xfrm state flush", ns.name);
	xfrm_nl__close(x);
	free(l);
}

static bool is_overrun(const struct xfrm_nl_event *ev)
{
	return ev->type == XFRM_NL_EV_OVERRUN;
}

static bool is_flush_policy(const struct xfrm_nl_event *ev)
{
	return ev->type == XFRM_NL_EV_FLUSH_POLICY;
}

/* A tiny receive buffer and a burst: the overrun is reported, the table re-dumped. */
static void test_live_overrun(void **state)
{
	struct xfrm_nl *x;
	struct evlog *l;
	const struct xfrm_nl_event *ev;
	char path[] = "/tmp/gwt-xnl-batch-XXXXXX";
	int small = 1, fd, i;
	FILE *f;

	(void)state;
	fx_ns_need(&ns);
	l = evlog_new();
	x = open_ns();
	assert_int_equal(xfrm_nl__dump(x), 0);
	assert_int_equal(setsockopt(xfrm_nl__fd(x), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)),
			 0);
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	for (i = 0; i < 200; i++)
		fprintf(f, "xfrm policy add src 10.5.%d.0/24 dst 10.6.%d.0/24 dir out action block\n",
			i, i);
	fclose(f);
	assert_int_equal(fx_sh("ip -n %s -batch %s", ns.name, path), 0);
	unlink(path);
	ev = wait_for(x, l, is_overrun, 3000);
	assert_non_null(ev);
	assert_true(ev->lost >= 1);
	assert_true(xfrm_nl__lost(x) >= 1);
	/* nothing silently lost: the re-dump has every policy */
	assert_int_equal(xfrm_nl__policy_count(x), 202);
	assert_int_equal(fx_sh("ip -n %s xfrm policy flush", ns.name), 0);
	ev = wait_for(x, l, is_flush_policy, 3000);
	assert_non_null(ev);
	assert_int_equal(xfrm_nl__policy_count(x), 0);
	xfrm_nl__close(x);
	free(l);
	/* put the group's policies back for whoever runs after us */
	fx_sh("ip -n %1$s xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out action block && "
	   "ip -n %1$s xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir fwd "
	   "tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 7", ns.name);
}

static bool is_new_sa(const struct xfrm_nl_event *ev)
{
	return ev->type == XFRM_NL_EV_NEW_SA && ev->sa.spi == htonl(0x2000);
}

static bool is_hard_expire(const struct xfrm_nl_event *ev)
{
	return ev->type == XFRM_NL_EV_EXPIRE && ev->hard && ev->sa.spi == htonl(0x2000);
}

static bool is_del_sa(const struct xfrm_nl_event *ev)
{
	return ev->type == XFRM_NL_EV_DEL_SA && ev->sa.spi == htonl(SPI);
}

#define AEAD_KEY "0x0102030405060708090a0b0c0d0e0f1011121314"

/* Real SAs: only where the kernel has ESP (the VM lab), else skipped. */
static void test_live_sa(void **state)
{
	struct xfrm_nl *x;
	struct evlog *l;
	const struct xfrm_nl_event *ev;
	const struct xfrm_nl_sa *sa;
	char *out;

	(void)state;
	fx_ns_need(&ns);
	l = evlog_new();
	x = open_ns();
	assert_int_equal(xfrm_nl__dump(x), 0);
	if (fx_sh("ip -n %s xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 "
	       "reqid 1 mode tunnel aead 'rfc4106(gcm(aes))' " AEAD_KEY " 128 "
	       "encap espinudp 4500 4500 0.0.0.0 2>/dev/null", ns.name)) {
		print_message("skip: this kernel cannot add an ESP SA (no esp4?): run it in "
			      "scripts/vmlab/run.sh\n");
		xfrm_nl__close(x);
		free(l);
		skip();
	}
	/* hard lifetime 2 s: the kernel's timer expires it */
	assert_int_equal(fx_sh("ip -n %s xfrm state add src 192.0.2.1 dst 192.0.2.3 proto esp "
			    "spi 0x2000 reqid 2 mode tunnel enc 'cbc(aes)' "
			    "0x000102030405060708090a0b0c0d0e0f auth-trunc 'hmac(sha256)' "
			    "0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f "
			    "128 limit time-soft 1 limit time-hard 2", ns.name), 0);
	ev = wait_for(x, l, is_new_sa, 5000);
	assert_non_null(ev);
	assert_string_equal(ev->sa.enc, "cbc(aes)");
	assert_string_equal(ev->sa.auth, "hmac(sha256)");
	assert_int_equal(ev->sa.auth_trunc_bits, 128);
	assert_int_equal(ev->sa.lft.hard_add_expires_seconds, 2);
	sa = xfrm_nl__sa_by_spi(x, htonl(SPI), IPPROTO_ESP, NULL);
	assert_non_null(sa);
	assert_string_equal(sa->aead, "rfc4106(gcm(aes))");
	assert_int_equal(sa->aead_icv_bits, 128);
	assert_true(sa->has_encap);
	assert_int_equal(ntohs(sa->encap.encap_sport), 4500);
	assert_int_equal(sa->reqid, 1);
	assert_int_equal(sa->mode, XFRM_MODE_TUNNEL);
	assert_addr4(&sa->daddr, "192.0.2.2");

	ev = wait_for(x, l, is_hard_expire, 15000);
	assert_non_null(ev);
	assert_string_equal(ev->sa.enc, "cbc(aes)");	/* from the table */
	assert_null(xfrm_nl__sa_by_spi(x, htonl(0x2000), IPPROTO_ESP, NULL));
	out = event_text(ev);
	print_message("%s", out);
	assert_non_null(strstr(out, "xfrm  EXPIRE (hard) spi 0x00002000 esp tunnel 192.0.2.1 -> "
				    "192.0.2.3  after "));
	assert_non_null(strstr(out, "(hard add limit 2 s)  <- SA lifetime far shorter than the "
				    "peer's? tunnel will flap\n"));
	free(out);

	/* the dump path decodes SAs the same way */
	assert_int_equal(xfrm_nl__dump(x), 0);
	assert_int_equal(xfrm_nl__sa_count(x), 1);
	sa = xfrm_nl__sa_by_spi(x, htonl(SPI), IPPROTO_ESP, NULL);
	assert_non_null(sa);
	assert_string_equal(sa->aead, "rfc4106(gcm(aes))");
	out = event_json(ev);
	assert_null(strstr(out, "0102030405"));
	free(out);

	assert_int_equal(fx_sh("ip -n %s xfrm state delete src 192.0.2.1 dst 192.0.2.2 proto esp "
			    "spi 0x1000", ns.name), 0);
	ev = wait_for(x, l, is_del_sa, 5000);
	assert_non_null(ev);
	assert_string_equal(ev->sa.aead, "rfc4106(gcm(aes))");
	assert_int_equal(xfrm_nl__sa_count(x), 0);
	assert_int_equal(xfrm_nl__lost(x), 0);
	xfrm_nl__close(x);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_dump),
		cmocka_unit_test(test_live_policy_events),
		cmocka_unit_test(test_live_acquire),
		cmocka_unit_test(test_live_sa),
		cmocka_unit_test(test_live_overrun),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Correlator unit tests: hand-made event sequences in, finished packets
 * and their conclusions out. No kernel, no root.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "correlate.h"
#include "events_fixture.h"

#define T0 1000000000ULL /* ktime of the first step */

struct tc {
	struct fx_names_ctx nc;
	struct gw_names names;
	struct fx_sink sink;
	struct gw_corr *c;
};

static struct gw_corr *tc_corr(struct tc *t, __u64 idle_ns, size_t max)
{
	struct gw_corr_opts o = {
		.idle_timeout_ns = idle_ns,
		.max_packets = max,
		.names = &t->names,
	};

	corr__free(t->c);
	t->c = corr__new(&o, fx_collect, &t->sink);
	assert_non_null(t->c);
	return t->c;
}

static int setup(void **state)
{
	struct tc *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->names = fx_names(&t->nc);
	tc_corr(t, 0, 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tc *t = *state;

	corr__free(t->c);
	fx_sink_free(&t->sink);
	free(t);
	return 0;
}

static void push_all(struct tc *t, const struct gw_event *ev, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(corr__push(t->c, &ev[i]), 0);
}

/*
 * Pushes a held packet's n steps, lets the idle timeout pass until `at`
 * (the path must stay open), then its neighbour-layer drop at `at`: the
 * same path must end. Returns it.
 */
static const struct gw_packet *held_then_dropped(struct tc *t, const struct gw_event *ev,
						 size_t n, __u64 at)
{
	size_t before = t->sink.n;
	struct gw_event drop = fx_drop(ev[0].pkt_id, at, FX_R_UNKNOWN, FX_LOC_FWD, &ev[0].tuple);

	push_all(t, ev, n);
	corr__expire(t->c, at);
	assert_int_equal(t->sink.n, before);
	assert_int_equal(corr__push(t->c, &drop), 0);
	assert_int_equal(t->sink.n, before + 1);
	return &t->sink.pkts[before];
}

static __u32 vbits(int n, ...)
{
	va_list ap;
	__u32 v = 0;

	va_start(ap, n);
	while (n--)
		v |= 1u << va_arg(ap, int);
	va_end(ap);
	return v;
}

static void assert_sorted(const struct gw_packet *p)
{
	size_t i;

	for (i = 1; i < p->n_steps; i++)
		assert_true(p->steps[i - 1].ts_ns <= p->steps[i].ts_ns);
}

static void test_forwarded(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_event ev[16];
	const struct gw_packet *p;
	size_t n = fx_forward_path(ev, 7, T0, &tu);

	push_all(t, ev, n);
	assert_int_equal(t->sink.n, 1);
	p = &t->sink.pkts[0];
	assert_int_equal(p->id, 7);
	assert_true(p->complete);
	assert_int_equal(p->n_steps, 11);
	assert_int_equal(p->outcome, GW_OUT_FORWARDED);
	assert_int_equal(p->verdicts, vbits(2, GW_V_FORWARDED, GW_V_SENT));
	assert_null(p->drop);
	assert_int_equal(p->nf_drop_hook, -1);
	assert_int_equal(p->nat.type, GW_NAT_NONE);
	assert_memory_equal(&p->flow, &tu, sizeof(tu));
	/* local table missed, main hit: main decides. */
	assert_non_null(p->route);
	assert_int_equal(p->route->route.table, 254);
	assert_int_equal(p->route_prefixlen, 16);
	assert_int_equal(t->nc.prefixlen_calls, 0);
}

/* rx, PRE, route, FORWARD entered and never left, NETFILTER_DROP. */
static size_t forward_drop_path(struct gw_event *ev, __u64 id, __u64 t0, const struct gw_tuple *tu,
				__u64 loc)
{
	size_t n = 0;

	ev[n++] = fx_rx(id, t0, "veth-lan", tu);
	ev[n++] = fx_nf(id, t0 + 2000, false, GW_NF_PRE_ROUTING, tu);
	ev[n++] = fx_nf(id, t0 + 3000, true, GW_NF_PRE_ROUTING, tu);
	ev[n++] = fx_route(id, t0 + 4000, 254, 0, "172.16.9.1", "veth-wan", GW_PREFIX_UNKNOWN, tu);
	ev[n++] = fx_nf(id, t0 + 5000, false, GW_NF_FORWARD, tu);
	ev[n++] = fx_drop(id, t0 + 5500, FX_R_NETFILTER_DROP, loc, tu);
	return n;
}

static void test_netfilter_drop_forward(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_event ev[16];
	const struct gw_packet *p;
	size_t n = forward_drop_path(ev, 9, T0, &tu, FX_LOC_NFT);

	push_all(t, ev, n);
	assert_int_equal(t->sink.n, 1);
	p = &t->sink.pkts[0];
	assert_true(p->complete);
	assert_int_equal(p->outcome, GW_OUT_DROPPED);
	assert_int_equal(p->verdicts, vbits(2, GW_V_NETFILTER_DROP, GW_V_DEFAULT_ROUTE));
	assert_int_equal(p->nf_drop_hook, GW_NF_FORWARD);
	assert_ptr_equal(p->drop, &p->steps[5]);
	assert_int_equal(p->drop->drop.reason, FX_R_NETFILTER_DROP);
	/* Resolved through names->prefixlen: 10.2/16 goes the default way. */
	assert_int_equal(p->route_prefixlen, 0);
	assert_int_equal(t->nc.prefixlen_calls, 1);
}

/* fentry/kprobe: nf_hook_slow's DROP result is an EXIT with verdict DROP. */
static void test_nf_exit_drop_verdict(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_event ev[4];
	const struct gw_packet *p;

	ev[0] = fx_nf(3, T0, false, GW_NF_LOCAL_IN, &tu);
	ev[1] = fx_nf(3, T0 + 10, true, GW_NF_LOCAL_IN, &tu);
	ev[1].nf.verdict = GW_NF_DROP;
	ev[1].strategy = ev[0].strategy = GW_STRAT_FENTRY;
	push_all(t, ev, 2);
	corr__flush(t->c);
	assert_int_equal(t->sink.n, 1);
	p = &t->sink.pkts[0];
	assert_false(p->complete);
	assert_int_equal(p->outcome, GW_OUT_DROPPED);
	assert_int_equal(p->verdicts, vbits(1, GW_V_NETFILTER_DROP));
	assert_int_equal(p->nf_drop_hook, GW_NF_LOCAL_IN);
	assert_null(p->drop);
}

/* The dropping hook is the one still open, not an earlier closed one. */
static void test_nf_drop_hook_is_open_one(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_event ev[8];
	size_t n = 0;

	ev[n++] = fx_nf(4, T0 + 0, false, GW_NF_LOCAL_OUT, &tu);
	ev[n++] = fx_nf(4, T0 + 1, true, GW_NF_LOCAL_OUT, &tu);
	ev[n++] = fx_nf(4, T0 + 2, false, GW_NF_POST_ROUTING, &tu);
	ev[n++] = fx_drop(4, T0 + 3, FX_R_NETFILTER_DROP, FX_LOC_NFT, &tu);
	push_all(t, ev, n);
	assert_int_equal(t->sink.n, 1);
	assert_int_equal(t->sink.pkts[0].nf_drop_hook, GW_NF_POST_ROUTING);
	/* OUTPUT accepted is no verdict of its own. */
	assert_int_equal(t->sink.pkts[0].verdicts, vbits(1, GW_V_NETFILTER_DROP));
}

/* MASQUERADE: POSTROUTING rewrites the source between ENTER and EXIT. */
static void test_snat_postrouting(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_tuple nat = fx_icmp("172.16.9.2", "10.2.0.2", 4242);
	struct gw_event ev[16];
	const struct gw_packet *p;
	size_t n = fx_forward_path(ev, 11, T0, &tu);

	ev[8].tuple = nat;  /* POST exit */
	ev[9].tuple = nat;  /* tx */
	ev[10].tuple = nat; /* free */
	push_all(t, ev, n);
	assert_int_equal(t->sink.n, 1);
	p = &t->sink.pkts[0];
	assert_int_equal(p->nat.type, GW_NAT_SNAT);
	assert_int_equal(p->nat.hook, GW_NF_POST_ROUTING);
	assert_memory_equal(&p->nat.from, &tu, sizeof(tu));
	assert_memory_equal(&p->nat.to, &nat, sizeof(nat));
	assert_memory_equal(&p->flow, &tu, sizeof(tu)); /* pre-NAT */
	assert_int_equal(p->verdicts, vbits(3, GW_V_NAT, GW_V_FORWARDED, GW_V_SENT));
	assert_int_equal(p->outcome, GW_OUT_FORWARDED);
}

static void test_dnat_prerouting(void **state)
{
	struct tc *t = *state;
	struct gw_tuple pre = fx_tuple("10.1.0.2", "172.16.9.2", 6, 40000, 8080);
	struct gw_tuple post = fx_tuple("10.1.0.2", "10.2.0.2", 6, 40000, 80);
	struct gw_event ev[4];
	const struct gw_packet *p;

	ev[0] = fx_rx(12, T0, "veth-wan", &pre);
	ev[1] = fx_nf(12, T0 + 100, false, GW_NF_PRE_ROUTING, &pre);
	ev[2] = fx_nf(12, T0 + 200, true, GW_NF_PRE_ROUTING, &post);
	ev[3] = fx_tx(12, T0 + 300, "veth-lan", &post);
	push_all(t, ev, 4);
	corr__flush(t->c);
	p = &t->sink.pkts[0];
	assert_int_equal(p->nat.type, GW_NAT_DNAT);
	assert_int_equal(p->nat.hook, GW_NF_PRE_ROUTING);
	assert_int_equal(ntohs(p->nat.from.dport), 8080);
	assert_int_equal(ntohs(p->nat.to.dport), 80);
	assert_memory_equal(&p->flow, &pre, sizeof(pre));
	assert_true(fx_has_verdict(p, GW_V_NAT));
}

static void test_nat_type_both_sides(void **state)
{
	struct gw_tuple a = fx_tuple("10.1.0.2", "10.2.0.2", 17, 1000, 53);
	struct gw_tuple b = fx_tuple("10.1.0.9", "10.2.0.9", 17, 1000, 53);
	struct gw_tuple frag = fx_tuple("10.1.0.2", "10.2.0.2", 17, 0, 0);
	struct gw_tuple other = fx_tuple("10.1.0.2", "10.2.0.2", 6, 1000, 53);

	(void)state;
	assert_int_equal(corr__nat_change(&a, &b), CORR_NAT_SRC | CORR_NAT_DST);
	assert_int_equal(corr__nat_type(CORR_NAT_SRC | CORR_NAT_DST, GW_NF_PRE_ROUTING),
			 GW_NAT_DNAT);
	assert_int_equal(corr__nat_type(CORR_NAT_SRC | CORR_NAT_DST, GW_NF_POST_ROUTING),
			 GW_NAT_SNAT);
	assert_int_equal(corr__nat_type(CORR_NAT_DST, GW_NF_POST_ROUTING), GW_NAT_DNAT);
	/* A fragment without ports, or another protocol, is not NAT. */
	assert_int_equal(corr__nat_change(&a, &frag), 0);
	assert_int_equal(corr__nat_change(&a, &other), 0);
}

/* NAT-T: UDP inside UDP 4500. Encapsulation across XFRM_OUT is not NAT. */
static void test_no_nat_across_xfrm(void **state)
{
	struct tc *t = *state;
	struct gw_tuple in = fx_tuple("10.1.0.2", "10.2.0.2", 17, 5000, 53);
	struct gw_tuple out = fx_tuple("172.16.9.2", "172.16.9.1", 17, 4500, 4500);
	struct gw_event ev[6];
	const struct gw_packet *p;
	size_t n = 0;

	ev[n++] = fx_nf(13, T0, false, GW_NF_POST_ROUTING, &in);
	ev[n++] = fx_nf(13, T0 + 1, true, GW_NF_POST_ROUTING, &in);
	ev[n++] = fx_xfrm(13, T0 + 2, GW_EV_XFRM_OUT, 0x1000, 0, GW_XFRM_OUT, &in);
	ev[n++] = fx_nf(13, T0 + 3, false, GW_NF_LOCAL_OUT, &out);
	ev[n++] = fx_tx(13, T0 + 4, "veth-wan", &out);
	ev[n++] = fx_free(13, T0 + 5, &out);
	push_all(t, ev, n);
	p = &t->sink.pkts[0];
	assert_int_equal(p->nat.type, GW_NAT_NONE);
	assert_int_equal(p->verdicts, vbits(2, GW_V_ENCRYPTED, GW_V_SENT));
	assert_int_equal(p->outcome, GW_OUT_SENT);
}

/* Default route: prefix length 0 from the event, or resolved through
 * names->prefixlen when the probe could not see it. */
static void test_route_prefixlen(void **state)
{
	static const struct {
		__u8 ev_plen;
		const char *dst;
		bool dflt;
		__u8 plen;
		int calls;
	} cases[] = {
		{ GW_PREFIX_UNKNOWN, "10.2.0.2", true, 0, 1 },	 /* resolved /0 */
		{ 0, "10.7.0.1", true, 0, 0 },			 /* from the event */
		{ GW_PREFIX_UNKNOWN, "10.9.0.5", false, 24, 1 }, /* a /24 */
		{ GW_PREFIX_UNKNOWN, "192.0.2.1", false, GW_PREFIX_UNKNOWN, 1 },
	};
	struct tc *t = *state;
	struct gw_event ev[3];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gw_tuple tu = fx_icmp("10.1.0.2", cases[i].dst, 1);
		const struct gw_packet *p;

		t->nc.prefixlen_calls = 0;
		ev[0] = fx_rx(20 + i, T0, "veth-lan", &tu);
		ev[1] = fx_route(20 + i, T0 + 1, 254, 0, "172.16.9.1", "veth-wan", cases[i].ev_plen,
				 &tu);
		ev[2] = fx_free(20 + i, T0 + 2, &tu);
		push_all(t, ev, 3);
		assert_int_equal(t->sink.n, i + 1);
		p = &t->sink.pkts[i];
		assert_int_equal(fx_has_verdict(p, GW_V_DEFAULT_ROUTE), cases[i].dflt);
		assert_int_equal(p->route_prefixlen, cases[i].plen);
		assert_int_equal(t->nc.prefixlen_calls, cases[i].calls);
	}
}

static void test_no_route(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_event ev[4];
	const struct gw_packet *p;

	ev[0] = fx_rx(21, T0, "veth-lan", &tu);
	ev[1] = fx_route(21, T0 + 1, 255, -EAGAIN, NULL, NULL, GW_PREFIX_UNKNOWN, &tu);
	ev[2] = fx_route(21, T0 + 2, 254, -EAGAIN, NULL, NULL, GW_PREFIX_UNKNOWN, &tu);
	ev[3] = fx_drop(21, T0 + 3, FX_R_IP_INNOROUTES, FX_LOC_FWD, &tu);
	push_all(t, ev, 4);
	p = &t->sink.pkts[0];
	assert_ptr_equal(p->route, &p->steps[2]); /* last of a failed lookup */
	assert_int_equal(p->verdicts, vbits(1, GW_V_DROPPED));
	assert_int_equal(p->outcome, GW_OUT_DROPPED);
	assert_int_equal(p->nf_drop_hook, -1);
	assert_int_equal(t->nc.prefixlen_calls, 0);
}

/* Re-routed later (after encapsulation): the last lookup decides. */
static void test_route_last_lookup_wins(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.9.0.2", 1);
	struct gw_event ev[5];
	const struct gw_packet *p;

	ev[0] = fx_route(22, T0, 254, 0, NULL, "veth-lan", 24, &tu);
	ev[1] = fx_nf(22, T0 + 1, false, GW_NF_LOCAL_OUT, &tu);
	ev[2] = fx_route(22, T0 + 2, 255, -EAGAIN, NULL, NULL, GW_PREFIX_UNKNOWN, &tu);
	ev[3] = fx_route(22, T0 + 3, 254, 0, "172.16.9.1", "veth-wan", 0, &tu);
	ev[4] = fx_free(22, T0 + 4, &tu);
	push_all(t, ev, 5);
	p = &t->sink.pkts[0];
	assert_ptr_equal(p->route, &p->steps[3]);
	assert_true(fx_has_verdict(p, GW_V_DEFAULT_ROUTE));
}

/* A lookup that forwarded the packet out a default route is the one
 * reported, whatever later namespaces do; a sender's default route is not. */
static void test_route_default_wins_across_netns(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.4.0.2", 1);
	struct gw_event ev[4];
	const struct gw_packet *p;

	struct gw_event ev2[5];

	/* The sending client's own default route does not count... */
	ev[0] = fx_route(23, T0, 254, 0, "10.1.0.1", "veth-lan-c", 0, &tu);
	ev[0].netns = FX_NETNS_CLIENT;
	ev[1] = fx_tx(23, T0 + 1, "veth-lan-c", &tu);
	ev[1].netns = FX_NETNS_CLIENT;
	ev[2] = fx_route(23, T0 + 2, 254, 0, NULL, "veth-srv", 24, &tu);
	ev[2].netns = FX_NETNS_SERVER;
	ev[3] = fx_free(23, T0 + 3, &tu);
	ev[3].netns = FX_NETNS_SERVER;
	push_all(t, ev, 4);
	p = &t->sink.pkts[0];
	assert_ptr_equal(p->route, &p->steps[2]);
	assert_false(fx_has_verdict(p, GW_V_DEFAULT_ROUTE));
	assert_int_equal(p->route_prefixlen, 24);

	/* ...a gateway forwarding out its default route does, even when a
	 * later namespace routes the packet again. */
	ev2[0] = fx_route(25, T0, 254, 0, "172.16.9.1", "veth-wan", 0, &tu);
	ev2[1] = fx_ev(25, T0 + 1, GW_EV_IP_FORWARD, &tu);
	ev2[2] = fx_tx(25, T0 + 2, "veth-wan", &tu);
	ev2[3] = fx_route(25, T0 + 3, 254, 0, NULL, "veth-srv", 24, &tu);
	ev2[3].netns = FX_NETNS_SERVER;
	ev2[4] = fx_free(25, T0 + 4, &tu);
	ev2[4].netns = FX_NETNS_SERVER;
	push_all(t, ev2, 5);
	p = &t->sink.pkts[1];
	assert_ptr_equal(p->route, &p->steps[0]);
	assert_true(fx_has_verdict(p, GW_V_DEFAULT_ROUTE));
	assert_int_equal(p->route_prefixlen, 0);
}

/* fentry/kprobe: ip_forward_finish / ip_local_deliver_finish steps give
 * forwarded / delivered where no netfilter hook is registered. */
static void test_ip_finish_verdicts(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_event ev[5];
	const struct gw_packet *p;

	ev[0] = fx_rx(24, T0, "veth-lan", &tu);
	ev[1] = fx_ev(24, T0 + 1, GW_EV_IP_FORWARD, &tu);
	ev[2] = fx_tx(24, T0 + 2, "veth-wan", &tu);
	ev[3] = fx_ev(24, T0 + 3, GW_EV_IP_DELIVER, &tu);
	ev[4] = fx_free(24, T0 + 4, &tu);
	push_all(t, ev, 5);
	p = &t->sink.pkts[0];
	assert_int_equal(p->verdicts, vbits(3, GW_V_FORWARDED, GW_V_DELIVERED, GW_V_SENT));
	assert_int_equal(p->outcome, GW_OUT_DELIVERED);
}

/* Tracepoint strategy: no xfrm steps, only the netfilter hooks' view --
 * an xfrm dst then an ESP header is encryption; a secpath is decryption
 * (and the ESP's INPUT passage before it is not a delivery). */
static void test_ipsec_from_netfilter_flags(void **state)
{
	struct tc *t = *state;
	struct gw_tuple in = fx_icmp("10.1.0.2", "10.2.0.2", 3);
	struct gw_tuple esp = fx_tuple("192.0.2.1", "192.0.2.2", 50, 0, 0);
	struct gw_event ev[12];
	const struct gw_packet *p;
	size_t n = 0;

	esp.spi = htonl(0x1000);
	/* gateway A: plaintext routed into the SA, leaves as ESP */
	ev[n++] = fx_nf(30, T0, false, GW_NF_POST_ROUTING, &in);
	ev[n - 1].flags = GW_EVF_XFRM_DST;
	ev[n++] = fx_nf(30, T0 + 1, true, GW_NF_POST_ROUTING, &in);
	ev[n - 1].flags = GW_EVF_XFRM_DST;
	ev[n++] = fx_nf(30, T0 + 2, false, GW_NF_LOCAL_OUT, &esp);
	ev[n++] = fx_tx(30, T0 + 3, "wan", &esp);
	/* gateway B: ESP delivered to IPsec, decrypted, forwarded */
	ev[n++] = fx_nf(30, T0 + 4, false, GW_NF_LOCAL_IN, &esp);
	ev[n++] = fx_nf(30, T0 + 5, true, GW_NF_LOCAL_IN, &esp);
	ev[n++] = fx_nf(30, T0 + 6, false, GW_NF_PRE_ROUTING, &in);
	ev[n - 1].flags = GW_EVF_SECPATH;
	ev[n++] = fx_nf(30, T0 + 7, true, GW_NF_FORWARD, &in);
	ev[n - 1].flags = GW_EVF_SECPATH;
	ev[n++] = fx_free(30, T0 + 8, &in);
	push_all(t, ev, n);
	p = &t->sink.pkts[0];
	assert_int_equal(p->verdicts, vbits(4, GW_V_ENCRYPTED, GW_V_DECRYPTED, GW_V_FORWARDED,
					     GW_V_SENT));
	assert_int_equal(p->nat.type, GW_NAT_NONE);
	assert_int_equal(p->outcome, GW_OUT_FORWARDED);
}

/* The same skb address carries two lives: two packets, by pkt_id. */
static void test_skb_reuse(void **state)
{
	struct tc *t = *state;
	struct gw_tuple a = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_tuple b = fx_icmp("10.1.0.3", "10.2.0.3", 2);
	struct gw_event ev[6];

	ev[0] = fx_rx(100, T0, "veth-lan", &a);
	ev[1] = fx_tx(100, T0 + 10, "veth-wan", &a);
	ev[2] = fx_free(100, T0 + 20, &a);
	ev[3] = fx_rx(101, T0 + 30, "veth-lan", &b);
	ev[4] = fx_nf(101, T0 + 40, false, GW_NF_FORWARD, &b);
	ev[5] = fx_drop(101, T0 + 50, FX_R_NETFILTER_DROP, FX_LOC_NFT, &b);
	push_all(t, ev, 6); /* all share FX_SKB */
	assert_int_equal(t->sink.n, 2);
	assert_int_equal(t->sink.pkts[0].id, 100);
	assert_int_equal(t->sink.pkts[0].n_steps, 3);
	assert_int_equal(t->sink.pkts[0].outcome, GW_OUT_SENT);
	assert_int_equal(t->sink.pkts[1].id, 101);
	assert_int_equal(t->sink.pkts[1].n_steps, 3);
	assert_int_equal(t->sink.pkts[1].outcome, GW_OUT_DROPPED);
}

/* Two packets on two CPUs, interleaved, a few events late. */
static void test_interleaved_out_of_order(void **state)
{
	struct tc *t = *state;
	struct gw_tuple ta = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_tuple tb = fx_tuple("10.1.0.3", "10.2.0.3", 6, 1234, 80);
	struct gw_event a[16], b[16], mix[32];
	size_t na = fx_forward_path(a, 200, T0, &ta);
	size_t nb = fx_forward_path(b, 201, T0 + 500, &tb), i, k, m = 0;
	static const int order_a[] = { 0, 1, 3, 2, 4, 6, 5, 7, 8, 9, 10 };
	static const int order_b[] = { 1, 0, 2, 3, 4, 5, 7, 6, 8, 9, 10 };

	for (i = 0; i < nb; i++)
		b[i].cpu = 1;
	for (i = 0, k = 0; i < na || k < nb;) {
		if (i < na)
			mix[m++] = a[order_a[i++]];
		if (k < nb)
			mix[m++] = b[order_b[k++]];
	}
	/* Each life's end is pushed after all of its other steps. */
	push_all(t, mix, m);
	assert_int_equal(t->sink.n, 2);
	for (i = 0; i < 2; i++) {
		const struct gw_packet *p = &t->sink.pkts[i];
		const struct gw_event *src = p->id == 200 ? a : b;

		assert_int_equal(p->n_steps, 11);
		assert_sorted(p);
		for (k = 0; k < p->n_steps; k++)
			assert_int_equal(p->steps[k].ts_ns, src[k].ts_ns);
		assert_int_equal(p->outcome, GW_OUT_FORWARDED);
		assert_int_equal(p->verdicts, vbits(2, GW_V_FORWARDED, GW_V_SENT));
	}
}

/* GSO frees the original with NOT_SPECIFIED: an end, not a drop. */
static void test_not_specified_not_drop(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_event ev[16];
	const struct gw_packet *p;
	size_t n = fx_forward_path(ev, 30, T0, &tu);

	ev[n - 1] = fx_drop(30, T0 + 9000, FX_R_NOT_SPECIFIED, FX_LOC_GSO, &tu);
	push_all(t, ev, n);
	assert_int_equal(t->sink.n, 1);
	p = &t->sink.pkts[0];
	assert_true(p->complete);
	assert_null(p->drop);
	assert_int_equal(p->outcome, GW_OUT_FORWARDED);
	assert_int_equal(p->verdicts, vbits(2, GW_V_FORWARDED, GW_V_SENT));
}

/* Root's ping: its raw socket got a clone of the echo reply, then the
 * kernel freed the original with NO_SOCKET (no ping socket). The reply was
 * delivered; an echo request freed the same way was not. */
static void test_echo_reply_no_socket_delivered(void **state)
{
	struct tc *t = *state;
	struct gw_tuple rep = fx_icmp("10.2.0.2", "10.1.0.2", 7);
	struct gw_tuple req = fx_icmp("10.1.0.2", "10.2.0.2", 7);
	struct gw_event ev[3];
	const struct gw_packet *p;

	rep.icmp_type = 0;
	ev[0] = fx_nf(40, T0, false, GW_NF_LOCAL_IN, &rep);
	ev[1] = fx_nf(40, T0 + 10, true, GW_NF_LOCAL_IN, &rep);
	ev[2] = fx_drop(40, T0 + 20, FX_R_NO_SOCKET, FX_LOC_FWD, &rep);
	push_all(t, ev, 3);
	assert_int_equal(t->sink.n, 1);
	p = &t->sink.pkts[0];
	assert_null(p->drop);
	assert_int_equal(p->outcome, GW_OUT_DELIVERED);

	ev[0] = fx_drop(41, T0 + 30, FX_R_NO_SOCKET, FX_LOC_FWD, &req);
	push_all(t, ev, 1);
	assert_int_equal(t->sink.n, 2);
	p = &t->sink.pkts[1];
	assert_non_null(p->drop);
	assert_int_equal(p->outcome, GW_OUT_DROPPED);
}

/* gwtrace monitor streams the drop step alone: without a reason, the xfrm
 * counter the kernel side recorded makes it a drop (xfrm_input failure). */
static void test_not_specified_with_xfrm_cause(void **state)
{
	struct tc *t = *state;
	struct gw_tuple esp = fx_tuple("192.0.2.1", "192.0.2.2", 50, 0, 0);
	struct gw_event ev = fx_drop(50, T0, FX_R_NOT_SPECIFIED, FX_LOC_FWD, &esp);
	const struct gw_packet *p;

	ev.drop.xfrm_mib = 4;
	assert_int_equal(corr__push(t->c, &ev), 0);
	assert_int_equal(t->sink.n, 1);
	p = &t->sink.pkts[0];
	assert_ptr_equal(p->drop, &p->steps[0]);
	assert_int_equal(p->outcome, GW_OUT_DROPPED);
}

/* A lone DROP step (an untracked packet dropped) per reason. */
static void test_drop_reasons(void **state)
{
	static const struct {
		__u32 reason;
		__u32 verdicts;
	} cases[] = {
		{ FX_R_NOT_SPECIFIED, 0 },
		{ FX_R_CONSUMED, 0 },
		{ FX_R_NETFILTER_DROP, 1u << GW_V_NETFILTER_DROP },
		{ FX_R_XFRM_POLICY, 1u << GW_V_POLICY_DROP },
		{ FX_R_IP_INNOROUTES, 1u << GW_V_DROPPED },
		{ FX_R_UNKNOWN, 1u << GW_V_DROPPED }, /* unnamed is a drop */
	};
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gw_event ev = fx_drop(30 + i, T0, cases[i].reason, FX_LOC_FWD, &tu);
		const struct gw_packet *p;

		assert_int_equal(corr__push(t->c, &ev), 0);
		assert_int_equal(t->sink.n, i + 1);
		p = &t->sink.pkts[i];
		assert_true(p->complete);
		assert_int_equal(p->verdicts, cases[i].verdicts);
		assert_int_equal(p->outcome, cases[i].verdicts ? GW_OUT_DROPPED : GW_OUT_UNKNOWN);
		assert_true((p->drop != NULL) == (cases[i].verdicts != 0));
		assert_int_equal(p->nf_drop_hook, -1); /* no hook was entered */
	}
}

static void test_idle_timeout(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_event ev[3];
	struct gw_corr_stats st;
	const __u64 idle = 1000000;

	tc_corr(t, idle, 0);
	ev[0] = fx_rx(40, T0, "veth-lan", &tu);
	ev[1] = fx_nf(40, T0 + 1000, false, GW_NF_PRE_ROUTING, &tu);
	ev[2] = fx_rx(41, T0 + 500000, "veth-lan", &tu);
	push_all(t, ev, 3);
	corr__expire(t->c, T0 + 1000 + idle - 1);
	assert_int_equal(t->sink.n, 0);
	corr__expire(t->c, T0 + 1000 + idle);
	assert_int_equal(t->sink.n, 1);
	assert_int_equal(t->sink.pkts[0].id, 40);
	assert_false(t->sink.pkts[0].complete);
	assert_int_equal(t->sink.pkts[0].outcome, GW_OUT_UNKNOWN);
	assert_int_equal(t->sink.pkts[0].n_steps, 2);
	corr__expire(t->c, T0 + 500000 + idle);
	assert_int_equal(t->sink.n, 2);
	corr__stats(t->c, &st);
	assert_int_equal(st.packets, 2);
	assert_int_equal(st.evicted, 0);
}

/*
 * A packet queued after POSTROUTING (ARP pending) is held: the idle
 * timeout does not finish it, and its drop, seconds later, ends the same
 * path. One finished while held
 * (hold limit, or flush) is of unknown outcome: not "forwarded".
 */
static void test_held_path(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	const __u64 idle = 1000000000ULL, s = 1000000000ULL;
	struct gw_event ev[5], drop;
	const struct gw_packet *p;

	tc_corr(t, idle, 0);
	ev[0] = fx_rx(50, T0, "veth-lan", &tu);
	ev[1] = fx_nf(50, T0 + 10, false, GW_NF_FORWARD, &tu);
	ev[2] = fx_nf(50, T0 + 20, true, GW_NF_FORWARD, &tu);
	ev[3] = fx_nf(50, T0 + 30, false, GW_NF_POST_ROUTING, &tu);
	ev[4] = fx_nf(50, T0 + 40, true, GW_NF_POST_ROUTING, &tu);
	/* ~3 s later the neighbour layer gives up: the same path ends. */
	p = held_then_dropped(t, ev, 5, T0 + 3 * s);
	assert_true(p->complete);
	assert_false(p->held);
	assert_int_equal(p->n_steps, 6);
	assert_int_equal(p->outcome, GW_OUT_DROPPED);

	/* Never ends: held until the hold limit, then unknown, not forwarded. */
	for (int i = 0; i < 5; i++)
		ev[i].pkt_id = 52;
	push_all(t, ev, 5);
	corr__expire(t->c, T0 + 40 + CORR_DEFAULT_HOLD_NS - 1);
	assert_int_equal(t->sink.n, 1);
	corr__expire(t->c, T0 + 40 + CORR_DEFAULT_HOLD_NS);
	assert_int_equal(t->sink.n, 2);
	p = &t->sink.pkts[1];
	assert_false(p->complete);
	assert_true(p->held);
	assert_true(p->verdicts & (1u << GW_V_FORWARDED));
	assert_int_equal(p->outcome, GW_OUT_UNKNOWN);

	/* Transmitted after POSTROUTING: not held, the idle timeout applies. */
	for (int i = 0; i < 5; i++)
		ev[i].pkt_id = 53;
	push_all(t, ev, 5);
	drop = fx_tx(53, T0 + 50, "veth-wan", &tu);
	assert_int_equal(corr__push(t->c, &drop), 0);
	corr__expire(t->c, T0 + 50 + idle);
	assert_int_equal(t->sink.n, 3);
	assert_false(t->sink.pkts[2].held);
	assert_int_equal(t->sink.pkts[2].outcome, GW_OUT_FORWARDED);
}

/*
 * Held with no POSTROUTING step: a namespace without a POSTROUTING hook
 * (fentry/kprobe see none, tracepoint mode links none there). Past
 * FORWARD, or a locally made packet past LOCAL_OUT's entry, the packet is
 * on its way out until a transmission or a drop; past INPUT it is not.
 */
static void test_held_without_postrouting(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	const __u64 idle = 1000000000ULL, s = 1000000000ULL;
	struct gw_event ev[2];
	const struct gw_packet *p;

	tc_corr(t, idle, 0);
	ev[0] = fx_rx(60, T0, "veth-lan", &tu);
	ev[1] = fx_nf(60, T0 + 20, true, GW_NF_FORWARD, &tu);
	p = held_then_dropped(t, ev, 2, T0 + 3 * s);
	assert_int_equal(p->n_steps, 3);
	assert_int_equal(p->outcome, GW_OUT_DROPPED);

	/* Made here: LOCAL_OUT's entry is its last step while ARP waits. */
	ev[0] = fx_nf(61, T0, false, GW_NF_LOCAL_OUT, &tu);
	p = held_then_dropped(t, ev, 1, T0 + 3 * s);
	assert_int_equal(p->n_steps, 2);

	/* Past INPUT: not on its way out, the idle timeout applies. */
	ev[0] = fx_nf(62, T0, true, GW_NF_LOCAL_IN, &tu);
	push_all(t, ev, 1);
	corr__expire(t->c, T0 + idle);
	assert_int_equal(t->sink.n, 3);
	assert_false(t->sink.pkts[2].held);
}

static void test_max_packets_eviction(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_corr_stats st;
	struct gw_event ev;

	tc_corr(t, 0, 2);
	ev = fx_rx(1, T0, "veth-lan", &tu);
	corr__push(t->c, &ev);
	ev = fx_rx(2, T0 + 1, "veth-lan", &tu);
	corr__push(t->c, &ev);
	/* Activity on 1 makes 2 the least recently active. */
	ev = fx_nf(1, T0 + 2, false, GW_NF_PRE_ROUTING, &tu);
	corr__push(t->c, &ev);
	assert_int_equal(t->sink.n, 0);
	ev = fx_rx(3, T0 + 3, "veth-lan", &tu);
	corr__push(t->c, &ev);
	assert_int_equal(t->sink.n, 1);
	assert_int_equal(t->sink.pkts[0].id, 2);
	assert_false(t->sink.pkts[0].complete);
	corr__stats(t->c, &st);
	assert_int_equal(st.evicted, 1);
	corr__flush(t->c);
	assert_int_equal(t->sink.n, 3);
	assert_int_equal(t->sink.pkts[1].id, 1);
	assert_int_equal(t->sink.pkts[2].id, 3);
	corr__stats(t->c, &st);
	assert_int_equal(st.packets, 3);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.events, 4);
}

static void test_unattributed(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_event ev = fx_rx(0, T0, "veth-lan", &tu);
	struct gw_corr_stats st;
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(corr__push(t->c, &ev), 0);
	ev = fx_drop(0, T0 + 1, FX_R_NETFILTER_DROP, FX_LOC_NFT, &tu);
	corr__push(t->c, &ev);
	corr__flush(t->c);
	corr__stats(t->c, &st);
	assert_int_equal(t->sink.n, 0);
	assert_int_equal(st.events, 4);
	assert_int_equal(st.unattributed, 4);
	assert_int_equal(st.packets, 0);
}

/* A late event after the end of a life starts a new (incomplete) path. */
static void test_late_event_new_path(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_event ev[3];

	ev[0] = fx_rx(50, T0, "veth-lan", &tu);
	ev[1] = fx_free(50, T0 + 10, &tu);
	ev[2] = fx_tx(50, T0 + 5, "veth-wan", &tu);
	push_all(t, ev, 3);
	assert_int_equal(t->sink.n, 1);
	corr__flush(t->c);
	assert_int_equal(t->sink.n, 2);
	assert_int_equal(t->sink.pkts[1].n_steps, 1);
	assert_false(t->sink.pkts[1].complete);
}

/* Inbound tunnel: ESP is "delivered" to the xfrm stack, decrypted, then
 * forwarded: the outcome is forwarded. */
static void test_decrypt_then_forward(void **state)
{
	struct tc *t = *state;
	struct gw_tuple esp = fx_tuple("172.16.9.1", "172.16.9.2", 50, 0, 0);
	struct gw_tuple in = fx_icmp("10.2.0.2", "10.1.0.2", 7);
	struct gw_event ev[10];
	const struct gw_packet *p;
	size_t n = 0;

	esp.spi = htonl(0x1000);
	ev[n++] = fx_rx(60, T0, "veth-wan", &esp);
	ev[n++] = fx_nf(60, T0 + 1, false, GW_NF_LOCAL_IN, &esp);
	ev[n++] = fx_nf(60, T0 + 2, true, GW_NF_LOCAL_IN, &esp);
	ev[n++] = fx_xfrm(60, T0 + 3, GW_EV_XFRM_IN, 0x1000, 0, GW_XFRM_IN, &esp);
	ev[n++] = fx_nf(60, T0 + 4, false, GW_NF_PRE_ROUTING, &in);
	ev[n++] = fx_nf(60, T0 + 5, true, GW_NF_PRE_ROUTING, &in);
	ev[n++] = fx_nf(60, T0 + 6, false, GW_NF_FORWARD, &in);
	ev[n++] = fx_nf(60, T0 + 7, true, GW_NF_FORWARD, &in);
	ev[n++] = fx_tx(60, T0 + 8, "veth-lan", &in);
	ev[n++] = fx_free(60, T0 + 9, &in);
	push_all(t, ev, n);
	p = &t->sink.pkts[0];
	assert_int_equal(p->verdicts, vbits(3, GW_V_DECRYPTED, GW_V_FORWARDED, GW_V_SENT));
	assert_int_equal(p->outcome, GW_OUT_FORWARDED);
	assert_int_equal(p->nat.type, GW_NAT_NONE);
	assert_memory_equal(&p->flow, &esp, sizeof(esp));
}

static void test_xfrm_verdicts(void **state)
{
	static const struct {
		__u16 kind;
		int err;
		__u32 verdicts;
	} cases[] = {
		{ GW_EV_XFRM_OUT, 0, 1u << GW_V_ENCRYPTED },
		{ GW_EV_XFRM_OUT, -22, 1u << GW_V_DROPPED },
		{ GW_EV_XFRM_IN, 0, 1u << GW_V_DECRYPTED },
		/* xfrm_input frees its failures with NOT_SPECIFIED: the
		 * XFRM_IN step is what makes it a drop. */
		{ GW_EV_XFRM_IN, -1, 1u << GW_V_DROPPED },
		{ GW_EV_XFRM_POLICY, -1, 1u << GW_V_POLICY_DROP },
	};
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_event ev[2];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev[0] = fx_xfrm(70 + i, T0, cases[i].kind, 0x2000, cases[i].err, GW_XFRM_FWD, &tu);
		ev[1] = fx_drop(70 + i, T0 + 1, FX_R_NOT_SPECIFIED, FX_LOC_FWD, &tu);
		push_all(t, ev, 2);
		assert_int_equal(t->sink.n, i + 1);
		assert_int_equal(t->sink.pkts[i].verdicts, cases[i].verdicts);
		assert_int_equal(t->sink.pkts[i].outcome,
				 cases[i].err ? GW_OUT_DROPPED : GW_OUT_UNKNOWN);
	}
}

/* client ns -> gateway ns -> server ns over veth: one packet. */
static void test_crosses_namespaces(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 5);
	struct gw_event ev[20], e;
	const struct gw_packet *p;
	size_t n = 0, k;

	e = fx_nf(80, T0, false, GW_NF_LOCAL_OUT, &tu);
	e.netns = FX_NETNS_CLIENT;
	ev[n++] = e;
	e = fx_tx(80, T0 + 100, "eth0", &tu);
	e.netns = FX_NETNS_CLIENT;
	ev[n++] = e;
	k = fx_forward_path(ev + n, 80, T0 + 1000, &tu);
	n += k - 1; /* no free in the gateway */
	e = fx_rx(80, T0 + 20000, "eth0", &tu);
	e.netns = FX_NETNS_SERVER;
	ev[n++] = e;
	e = fx_nf(80, T0 + 21000, false, GW_NF_LOCAL_IN, &tu);
	e.netns = FX_NETNS_SERVER;
	ev[n++] = e;
	e = fx_nf(80, T0 + 22000, true, GW_NF_LOCAL_IN, &tu);
	e.netns = FX_NETNS_SERVER;
	ev[n++] = e;
	e = fx_free(80, T0 + 23000, &tu);
	e.netns = FX_NETNS_SERVER;
	ev[n++] = e;
	push_all(t, ev, n);
	assert_int_equal(t->sink.n, 1);
	p = &t->sink.pkts[0];
	assert_int_equal(p->n_steps, n);
	assert_int_equal(p->steps[0].netns, FX_NETNS_CLIENT);
	assert_int_equal(p->steps[n - 1].netns, FX_NETNS_SERVER);
	assert_int_equal(p->outcome, GW_OUT_DELIVERED);
	assert_int_equal(p->verdicts, vbits(3, GW_V_FORWARDED, GW_V_DELIVERED, GW_V_SENT));
}

static void test_finish_idempotent(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_event ev[16];
	struct gw_packet p, q;
	size_t n = forward_drop_path(ev, 90, T0, &tu, FX_LOC_NFT);

	memset(&p, 0, sizeof(p));
	p.steps = ev;
	p.n_steps = p.cap_steps = n;
	p.complete = true;
	corr__finish(&p, &t->names);
	q = p;
	corr__finish(&p, &t->names);
	assert_memory_equal(&p, &q, sizeof(p));
	assert_int_equal(p.outcome, GW_OUT_DROPPED);
	assert_int_equal(p.nf_drop_hook, GW_NF_FORWARD);
}

/* A runaway path is capped, and its end still counts. */
static void test_step_cap(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_corr_stats st;
	struct gw_event ev;
	int i;

	for (i = 0; i < CORR_MAX_STEPS + 6; i++) {
		ev = fx_nf(95, T0 + (__u64)i, i & 1, GW_NF_FORWARD, &tu);
		assert_int_equal(corr__push(t->c, &ev), 0);
	}
	ev = fx_drop(95, T0 + 100000, FX_R_NETFILTER_DROP, FX_LOC_NFT, &tu);
	corr__push(t->c, &ev);
	corr__stats(t->c, &st);
	assert_int_equal(st.truncated, 6);
	assert_int_equal(t->sink.n, 1);
	assert_int_equal(t->sink.pkts[0].n_steps, CORR_MAX_STEPS + 1);
	assert_int_equal(t->sink.pkts[0].outcome, GW_OUT_DROPPED);
}

/* Many paths in flight: the hash table grows and still finds them. */
static void test_many_in_flight(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_event ev;
	__u64 id;

	tc_corr(t, 0, 100000);
	for (id = 1; id <= 5000; id++) {
		ev = fx_rx(id << 20, T0 + id, "veth-lan", &tu);
		assert_int_equal(corr__push(t->c, &ev), 0);
	}
	for (id = 1; id <= 200; id++) {
		ev = fx_free(id << 20, T0 + 10000 + id, &tu);
		corr__push(t->c, &ev);
	}
	assert_int_equal(t->sink.n, 200);
	assert_int_equal(t->sink.pkts[199].n_steps, 2);
	fx_sink_free(&t->sink);
	corr__free(t->c); /* discards the rest without callbacks */
	t->c = NULL;
	assert_int_equal(t->sink.n, 0);
}

/*
 * Ring buffer records (struct gw_chunk). The kernel sends a life in
 * records of up to GW_CHUNK_STEPS steps: the first ones filled, the last
 * carries the end. The path is the same as from the steps one by one.
 */
static void test_record_continued(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_event ev[16];
	struct gw_chunk c;
	size_t n = fx_forward_path(ev, 7, T0, &tu), size;
	const struct gw_packet *p;

	assert_true(n > GW_CHUNK_STEPS);
	size = fx_chunk(&c, ev, GW_CHUNK_STEPS, 0, GW_CHF_MORE);
	assert_int_equal(corr__record_steps(size), GW_CHUNK_STEPS);
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	assert_int_equal(t->sink.n, 0);		/* continued: not finished */
	/* The kernel holds the rest (a packet queued for ARP, say): idle
	 * here is no end, short of the hold limit. */
	corr__expire(t->c, T0 + 5 * CORR_DEFAULT_IDLE_NS);
	assert_int_equal(t->sink.n, 0);
	size = fx_chunk(&c, ev + GW_CHUNK_STEPS, n - GW_CHUNK_STEPS, 1, GW_CHF_END);
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	assert_int_equal(t->sink.n, 1);
	p = &t->sink.pkts[0];
	assert_int_equal(p->id, 7);
	assert_true(p->complete);
	assert_int_equal(p->n_steps, n);
	assert_memory_equal(p->steps, ev, n * sizeof(ev[0]));
	assert_int_equal(p->outcome, GW_OUT_FORWARDED);

	/* Without GW_CHF_MORE (the sweep took the rest): idle ends it. */
	for (size_t i = 0; i < n; i++)
		ev[i].pkt_id = 8;
	size = fx_chunk(&c, ev, 3, 0, 0);
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	corr__expire(t->c, ev[2].ts_ns + CORR_DEFAULT_IDLE_NS);
	assert_int_equal(t->sink.n, 2);
	assert_false(t->sink.pkts[1].complete);
	/* With it, the hold limit still ends a life whose end never came. */
	for (size_t i = 0; i < n; i++)
		ev[i].pkt_id = 9;
	size = fx_chunk(&c, ev, GW_CHUNK_STEPS, 0, GW_CHF_MORE);
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	corr__expire(t->c, ev[GW_CHUNK_STEPS - 1].ts_ns + CORR_DEFAULT_HOLD_NS);
	assert_int_equal(t->sink.n, 3);
}

/* Two lives' records interleaved, and one life in a single record. */
static void test_record_interleaved(void **state)
{
	struct tc *t = *state;
	struct gw_tuple ta = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_tuple tb = fx_icmp("10.1.0.3", "10.2.0.3", 2);
	struct gw_event a[16], b[16];
	size_t na = fx_forward_path(a, 100, T0, &ta);
	size_t nb = fx_forward_path(b, 101, T0 + 100, &tb), size;
	struct gw_chunk c;

	size = fx_chunk(&c, a, 4, 0, 0);
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	size = fx_chunk(&c, b, 5, 0, 0);
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	size = fx_chunk(&c, a + 4, na - 4, 1, GW_CHF_END);
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	size = fx_chunk(&c, b + 5, nb - 5, 1, GW_CHF_END);
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	assert_int_equal(t->sink.n, 2);
	assert_int_equal(t->sink.pkts[0].id, 100);
	assert_int_equal(t->sink.pkts[0].n_steps, na);
	assert_int_equal(t->sink.pkts[1].id, 101);
	assert_int_equal(t->sink.pkts[1].n_steps, nb);
	/* A drop of an untracked packet: one step, alone. */
	a[0] = fx_drop(102, T0 + 9, FX_R_NETFILTER_DROP, FX_LOC_NFT, &ta);
	size = fx_chunk(&c, a, 1, 0, GW_CHF_ALONE | GW_CHF_END);
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	assert_int_equal(t->sink.n, 3);
	assert_int_equal(t->sink.pkts[2].outcome, GW_OUT_DROPPED);
}

/*
 * A datagram delivered to a local socket: the application's read frees it
 * with no tracepoint. The kernel ends the life when a new packet takes its
 * address, with GW_CHF_END on the last record: the path ends there,
 * complete and delivered, not idle and incomplete.
 */
static void test_record_end_after_delivery(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_tuple("10.1.0.2", "10.2.0.2", IPPROTO_UDP, 40000, 9);
	struct gw_event ev[3];
	struct gw_chunk c;
	size_t size;

	ev[0] = fx_rx(40, T0, "veth-lan", &tu);
	ev[1] = fx_ev(40, T0 + 1, GW_EV_IP_DELIVER, &tu);
	size = fx_chunk(&c, ev, 2, 0, GW_CHF_END);
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	assert_int_equal(t->sink.n, 1);
	assert_true(t->sink.pkts[0].complete);
	assert_int_equal(t->sink.pkts[0].n_steps, 2);
	assert_int_equal(t->sink.pkts[0].outcome, GW_OUT_DELIVERED);
	/* Without the flag (the sweep took it) idle ends it -- as complete
	 * too: a socket was its end. */
	ev[0].pkt_id = ev[1].pkt_id = 41;
	size = fx_chunk(&c, ev, 2, 0, 0);
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	assert_int_equal(t->sink.n, 1);
	corr__expire(t->c, T0 + 1 + CORR_DEFAULT_IDLE_NS);
	assert_int_equal(t->sink.n, 2);
	assert_true(t->sink.pkts[1].complete);
	assert_int_equal(t->sink.pkts[1].outcome, GW_OUT_DELIVERED);
	/* Short of the socket (received, then silence) it is a lost end. */
	ev[0].pkt_id = 42;
	size = fx_chunk(&c, ev, 1, 0, 0);
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	corr__expire(t->c, T0 + CORR_DEFAULT_IDLE_NS);
	assert_int_equal(t->sink.n, 3);
	assert_false(t->sink.pkts[2].complete);
}

/* A malformed record is refused whole: nothing of it is pushed. */
static void test_record_corrupt(void **state)
{
	struct tc *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_event ev[16];
	size_t n = fx_forward_path(ev, 7, T0, &tu), size;
	struct gw_corr_stats st;
	unsigned char big[sizeof(struct gw_chunk) + sizeof(struct gw_event)] = { 0 };
	struct gw_chunk c;

	(void)n;
	size = fx_chunk(&c, ev, 3, 0, 0);
	assert_int_equal(corr__push_record(t->c, &c, size - 1), -EBADMSG);	/* cut */
	assert_int_equal(corr__push_record(t->c, &c, size + 1), -EBADMSG);
	assert_int_equal(corr__push_record(t->c, &c, sizeof(c.hdr)), -EBADMSG);	/* no step */
	assert_int_equal(corr__push_record(t->c, &c, 0), -EBADMSG);
	c.hdr.n_steps = 2;	/* header and size disagree */
	assert_int_equal(corr__push_record(t->c, &c, size), -EBADMSG);
	c.hdr.n_steps = 3;
	c.steps[2].pkt_id = 8;	/* steps of two lives */
	assert_int_equal(corr__push_record(t->c, &c, size), -EBADMSG);
	/* More steps than the kernel gathers. */
	memcpy(big, &c, sizeof(c));
	((struct gw_chunk_hdr *)big)->n_steps = GW_CHUNK_STEPS + 1;
	assert_int_equal(corr__record_steps(sizeof(big)), 0);
	assert_int_equal(corr__push_record(t->c, big, sizeof(big)), -EBADMSG);
	corr__stats(t->c, &st);
	assert_int_equal(st.events, 0);
	corr__flush(t->c);
	assert_int_equal(t->sink.n, 0);
	/* The correlator is unharmed: a good record still makes a path. */
	c.steps[2].pkt_id = 7;
	assert_int_equal(corr__push_record(t->c, &c, size), 0);
	corr__flush(t->c);
	assert_int_equal(t->sink.n, 1);
	assert_int_equal(t->sink.pkts[0].n_steps, 3);
}

/* The hold rule the kernel keeps tracking entries by (gwtrace.h). */
static void test_step_holds(void **state)
{
	(void)state;
	assert_true(gw_step_holds(GW_EV_NF_EXIT, GW_NF_POST_ROUTING));
	assert_true(gw_step_holds(GW_EV_NF_EXIT, GW_NF_FORWARD));
	assert_true(gw_step_holds(GW_EV_NF_EXIT, GW_NF_LOCAL_OUT));
	assert_true(gw_step_holds(GW_EV_NF_ENTER, GW_NF_LOCAL_OUT));
	assert_true(gw_step_holds(GW_EV_IP_FORWARD, 0));
	/* Judged at once in a hook; past INPUT or PREROUTING, not outbound. */
	assert_false(gw_step_holds(GW_EV_NF_ENTER, GW_NF_POST_ROUTING));
	assert_false(gw_step_holds(GW_EV_NF_ENTER, GW_NF_FORWARD));
	assert_false(gw_step_holds(GW_EV_NF_EXIT, GW_NF_LOCAL_IN));
	assert_false(gw_step_holds(GW_EV_NF_EXIT, GW_NF_PRE_ROUTING));
	assert_false(gw_step_holds(GW_EV_TX, GW_NF_POST_ROUTING));
}

/* The delivery rule the kernel ends reused lives by (gwtrace.h). */
static void test_step_delivers(void **state)
{
	(void)state;
	assert_true(gw_delivered_after(0, GW_EV_IP_DELIVER, 0, 0));
	assert_true(gw_delivered_after(0, GW_EV_NF_EXIT, GW_NF_LOCAL_IN, GW_NF_ACCEPT));
	assert_false(gw_delivered_after(0, GW_EV_NF_ENTER, GW_NF_LOCAL_IN, GW_NF_NONE));
	assert_false(gw_delivered_after(0, GW_EV_NF_EXIT, GW_NF_FORWARD, GW_NF_ACCEPT));
	assert_false(gw_delivered_after(0, GW_EV_IP_FORWARD, 0, 0));
	/* The socket's policy check keeps it; ESP going on to xfrm does not. */
	assert_true(gw_delivered_after(1, GW_EV_XFRM_POLICY, 0, 0));
	assert_false(gw_delivered_after(0, GW_EV_XFRM_POLICY, 0, 0));
	assert_false(gw_delivered_after(1, GW_EV_XFRM_IN, 0, 0));
	assert_false(gw_delivered_after(1, GW_EV_RX, 0, 0));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_forwarded),
		T(test_netfilter_drop_forward),
		T(test_nf_exit_drop_verdict),
		T(test_nf_drop_hook_is_open_one),
		T(test_snat_postrouting),
		T(test_dnat_prerouting),
		T(test_nat_type_both_sides),
		T(test_no_nat_across_xfrm),
		T(test_route_prefixlen),
		T(test_no_route),
		T(test_route_last_lookup_wins),
		T(test_skb_reuse),
		T(test_interleaved_out_of_order),
		T(test_not_specified_not_drop),
		T(test_echo_reply_no_socket_delivered),
		T(test_not_specified_with_xfrm_cause),
		T(test_drop_reasons),
		T(test_idle_timeout),
		T(test_held_path),
		T(test_held_without_postrouting),
		T(test_max_packets_eviction),
		T(test_unattributed),
		T(test_late_event_new_path),
		T(test_decrypt_then_forward),
		T(test_route_default_wins_across_netns),
		T(test_ip_finish_verdicts),
		T(test_ipsec_from_netfilter_flags),
		T(test_xfrm_verdicts),
		T(test_crosses_namespaces),
		T(test_finish_idempotent),
		T(test_step_cap),
		T(test_many_in_flight),
		T(test_record_continued),
		T(test_record_interleaved),
		T(test_record_corrupt),
		T(test_record_end_after_delivery),
		T(test_step_holds),
		T(test_step_delivers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

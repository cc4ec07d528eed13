// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Diagnosis: each cause from the path that shows it, and none for a
 * healthy path; "at" and the evidence where the rule says. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "correlate.h"
#include "diagnose.h"
#include "events_fixture.h"

#define T0 5000000000ULL

struct td {
	struct fx_corr f;
};

static int setup(void **state)
{
	struct td *t = calloc(1, sizeof(*t));

	if (!t || fx_corr_open(&t->f))
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct td *t = *state;

	fx_corr_close(&t->f);
	free(t);
	return 0;
}

static const struct gw_packet *run(struct td *t, const struct gw_event *ev, size_t n)
{
	const struct gw_packet *p = fx_corr_run(&t->f, ev, n);

	assert_non_null(p);
	return p;
}

static void assert_cause(const struct gw_packet *p, enum gw_cause want)
{
	if (p->diag.cause != want)
		fail_msg("cause %s, want %s", gw_causes[p->diag.cause].id ?: "none",
			 gw_causes[want].id ?: "none");
}

static bool has_evidence(const struct gw_packet *p, const char *s)
{
	for (unsigned i = 0; i < p->diag.n_evidence; i++)
		if (strstr(p->diag.evidence[i], s))
			return true;
	return false;
}

/* rx, PRE, FORWARD entered, dropped there by netfilter. */
static size_t nf_drop_path(struct gw_event *ev, const struct gw_tuple *t, __u8 hook)
{
	size_t n = 0;

	ev[n++] = fx_rx(1, T0, "veth-lan", t);
	ev[n++] = fx_nf(1, T0 + 1000, false, GW_NF_PRE_ROUTING, t);
	ev[n++] = fx_nf(1, T0 + 2000, true, GW_NF_PRE_ROUTING, t);
	ev[n++] = fx_nf(1, T0 + 3000, false, hook, t);
	ev[n++] = fx_drop(1, T0 + 4000, FX_R_NETFILTER_DROP, FX_LOC_NFT, t);
	return n;
}

static void test_healthy_no_cause(void **state)
{
	struct td *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_event ev[16];
	size_t n = fx_forward_path(ev, 1, T0, &tu);
	const struct gw_packet *p = run(t, ev, n);

	assert_int_equal(p->outcome, GW_OUT_FORWARDED);
	assert_cause(p, GW_CAUSE_NONE);
	assert_int_equal(p->diag.n_evidence, 0);
}

static void test_firewall_drop(void **state)
{
	struct td *t = *state;
	struct gw_tuple tu = fx_tuple("10.1.0.2", "10.2.0.2", IPPROTO_TCP, 40000, 22);
	struct gw_event ev[8];
	const struct gw_packet *p = run(t, ev, nf_drop_path(ev, &tu, GW_NF_FORWARD));

	assert_cause(p, GW_CAUSE_FIREWALL_DROP);
	assert_int_equal(p->diag.hook, GW_NF_FORWARD);
	assert_ptr_equal(p->diag.at, p->drop);
	assert_true(has_evidence(p, "NETFILTER_DROP"));
	assert_true(has_evidence(p, "FORWARD"));
}

static void test_ike_blocked(void **state)
{
	struct td *t = *state;
	struct gw_tuple ike = fx_tuple("172.16.9.2", "172.16.9.1", IPPROTO_UDP, 500, 500);
	struct gw_tuple natt = fx_tuple("172.16.9.2", "172.16.9.1", IPPROTO_UDP, 4500, 4500);
	struct gw_event ev[8];

	assert_cause(run(t, ev, nf_drop_path(ev, &ike, GW_NF_LOCAL_IN)), GW_CAUSE_IKE_BLOCKED);
	assert_true(has_evidence(&t->f.sink.pkts[0], "UDP 500"));
	fx_sink_free(&t->f.sink);
	/* 4500 with the non-ESP marker (no SPI read): IKE too. */
	assert_cause(run(t, ev, nf_drop_path(ev, &natt, GW_NF_LOCAL_IN)), GW_CAUSE_IKE_BLOCKED);
}

static void test_esp_blocked(void **state)
{
	struct td *t = *state;
	struct gw_tuple esp = fx_tuple("172.16.9.2", "172.16.9.1", IPPROTO_ESP, 0, 0);
	struct gw_tuple natt = fx_tuple("172.16.9.2", "172.16.9.1", IPPROTO_UDP, 4500, 4500);
	struct gw_event ev[8];

	esp.spi = htonl(0x1000);
	assert_cause(run(t, ev, nf_drop_path(ev, &esp, GW_NF_LOCAL_IN)), GW_CAUSE_ESP_BLOCKED);
	fx_sink_free(&t->f.sink);
	natt.spi = htonl(0x1000);
	assert_cause(run(t, ev, nf_drop_path(ev, &natt, GW_NF_LOCAL_IN)), GW_CAUSE_ESP_BLOCKED);
}

static void test_firewall_after_decrypt(void **state)
{
	struct td *t = *state;
	struct gw_tuple in = fx_icmp("10.3.0.2", "10.1.0.2", 7);
	struct gw_event ev[8];
	size_t n = nf_drop_path(ev, &in, GW_NF_FORWARD);

	ev[1].flags |= GW_EVF_SECPATH;	/* PREROUTING saw the secpath */
	assert_cause(run(t, ev, n), GW_CAUSE_FIREWALL_AFTER_DECRYPT);
}

/* A failed xfrm step with its counter: the counter names the cause. */
static void xfrm_case(struct td *t, __u16 kind, __u32 mib, enum gw_cause want)
{
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.3.0.2", 9);
	struct gw_event ev[4];
	const struct gw_packet *p;

	ev[0] = fx_rx(1, T0, "veth-wan", &tu);
	ev[1] = fx_xfrm(1, T0 + 1000, kind, 0x1000, -EINVAL,
			kind == GW_EV_XFRM_IN ? GW_XFRM_IN : GW_XFRM_OUT, &tu);
	ev[1].xfrm.mib = mib;
	ev[2] = fx_drop(1, T0 + 2000, FX_R_NOT_SPECIFIED, FX_LOC_XFRM, &tu);
	ev[2].drop.xfrm_mib = mib;
	p = run(t, ev, 3);
	assert_int_equal(p->outcome, GW_OUT_DROPPED);
	assert_cause(p, want);
	assert_true(has_evidence(p, "Xfrm"));
	fx_sink_free(&t->f.sink);
}

static void test_xfrm_counters(void **state)
{
	struct td *t = *state;

	xfrm_case(t, GW_EV_XFRM_IN, FX_MIB_INNOSTATES, GW_CAUSE_SA_MISSING);
	xfrm_case(t, GW_EV_XFRM_IN, FX_MIB_INSTATEPROTOERROR, GW_CAUSE_SA_MISMATCH);
	xfrm_case(t, GW_EV_XFRM_IN, FX_MIB_INSTATESEQERROR, GW_CAUSE_REPLAY);
	xfrm_case(t, GW_EV_XFRM_IN, FX_MIB_INSTATEEXPIRED, GW_CAUSE_SA_EXPIRED);
	xfrm_case(t, GW_EV_XFRM_IN, FX_MIB_INPOLBLOCK, GW_CAUSE_POLICY_BLOCK);
	xfrm_case(t, GW_EV_XFRM_OUT, FX_MIB_OUTNOSTATES, GW_CAUSE_SA_NOT_ESTABLISHED);
}

/* A drop by reason alone (no netfilter, no xfrm step). */
static const struct gw_packet *reason_case(struct td *t, __u32 reason, bool route_found)
{
	struct gw_tuple tu = fx_tuple("10.1.0.2", "10.2.0.2", IPPROTO_UDP, 40000, 53);
	struct gw_event ev[4];
	size_t n = 0;

	fx_sink_free(&t->f.sink);
	ev[n++] = fx_rx(1, T0, "veth-lan", &tu);
	if (route_found)
		ev[n++] = fx_route(1, T0 + 500, 254, 0, "172.16.9.1", "veth-wan", 16, &tu);
	else
		ev[n++] = fx_route(1, T0 + 500, 254, -ENETUNREACH, NULL, NULL, GW_PREFIX_UNKNOWN, &tu);
	ev[n++] = fx_drop(1, T0 + 1000, reason, FX_LOC_FWD, &tu);
	return run(t, ev, n);
}

static void test_drop_reasons(void **state)
{
	struct td *t = *state;

	assert_cause(reason_case(t, FX_R_XFRM_POLICY, true), GW_CAUSE_POLICY_BLOCK);
	assert_cause(reason_case(t, FX_R_NO_SOCKET, true), GW_CAUSE_NO_SOCKET);
	assert_cause(reason_case(t, FX_R_IP_RPFILTER, true), GW_CAUSE_RP_FILTER);
	assert_cause(reason_case(t, FX_R_NEIGH_FAILED, true), GW_CAUSE_NEIGH_FAILED);
	assert_cause(reason_case(t, FX_R_PKT_TOO_BIG, true), GW_CAUSE_MTU_EXCEEDED);
	assert_cause(reason_case(t, FX_R_IP_INNOROUTES, false), GW_CAUSE_NO_ROUTE);
	/* The FIB found a route, yet "no route": forwarding is off. */
	assert_cause(reason_case(t, FX_R_IP_INNOROUTES, true), GW_CAUSE_FORWARDING_DISABLED);
	assert_true(has_evidence(&t->f.sink.pkts[0], "found a route"));
	assert_cause(reason_case(t, FX_R_TCP_CSUM, true), GW_CAUSE_KERNEL_DROP);
	assert_true(has_evidence(&t->f.sink.pkts[0], "TCP_CSUM"));
	assert_cause(reason_case(t, FX_R_UNKNOWN, true), GW_CAUSE_KERNEL_DROP);
}

/* What monitor's counters know: reason, counter, location, protocol. */
static void test_facts_of_a_counter(void **state)
{
	struct gw_tuple esp = { .family = AF_INET, .proto = IPPROTO_ESP };
	struct gw_tuple udp = { .family = AF_INET, .proto = IPPROTO_UDP };
	struct gw_drop_facts f = { .reason = "NETFILTER_DROP", .netfilter = true, .t = &esp };

	(void)state;
	assert_int_equal(diagnose__cause(&f), GW_CAUSE_ESP_BLOCKED);
	f.t = &udp;	/* no ports: IKE cannot be told from other UDP */
	assert_int_equal(diagnose__cause(&f), GW_CAUSE_FIREWALL_DROP);
	f = (struct gw_drop_facts){ .reason = "NOT_SPECIFIED", .location = "neigh_invalidate" };
	assert_int_equal(diagnose__cause(&f), GW_CAUSE_NEIGH_FAILED);
	f = (struct gw_drop_facts){ .reason = "XFRM_POLICY", .policy = true,
				    .xfrm_mib = "XfrmInStateProtoError" };
	assert_int_equal(diagnose__cause(&f), GW_CAUSE_SA_MISMATCH);
	/* IPv6 has no FIB probe: ip6_forward's "address error" is forwarding. */
	f = (struct gw_drop_facts){ .reason = "IP_INADDRERRORS", .location = "ip6_forward+0x68e" };
	assert_int_equal(diagnose__cause(&f), GW_CAUSE_FORWARDING_DISABLED);
	f.location = "ip6_rcv_core+0x10";
	assert_int_equal(diagnose__cause(&f), GW_CAUSE_KERNEL_DROP);
	f = (struct gw_drop_facts){ 0 };	/* nothing known */
	assert_int_equal(diagnose__cause(&f), GW_CAUSE_KERNEL_DROP);
	/* The xfrm policy queue purged: IKE had no SA for it (the ACQUIRE
	 * says so); without one, a queue purge is some other queue's. */
	f = (struct gw_drop_facts){ .reason = "QUEUE_PURGE", .acquired = true };
	assert_int_equal(diagnose__cause(&f), GW_CAUSE_SA_NOT_ESTABLISHED);
	f.acquired = false;
	assert_int_equal(diagnose__cause(&f), GW_CAUSE_KERNEL_DROP);
}

/* The forwarded path, SNAT at POSTROUTING to 172.16.9.2 (its exit and the
 * transmission show the new source); xfrm_dst: routed into SA 0x1000
 * before (the POSTROUTING entry's flag, as the hooks see a bundle). */
static size_t snat_path(struct gw_event *ev, const char *dst, bool xfrm_dst)
{
	struct gw_tuple tu = fx_icmp("10.1.0.2", dst, 7), nat = fx_icmp("172.16.9.2", dst, 7);
	size_t n = fx_forward_path(ev, 1, T0, &tu);

	ev[8].tuple = ev[9].tuple = ev[10].tuple = nat;
	if (xfrm_dst) {
		ev[7].flags |= GW_EVF_XFRM_DST;
		ev[7].nf.xfrm_spi = htonl(0x1000);
	}
	return n;
}

static void test_nat_before_ipsec(void **state)
{
	struct td *t = *state;
	struct gw_event ev[16];
	const struct gw_packet *p = run(t, ev, snat_path(ev, "10.2.0.2", true));

	assert_true(fx_has_verdict(p, GW_V_NAT));
	assert_cause(p, GW_CAUSE_NAT_BEFORE_IPSEC);
	assert_ptr_equal(p->diag.at, &p->steps[8]);	/* POSTROUTING exit */
	assert_int_equal(p->diag.hook, GW_NF_POST_ROUTING);
	assert_true(has_evidence(p, "SNAT 10.1.0.2 -> 172.16.9.2"));
	assert_true(has_evidence(p, "routed into SA 0x1000 before the NAT"));
	assert_true(has_evidence(p, "left unencrypted on veth-wan"));
}

/* No xfrm dst seen (a hook without a link, say), but an out policy covers
 * the pre-NAT addresses: the same cause, with the policy as evidence. */
static void test_nat_before_ipsec_by_policy(void **state)
{
	struct td *t = *state;
	struct gw_event ev[16];
	const struct gw_packet *p = run(t, ev, snat_path(ev, "10.7.0.2", false));

	assert_cause(p, GW_CAUSE_NAT_BEFORE_IPSEC);
	assert_true(has_evidence(p, "out policy 10.1.0.0/24 -> 10.7.0.0/16 covers it"));
}

/* NAT with IPsec nowhere near, or NAT and then encrypted: healthy. */
static void test_nat_without_leak(void **state)
{
	struct td *t = *state;
	struct gw_tuple esp = fx_tuple("172.16.9.2", "172.16.9.1", IPPROTO_ESP, 0, 0);
	struct gw_event ev[16];
	const struct gw_packet *p = run(t, ev, snat_path(ev, "10.2.0.2", false));

	assert_true(fx_has_verdict(p, GW_V_NAT));
	assert_cause(p, GW_CAUSE_NONE);
	fx_sink_free(&t->f.sink);
	snat_path(ev, "10.2.0.2", true);
	esp.spi = htonl(0x1000);
	ev[9].tuple = esp;	/* what left was ESP */
	p = run(t, ev, 11);
	assert_true(fx_has_verdict(p, GW_V_ENCRYPTED));
	assert_cause(p, GW_CAUSE_NONE);
}

/* The forwarded path of tu with its main-table route the default (/0). */
static size_t default_route_path(struct gw_event *ev, const struct gw_tuple *tu)
{
	size_t n = fx_forward_path(ev, 1, T0, tu);

	ev[4] = fx_route(1, T0 + 3500, 254, 0, "172.16.9.1", "veth-wan", 0, tu);
	return n;
}

/* A reply routed by the default route while an out policy covers it
 * (route-based tunnel, its route gone), then dropped at the next router:
 * the cause is the route at the gateway, not the drop downstream. */
static void test_reply_via_default_route(void **state)
{
	struct td *t = *state;
	struct gw_tuple tu = fx_icmp("10.7.0.2", "10.1.0.2", 9);
	struct gw_event ev[16];
	size_t n = default_route_path(ev, &tu);
	const struct gw_packet *p;

	ev[n - 1] = fx_rx(1, T0 + 9000, "veth-up", &tu);
	ev[n - 1].netns = FX_NETNS_SERVER;
	ev[n++] = fx_drop(1, T0 + 10000, FX_R_IP_INNOROUTES, FX_LOC_NFT, &tu);
	ev[n - 1].netns = FX_NETNS_SERVER;
	p = run(t, ev, n);
	assert_int_equal(p->outcome, GW_OUT_DROPPED);
	assert_true(fx_has_verdict(p, GW_V_DEFAULT_ROUTE));
	assert_cause(p, GW_CAUSE_REPLY_VIA_DEFAULT_ROUTE);
	assert_ptr_equal(p->diag.at, &p->steps[4]);
	assert_int_equal(p->diag.hook, -1);
	assert_true(has_evidence(p, "default route (prefix length 0) out of veth-wan"));
	assert_true(has_evidence(p, "out policy 10.7.0.0/16 -> 10.1.0.0/24 covers it"));
}

/* The default route to where no policy wants IPsec: healthy. */
static void test_default_route_without_policy(void **state)
{
	struct td *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "192.0.2.9", 9);
	struct gw_event ev[16];
	const struct gw_packet *p = run(t, ev, default_route_path(ev, &tu));

	assert_true(fx_has_verdict(p, GW_V_DEFAULT_ROUTE));
	assert_cause(p, GW_CAUSE_NONE);
}

/* An IKE answer refusing every proposal: the packet lived, the exchange
 * failed. The request before it, and an answer without that notify, are
 * healthy. */
static void test_ike_no_proposal(void **state)
{
	struct td *t = *state;
	struct gw_tuple tu = fx_tuple("10.2.0.2", "10.1.0.2", IPPROTO_UDP, 500, 500);
	struct gw_ike k = { .version = 0x20, .exchange = 34, .flags = 0x20, .notify = 14,
			    .present = 1 };
	struct gw_event ev[16];
	size_t n = fx_forward_path(ev, 1, T0, &tu);
	const struct gw_packet *p;

	ev[0].ike = k;
	p = run(t, ev, n);
	assert_int_equal(p->outcome, GW_OUT_FORWARDED);
	assert_cause(p, GW_CAUSE_IKE_NO_PROPOSAL);
	assert_ptr_equal(p->diag.at, &p->steps[0]);
	assert_true(has_evidence(p, "IKEv2 IKE_SA_INIT answer: notify NO_PROPOSAL_CHOSEN"));
	for (int i = 0; i < 2; i++) {
		fx_sink_free(&t->f.sink);
		fx_forward_path(ev, 1, T0, &tu);
		ev[0].ike = k;
		if (i)
			ev[0].ike.notify = 16390;	/* COOKIE */
		else
			ev[0].ike.flags = 0x08;		/* the request */
		p = run(t, ev, n);
		assert_cause(p, GW_CAUSE_NONE);
	}
}

/* A packet this host made: route, OUTPUT entered and left, then its death. */
static size_t local_path(struct gw_event *ev, const struct gw_tuple *t, __u32 reason, __u64 loc)
{
	size_t n = 0;

	ev[n++] = fx_route(1, T0, 254, 0, NULL, "veth-wan", 24, t);
	ev[n++] = fx_nf(1, T0 + 1000, false, GW_NF_LOCAL_OUT, t);
	ev[n++] = fx_nf(1, T0 + 2000, true, GW_NF_LOCAL_OUT, t);
	ev[n++] = fx_drop(1, T0 + 3000, reason, loc, t);
	return n;
}

/* IPsec kills the gateway's own packet under a 0/0 out policy: the
 * selector is the cause. The same drop of a packet it forwards is not. */
static void test_selector_too_broad(void **state)
{
	struct td *t = *state;
	struct gw_tuple own = fx_icmp("172.16.9.2", "172.16.9.1", 3);
	struct gw_event ev[16];
	const struct gw_packet *p = run(t, ev, local_path(ev, &own, FX_R_XFRM_POLICY, FX_LOC_FWD));

	assert_int_equal(p->outcome, GW_OUT_DROPPED);
	assert_cause(p, GW_CAUSE_SELECTOR_TOO_BROAD);
	assert_ptr_equal(p->diag.at, p->drop);
	assert_true(has_evidence(p, "sent by this host (172.16.9.2)"));
	assert_true(has_evidence(p, "out policy 0.0.0.0/0 -> 0.0.0.0/0 covers it"));

	fx_sink_free(&t->f.sink);
	own = fx_icmp("172.16.9.5", "172.16.9.1", 3);	/* received, forwarded */
	ev[0] = fx_rx(1, T0 - 1000, "veth-lan", &own);
	local_path(ev + 1, &own, FX_R_XFRM_POLICY, FX_LOC_FWD);
	p = run(t, ev, 5);
	assert_cause(p, GW_CAUSE_POLICY_BLOCK);
}

/* A blackhole route's output frees without a reason: still a death (the
 * xfrm larval drop's way, while IKE negotiates). */
static void test_blackhole_is_drop(void **state)
{
	struct td *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.1", "10.2.0.2", 3);
	struct gw_event ev[16];
	const struct gw_packet *p = run(t, ev, local_path(ev, &tu, FX_R_NOT_SPECIFIED,
							  FX_LOC_DISCARD));

	assert_int_equal(p->outcome, GW_OUT_DROPPED);
	assert_cause(p, GW_CAUSE_KERNEL_DROP);	/* no ACQUIRE known: not judged IPsec */
	assert_true(has_evidence(p, "at dst_discard_out+0x14"));
}

/* The tracepoint strategy's view of a decryption failure: the ESP packet
 * accepted by INPUT, then freed in xfrm_input without a reason or an
 * xfrm counter. It died there; the place says IPsec refused it. */
static void test_xfrm_input_free_is_drop(void **state)
{
	struct td *t = *state;
	struct gw_tuple esp = fx_tuple("172.16.9.1", "172.16.9.2", IPPROTO_ESP, 0, 0);
	struct gw_event ev[8];
	size_t n = 0;
	const struct gw_packet *p;

	esp.spi = htonl(0x1000);
	ev[n++] = fx_rx(1, T0, "veth-wan", &esp);
	ev[n++] = fx_nf(1, T0 + 1000, false, GW_NF_LOCAL_IN, &esp);
	ev[n++] = fx_nf(1, T0 + 2000, true, GW_NF_LOCAL_IN, &esp);
	ev[n++] = fx_drop(1, T0 + 3000, FX_R_NOT_SPECIFIED, FX_LOC_XFRM, &esp);
	p = run(t, ev, n);
	assert_int_equal(p->outcome, GW_OUT_DROPPED);
	assert_cause(p, GW_CAUSE_KERNEL_DROP);
	assert_true(has_evidence(p, "at xfrm_input+0x30"));
	assert_true(has_evidence(p, "IPsec refused it"));
}

/* Every cause has an id, a text and advice; ids are distinct. */
static void test_table_complete(void **state)
{
	(void)state;
	assert_null(gw_causes[GW_CAUSE_NONE].id);
	for (int c = 1; c < GW_CAUSE_MAX; c++) {
		assert_non_null(gw_causes[c].id);
		assert_non_null(gw_causes[c].text);
		assert_non_null(gw_causes[c].advice);
		for (int d = 1; d < c; d++)
			assert_string_not_equal(gw_causes[c].id, gw_causes[d].id);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_healthy_no_cause),
		T(test_firewall_drop),
		T(test_ike_blocked),
		T(test_esp_blocked),
		T(test_firewall_after_decrypt),
		T(test_xfrm_counters),
		T(test_drop_reasons),
		T(test_facts_of_a_counter),
		T(test_table_complete),
		T(test_nat_before_ipsec),
		T(test_nat_before_ipsec_by_policy),
		T(test_nat_without_leak),
		T(test_reply_via_default_route),
		T(test_default_route_without_policy),
		T(test_ike_no_proposal),
		T(test_selector_too_broad),
		T(test_blackhole_is_drop),
		T(test_xfrm_input_free_is_drop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

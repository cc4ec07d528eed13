// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Rendering tests: hand-made paths through the correlator, then the text
 * lines, the folded report, the JSON lines and the summaries, checked
 * exactly where the format is a promise.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "attach.h"
#include "correlate.h"
#include "flows.h"
#include "render_json.h"
#include "diagnose.h"
#include "render_text.h"
#include "events_fixture.h"

#define T0 5000000000ULL

struct tr {
	struct fx_corr f;
	struct fx_out out;
};

static int setup(void **state)
{
	struct tr *t = calloc(1, sizeof(*t));

	if (!t || fx_corr_open(&t->f))
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tr *t = *state;

	fx_corr_close(&t->f);
	free(t->out.buf);
	free(t);
	return 0;
}

/* Pushes ev, flushes, returns the only packet. */
static const struct gw_packet *run(struct tr *t, const struct gw_event *ev, size_t n)
{
	const struct gw_packet *p = fx_corr_run(&t->f, ev, n);

	assert_non_null(p);
	return p;
}

static const char *text_of(struct tr *t, const struct gw_packet *p, __u64 count)
{
	free(t->out.buf);
	fx_out_open(&t->out);
	render_text__packet(t->out.f, p, count, &t->f.names);
	return fx_out_close(&t->out);
}

static const char *json_of(struct tr *t, const struct gw_packet *p)
{
	free(t->out.buf);
	fx_out_open(&t->out);
	render_json__packet(t->out.f, p, &t->f.names, 0);
	fx_out_close(&t->out);
	assert_true(fx_json_line_ok(t->out.buf));
	return t->out.buf;
}

static void assert_lines(const char *got, const char *const *want, int n)
{
	char buf[512];
	int i;

	for (i = 0; i < n; i++)
		assert_string_equal(fx_line(got, i, buf, sizeof(buf)), want[i]);
	assert_string_equal(fx_line(got, n, buf, sizeof(buf)), "");
	assert_string_equal(fx_line(got, n + 1, buf, sizeof(buf)), "<no such line>");
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing: %s\nin: %s", needle, hay);
}

/* The example of the brief, event for event. */
static size_t brief_drop(struct gw_event *ev, __u64 id, __u64 t0, const struct gw_tuple *tu,
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

/* The advice line under a CAUSE line (the text is diagnose.c's table). */
static const char *advice_line(enum gw_cause c)
{
	static char buf[4][512];
	static unsigned next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "        advice: %s", gw_causes[c].advice);
	return b;
}

static void test_text_netfilter_drop(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_event ev[8];
	size_t n = brief_drop(ev, 1, T0, &tu, FX_LOC_NFT);
	const char *const want[] = {
		"DROP icmp 10.1.0.2 -> 10.2.0.2 (id 4242)  x37 packets",
		"  +0us    rx        dev veth-lan",
		"  +2us    nf        PREROUTING accept",
		"  +4us    route     table main -> via 172.16.9.1 dev veth-wan  [DEFAULT ROUTE]",
		"  +5us    nf        FORWARD DROP",
		"  +5us    drop      NETFILTER_DROP at nft_do_chain+0x3a8",
		"  CAUSE firewall_drop: a firewall rule dropped the packet (FORWARD, netns gw)",
		advice_line(GW_CAUSE_FIREWALL_DROP),
	};

	assert_lines(text_of(t, run(t, ev, n), 37), want, 8);
}

static void test_text_forwarded(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_tuple("10.1.0.2", "10.9.0.7", 6, 40000, 443);
	struct gw_event ev[16];
	size_t n = fx_forward_path(ev, 2, T0, &tu);
	static const char *const want[] = {
		"FORWARDED tcp 10.1.0.2:40000 -> 10.9.0.7:443",
		"  +0us    rx        dev veth-lan",
		"  +1us    nf        PREROUTING accept",
		"  +3us    route     table main -> via 172.16.9.1 dev veth-wan",
		"  +4us    nf        FORWARD accept",
		"  +6us    nf        POSTROUTING accept",
		"  +8us    tx        dev veth-wan",
		"  +9us    free      consumed",
	};

	assert_lines(text_of(t, run(t, ev, n), 1), want, 8);
}

static void test_text_snat(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_tuple("10.1.0.2", "10.9.0.7", 17, 5353, 53);
	struct gw_tuple nat = fx_tuple("172.16.9.2", "10.9.0.7", 17, 61000, 53);
	struct gw_event ev[16];
	size_t n = fx_forward_path(ev, 3, T0, &tu);
	char buf[256];
	const char *s;

	ev[8].tuple = ev[9].tuple = ev[10].tuple = nat;
	s = text_of(t, run(t, ev, n), 1);
	assert_string_equal(fx_line(s, 5, buf, sizeof(buf)),
			    "  +6us    nf        POSTROUTING accept"
			    "  SNAT 10.1.0.2:5353 -> 172.16.9.2:61000");
	/* The header shows the flow as it arrived. */
	assert_string_equal(fx_line(s, 0, buf, sizeof(buf)),
			    "FORWARDED udp 10.1.0.2:5353 -> 10.9.0.7:53");
	/* Only where it happened. */
	assert_string_equal(fx_line(s, 6, buf, sizeof(buf)), "  +8us    tx        dev veth-wan");
}

static void test_text_dnat_icmp(void **state)
{
	struct tr *t = *state;
	struct gw_tuple pre = fx_icmp("10.1.0.2", "198.51.100.10", 9);
	struct gw_tuple post = fx_icmp("10.1.0.2", "10.2.0.2", 9);
	struct gw_event ev[3];
	char buf[256];

	ev[0] = fx_nf(4, T0, false, GW_NF_PRE_ROUTING, &pre);
	ev[1] = fx_nf(4, T0 + 1000, true, GW_NF_PRE_ROUTING, &post);
	ev[2] = fx_free(4, T0 + 2000, &post);
	assert_string_equal(fx_line(text_of(t, run(t, ev, 3), 1), 1, buf, sizeof(buf)),
			    "  +0us    nf        PREROUTING accept"
			    "  DNAT 198.51.100.10 -> 10.2.0.2");
}

static void test_text_netns_and_incomplete(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 5);
	struct gw_event ev[3];
	static const char *const want[] = {
		"SENT icmp 10.1.0.2 -> 10.2.0.2 (id 5) (incomplete)",
		"  +0us    tx        dev eth0",
		"  +12us   rx        dev veth-lan  [netns gw]",
		"  +13us   route     table main -> dev veth-x (connected)",
	};

	ev[0] = fx_tx(5, T0, "eth0", &tu);
	ev[0].netns = FX_NETNS_CLIENT;
	ev[1] = fx_rx(5, T0 + 12000, "veth-lan", &tu);
	ev[2] = fx_route(5, T0 + 13000, 254, 0, NULL, "veth-x", 24, &tu);
	assert_lines(text_of(t, run(t, ev, 3), 1), want, 4);
}

static void test_text_no_route(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 6);
	struct gw_event ev[4];
	const char *const want[] = {
		"DROP icmp 10.1.0.2 -> 10.2.0.2 (id 6)",
		"  +0us    rx        dev veth-lan",
		"  +2us    route     no route (table local: EAGAIN, table main: EAGAIN)",
		"  +3us    drop      IP_INNOROUTES at ip_forward+0x10",
		"  CAUSE no_route: no route to the destination (netns gw)",
		advice_line(GW_CAUSE_NO_ROUTE),
	};

	ev[0] = fx_rx(6, T0, "veth-lan", &tu);
	ev[1] = fx_route(6, T0 + 1000, 255, -EAGAIN, NULL, NULL, GW_PREFIX_UNKNOWN, &tu);
	ev[2] = fx_route(6, T0 + 2000, 254, -EAGAIN, NULL, NULL, GW_PREFIX_UNKNOWN, &tu);
	ev[3] = fx_drop(6, T0 + 3000, FX_R_IP_INNOROUTES, FX_LOC_FWD, &tu);
	assert_lines(text_of(t, run(t, ev, 4), 1), want, 6);
}

static void test_text_not_a_drop(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 7);
	struct gw_event ev[2];
	static const char *const want[] = {
		"SENT icmp 10.1.0.2 -> 10.2.0.2 (id 7)",
		"  +0us    tx        dev veth-wan",
		"  +1us    free      NOT_SPECIFIED at skb_segment+0x20 (not a drop)",
	};

	ev[0] = fx_tx(7, T0, "veth-wan", &tu);
	ev[1] = fx_drop(7, T0 + 1000, FX_R_NOT_SPECIFIED, FX_LOC_GSO, &tu);
	assert_lines(text_of(t, run(t, ev, 2), 1), want, 3);
}

/* Tunnel mode out: the line after xfrm shows the new outer header. */
static void test_text_encrypt(void **state)
{
	struct tr *t = *state;
	struct gw_tuple in = fx_icmp("10.1.0.2", "10.2.0.2", 8);
	struct gw_tuple esp = fx_tuple("172.16.9.2", "172.16.9.1", 50, 0, 0);
	struct gw_event ev[4];
	static const char *const want[] = {
		"SENT icmp 10.1.0.2 -> 10.2.0.2 (id 8)",
		"  +0us    xfrm-out  encrypt spi 0x1000 tunnel 172.16.9.2 -> 172.16.9.1"
		"  [routed into IPsec]",
		"  +1us    tx        dev veth-wan  now esp 172.16.9.2 -> 172.16.9.1 (spi 0x1000)",
		"  +2us    free      consumed",
	};

	esp.spi = htonl(0x1000);
	ev[0] = fx_xfrm(8, T0, GW_EV_XFRM_OUT, 0x1000, 0, GW_XFRM_OUT, &in);
	ev[0].xfrm.family = AF_INET;
	ev[0].xfrm.mode = 1;
	fx_addr(ev[0].xfrm.saddr, "172.16.9.2");
	fx_addr(ev[0].xfrm.daddr, "172.16.9.1");
	ev[0].flags = GW_EVF_XFRM_DST;
	ev[1] = fx_tx(8, T0 + 1000, "veth-wan", &esp);
	ev[1].flags = GW_EVF_XFRM_DST; /* said once */
	ev[2] = fx_free(8, T0 + 2000, &esp);
	assert_lines(text_of(t, run(t, ev, 3), 1), want, 4);
}

/* Tunnel mode in: ESP is delivered to the gateway, decrypted, and the
 * inner packet starts over at PREROUTING and is forwarded. */
static void test_text_decrypt_forward(void **state)
{
	struct tr *t = *state;
	struct gw_tuple esp = fx_tuple("172.16.9.1", "172.16.9.2", 50, 0, 0);
	struct gw_tuple in = fx_icmp("10.2.0.2", "10.1.0.2", 7);
	struct gw_event ev[16];
	size_t n = 0;
	static const char *const want[] = {
		"FORWARDED esp 172.16.9.1 -> 172.16.9.2 (spi 0x1000)",
		"  +0us    rx        dev veth-wan",
		"  +1us    nf        PREROUTING accept",
		"  +3us    route     table local -> this host",
		"  +4us    nf        INPUT accept",
		"  +6us    xfrm-in   decrypted spi 0x1000",
		"  +7us    nf        PREROUTING accept  now icmp 10.2.0.2 -> 10.1.0.2 (id 7)"
		"  [decrypted by IPsec]",
		"  +9us    route     table main -> dev veth-lan (connected)",
		"  +10us   nf        FORWARD accept",
		"  +12us   tx        dev veth-lan",
		"  +13us   free      consumed",
	};

	esp.spi = htonl(0x1000);
	ev[n++] = fx_rx(9, T0, "veth-wan", &esp);
	ev[n++] = fx_nf(9, T0 + 1000, false, GW_NF_PRE_ROUTING, &esp);
	ev[n++] = fx_nf(9, T0 + 2000, true, GW_NF_PRE_ROUTING, &esp);
	ev[n] = fx_route(9, T0 + 3000, 255, 0, NULL, "lo", 32, &esp);
	ev[n++].route.type = 2; /* RTN_LOCAL */
	ev[n++] = fx_nf(9, T0 + 4000, false, GW_NF_LOCAL_IN, &esp);
	ev[n++] = fx_nf(9, T0 + 5000, true, GW_NF_LOCAL_IN, &esp);
	ev[n++] = fx_xfrm(9, T0 + 6000, GW_EV_XFRM_IN, 0x1000, 0, GW_XFRM_IN, &esp);
	ev[n] = fx_nf(9, T0 + 7000, false, GW_NF_PRE_ROUTING, &in);
	ev[n++].flags = GW_EVF_SECPATH;
	ev[n] = fx_nf(9, T0 + 8000, true, GW_NF_PRE_ROUTING, &in);
	ev[n++].flags = GW_EVF_SECPATH;
	ev[n++] = fx_route(9, T0 + 9000, 254, 0, NULL, "veth-lan", 24, &in);
	ev[n++] = fx_nf(9, T0 + 10000, false, GW_NF_FORWARD, &in);
	ev[n++] = fx_nf(9, T0 + 11000, true, GW_NF_FORWARD, &in);
	ev[n++] = fx_tx(9, T0 + 12000, "veth-lan", &in);
	ev[n++] = fx_free(9, T0 + 13000, &in);
	assert_lines(text_of(t, run(t, ev, n), 1), want, 11);
}

/* A re-route inside OUTPUT keeps ENTER and EXIT on their own lines; a
 * hook never left without a netfilter drop says so. */
static void test_text_nf_split(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.1", "10.9.0.2", 3);
	struct gw_event ev[4];
	static const char *const want[] = {
		"UNKNOWN icmp 10.1.0.1 -> 10.9.0.2 (id 3) (incomplete)",
		"  +0us    nf        OUTPUT enter",
		"  +1us    route     table main -> dev veth-x (connected)",
		"  +2us    nf        OUTPUT accept",
		"  +3us    nf        POSTROUTING (no exit)",
	};

	ev[0] = fx_nf(10, T0, false, GW_NF_LOCAL_OUT, &tu);
	ev[1] = fx_route(10, T0 + 1000, 254, 0, NULL, "veth-x", 24, &tu);
	ev[2] = fx_nf(10, T0 + 2000, true, GW_NF_LOCAL_OUT, &tu);
	ev[3] = fx_nf(10, T0 + 3000, false, GW_NF_POST_ROUTING, &tu);
	assert_lines(text_of(t, run(t, ev, 4), 1), want, 5);
}

/* xfrm_input frees its failures with NOT_SPECIFIED: the XFRM_IN step
 * makes it a drop, and the free still says where. */
static void test_xfrm_in_failure(void **state)
{
	struct tr *t = *state;
	struct gw_tuple esp = fx_tuple("172.16.9.1", "172.16.9.2", 50, 0, 0);
	struct gw_event ev[2];
	const struct gw_packet *p;
	char buf[256];
	const char *s;

	esp.spi = htonl(0x1000);
	ev[0] = fx_xfrm(11, T0, GW_EV_XFRM_IN, 0x1000, -1, GW_XFRM_IN, &esp);
	ev[1] = fx_drop(11, T0 + 1000, FX_R_NOT_SPECIFIED, FX_LOC_XFRM, &esp);
	p = run(t, ev, 2);
	s = text_of(t, p, 1);
	assert_string_equal(fx_line(s, 1, buf, sizeof(buf)),
			    "  +0us    xfrm-in   FAILED (err -1) spi 0x1000");
	assert_string_equal(fx_line(s, 2, buf, sizeof(buf)),
			    "  +1us    drop      NOT_SPECIFIED at xfrm_input+0x30");
	s = json_of(t, p);
	assert_contains(s, "\"verdicts\":[\"dropped\"]");
	assert_contains(s, "\"drop\":{\"reason\":\"NOT_SPECIFIED\",\"reason_code\":2,"
			   "\"location\":\"xfrm_input+0x30\"}");
}

static void test_text_policy_reject(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 9);
	struct gw_event ev[2];
	char buf[256];
	const char *s;

	ev[0] = fx_xfrm(9, T0, GW_EV_XFRM_POLICY, 0, -1, GW_XFRM_FWD, &tu);
	ev[1] = fx_drop(9, T0 + 1000, FX_R_XFRM_POLICY, FX_LOC_FWD, &tu);
	s = text_of(t, run(t, ev, 2), 1);
	assert_string_equal(fx_line(s, 1, buf, sizeof(buf)),
			    "  +0us    xfrm-pol  REJECTED by fwd policy");
	assert_string_equal(fx_line(s, 2, buf, sizeof(buf)),
			    "  +1us    drop      XFRM_POLICY at ip_forward+0x10");
}

/* Device names are kernel bytes: nothing may reach the terminal raw. */
static void test_text_odd_device_name(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 10);
	struct gw_event ev[2];
	char buf[256];

	ev[0] = fx_rx(10, T0, "x\x1b[2J\xff y", &tu);
	ev[1] = fx_free(10, T0 + 1, &tu);
	assert_string_equal(fx_line(text_of(t, run(t, ev, 2), 1), 1, buf, sizeof(buf)),
			    "  +0us    rx        dev x\\x1b[2J\\xff\\x20y");
}

static void test_json_forwarded(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_event ev[16];
	size_t n = fx_forward_path(ev, 77, T0, &tu);
	const char *s = json_of(t, run(t, ev, n));

	assert_true(!strncmp(s, "{\"type\":\"packet\",\"id\":77,\"ts_ns\":5000000000,", 43));
	assert_contains(s, "\"flow\":{\"family\":\"ipv4\",\"proto\":\"icmp\",\"src\":\"10.1.0.2\","
			   "\"dst\":\"10.2.0.2\",\"sport\":0,\"dport\":0,\"icmp_type\":8,"
			   "\"icmp_code\":0,\"icmp_id\":4242}");
	assert_contains(s, "\"outcome\":\"forwarded\",\"complete\":true,\"held\":false,"
			   "\"verdicts\":[\"forwarded\",\"sent\"],\"steps\":[");
	assert_contains(
		s, "{\"t_ns\":0,\"probe\":\"skb:rx\",\"kind\":\"rx\","
		   "\"strategy\":\"tracepoint\",\"cpu\":0,\"netns\":4026532100,"
		   "\"dev\":\"veth-lan\",\"ifindex\":2,\"len\":84,\"mark\":0,"
		   "\"flags\":[],\"proto\":\"icmp\",\"src\":\"10.1.0.2\",\"dst\":\"10.2.0.2\"}");
	assert_contains(s, "\"kind\":\"nf_exit\",\"strategy\":\"tracepoint\",\"cpu\":0,"
			   "\"netns\":4026532100,\"dev\":null,\"ifindex\":0,\"len\":84,"
			   "\"mark\":0,\"flags\":[],\"hook\":\"PREROUTING\",\"verdict\":\"accept\","
			   "\"ct_status\":0");
	assert_contains(s, "\"kind\":\"route\",");
	assert_contains(s, "\"table\":255,\"table_name\":\"local\",\"err\":-11,\"type\":null,"
			   "\"gateway\":null,\"oif\":null,\"prefixlen\":null");
	assert_contains(s, "\"route\":{\"table\":254,\"table_name\":\"main\",\"type\":\"unicast\","
			   "\"gateway\":\"172.16.9.1\",\"dev\":\"veth-wan\",\"default\":false,"
			   "\"prefixlen\":16,\"err\":0}}\n");
	assert_null(strstr(s, "\"drop\":{"));
	assert_null(strstr(s, "\"nat\":"));
}

/* Decryption fails at B: the xfrm counter that moved is the cause, on the
 * xfrm step, the packet's "xfrm" object, the drop, and the text line. */
static void test_xfrm_error_attributed(void **state)
{
	struct tr *t = *state;
	struct gw_tuple esp = fx_tuple("192.0.2.1", "192.0.2.2", 50, 0, 0);
	struct gw_event ev[5];
	const struct gw_packet *p;
	const char *s;
	size_t n = 0;

	esp.spi = htonl(0x1000);
	ev[n++] = fx_rx(90, T0, "vb", &esp);
	ev[n++] = fx_ev(90, T0 + 1, GW_EV_IP_DELIVER, &esp);
	ev[n] = fx_xfrm(90, T0 + 2, GW_EV_XFRM_IN, 0x1000, -1, GW_XFRM_IN, &esp);
	ev[n++].xfrm.mib = FX_MIB_INSTATEPROTOERROR;
	ev[n] = fx_drop(90, T0 + 3, FX_R_NOT_SPECIFIED, FX_LOC_XFRM, &esp);
	ev[n++].drop.xfrm_mib = FX_MIB_INSTATEPROTOERROR;
	p = run(t, ev, n);
	assert_int_equal(p->outcome, GW_OUT_DROPPED);
	assert_false(fx_has_verdict(p, GW_V_DELIVERED));	/* ESP went to IPsec */
	s = json_of(t, p);
	assert_contains(s, "\"xfrm\":{\"dir\":\"in\",\"spi\":\"0x1000\","
			   "\"error\":\"XfrmInStateProtoError\"}");
	assert_contains(s, "\"xfrm_error\":\"XfrmInStateProtoError\"");
	/* the ESP form's own step names its SPI */
	assert_contains(s, "\"kind\":\"rx\",");
	assert_contains(s, "\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\",\"spi\":\"0x1000\"}");
	assert_contains(s, "\"kind\":\"xfrm_in\"");
	assert_contains(s, "\"error\":\"XfrmInStateProtoError\"}");
	s = text_of(t, p, 1);
	assert_contains(s, "FAILED: XfrmInStateProtoError (");
}

/* A forwarded packet whose outbound policy has no SA: no xfrm step, the
 * drop carries the counter; "xfrm" says so with the direction. */
static void test_xfrm_error_on_drop_only(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 5);
	struct gw_event ev[2];
	const char *s;

	ev[0] = fx_rx(91, T0, "veth-lan", &tu);
	ev[1] = fx_drop(91, T0 + 1, FX_R_XFRM_POLICY, FX_LOC_FWD, &tu);
	ev[1].drop.xfrm_mib = FX_MIB_OUTNOSTATES;
	s = json_of(t, run(t, ev, 2));
	assert_contains(s, "\"verdicts\":[\"policy_drop\"]");
	assert_contains(s, "\"xfrm\":{\"dir\":\"out\",\"error\":\"XfrmOutNoStates\"}");
	s = text_of(t, &t->f.sink.pkts[0], 1);
	assert_contains(s, "[XfrmOutNoStates: ");
}

/* Tracepoint strategy: the secpath the PREROUTING hook saw is the
 * packet's IPsec story (decrypted with SPI 0x2000). */
static void test_xfrm_from_netfilter_flags(void **state)
{
	struct tr *t = *state;
	struct gw_tuple in = fx_icmp("10.2.0.2", "10.1.0.2", 6);
	struct gw_event ev[3];
	const char *s;

	ev[0] = fx_nf(92, T0, false, GW_NF_PRE_ROUTING, &in);
	ev[0].flags = GW_EVF_SECPATH;
	ev[0].nf.xfrm_spi = htonl(0x2000);
	ev[1] = fx_nf(92, T0 + 1, true, GW_NF_PRE_ROUTING, &in);
	ev[1].flags = GW_EVF_SECPATH;
	ev[1].nf.xfrm_spi = htonl(0x2000);
	ev[2] = fx_free(92, T0 + 2, &in);
	s = json_of(t, run(t, ev, 3));
	assert_contains(s, "\"verdicts\":[\"decrypted\"]");
	assert_contains(s, "\"xfrm_spi\":\"0x2000\"");
	assert_contains(s, "\"xfrm\":{\"dir\":\"in\",\"spi\":\"0x2000\"}");
	s = text_of(t, &t->f.sink.pkts[0], 1);
	assert_contains(s, "[decrypted by IPsec spi 0x2000]");
}

static void test_json_netfilter_drop(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_event ev[8];
	size_t n = brief_drop(ev, 78, T0, &tu, FX_LOC_NFT);
	const char *s = json_of(t, run(t, ev, n));

	assert_contains(s, "\"outcome\":\"dropped\",\"complete\":true,\"held\":false,"
			   "\"verdicts\":[\"default_route\",\"netfilter_drop\"]");
	assert_contains(s, "\"kind\":\"drop\",");
	assert_contains(s, "\"reason\":\"NETFILTER_DROP\",\"reason_code\":12,"
			   "\"location\":\"nft_do_chain+0x3a8\",\"proto\":\"icmp\"");
	assert_contains(s, "\"drop\":{\"reason\":\"NETFILTER_DROP\",\"reason_code\":12,"
			   "\"location\":\"nft_do_chain+0x3a8\",\"hook\":\"FORWARD\"}");
	assert_contains(s, "\"default\":true,\"prefixlen\":0,\"err\":0}");
}

static void test_json_nat(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_tuple nat = fx_icmp("172.16.9.2", "10.2.0.2", 4242);
	struct gw_event ev[16];
	size_t n = fx_forward_path(ev, 79, T0, &tu);
	const char *s;

	ev[8].tuple = ev[9].tuple = ev[10].tuple = nat;
	ev[0].flags = GW_EVF_NEW | GW_EVF_NAT_SRC;
	s = json_of(t, run(t, ev, n));
	assert_contains(s, "\"mark\":0,\"flags\":[\"new\",\"nat_src\"],\"proto\"");
	assert_contains(s, "\"verdicts\":[\"nat\",\"forwarded\",\"sent\"]");
	assert_contains(s, "\"nat\":{\"type\":\"snat\",\"hook\":\"POSTROUTING\","
			   "\"from\":\"10.1.0.2:0\",\"to\":\"172.16.9.2:0\"}}\n");
	assert_contains(s, "\"flow\":{\"family\":\"ipv4\",\"proto\":\"icmp\",\"src\":\"10.1.0.2\"");
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* --compact: the first step lists everything, later steps what changed
 * (SNAT's new source once, where it appears); the packet's own fields and
 * each step's kind fields as always. */
static void test_json_compact(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_tuple nat = fx_icmp("172.16.9.2", "10.2.0.2", 4242);
	struct gw_event ev[16];
	size_t n = fx_forward_path(ev, 79, T0, &tu);
	const struct gw_packet *p;
	const char *s;

	ev[8].tuple = ev[9].tuple = ev[10].tuple = nat;
	ev[0].flags = GW_EVF_NEW | GW_EVF_NAT_SRC;
	p = run(t, ev, n);
	free(t->out.buf);
	fx_out_open(&t->out);
	render_json__packet(t->out.f, p, &t->f.names, RJ_COMPACT);
	s = fx_out_close(&t->out);
	assert_true(fx_json_line_ok(s));
	assert_int_equal(count_of(s, "{\"t_ns\":"), p->n_steps);
	assert_contains(s, "\"steps\":[{\"t_ns\":0,\"probe\":\"skb:rx\",\"kind\":\"rx\","
			   "\"strategy\":\"tracepoint\",\"cpu\":0,\"netns\":4026532100,"
			   "\"dev\":\"veth-lan\",\"ifindex\":2,\"len\":84,\"mark\":0,"
			   "\"flags\":[\"new\",\"nat_src\"],\"proto\":\"icmp\",\"src\":\"10.1.0.2\"");
	assert_int_equal(count_of(s, "\"strategy\":"), 1);
	assert_int_equal(count_of(s, "\"mark\":"), 1);
	assert_int_equal(count_of(s, "\"src\":\"172.16.9.2\""), 1);
	assert_int_equal(count_of(s, "\"src\":\"10.1.0.2\""), 2);	/* flow, first step */
	assert_int_equal(count_of(s, "\"flags\":"), 1);
	assert_int_equal(count_of(s, "\"hook\":\"PREROUTING\""), 2);	/* enter, exit */
	assert_contains(s, "\"nat\":{\"type\":\"snat\",\"hook\":\"POSTROUTING\","
			   "\"from\":\"10.1.0.2:0\",\"to\":\"172.16.9.2:0\"}}\n");
	/* The default rendering of the same packet repeats every field. */
	s = json_of(t, p);
	assert_int_equal(count_of(s, "\"strategy\":"), p->n_steps);
}

/* Steps are rendered from a cache of fragments (render_json.c): a step
 * that differs from a cached one in a device, a length, a conntrack state
 * or its headers shows its own, and the first packet rendered again is
 * byte for byte what it was. */
static void test_json_cached_fragments(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_tuple other = fx_icmp("10.1.0.2", "10.2.0.3", 4343);
	struct gw_event ev[16], ev2[16];
	size_t n = fx_forward_path(ev, 81, T0, &tu), nf = 0, lan = 0, moved = 0;
	char *first;
	const char *s;

	first = strdup(json_of(t, run(t, ev, n)));
	assert_non_null(first);
	memcpy(ev2, ev, sizeof(ev));
	for (size_t i = 0; i < n; i++) {
		ev2[i].pkt_id = 82;
		ev2[i].len = 99;
		if (!strcmp(ev2[i].ifname, "veth-lan")) {
			strcpy(ev2[i].ifname, "veth-lx");
			lan++;
		}
		if (ev2[i].kind == GW_EV_NF_ENTER || ev2[i].kind == GW_EV_NF_EXIT) {
			ev2[i].nf.ct_status = 8;
			nf++;
		}
		if (!memcmp(&ev2[i].tuple, &tu, sizeof(tu))) {
			ev2[i].tuple = other;
			moved++;
		}
	}
	assert_true(lan > 0 && nf > 0 && moved > 0);
	fx_sink_free(&t->f.sink);
	s = json_of(t, run(t, ev2, n));
	assert_int_equal(count_of(s, "\"len\":99"), n);
	assert_int_equal(count_of(s, "\"len\":84"), 0);
	assert_int_equal(count_of(s, "\"dev\":\"veth-lx\""), lan);
	assert_null(strstr(s, "veth-lan"));
	assert_int_equal(count_of(s, "\"ct_status\":8"), nf);
	assert_int_equal(count_of(s, "\"dst\":\"10.2.0.3\""), moved + 1);	/* + flow */
	for (size_t i = 0; i < n; i++)
		ev2[i].pkt_id = 83;
	fx_sink_free(&t->f.sink);
	s = json_of(t, run(t, ev2, n));	/* the cache's copy */
	assert_int_equal(count_of(s, "\"len\":99"), n);
	for (size_t i = 0; i < n; i++)
		ev[i].pkt_id = 81;
	fx_sink_free(&t->f.sink);
	s = json_of(t, run(t, ev, n));
	assert_string_equal(s, first);
	free(first);
}

static void test_json_nat_ipv6_tcp(void **state)
{
	struct tr *t = *state;
	struct gw_tuple pre = fx_tuple("fd00::1", "fd00::80", 6, 40000, 8080);
	struct gw_tuple post = fx_tuple("fd00::1", "fd01::2", 6, 40000, 80);
	struct gw_event ev[3];
	const char *s;

	ev[0] = fx_nf(80, T0, false, GW_NF_PRE_ROUTING, &pre);
	ev[1] = fx_nf(80, T0 + 1, true, GW_NF_PRE_ROUTING, &post);
	ev[2] = fx_free(80, T0 + 2, &post);
	s = json_of(t, run(t, ev, 3));
	assert_contains(s, "\"flow\":{\"family\":\"ipv6\",\"proto\":\"tcp\",\"src\":\"fd00::1\","
			   "\"dst\":\"fd00::80\",\"sport\":40000,\"dport\":8080}");
	assert_contains(s, "\"nat\":{\"type\":\"dnat\",\"hook\":\"PREROUTING\","
			   "\"from\":\"[fd00::80]:8080\",\"to\":\"[fd01::2]:80\"}");
	assert_contains(s, "\"outcome\":\"unknown\",\"complete\":true,\"held\":false,\"verdicts\":[\"nat\"]");
}

static void test_json_odd_device_name(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 11);
	struct gw_event ev[2];
	const char *s;

	/* 15 bytes, no room for the NUL: the writer must stop at 16. */
	ev[0] = fx_rx(81, T0, "a\"b\\c\n\x01\xff\xc3\xa9ZZZZZ", &tu);
	memcpy(ev[0].ifname, "a\"b\\c\n\x01\xff\xc3\xa9ZZZZZZ", 16);
	ev[1] = fx_free(81, T0 + 1, &tu);
	s = json_of(t, run(t, ev, 2));
	assert_contains(s, "\"dev\":\"a\\\"b\\\\c\\u000a\\u0001\\u00ff\xc3\xa9ZZZZZZ\",");
}

static void test_json_unparsed_and_incomplete(void **state)
{
	struct tr *t = *state;
	struct gw_event ev = fx_rx(82, T0, "veth-lan", NULL);
	const char *s = json_of(t, run(t, &ev, 1));

	assert_contains(s, "\"flow\":null,\"outcome\":\"unknown\",\"complete\":false,"
			   "\"held\":false,\"verdicts\":[],\"steps\":[{");
}

/* Still queued after POSTROUTING when gwtrace stopped: held, of unknown
 * outcome, in JSON and in text -- not "forwarded". */
static void test_held_rendered(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 7);
	struct gw_event ev[3] = {
		fx_nf(83, T0, true, GW_NF_FORWARD, &tu),
		fx_nf(83, T0 + 1, false, GW_NF_POST_ROUTING, &tu),
		fx_nf(83, T0 + 2, true, GW_NF_POST_ROUTING, &tu),
	};
	const struct gw_packet *p = run(t, ev, 3);

	assert_contains(json_of(t, p), "\"outcome\":\"unknown\",\"complete\":false,"
			"\"held\":true,\"verdicts\":[\"forwarded\"]");
	assert_contains(text_of(t, p, 1), "UNKNOWN icmp 10.1.0.2 -> 10.2.0.2 (id 7) (held on its "
			"way out: no transmission, no drop seen yet)");
}

/* Garbage in (random kinds, hooks, verdicts, unterminated names, random
 * bytes in every union): no crash under ASan/UBSan, and every JSON line
 * still parses. Deterministic: a fixed LCG seed. */
static void test_random_events_survive(void **state)
{
	struct tr *t = *state;
	struct gw_flows *f = flows__new();
	struct gw_event ev;
	__u64 x = 42;
	size_t i, k;

	for (i = 0; i < 3000; i++) {
		unsigned char *b = (unsigned char *)&ev;

		for (k = 0; k < sizeof(ev); k++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			b[k] = (unsigned char)(x >> 56);
		}
		ev.pkt_id = 1 + (x >> 20) % 8;
		ev.ts_ns = T0 + (x >> 12) % 100000;
		ev.kind = (__u16)((x >> 8) % (GW_EV_KIND_MAX + 1));
		ev.tuple.family = (x >> 4) & 1 ? AF_INET : (x >> 5) & 1 ? AF_INET6 : 0;
		assert_int_equal(corr__push(t->f.c, &ev), 0);
		if (t->f.sink.n) {
			text_of(t, &t->f.sink.pkts[0], 2);
			json_of(t, &t->f.sink.pkts[0]);
			flows__add(f, &t->f.sink.pkts[0], &t->f.names);
			fx_sink_free(&t->f.sink);
		}
	}
	corr__flush(t->f.c);
	fx_sink_free(&t->f.sink);
	free(t->out.buf);
	fx_out_open(&t->out);
	render_text__report(t->out.f, f, true, &t->f.names);
	fx_out_close(&t->out);
	assert_true(flows__count(f) > 0);
	flows__free(f);
}

/* ------------------------------------------------------------------ */
/* Folding and the report */

static __u64 fold_one(struct tr *t, struct gw_flows *f, const struct gw_event *ev, size_t n)
{
	__u64 count;
	size_t i;

	for (i = 0; i < n; i++)
		corr__push(t->f.c, &ev[i]);
	corr__flush(t->f.c);
	assert_int_equal(t->f.sink.n, 1);
	count = flows__add(f, &t->f.sink.pkts[0], &t->f.names);
	fx_sink_free(&t->f.sink);
	return count;
}

/* 37 identical drops differing in what must not matter: one fold. */
static struct gw_flows *fold_fixture(struct tr *t)
{
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 4242);
	struct gw_tuple other = fx_icmp("10.1.0.2", "10.2.0.2", 4243);
	struct gw_flows *f = flows__new();
	struct gw_event ev[16];
	size_t n, k;
	int i;

	assert_non_null(f);
	n = fx_forward_path(ev, 1000, T0, &tu);
	assert_int_equal(fold_one(t, f, ev, n), 1); /* forwarded, first */
	for (i = 0; i < 37; i++) {
		n = brief_drop(ev, 2000 + (__u64)i, T0 + (__u64)i * 7777, &tu,
			       i & 1 ? FX_LOC_NFT2 : FX_LOC_NFT);
		for (k = 0; k < n; k++) {
			ev[k].skb += (__u64)i * 256;
			ev[k].cpu = (__u16)(i % 4);
			ev[k].len += (__u32)i;
		}
		assert_int_equal(fold_one(t, f, ev, n), (__u64)i + 1);
	}
	n = brief_drop(ev, 3000, T0, &other, FX_LOC_NFT); /* other echo id */
	assert_int_equal(fold_one(t, f, ev, n), 1);
	n = brief_drop(ev, 3001, T0, &tu, FX_LOC_FWD); /* other location */
	assert_int_equal(fold_one(t, f, ev, n), 1);
	return f;
}

static void test_folding(void **state)
{
	struct tr *t = *state;
	struct gw_flows *f = fold_fixture(t);
	struct gw_fold fo;

	assert_int_equal(flows__count(f), 4);
	assert_int_equal(flows__packets(f), 40);
	assert_int_equal(flows__overflow(f), 0);
	fo = flows__get(f, 0);
	assert_int_equal(fo.count, 1);
	assert_int_equal(fo.pkt->outcome, GW_OUT_FORWARDED);
	fo = flows__get(f, 1);
	assert_int_equal(fo.count, 37);
	assert_int_equal(fo.pkt->id, 2000);
	assert_ptr_equal(fo.pkt->drop, &fo.pkt->steps[5]); /* a deep copy */
	assert_int_equal(flows__get(f, 2).count, 1);
	assert_int_equal(flows__get(f, 3).count, 1);
	assert_null(flows__get(f, 4).pkt);
	flows__free(f);
}

static void test_report(void **state)
{
	struct tr *t = *state;
	struct gw_flows *f = fold_fixture(t);
	char buf[256];
	const char *s;

	fx_out_open(&t->out);
	render_text__report(t->out.f, f, false, &t->f.names);
	s = fx_out_close(&t->out);
	assert_string_equal(fx_line(s, 0, buf, sizeof(buf)),
			    "=== report: 3 dropped paths (39 of 40 packets) ===");
	assert_string_equal(fx_line(s, 1, buf, sizeof(buf)), "");
	assert_string_equal(fx_line(s, 2, buf, sizeof(buf)),
			    "DROP icmp 10.1.0.2 -> 10.2.0.2 (id 4242)  x37 packets");
	assert_contains(s, "\nDROP icmp 10.1.0.2 -> 10.2.0.2 (id 4243)\n");
	assert_null(strstr(s, "FORWARDED"));
	free(t->out.buf);

	fx_out_open(&t->out);
	render_text__report(t->out.f, f, true, &t->f.names);
	s = fx_out_close(&t->out);
	assert_string_equal(
		fx_line(s, 0, buf, sizeof(buf)),
		"=== report: 4 distinct paths, 40 packets; 3 dropped paths (39 packets) ===");
	/* Dropped first although the forwarded one was seen first. */
	assert_true(strstr(s, "FORWARDED") > strstr(s, "(id 4243)"));
	flows__free(f);
}

static void test_report_no_drops(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_icmp("10.1.0.2", "10.2.0.2", 1);
	struct gw_flows *f = flows__new();
	struct gw_event ev[16];
	size_t n = fx_forward_path(ev, 1, T0, &tu);

	fold_one(t, f, ev, n);
	fx_out_open(&t->out);
	render_text__report(t->out.f, f, false, &t->f.names);
	assert_string_equal(fx_out_close(&t->out),
			    "=== report: no dropped packets (1 packets seen) ===\n");
	flows__free(f);
}

/* ------------------------------------------------------------------ */
/* Summaries */

static const struct gw_probe_report probes[] = {
	{ .name = "skb:drop",
	  .strategy = "tracepoint",
	  .detail = "tp_btf/kfree_skb",
	  .attached = true,
	  .events = 40 },
	{ .name = "nf:hook",
	  .strategy = "tracepoint",
	  .detail = "netfilter links",
	  .attached = true,
	  .events = 300,
	  .lost_ringbuf = 10,
	  .lost_track = 2,
	  .lost_busy = 3 },
	{ .name = "xfrm:input",
	  .strategy = "none",
	  .detail = "needs fentry or kprobes",
	  .attached = false },
};

static struct gw_summary summary_fixture(bool lossy)
{
	struct gw_summary s = {
		.duration_s = 12.3456,
		.packets = 42,
		.events = 1234,
		.unattributed = 5,
		.evicted = 1,
		.probes = probes,
		.n_probes = 3,
	};

	s.by_outcome[GW_OUT_DROPPED] = 37;
	s.by_outcome[GW_OUT_FORWARDED] = 3;
	s.by_outcome[GW_OUT_DELIVERED] = 1;
	s.by_outcome[GW_OUT_SENT] = 1;
	if (lossy) {
		s.lost_ringbuf = 10;
		s.lost_track = 2;
		s.lost_busy = 3;
	} else {
		s.n_probes = 1;
	}
	return s;
}

static void test_summary_text(void **state)
{
	struct tr *t = *state;
	struct gw_summary s = summary_fixture(false);
	static const char *const clean[] = {
		"=== summary: 12.3 s ===",
		"packets: 42  dropped 37, forwarded 3, delivered 1, sent 1, unknown 0",
		"events: 1234  (unattributed 5, evicted paths 1)",
		"lost events: 0",
		"probes:",
		"  skb:drop     tracepoint tp_btf/kfree_skb  (40 events)",
	};
	char buf[512];
	const char *out;

	fx_out_open(&t->out);
	render_text__summary(t->out.f, &s);
	assert_lines(fx_out_close(&t->out), clean, 6);
	free(t->out.buf);

	s = summary_fixture(true);
	fx_out_open(&t->out);
	render_text__summary(t->out.f, &s);
	out = fx_out_close(&t->out);
	assert_string_equal(
		fx_line(out, 3, buf, sizeof(buf)),
		"lost events: 15 (ring buffer full 10, tracking map full 2, packets not "
		"traced while the ring buffer was over half full 3): paths may be "
		"incomplete or missing; try --ringbuf-size / --track-max or a filter");
	assert_string_equal(fx_line(out, 6, buf, sizeof(buf)),
			    "  nf:hook      tracepoint netfilter links  (300 events)"
			    "  LOST 15 (ring buffer 10, tracking map 2, not traced while busy 3)");
	assert_string_equal(fx_line(out, 7, buf, sizeof(buf)),
			    "  xfrm:input   none       NOT ATTACHED: needs fentry or kprobes");
}

static void test_summary_json(void **state)
{
	struct tr *t = *state;
	struct gw_summary s = summary_fixture(true);

	fx_out_open(&t->out);
	render_json__summary(t->out.f, &s);
	assert_string_equal(fx_out_close(&t->out),
			    "{\"type\":\"summary\",\"packets\":42,\"dropped\":37,\"forwarded\":3,"
			    "\"delivered\":1,\"sent\":1,\"unknown\":0,\"events\":1234,"
			    "\"lost_events\":15,\"lost_ringbuf\":10,\"lost_track\":2,\"lost_busy\":3,"
			    "\"unattributed\":5,\"evicted\":1,\"duration_s\":12.346,\"probes\":["
			    "{\"name\":\"skb:drop\",\"strategy\":\"tracepoint\",\"attached\":true,"
			    "\"detail\":\"tp_btf/kfree_skb\",\"events\":40,\"lost\":0,"
			    "\"lost_ringbuf\":0,\"lost_track\":0,\"lost_busy\":0},"
			    "{\"name\":\"nf:hook\",\"strategy\":\"tracepoint\",\"attached\":true,"
			    "\"detail\":\"netfilter links\",\"events\":300,\"lost\":15,"
			    "\"lost_ringbuf\":10,\"lost_track\":2,\"lost_busy\":3},"
			    "{\"name\":\"xfrm:input\",\"strategy\":\"none\",\"attached\":false,"
			    "\"detail\":\"needs fentry or kprobes\",\"events\":0,\"lost\":0,"
			    "\"lost_ringbuf\":0,\"lost_track\":0,\"lost_busy\":0}]}\n");
	assert_true(fx_json_line_ok(t->out.buf));
}

/* The hand-rolled IPv4 formatter agrees with inet_ntop() on every octet
 * value in every position; short buffers and IPv6 go to inet_ntop(). */
static void test_addr_str(void **state)
{
	char got[INET6_ADDRSTRLEN], want[INET6_ADDRSTRLEN];
	__u8 a[16] = { 0 };
	unsigned v, pos;

	(void)state;
	for (pos = 0; pos < 4; pos++) {
		for (v = 0; v < 256; v++) {
			memset(a, (int)(pos * 37 + 1), 4);
			a[pos] = (__u8)v;
			assert_non_null(inet_ntop(AF_INET, a, want, sizeof(want)));
			assert_string_equal(packet__addr_str(AF_INET, a, got, sizeof(got)), want);
		}
	}
	fx_addr(a, "255.255.255.255");
	assert_string_equal(packet__addr_str(AF_INET, a, got, 16), "255.255.255.255");
	assert_string_equal(packet__addr_str(AF_INET, a, got, 15), "?");
	fx_addr(a, "1.2.3.4");
	assert_string_equal(packet__addr_str(AF_INET, a, got, 8), "1.2.3.4");
	fx_addr(a, "fd00::1");
	assert_string_equal(packet__addr_str(AF_INET6, a, got, sizeof(got)), "fd00::1");
	assert_string_equal(packet__addr_str(0, a, got, sizeof(got)), "?");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_str),
		T(test_text_netfilter_drop),
		T(test_text_forwarded),
		T(test_text_snat),
		T(test_text_dnat_icmp),
		T(test_text_netns_and_incomplete),
		T(test_text_no_route),
		T(test_text_not_a_drop),
		T(test_text_encrypt),
		T(test_text_decrypt_forward),
		T(test_text_nf_split),
		T(test_xfrm_in_failure),
		T(test_text_policy_reject),
		T(test_text_odd_device_name),
		T(test_json_forwarded),
		T(test_xfrm_error_attributed),
		T(test_xfrm_error_on_drop_only),
		T(test_xfrm_from_netfilter_flags),
		T(test_json_netfilter_drop),
		T(test_json_nat),
		T(test_json_compact),
		T(test_json_cached_fragments),
		T(test_json_nat_ipv6_tcp),
		T(test_json_odd_device_name),
		T(test_json_unparsed_and_incomplete),
		T(test_held_rendered),
		T(test_random_events_survive),
		T(test_folding),
		T(test_report),
		T(test_report_no_drops),
		T(test_summary_text),
		T(test_summary_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

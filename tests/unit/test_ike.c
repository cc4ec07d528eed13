// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* IKE: header names, requests and answers, unanswered requests found
 * across packets, and how an IKE packet and a finding are rendered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "diagnose.h"
#include "events_fixture.h"
#include "ike.h"
#include "render_json.h"
#include "render_text.h"

#define T0 5000000000ULL

static const __u8 SPI[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static struct gw_ike ike2(bool response, __u32 msg_id, __u16 notify)
{
	struct gw_ike k = { .version = 0x20, .exchange = 34, .present = 1 };

	memcpy(k.spi_i, SPI, 8);
	k.flags = response ? 0x20 : 0x08;
	k.msg_id = htonl(msg_id);
	k.notify = notify;
	return k;
}

/* A packet of one RX step (and a drop, if dropped) carrying k. */
static struct gw_packet ike_packet(struct gw_event *ev, const char *src, const char *dst,
				   const struct gw_ike *k, __u64 ts, bool dropped)
{
	struct gw_tuple t = fx_tuple(src, dst, IPPROTO_UDP, 500, 500);
	struct gw_packet p = { .nf_drop_hook = -1 };

	ev[0] = fx_rx(1, ts, "veth-lan", &t);
	ev[0].ike = *k;
	p.steps = ev;
	p.n_steps = 1;
	p.ike = &ev[0];	/* as corr__finish() concludes */
	p.flow = t;
	if (dropped) {
		ev[1] = fx_drop(1, ts + 1000, FX_R_NETFILTER_DROP, FX_LOC_NFT, &t);
		p.n_steps = 2;
		p.drop = &ev[1];
		p.nf_drop_hook = GW_NF_FORWARD;
	}
	return p;
}

struct found {
	struct ike_finding f[4];
	int n;
};

static void on_finding(const struct ike_finding *f, void *ctx)
{
	struct found *x = ctx;

	if (x->n < 4)
		x->f[x->n] = *f;
	x->n++;
}

static void test_names(void **state)
{
	struct gw_ike k = ike2(false, 0, 0);

	(void)state;
	assert_int_equal(ike__version(&k), 2);
	assert_string_equal(ike__exchange_name(&k), "IKE_SA_INIT");
	k.exchange = 99;
	assert_null(ike__exchange_name(&k));
	k.version = 0x10;
	k.exchange = 2;
	assert_int_equal(ike__version(&k), 1);
	assert_string_equal(ike__exchange_name(&k), "MAIN_MODE");
	k.version = 0x30;
	assert_int_equal(ike__version(&k), 0);
	assert_null(ike__exchange_name(&k));
	assert_string_equal(ike__notify_name(14), "NO_PROPOSAL_CHOSEN");
	assert_string_equal(ike__notify_name(16390), "COOKIE");
	assert_null(ike__notify_name(0));
	assert_null(ike__notify_name(12345));
}

/* IKEv2 by its flag; IKEv1 by the responder cookie. */
static void test_request_or_answer(void **state)
{
	struct gw_ike k = ike2(false, 0, 0);

	(void)state;
	assert_false(ike__is_response(&k));
	k = ike2(true, 0, 0);
	assert_true(ike__is_response(&k));
	k.version = 0x10;
	k.flags = 0;
	assert_false(ike__is_response(&k));
	k.spi_r[7] = 1;
	assert_true(ike__is_response(&k));
}

/* Three copies of one request: reported once, at the third, with the
 * place of the last; a fourth copy says nothing new. */
static void test_unanswered(void **state)
{
	struct found x = { .n = 0 };
	struct ike_watch *w = ike_watch__new(2, on_finding, &x);
	struct gw_ike k = ike2(false, 0, 0);
	struct gw_event ev[2];
	struct gw_packet p;

	(void)state;
	assert_non_null(w);
	for (int i = 0; i < 4; i++) {
		p = ike_packet(ev, "10.1.0.2", "10.2.0.2", &k, T0 + i * 1000000000ULL, i >= 2);
		ike_watch__packet(w, &p);
		assert_int_equal(x.n, i >= 2 ? 1 : 0);
	}
	assert_int_equal(x.f[0].cause, GW_CAUSE_IKE_UNANSWERED);
	assert_int_equal(x.f[0].sent, 3);
	assert_int_equal(x.f[0].first_ts, T0);
	assert_int_equal(x.f[0].last_ts, T0 + 2000000000ULL);
	assert_true(x.f[0].at_dropped);
	assert_int_equal(x.f[0].at_hook, GW_NF_FORWARD);
	assert_int_equal(x.f[0].at_netns, FX_NETNS_GW);
	ike_watch__finish(w);
	assert_int_equal(x.n, 1);
	ike_watch__free(w);
}

/* An answer from the responder forgets the request; an answer to
 * another message id or SPI, or from a third address, does not. */
static void test_answered(void **state)
{
	struct found x = { .n = 0 };
	struct ike_watch *w = ike_watch__new(2, on_finding, &x);
	struct gw_ike req = ike2(false, 0, 0), other = ike2(true, 1, 0), ans = ike2(true, 0, 14);
	struct gw_event ev[2];
	struct gw_packet p;

	(void)state;
	p = ike_packet(ev, "10.1.0.2", "10.2.0.2", &req, T0, false);
	ike_watch__packet(w, &p);
	ike_watch__packet(w, &p);	/* retransmitted once */
	p = ike_packet(ev, "10.2.0.2", "10.1.0.2", &other, T0 + 1, false);
	ike_watch__packet(w, &p);
	p = ike_packet(ev, "10.9.0.9", "10.1.0.2", &ans, T0 + 2, false);
	ike_watch__packet(w, &p);
	p = ike_packet(ev, "10.2.0.2", "10.1.0.2", &ans, T0 + 3, false);
	ike_watch__packet(w, &p);	/* the answer */
	ike_watch__finish(w);
	assert_int_equal(x.n, 0);

	/* Unanswered and sent twice: reported at the end of the trace. */
	p = ike_packet(ev, "10.1.0.2", "10.2.0.2", &req, T0 + 4, false);
	ike_watch__packet(w, &p);
	ike_watch__packet(w, &p);
	assert_int_equal(x.n, 0);
	ike_watch__finish(w);
	assert_int_equal(x.n, 1);
	assert_int_equal(x.f[0].sent, 2);
	assert_false(x.f[0].at_dropped);
	ike_watch__free(w);
}

/* More requests than the watch keeps: the oldest go, nothing breaks. */
static void test_watch_bounded(void **state)
{
	struct found x = { .n = 0 };
	struct ike_watch *w = ike_watch__new(2, on_finding, &x);
	struct gw_event ev[2];
	struct gw_packet p;

	(void)state;
	for (__u32 i = 0; i < 1000; i++) {
		struct gw_ike k = ike2(false, i, 0);

		p = ike_packet(ev, "10.1.0.2", "10.2.0.2", &k, T0 + i, false);
		ike_watch__packet(w, &p);
	}
	ike_watch__finish(w);
	assert_int_equal(x.n, 0);	/* each sent once */
	ike_watch__packet(NULL, &p);
	ike_watch__free(w);
	ike_watch__free(NULL);
}

static void test_rendered(void **state)
{
	struct gw_ike k = ike2(true, 0, 14);
	struct gw_event ev[2];
	struct gw_packet p = ike_packet(ev, "10.2.0.2", "10.1.0.2", &k, T0, false);
	struct gw_ike req = ike2(false, 0, 0);
	struct found x = { .n = 0 };
	struct ike_watch *w = ike_watch__new(2, on_finding, &x);
	struct gw_event rev[2];
	struct gw_packet rp;
	struct ike_finding f;
	struct fx_out out;

	(void)state;
	assert_ptr_equal(ike__step(&p), &ev[0]);
	fx_out_open(&out);
	render_text__ike(out.f, &k);
	assert_string_equal(fx_out_close(&out),
			    "  IKEv2 IKE_SA_INIT response  msgid 0  spi_i 0102030405060708 "
			    "spi_r 0000000000000000  notify NO_PROPOSAL_CHOSEN\n");
	free(out.buf);

	/* The finding as the watch makes it: 3 requests, the last dropped. */
	for (int i = 0; i < 3; i++) {
		rp = ike_packet(rev, "10.1.0.2", "10.2.0.2", &req, T0 + i, i == 2);
		ike_watch__packet(w, &rp);
	}
	ike_watch__free(w);
	assert_int_equal(x.n, 1);
	f = x.f[0];
	fx_out_open(&out);
	render_json__finding(out.f, &f);
	fx_out_close(&out);
	assert_true(fx_json_line_ok(out.buf));
	assert_non_null(strstr(out.buf, "{\"type\":\"diagnosis\",\"cause\":\"ike_unanswered\","));
	assert_non_null(strstr(out.buf, "\"evidence\":[\"3 IKE_SA_INIT requests, message id 0, "
					"no answer\",\"the last one dropped at FORWARD\"]"));
	assert_non_null(strstr(out.buf, "\"ike\":{\"version\":2,\"exchange\":\"IKE_SA_INIT\","
					"\"initiator\":true,\"response\":false,\"msg_id\":0,"
					"\"spi_i\":\"0x0102030405060708\","
					"\"spi_r\":\"0x0000000000000000\",\"notify\":null}"));
	assert_non_null(strstr(out.buf, "\"sent\":3,"));
	assert_non_null(strstr(out.buf, "\"at\":{\"netns\":4026532100,\"dev\":null,"
					"\"hook\":\"FORWARD\"}}"));
	free(out.buf);
	fx_out_open(&out);
	render_text__finding(out.f, &f);
	assert_non_null(strstr(fx_out_close(&out), "  CAUSE ike_unanswered: "));
	free(out.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_request_or_answer),
		cmocka_unit_test(test_unanswered),
		cmocka_unit_test(test_answered),
		cmocka_unit_test(test_watch_bounded),
		cmocka_unit_test(test_rendered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

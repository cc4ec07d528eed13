// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xfrm_nl decoding, table and rendering on hand-built netlink messages
 * laid out as net/xfrm/xfrm_user.c sends them (no root, no kernel): NEWSA
 * with an AEAD key that must never come out, EXPIRE without algorithms
 * (filled in from the table), DELSA, ACQUIRE, MAPPING, NEWPOLICY, FLUSHSA.
 * The live tests against the kernel are test_xfrm_nl_live.c.
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
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include "json_writer.h"
#include "xfrm_nl.h"
#include "xfrm_nl_fixture.h"
#include "xfrm_nl_msgs.h"

static char msgbuf[16384] __attribute__((aligned(8)));

/* ---- decoding, table, rendering (no root) ------------------------------ */

static void test_parse_newsa(void **state)
{
	struct nlmsghdr *nlh = build_newsa(msgbuf);
	struct xfrm_nl_event ev;

	(void)state;
	assert_int_equal(xfrm_nl__parse(nlh, &ev), 0);
	assert_int_equal(ev.type, XFRM_NL_EV_NEW_SA);
	assert_true(ev.has_sa);
	assert_false(ev.has_policy);
	assert_int_equal(ntohl(ev.sa.spi), SPI);
	assert_int_equal(ev.sa.proto, IPPROTO_ESP);
	assert_int_equal(ev.sa.mode, XFRM_MODE_TUNNEL);
	assert_int_equal(ev.sa.family, AF_INET);
	assert_int_equal(ev.sa.reqid, 1);
	assert_string_equal(ev.sa.aead, "rfc4106(gcm(aes))");
	assert_int_equal(ev.sa.aead_icv_bits, 128);
	assert_string_equal(ev.sa.enc, "");
	assert_string_equal(ev.sa.auth, "");
	assert_true(ev.sa.lft.hard_byte_limit == XFRM_INF);
	assert_int_equal(ev.sa.lft.hard_add_expires_seconds, 5);
	assert_true(ev.sa.cur.add_time == T0);
	assert_int_equal(ev.sa.replay_window, 32);
	assert_true(ev.sa.has_encap);
	assert_int_equal(ntohs(ev.sa.encap.encap_dport), 4500);
	assert_int_equal(ev.sa.dir, 2);

	ev.ts_ns = 123;
	ev.wall_s = T0 + 2;
	assert_json_eq(&ev,
		"{\"type\":\"xfrm_event\",\"t_ns\":123,\"event\":\"new_sa\",\"sa\":{"
		"\"spi\":\"0x00001000\",\"proto\":\"esp\",\"mode\":\"tunnel\",\"reqid\":1,"
		"\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\",\"aead\":\"rfc4106(gcm(aes))\","
		"\"lifetime\":{\"soft_add_s\":3,\"hard_add_s\":5,\"soft_bytes\":null,"
		"\"hard_bytes\":null,\"soft_packets\":null,\"hard_packets\":null},"
		"\"current\":{\"bytes\":0,\"packets\":0,\"add_time\":1700000000,\"age_s\":2},"
		"\"replay_window\":32,\"encap\":{\"type\":\"espinudp\",\"sport\":4500,"
		"\"dport\":4500},\"dir\":\"out\"},"
		"\"hint\":\"SA lifetime far shorter than the peer's? tunnel will flap\"}");
	assert_text_eq(&ev, "xfrm  NEW_SA spi 0x00001000 esp tunnel 192.0.2.1 -> 192.0.2.2  "
			    "reqid 1 aead rfc4106(gcm(aes)) hard add limit 5 s  "
			    "<- SA lifetime far shorter than the peer's? tunnel will flap\n");
}

/* The key must never reach any output. */
static void test_no_key_in_output(void **state)
{
	struct xfrm_nl_event ev;
	char *out, *p;

	(void)state;
	assert_int_equal(xfrm_nl__parse(build_newsa(msgbuf), &ev), 0);
	for (p = (char *)&ev.sa; p < (char *)(&ev.sa + 1); p++)
		assert_int_not_equal((unsigned char)*p, KEY_BYTE);
	out = event_json(&ev);
	assert_null(strstr(out, "a5a5"));
	assert_null(strstr(out, "key"));
	free(out);
	assert_int_equal(xfrm_nl__parse(build_delsa(msgbuf, 0x2000), &ev), 0);
	for (p = (char *)&ev.sa; p < (char *)(&ev.sa + 1); p++)
		assert_int_not_equal((unsigned char)*p, KEY_BYTE);
}

/* NEWSA then a hard EXPIRE in one buffer: the table fills in the algorithm. */
static void test_table_expire(void **state)
{
	struct xfrm_nl *x = xfrm_nl__new_detached();
	struct evlog *l = evlog_new();
	struct nlmsghdr *a = build_newsa(msgbuf), *b;
	xfrm_address_t dst;
	const struct xfrm_nl_sa *sa;
	char ev_text[128], *buf = NULL;
	size_t len, blen = 0;
	struct jw w;
	FILE *f;

	(void)state;
	assert_non_null(x);
	assert_int_equal(xfrm_nl__fd(x), -1);
	assert_int_equal(xfrm_nl__dump(x), -ENOTCONN);
	assert_int_equal(xfrm_nl__process(x, NULL, NULL), -ENOTCONN);
	b = build_expire(msgbuf + NLMSG_ALIGN(a->nlmsg_len), 0);
	len = NLMSG_ALIGN(a->nlmsg_len) + b->nlmsg_len;
	assert_int_equal(xfrm_nl__feed(x, msgbuf, len, 7, T0 + 3, collect, l), 2);
	assert_int_equal(xfrm_nl__sa_count(x), 1);
	addr4(&dst, "192.0.2.2");
	sa = xfrm_nl__sa_by_spi(x, htonl(SPI), IPPROTO_ESP, (const __u8 *)&dst);
	assert_non_null(sa);
	/* a soft expire updated the counters, kept the algorithm */
	assert_int_equal(sa->cur.bytes, 840);
	assert_string_equal(sa->aead, "rfc4106(gcm(aes))");
	assert_non_null(xfrm_nl__sa_by_spi(x, htonl(SPI), 0, NULL));
	assert_null(xfrm_nl__sa_by_spi(x, htonl(SPI), IPPROTO_AH, NULL));
	assert_null(xfrm_nl__sa_by_spi(x, htonl(SPI + 1), 0, NULL));
	addr4(&dst, "192.0.2.3");
	assert_null(xfrm_nl__sa_by_spi(x, htonl(SPI), IPPROTO_ESP, (const __u8 *)&dst));
	assert_text_eq(&l->ev[1], "xfrm  EXPIRE (soft) spi 0x00001000 esp tunnel 192.0.2.1 -> "
				  "192.0.2.2  after 3 s (soft add limit 3 s)  <- SA lifetime far "
				  "shorter than the peer's? tunnel will flap\n");

	b = build_expire(msgbuf, 1);
	assert_int_equal(xfrm_nl__feed(x, msgbuf, b->nlmsg_len, 9, T0 + 5, collect, l), 1);
	assert_int_equal(xfrm_nl__sa_count(x), 0);	/* no DELSA follows a hard expire */
	assert_true(l->ev[2].hard);
	assert_string_equal(l->ev[2].sa.aead, "rfc4106(gcm(aes))");
	assert_text_eq(&l->ev[2], "xfrm  EXPIRE (hard) spi 0x00001000 esp tunnel 192.0.2.1 -> "
				  "192.0.2.2  after 5 s (hard add limit 5 s)  <- SA lifetime far "
				  "shorter than the peer's? tunnel will flap\n");
	assert_json_eq(&l->ev[2],
		"{\"type\":\"xfrm_event\",\"t_ns\":9,\"event\":\"expire\",\"hard\":true,\"sa\":{"
		"\"spi\":\"0x00001000\",\"proto\":\"esp\",\"mode\":\"tunnel\",\"reqid\":1,"
		"\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\",\"aead\":\"rfc4106(gcm(aes))\","
		"\"lifetime\":{\"soft_add_s\":3,\"hard_add_s\":5,\"soft_bytes\":null,"
		"\"hard_bytes\":null,\"soft_packets\":null,\"hard_packets\":null},"
		"\"current\":{\"bytes\":840,\"packets\":10,\"add_time\":1700000000,\"age_s\":5},"
		"\"replay_window\":32,\"encap\":{\"type\":\"espinudp\",\"sport\":4500,"
		"\"dport\":4500},\"dir\":\"out\"},"
		"\"hint\":\"SA lifetime far shorter than the peer's? tunnel will flap\"}");

	/* The same expiry is a lifetime_mismatch finding; the NEWSA is not. */
	assert_true(xfrm_nl__expired_early(&l->ev[2], ev_text, sizeof(ev_text)));
	assert_string_equal(ev_text, "SA 0x1000 (reqid 1) expired (hard) 5 s after it was added");
	assert_false(xfrm_nl__expired_early(&l->ev[0], ev_text, sizeof(ev_text)));
	f = open_memstream(&buf, &blen);
	assert_non_null(f);
	jw_init(&w, f);
	xfrm_nl__lifetime_json(&w, &l->ev[2], ev_text);
	jw_endline(&w);
	fclose(f);
	assert_non_null(strstr(buf, "{\"type\":\"diagnosis\",\"cause\":\"lifetime_mismatch\","));
	assert_non_null(strstr(buf, "\"evidence\":[\"SA 0x1000 (reqid 1) expired (hard) 5 s "
				    "after it was added\"],\"t_ns\":9,\"sa\":{\"spi\":\"0x00001000\""));
	free(buf);
	xfrm_nl__close(x);
	free(l);
}

static void test_delsa_and_flush(void **state)
{
	struct xfrm_nl *x = xfrm_nl__new_detached();
	struct evlog *l = evlog_new();
	struct nlmsghdr *nlh;
	struct xfrm_usersa_flush fl = { .proto = 255 };
	struct xfrm_nl_event ev;

	(void)state;
	nlh = build_newsa(msgbuf);
	xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 1, T0, collect, l);
	nlh = build_delsa(msgbuf, SPI);
	assert_int_equal(xfrm_nl__parse(nlh, &ev), 0);
	assert_int_equal(ev.type, XFRM_NL_EV_DEL_SA);
	assert_string_equal(ev.sa.enc, "cbc(aes)");
	assert_string_equal(ev.sa.auth, "hmac(sha256)");
	assert_int_equal(ev.sa.auth_trunc_bits, 128);
	assert_int_equal(ev.sa.cur.bytes, 1234);
	assert_int_equal(xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 2, T0 + 4000, collect, l), 1);
	assert_int_equal(xfrm_nl__sa_count(x), 0);
	assert_text_eq(&l->ev[1], "xfrm  DEL_SA spi 0x00001000 esp tunnel 192.0.2.1 -> 192.0.2.2  "
				  "after 4000 s, 1234 bytes 7 packets\n");

	/* FLUSHSA with IPSEC_PROTO_ANY empties the table */
	nlh = build_newsa(msgbuf);
	xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 3, T0, NULL, NULL);
	assert_int_equal(xfrm_nl__sa_count(x), 1);
	nlh = put_msg(msgbuf, XFRM_MSG_FLUSHSA, &fl, sizeof(fl));
	assert_int_equal(xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 4, T0, collect, l), 1);
	assert_int_equal(xfrm_nl__sa_count(x), 0);
	assert_json_eq(&l->ev[2], "{\"type\":\"xfrm_event\",\"t_ns\":4,\"event\":\"flush_sa\","
				  "\"proto\":\"any\"}");
	xfrm_nl__close(x);
	free(l);
}

static void test_acquire(void **state)
{
	struct xfrm_nl_event ev;

	(void)state;
	assert_int_equal(xfrm_nl__parse(build_acquire(msgbuf), &ev), 0);
	assert_int_equal(ev.type, XFRM_NL_EV_ACQUIRE);
	assert_true(ev.has_flow && ev.has_policy && ev.has_sa);
	assert_int_equal(ev.sa.reqid, 7);
	assert_int_equal(ev.sa.family, AF_INET);
	assert_int_equal(ev.policy.ntmpl, 1);
	ev.ts_ns = 5;
	assert_json_eq(&ev,
		"{\"type\":\"xfrm_event\",\"t_ns\":5,\"event\":\"acquire\",\"flow\":{"
		"\"src\":\"10.1.0.5/32\",\"dst\":\"10.2.0.9/32\",\"proto\":\"tcp\",\"dport\":443},"
		"\"sa\":{\"proto\":\"esp\",\"mode\":\"tunnel\",\"reqid\":7,\"src\":\"192.0.2.1\","
		"\"dst\":\"192.0.2.2\"},\"policy\":{\"dir\":\"out\",\"action\":\"allow\","
		"\"src\":\"10.1.0.0/24\",\"dst\":\"10.2.0.0/24\",\"proto\":\"any\","
		"\"priority\":375423,\"index\":33,\"tmpl\":[{\"proto\":\"esp\",\"mode\":\"tunnel\","
		"\"reqid\":7,\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\"}]},"
		"\"hint\":\"IKE has no SA for this flow: its packets drop until one is negotiated\"}");
	assert_text_eq(&ev, "xfrm  ACQUIRE 10.1.0.5/32 -> 10.2.0.9/32 tcp dport 443  wants esp "
			    "tunnel 192.0.2.1 -> 192.0.2.2 reqid 7  policy out 10.1.0.0/24 -> "
			    "10.2.0.0/24 any allow  prio 375423 index 33 tmpl esp tunnel 192.0.2.1 "
			    "-> 192.0.2.2 reqid 7  <- IKE has no SA for this flow: its packets drop "
			    "until one is negotiated\n");
}

static void test_mapping(void **state)
{
	struct xfrm_nl *x = xfrm_nl__new_detached();
	struct evlog *l = evlog_new();
	struct xfrm_user_mapping m;
	struct nlmsghdr *nlh;

	(void)state;
	nlh = build_newsa(msgbuf);
	xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 1, T0, NULL, NULL);
	memset(&m, 0, sizeof(m));
	addr4(&m.id.daddr, "192.0.2.2");
	m.id.spi = htonl(SPI);
	m.id.family = AF_INET;
	m.id.proto = IPPROTO_ESP;
	m.reqid = 1;
	addr4(&m.old_saddr, "192.0.2.1");
	addr4(&m.new_saddr, "198.51.100.7");
	m.old_sport = htons(4500);
	m.new_sport = htons(61000);
	nlh = put_msg(msgbuf, XFRM_MSG_MAPPING, &m, sizeof(m));
	assert_int_equal(xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 8, T0 + 1, collect, l), 1);
	/* the SA comes from the table: its algorithm is known */
	assert_string_equal(l->ev[0].sa.aead, "rfc4106(gcm(aes))");
	assert_text_eq(&l->ev[0], "xfrm  MAPPING spi 0x00001000 esp tunnel 192.0.2.1 -> 192.0.2.2  "
				  "peer 192.0.2.1:4500 -> 198.51.100.7:61000  <- NAT-T mapping "
				  "changed: the peer's NAT rebound its port, IKE must update the SA\n");
	xfrm_nl__close(x);
	free(l);
}

/* After a rekey the old SA's end is no outage: a successor carries the flow. */
static void test_rekey(void **state)
{
	struct xfrm_nl *x = xfrm_nl__new_detached();
	struct evlog *l = evlog_new();
	struct nlmsghdr *nlh;
	char *out;

	(void)state;
	nlh = build_newsa_spi(msgbuf, SPI);
	xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 1, T0, NULL, NULL);
	/* lone SA deleted: not replaced */
	nlh = build_delsa(msgbuf, SPI);
	xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 2, T0 + 4000, collect, l);
	assert_false(l->ev[0].sa_replaced);
	nlh = build_newsa_spi(msgbuf, SPI);
	xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 3, T0, NULL, NULL);
	nlh = build_newsa_spi(msgbuf, SPI + 1);
	xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 4, T0 + 3000, NULL, NULL);
	assert_int_equal(xfrm_nl__sa_count(x), 2);
	nlh = build_delsa(msgbuf, SPI);
	xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 5, T0 + 4000, collect, l);
	assert_true(l->ev[1].sa_replaced);
	out = event_json(&l->ev[1]);
	assert_non_null(strstr(out, "},\"replaced\":true}"));
	free(out);
	assert_int_equal(xfrm_nl__sa_count(x), 1);
	assert_non_null(xfrm_nl__sa_by_spi(x, htonl(SPI + 1), IPPROTO_ESP, NULL));
	xfrm_nl__close(x);
	free(l);
}

/* A mapping for an SA the table does not know: only its identity. */
static void test_mapping_unknown_sa(void **state)
{
	struct xfrm_nl *x = xfrm_nl__new_detached();
	struct evlog *l = evlog_new();
	struct xfrm_user_mapping m;
	struct nlmsghdr *nlh;

	(void)state;
	memset(&m, 0, sizeof(m));
	addr4(&m.id.daddr, "192.0.2.2");
	m.id.spi = htonl(0x3000);
	m.id.family = AF_INET;
	m.id.proto = IPPROTO_ESP;
	m.reqid = 3;
	addr4(&m.old_saddr, "198.51.100.7");
	addr4(&m.new_saddr, "198.51.100.7");
	m.old_sport = htons(4500);
	m.new_sport = htons(1025);
	nlh = put_msg(msgbuf, XFRM_MSG_MAPPING, &m, sizeof(m));
	assert_int_equal(xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 8, T0, collect, l), 1);
	assert_true(l->ev[0].sa_id_only);
	assert_json_eq(&l->ev[0],
		"{\"type\":\"xfrm_event\",\"t_ns\":8,\"event\":\"mapping\",\"sa\":{"
		"\"spi\":\"0x00003000\",\"proto\":\"esp\",\"mode\":\"unknown\",\"reqid\":3,"
		"\"src\":\"198.51.100.7\","
		"\"dst\":\"192.0.2.2\"},\"mapping\":{\"old_src\":\"198.51.100.7\","
		"\"old_sport\":4500,\"new_src\":\"198.51.100.7\",\"new_sport\":1025},"
		"\"hint\":\"NAT-T mapping changed: the peer's NAT rebound its port, IKE must "
		"update the SA\"}");
	xfrm_nl__close(x);
	free(l);
}

/* Which policy covers a flow: direction, allow with templates, both
 * prefixes (to the bit), the lowest priority value among several. */
static void test_policy_covering(void **state)
{
	struct xfrm_nl *x = xfrm_nl__new_detached();
	struct evlog *l = evlog_new();
	struct xfrm_userpolicy_info p;
	struct xfrm_user_tmpl t;
	struct nlmsghdr *nlh;
	__u8 s[16] = { 10, 1, 0, 5 }, d[16] = { 10, 2, 0, 9 }, far[16] = { 10, 2, 1, 9 };
	const struct xfrm_nl_policy *got;

	(void)state;
	tmpl7(&t);
	policy_info(&p, XFRM_POLICY_OUT, 0x11);		/* 10.1.0.0/24 -> 10.2.0.0/24 */
	nlh = put_msg(msgbuf, XFRM_MSG_NEWPOLICY, &p, sizeof(p));
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
	assert_int_equal(xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 1, T0, collect, l), 1);
	policy_info(&p, XFRM_POLICY_OUT, 0x21);		/* the same, /23 dst, preferred */
	p.sel.prefixlen_d = 23;
	p.priority = 100;
	nlh = put_msg(msgbuf, XFRM_MSG_NEWPOLICY, &p, sizeof(p));
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
	assert_int_equal(xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 2, T0, collect, l), 1);
	policy_info(&p, XFRM_POLICY_OUT, 0x31);		/* no template: not IPsec */
	p.priority = 1;
	nlh = put_msg(msgbuf, XFRM_MSG_NEWPOLICY, &p, sizeof(p));
	assert_int_equal(xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 3, T0, collect, l), 1);
	policy_info(&p, XFRM_POLICY_FWD, 0x42);		/* another direction */
	p.priority = 1;
	nlh = put_msg(msgbuf, XFRM_MSG_NEWPOLICY, &p, sizeof(p));
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
	assert_int_equal(xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 4, T0, collect, l), 1);

	got = xfrm_nl__policy_covering(x, XFRM_POLICY_OUT, AF_INET, s, d);
	assert_non_null(got);
	assert_int_equal(got->index, 0x21);
	got = xfrm_nl__policy_covering(x, XFRM_POLICY_OUT, AF_INET, s, far);	/* 10.2.1.9: /23 only */
	assert_non_null(got);
	assert_int_equal(got->index, 0x21);
	far[2] = 2;						/* 10.2.2.9: neither */
	assert_null(xfrm_nl__policy_covering(x, XFRM_POLICY_OUT, AF_INET, s, far));
	assert_null(xfrm_nl__policy_covering(x, XFRM_POLICY_OUT, AF_INET, d, s));	/* reversed */
	assert_null(xfrm_nl__policy_covering(x, XFRM_POLICY_OUT, AF_INET6, s, d));
	assert_int_equal(xfrm_nl__policy_covering(x, XFRM_POLICY_FWD, AF_INET, s, d)->index, 0x42);
	assert_null(xfrm_nl__policy_covering(NULL, XFRM_POLICY_OUT, AF_INET, s, d));
	xfrm_nl__close(x);
	free(l);
}

static void test_policy_msgs(void **state)
{
	struct xfrm_nl *x = xfrm_nl__new_detached();
	struct evlog *l = evlog_new();
	struct xfrm_userpolicy_info p;
	struct xfrm_userpolicy_id id;
	struct xfrm_user_tmpl t;
	struct nlmsghdr *nlh;
	char *out;

	(void)state;
	policy_info(&p, XFRM_POLICY_FWD, 0x42);
	nlh = put_msg(msgbuf, XFRM_MSG_NEWPOLICY, &p, sizeof(p));
	tmpl7(&t);
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
	assert_int_equal(xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 1, T0, collect, l), 1);
	assert_int_equal(xfrm_nl__policy_count(x), 1);
	assert_non_null(xfrm_nl__policy_by_index(x, 0x42));
	out = policy_json(xfrm_nl__policy_by_index(x, 0x42));
	assert_string_equal(out, "{\"dir\":\"fwd\",\"action\":\"allow\",\"src\":\"10.1.0.0/24\","
				 "\"dst\":\"10.2.0.0/24\",\"proto\":\"any\",\"priority\":375423,"
				 "\"index\":66,\"tmpl\":[{\"proto\":\"esp\",\"mode\":\"tunnel\","
				 "\"reqid\":7,\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\"}]}");
	free(out);
	/* DELPOLICY: userpolicy_id + the policy in XFRMA_POLICY */
	memset(&id, 0, sizeof(id));
	id.dir = XFRM_POLICY_FWD;
	id.sel = p.sel;
	nlh = put_msg(msgbuf, XFRM_MSG_DELPOLICY, &id, sizeof(id));
	mnl_attr_put(nlh, XFRMA_POLICY, sizeof(p), &p);
	assert_int_equal(xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 2, T0, collect, l), 1);
	assert_int_equal(xfrm_nl__policy_count(x), 0);
	assert_int_equal(l->ev[1].type, XFRM_NL_EV_DEL_POLICY);
	assert_int_equal(l->ev[1].policy.index, 0x42);
	assert_text_eq(&l->ev[1], "xfrm  DEL_POLICY fwd 10.1.0.0/24 -> 10.2.0.0/24 any allow  "
				  "prio 375423 index 66\n");
	xfrm_nl__close(x);
	free(l);
}

static void test_bad_messages(void **state)
{
	struct nlmsghdr *nlh = build_newsa(msgbuf);
	struct xfrm_nl_event ev;
	struct xfrm_nl *x = xfrm_nl__new_detached();

	(void)state;
	/* cut inside the fixed header */
	nlh->nlmsg_len = NLMSG_HDRLEN + 100;
	assert_int_equal(xfrm_nl__parse(nlh, &ev), -EINVAL);
	assert_int_equal(xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len, 0, 0, NULL, NULL), 0);
	nlh->nlmsg_type = XFRM_MSG_GETSPDINFO;
	assert_int_equal(xfrm_nl__parse(nlh, &ev), -ENOMSG);
	nlh->nlmsg_type = NLMSG_DONE;
	assert_int_equal(xfrm_nl__parse(nlh, &ev), -ENOMSG);
	/* a buffer shorter than its message */
	nlh = build_newsa(msgbuf);
	assert_int_equal(xfrm_nl__feed(x, msgbuf, nlh->nlmsg_len - 8, 0, 0, NULL, NULL), 0);
	assert_int_equal(xfrm_nl__sa_count(x), 0);
	/* a length of 2^31 or more: libmnl's check lets it by, and it aligns
	 * to 0 (it used to loop for ever; found by fuzzing) */
	nlh->nlmsg_len = 0xfffffffdu;
	assert_int_equal(xfrm_nl__feed(x, msgbuf, 4096, 0, 0, NULL, NULL), 0);
	assert_string_equal(xfrm_nl__event_name(XFRM_NL_EV_UPD_POLICY), "upd_policy");
	assert_string_equal(xfrm_nl__event_name(999), "unknown");
	xfrm_nl__close(x);
	xfrm_nl__close(NULL);
}

static void test_ipv6_summary(void **state)
{
	struct xfrm_nl_sa sa;
	char buf[160];

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.family = AF_INET6;
	sa.spi = htonl(0xc0ffee);
	sa.proto = IPPROTO_AH;
	sa.mode = XFRM_MODE_TRANSPORT;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &sa.saddr), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2", &sa.daddr), 1);
	assert_string_equal(xfrm_nl__sa_summary(&sa, buf, sizeof(buf)),
			    "spi 0x00c0ffee ah transport 2001:db8::1 -> 2001:db8::2");
	sa.family = 0;
	assert_string_equal(xfrm_nl__sa_summary(&sa, buf, 16), "spi 0x00c0ffee ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_newsa),
		cmocka_unit_test(test_no_key_in_output),
		cmocka_unit_test(test_table_expire),
		cmocka_unit_test(test_delsa_and_flush),
		cmocka_unit_test(test_acquire),
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_rekey),
		cmocka_unit_test(test_mapping_unknown_sa),
		cmocka_unit_test(test_policy_msgs),
		cmocka_unit_test(test_policy_covering),
		cmocka_unit_test(test_bad_messages),
		cmocka_unit_test(test_ipv6_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

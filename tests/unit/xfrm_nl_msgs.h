/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Hand-built xfrm netlink messages (an SA, its expiry and deletion, a
 * policy, an ACQUIRE) as the kernel sends them: for the unit tests and as
 * the seeds of the xfrm netlink fuzz target (tests/fuzz/seeds.c).
 */
#ifndef GW_XFRM_NL_MSGS_H
#define GW_XFRM_NL_MSGS_H

#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/xfrm.h>
#include "xfrm_nl_fixture.h"

#define T0 1700000000ULL	/* add_time of the hand-built SA */
#define KEY_BYTE 0xa5		/* key bytes that must not leak into output */

/* ---- message builders -------------------------------------------------- */

static inline struct nlmsghdr *put_msg(char *at, __u16 type, const void *hdr, size_t len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);

	nlh->nlmsg_type = type;
	memcpy(mnl_nlmsg_put_extra_header(nlh, len), hdr, len);
	return nlh;
}

static inline void sa_info(struct xfrm_usersa_info *p, __u64 bytes, __u64 packets)
{
	memset(p, 0, sizeof(*p));
	p->sel.family = AF_INET;
	addr4(&p->id.daddr, "192.0.2.2");
	p->id.spi = htonl(SPI);
	p->id.proto = IPPROTO_ESP;
	addr4(&p->saddr, "192.0.2.1");
	p->lft.soft_byte_limit = p->lft.hard_byte_limit = XFRM_INF;
	p->lft.soft_packet_limit = p->lft.hard_packet_limit = XFRM_INF;
	p->lft.soft_add_expires_seconds = 3;
	p->lft.hard_add_expires_seconds = 5;
	p->curlft.bytes = bytes;
	p->curlft.packets = packets;
	p->curlft.add_time = T0;
	p->reqid = 1;
	p->family = AF_INET;
	p->mode = XFRM_MODE_TUNNEL;
	p->replay_window = 32;
}

static inline void put_aead(struct nlmsghdr *nlh)
{
	char a[sizeof(struct xfrm_algo_aead) + 20];
	struct xfrm_algo_aead *alg = (struct xfrm_algo_aead *)a;

	memset(a, KEY_BYTE, sizeof(a));
	memset(alg->alg_name, 0, sizeof(alg->alg_name));
	strcpy(alg->alg_name, "rfc4106(gcm(aes))");
	alg->alg_key_len = 160;
	alg->alg_icv_len = 128;
	mnl_attr_put(nlh, XFRMA_ALG_AEAD, sizeof(a), a);
}

/* XFRM_MSG_NEWSA: spi 0x1000, aead, NAT-T encap, 6.10+ dir attribute. */
static inline struct nlmsghdr *build_newsa_spi(char *at, __u32 spi)
{
	struct xfrm_usersa_info p;
	struct xfrm_encap_tmpl encap = { .encap_type = 2, .encap_sport = htons(4500),
					 .encap_dport = htons(4500) };
	struct nlmsghdr *nlh;
	__u8 dir = 2;

	sa_info(&p, 0, 0);
	p.id.spi = htonl(spi);
	nlh = put_msg(at, XFRM_MSG_NEWSA, &p, sizeof(p));
	put_aead(nlh);
	mnl_attr_put(nlh, XFRMA_ENCAP, sizeof(encap), &encap);
	mnl_attr_put(nlh, 33 /* XFRMA_SA_DIR */, 1, &dir);
	return nlh;
}

static inline struct nlmsghdr *build_newsa(char *at)
{
	return build_newsa_spi(at, SPI);
}

/* XFRM_MSG_EXPIRE: usersa_info + hard, no algorithms (as build_expire()). */
static inline struct nlmsghdr *build_expire(char *at, __u8 hard)
{
	struct xfrm_user_expire ue;

	memset(&ue, 0, sizeof(ue));
	sa_info(&ue.state, 840, 10);
	ue.hard = hard;
	return put_msg(at, XFRM_MSG_EXPIRE, &ue, sizeof(ue));
}

/* XFRM_MSG_DELSA: usersa_id, the SA in XFRMA_SA, enc + auth algorithms. */
static inline struct nlmsghdr *build_delsa(char *at, __u32 spi)
{
	char a[sizeof(struct xfrm_algo) + 16], b[sizeof(struct xfrm_algo_auth) + 32];
	struct xfrm_algo *enc = (struct xfrm_algo *)a;
	struct xfrm_algo_auth *auth = (struct xfrm_algo_auth *)b;
	struct xfrm_usersa_id id;
	struct xfrm_usersa_info p;
	struct nlmsghdr *nlh;

	memset(&id, 0, sizeof(id));
	sa_info(&p, 1234, 7);
	p.id.spi = htonl(spi);
	id.daddr = p.id.daddr;
	id.spi = p.id.spi;
	id.family = AF_INET;
	id.proto = IPPROTO_ESP;
	nlh = put_msg(at, XFRM_MSG_DELSA, &id, sizeof(id));
	mnl_attr_put(nlh, XFRMA_SA, sizeof(p), &p);
	memset(a, KEY_BYTE, sizeof(a));
	memset(enc->alg_name, 0, sizeof(enc->alg_name));
	strcpy(enc->alg_name, "cbc(aes)");
	enc->alg_key_len = 128;
	mnl_attr_put(nlh, XFRMA_ALG_CRYPT, sizeof(a), a);
	memset(b, KEY_BYTE, sizeof(b));
	memset(auth->alg_name, 0, sizeof(auth->alg_name));
	strcpy(auth->alg_name, "hmac(sha256)");
	auth->alg_key_len = 256;
	auth->alg_trunc_len = 128;
	/* the kernel sends the plain form too, without the truncation */
	mnl_attr_put(nlh, XFRMA_ALG_AUTH, sizeof(struct xfrm_algo) + 32, b);
	mnl_attr_put(nlh, XFRMA_ALG_AUTH_TRUNC, sizeof(b), b);
	return nlh;
}

static inline void tmpl7(struct xfrm_user_tmpl *t)
{
	memset(t, 0, sizeof(*t));
	addr4(&t->id.daddr, "192.0.2.2");
	t->id.proto = IPPROTO_ESP;
	t->family = AF_INET;
	addr4(&t->saddr, "192.0.2.1");
	t->reqid = 7;
	t->mode = XFRM_MODE_TUNNEL;
	t->aalgos = t->ealgos = t->calgos = ~0U;
}

static inline void policy_info(struct xfrm_userpolicy_info *p, __u8 dir, __u32 index)
{
	memset(p, 0, sizeof(*p));
	p->sel.family = AF_INET;
	addr4(&p->sel.saddr, "10.1.0.0");
	addr4(&p->sel.daddr, "10.2.0.0");
	p->sel.prefixlen_s = p->sel.prefixlen_d = 24;
	p->lft.soft_byte_limit = p->lft.hard_byte_limit = XFRM_INF;
	p->lft.soft_packet_limit = p->lft.hard_packet_limit = XFRM_INF;
	p->priority = 375423;
	p->index = index;
	p->dir = dir;
}

static inline struct nlmsghdr *build_acquire(char *at)
{
	struct xfrm_user_acquire ua;
	struct xfrm_user_tmpl t;
	struct nlmsghdr *nlh;

	memset(&ua, 0, sizeof(ua));
	addr4(&ua.id.daddr, "192.0.2.2");
	ua.id.proto = IPPROTO_ESP;
	addr4(&ua.saddr, "192.0.2.1");
	ua.sel.family = AF_INET;
	addr4(&ua.sel.saddr, "10.1.0.5");
	addr4(&ua.sel.daddr, "10.2.0.9");
	ua.sel.prefixlen_s = ua.sel.prefixlen_d = 32;
	ua.sel.proto = IPPROTO_TCP;
	ua.sel.dport = htons(443);
	ua.sel.dport_mask = 0xffff;
	policy_info(&ua.policy, XFRM_POLICY_OUT, 0x21);
	ua.seq = 99;
	nlh = put_msg(at, XFRM_MSG_ACQUIRE, &ua, sizeof(ua));
	tmpl7(&t);
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
	return nlh;
}

#endif /* GW_XFRM_NL_MSGS_H */

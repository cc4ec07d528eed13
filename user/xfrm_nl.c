// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * NETLINK_XFRM: SA/policy table and live xfrm events.
 *
 * Message layouts (net/xfrm/xfrm_user.c, 6.1 to 6.18):
 *  - NEWSA/UPDSA and GETSA dump replies: xfrm_usersa_info + attributes
 *    (XFRMA_ALG_*, XFRMA_ENCAP, XFRMA_REPLAY_ESN_VAL, XFRMA_LTIME_VAL...).
 *    Algorithm attributes carry the key after the name: we copy the name
 *    only.
 *  - DELSA: xfrm_usersa_id, the full xfrm_usersa_info in XFRMA_SA, and the
 *    same attributes as NEWSA in the outer message.
 *  - EXPIRE: xfrm_user_expire (usersa_info + hard) with mark/if_id/dir
 *    attributes only: no algorithms, so the table fills them in. A hard
 *    expire deletes the SA without a DELSA notification.
 *  - ACQUIRE: xfrm_user_acquire (SA id, flow selector, the out policy),
 *    the policy's templates in XFRMA_TMPL. No family for the peer
 *    addresses: it comes from the matching template.
 *  - NEWPOLICY/UPDPOLICY and GETPOLICY dump replies: xfrm_userpolicy_info
 *    + XFRMA_TMPL (array of xfrm_user_tmpl) + XFRMA_POLICY_TYPE. DELPOLICY:
 *    xfrm_userpolicy_id + the info in XFRMA_POLICY. POLEXPIRE:
 *    xfrm_user_polexpire.
 *  - MAPPING: xfrm_user_mapping; REPORT: xfrm_user_report; FLUSHSA:
 *    xfrm_usersa_flush; FLUSHPOLICY: XFRMA_POLICY_TYPE only.
 * Payloads are only 4-byte aligned in the buffer while the structs hold
 * __u64: everything is memcpy'd out before use.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include "json_writer.h"
#include "log.h"
#include "xfrm_nl.h"

#define XA_SA_DIR	33	/* XFRMA_SA_DIR, 6.10+; not in 6.1's uapi header */
#define XA_MAX		40	/* highest attribute we keep a slot for */
#define SA_BUCKETS	256
#define BUF_SIZE	65536	/* one notification is a few hundred bytes */
#define EV_RCVBUF	(1 << 20)
#define MAX_READS	256	/* per process() call: bounded work */

struct sa_node {
	struct sa_node *next;
	struct xfrm_nl_sa sa;
};

struct xfrm_nl {
	struct mnl_socket *dump_nl, *ev_nl;
	unsigned int dump_portid, seq;
	struct sa_node *sa_hash[SA_BUCKETS];
	size_t nsa;
	struct xfrm_nl_policy *pols;
	size_t npol, cappol;
	__u64 lost;
	char *buf;
};

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- decoding ---------------------------------------------------------- */

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, XA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* Copies the attribute's payload if it is at least len bytes. */
static bool attr_get(const struct nlattr *a, void *dst, size_t len)
{
	if (!a || mnl_attr_get_payload_len(a) < len)
		return false;
	memcpy(dst, mnl_attr_get_payload(a), len);
	return true;
}

/* Attributes start after the fixed header; -EINVAL if it is cut short. */
static int msg_parse(const struct nlmsghdr *nlh, void *hdr, size_t len, const struct nlattr **tb)
{
	if (mnl_nlmsg_get_payload_len(nlh) < len)
		return -EINVAL;
	memcpy(hdr, mnl_nlmsg_get_payload(nlh), len);
	if (mnl_attr_parse(nlh, len, attr_cb, tb) < 0)
		return -EINVAL;
	return 0;
}

static void alg_name(const struct nlattr *a, char *dst, __u32 *bits, size_t bits_off)
{
	const char *p;
	size_t n;

	/* Name (64), key_len; aead/auth_trunc add icv/trunc bits. */
	if (!a || mnl_attr_get_payload_len(a) < XFRM_NL_ALG_LEN + 4 + (bits ? 4 : 0))
		return;
	p = mnl_attr_get_payload(a);
	n = strnlen(p, XFRM_NL_ALG_LEN - 1);
	memcpy(dst, p, n);
	dst[n] = '\0';
	if (bits)
		memcpy(bits, p + bits_off, sizeof(*bits));
}

static void sa_from_info(struct xfrm_nl_sa *sa, const struct xfrm_usersa_info *p)
{
	sa->spi = p->id.spi;
	sa->proto = p->id.proto;
	sa->daddr = p->id.daddr;
	sa->saddr = p->saddr;
	sa->family = p->family;
	sa->mode = p->mode;
	sa->reqid = p->reqid;
	sa->sel = p->sel;
	sa->lft = p->lft;
	sa->cur = p->curlft;
	sa->replay_window = p->replay_window;
	sa->flags = p->flags;
	sa->esn = p->flags & XFRM_STATE_ESN;
}

static void sa_from_attrs(struct xfrm_nl_sa *sa, const struct nlattr **tb)
{
	struct xfrm_replay_state_esn esn;
	__u8 dir;

	alg_name(tb[XFRMA_ALG_AEAD], sa->aead, &sa->aead_icv_bits,
		 offsetof(struct xfrm_algo_aead, alg_icv_len));
	alg_name(tb[XFRMA_ALG_CRYPT], sa->enc, NULL, 0);
	alg_name(tb[XFRMA_ALG_COMP], sa->comp, NULL, 0);
	/* The kernel sends ALG_AUTH and ALG_AUTH_TRUNC for one algorithm. */
	if (tb[XFRMA_ALG_AUTH_TRUNC])
		alg_name(tb[XFRMA_ALG_AUTH_TRUNC], sa->auth, &sa->auth_trunc_bits,
			 offsetof(struct xfrm_algo_auth, alg_trunc_len));
	else
		alg_name(tb[XFRMA_ALG_AUTH], sa->auth, NULL, 0);
	sa->has_encap = attr_get(tb[XFRMA_ENCAP], &sa->encap, sizeof(sa->encap));
	attr_get(tb[XFRMA_LTIME_VAL], &sa->cur, sizeof(sa->cur));
	if (attr_get(tb[XFRMA_REPLAY_ESN_VAL], &esn, sizeof(esn)))
		sa->replay_window = esn.replay_window;
	attr_get(tb[XFRMA_MARK], &sa->mark, sizeof(sa->mark));
	attr_get(tb[XFRMA_IF_ID], &sa->if_id, sizeof(sa->if_id));
	if (attr_get(tb[XA_SA_DIR], &dir, 1))
		sa->dir = dir;
}

static void policy_from_info(struct xfrm_nl_policy *p, const struct xfrm_userpolicy_info *u)
{
	p->sel = u->sel;
	p->priority = u->priority;
	p->index = u->index;
	p->dir = u->dir;
	p->action = u->action;
	p->flags = u->flags;
	p->lft = u->lft;
	p->cur = u->curlft;
}

static void policy_from_attrs(struct xfrm_nl_policy *p, const struct nlattr **tb)
{
	const struct nlattr *t = tb[XFRMA_TMPL];
	struct xfrm_userpolicy_type type;
	size_t n;

	if (t) {
		n = mnl_attr_get_payload_len(t) / sizeof(struct xfrm_user_tmpl);
		p->ntmpl = n < XFRM_NL_MAX_TMPL ? n : XFRM_NL_MAX_TMPL;
		memcpy(p->tmpl, mnl_attr_get_payload(t), p->ntmpl * sizeof(p->tmpl[0]));
	}
	if (attr_get(tb[XFRMA_POLICY_TYPE], &type, sizeof(type)))
		p->type = type.type;
	attr_get(tb[XFRMA_MARK], &p->mark, sizeof(p->mark));
	attr_get(tb[XFRMA_IF_ID], &p->if_id, sizeof(p->if_id));
}

static int parse_sa(const struct nlmsghdr *nlh, struct xfrm_nl_event *ev, const struct nlattr **tb)
{
	union {
		struct xfrm_usersa_info info;
		struct xfrm_usersa_id id;
		struct xfrm_user_expire exp;
	} h;
	int err;

	switch (nlh->nlmsg_type) {
	case XFRM_MSG_DELSA:
		err = msg_parse(nlh, &h.id, sizeof(h.id), tb);
		if (err)
			return err;
		ev->sa.spi = h.id.spi;
		ev->sa.proto = h.id.proto;
		ev->sa.family = h.id.family;
		ev->sa.daddr = h.id.daddr;
		if (attr_get(tb[XFRMA_SA], &h.info, sizeof(h.info)))
			sa_from_info(&ev->sa, &h.info);
		break;
	case XFRM_MSG_EXPIRE:
		err = msg_parse(nlh, &h.exp, sizeof(h.exp), tb);
		if (err)
			return err;
		sa_from_info(&ev->sa, &h.exp.state);
		ev->hard = h.exp.hard;
		break;
	default:
		err = msg_parse(nlh, &h.info, sizeof(h.info), tb);
		if (err)
			return err;
		sa_from_info(&ev->sa, &h.info);
	}
	sa_from_attrs(&ev->sa, tb);
	ev->has_sa = true;
	return 0;
}

static int parse_policy(const struct nlmsghdr *nlh, struct xfrm_nl_event *ev,
			const struct nlattr **tb)
{
	union {
		struct xfrm_userpolicy_info info;
		struct xfrm_userpolicy_id id;
		struct xfrm_user_polexpire exp;
	} h;
	int err;

	switch (nlh->nlmsg_type) {
	case XFRM_MSG_DELPOLICY:
		err = msg_parse(nlh, &h.id, sizeof(h.id), tb);
		if (err)
			return err;
		ev->policy.sel = h.id.sel;
		ev->policy.index = h.id.index;
		ev->policy.dir = h.id.dir;
		if (attr_get(tb[XFRMA_POLICY], &h.info, sizeof(h.info)))
			policy_from_info(&ev->policy, &h.info);
		break;
	case XFRM_MSG_POLEXPIRE:
		err = msg_parse(nlh, &h.exp, sizeof(h.exp), tb);
		if (err)
			return err;
		policy_from_info(&ev->policy, &h.exp.pol);
		ev->hard = h.exp.hard;
		break;
	default:
		err = msg_parse(nlh, &h.info, sizeof(h.info), tb);
		if (err)
			return err;
		policy_from_info(&ev->policy, &h.info);
	}
	policy_from_attrs(&ev->policy, tb);
	ev->has_policy = true;
	return 0;
}

static int parse_acquire(const struct nlmsghdr *nlh, struct xfrm_nl_event *ev,
			 const struct nlattr **tb)
{
	struct xfrm_user_acquire ua;
	const struct xfrm_user_tmpl *t;
	unsigned int i;
	int err = msg_parse(nlh, &ua, sizeof(ua), tb);

	if (err)
		return err;
	policy_from_info(&ev->policy, &ua.policy);
	policy_from_attrs(&ev->policy, tb);
	ev->flow = ua.sel;
	ev->sa.spi = ua.id.spi;
	ev->sa.proto = ua.id.proto;
	ev->sa.daddr = ua.id.daddr;
	ev->sa.saddr = ua.saddr;
	ev->sa.family = ua.policy.sel.family ? ua.policy.sel.family : ua.sel.family;
	for (i = 0; i < ev->policy.ntmpl; i++) {
		t = &ev->policy.tmpl[i];
		if (t->id.proto != ua.id.proto)
			continue;
		ev->sa.family = t->family;
		ev->sa.mode = t->mode;
		ev->sa.reqid = t->reqid;
		break;
	}
	ev->has_sa = ev->has_policy = ev->has_flow = ev->sa_id_only = true;
	return 0;
}

static int parse_other(const struct nlmsghdr *nlh, struct xfrm_nl_event *ev,
		       const struct nlattr **tb)
{
	union {
		struct xfrm_user_mapping map;
		struct xfrm_user_report rep;
		struct xfrm_usersa_flush flush;
	} h;
	struct xfrm_userpolicy_type type;
	int err;

	switch (nlh->nlmsg_type) {
	case XFRM_MSG_MAPPING:
		err = msg_parse(nlh, &h.map, sizeof(h.map), tb);
		if (err)
			return err;
		ev->sa.spi = h.map.id.spi;
		ev->sa.proto = h.map.id.proto;
		ev->sa.family = h.map.id.family;
		ev->sa.daddr = h.map.id.daddr;
		ev->sa.saddr = h.map.old_saddr;
		ev->sa.reqid = h.map.reqid;
		ev->sa.mode = 0xff;	/* not sent: "unknown" unless the table knows */
		ev->mapping.old_saddr = h.map.old_saddr;
		ev->mapping.new_saddr = h.map.new_saddr;
		ev->mapping.old_sport = h.map.old_sport;
		ev->mapping.new_sport = h.map.new_sport;
		ev->has_sa = ev->sa_id_only = true;
		return 0;
	case XFRM_MSG_REPORT:
		err = msg_parse(nlh, &h.rep, sizeof(h.rep), tb);
		if (err)
			return err;
		ev->proto = h.rep.proto;
		ev->flow = h.rep.sel;
		ev->has_flow = true;
		return 0;
	case XFRM_MSG_FLUSHSA:
		err = msg_parse(nlh, &h.flush, sizeof(h.flush), tb);
		if (!err)
			ev->proto = h.flush.proto;
		return err;
	default: /* XFRM_MSG_FLUSHPOLICY */
		err = msg_parse(nlh, &h, 0, tb);
		if (!err && attr_get(tb[XFRMA_POLICY_TYPE], &type, sizeof(type)))
			ev->policy.type = type.type;
		return err;
	}
}

int xfrm_nl__parse(const struct nlmsghdr *nlh, struct xfrm_nl_event *ev)
{
	const struct nlattr *tb[XA_MAX + 1] = {};

	memset(ev, 0, sizeof(*ev));
	switch (nlh->nlmsg_type) {
	case XFRM_MSG_NEWSA:
		ev->type = XFRM_NL_EV_NEW_SA;
		return parse_sa(nlh, ev, tb);
	case XFRM_MSG_UPDSA:
		ev->type = XFRM_NL_EV_UPD_SA;
		return parse_sa(nlh, ev, tb);
	case XFRM_MSG_DELSA:
		ev->type = XFRM_NL_EV_DEL_SA;
		return parse_sa(nlh, ev, tb);
	case XFRM_MSG_EXPIRE:
		ev->type = XFRM_NL_EV_EXPIRE;
		return parse_sa(nlh, ev, tb);
	case XFRM_MSG_NEWPOLICY:
		ev->type = XFRM_NL_EV_NEW_POLICY;
		return parse_policy(nlh, ev, tb);
	case XFRM_MSG_UPDPOLICY:
		ev->type = XFRM_NL_EV_UPD_POLICY;
		return parse_policy(nlh, ev, tb);
	case XFRM_MSG_DELPOLICY:
		ev->type = XFRM_NL_EV_DEL_POLICY;
		return parse_policy(nlh, ev, tb);
	case XFRM_MSG_POLEXPIRE:
		ev->type = XFRM_NL_EV_POLICY_EXPIRE;
		return parse_policy(nlh, ev, tb);
	case XFRM_MSG_ACQUIRE:
		ev->type = XFRM_NL_EV_ACQUIRE;
		return parse_acquire(nlh, ev, tb);
	case XFRM_MSG_MAPPING:
		ev->type = XFRM_NL_EV_MAPPING;
		break;
	case XFRM_MSG_REPORT:
		ev->type = XFRM_NL_EV_REPORT;
		break;
	case XFRM_MSG_FLUSHSA:
		ev->type = XFRM_NL_EV_FLUSH_SA;
		break;
	case XFRM_MSG_FLUSHPOLICY:
		ev->type = XFRM_NL_EV_FLUSH_POLICY;
		break;
	default:
		return -ENOMSG;
	}
	return parse_other(nlh, ev, tb);
}

/* ---- the table --------------------------------------------------------- */

static size_t addr_len(__u16 family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static unsigned int spi_hash(__be32 spi)
{
	__u32 h = ntohl(spi) * 2654435761u;

	return (h >> 24) & (SA_BUCKETS - 1);
}

/* An SA is (daddr, spi, proto); larval ones (spi 0) also by peer and reqid. */
static bool sa_same(const struct xfrm_nl_sa *a, const struct xfrm_nl_sa *b)
{
	size_t n = addr_len(a->family);

	if (a->spi != b->spi || a->proto != b->proto || a->family != b->family ||
	    memcmp(&a->daddr, &b->daddr, n))
		return false;
	return a->spi || (a->reqid == b->reqid && !memcmp(&a->saddr, &b->saddr, n));
}

static struct sa_node **sa_find(struct xfrm_nl *x, const struct xfrm_nl_sa *sa)
{
	struct sa_node **pp = &x->sa_hash[spi_hash(sa->spi)];

	while (*pp && !sa_same(&(*pp)->sa, sa))
		pp = &(*pp)->next;
	return pp;
}

static void sa_upsert(struct xfrm_nl *x, const struct xfrm_nl_sa *sa)
{
	struct sa_node **pp = sa_find(x, sa), *n = *pp;

	if (!n) {
		n = calloc(1, sizeof(*n));
		if (!n) {
			pr_warn("xfrm: out of memory for the SA table");
			return;
		}
		*pp = n;
		x->nsa++;
	}
	n->sa = *sa;
}

static void sa_remove(struct xfrm_nl *x, struct sa_node **pp)
{
	struct sa_node *n = *pp;

	*pp = n->next;
	free(n);
	x->nsa--;
}

/* Notifications without the algorithms (EXPIRE, MAPPING) borrow them. */
static void sa_enrich(struct xfrm_nl_sa *dst, const struct xfrm_nl_sa *known, bool whole)
{
	struct xfrm_nl_sa keep = *dst;

	if (whole) {
		*dst = *known;
		return;
	}
	if (!dst->aead[0] && !dst->enc[0] && !dst->auth[0]) {
		memcpy(dst->aead, known->aead, sizeof(dst->aead));
		memcpy(dst->enc, known->enc, sizeof(dst->enc));
		memcpy(dst->auth, known->auth, sizeof(dst->auth));
		memcpy(dst->comp, known->comp, sizeof(dst->comp));
		dst->aead_icv_bits = known->aead_icv_bits;
		dst->auth_trunc_bits = known->auth_trunc_bits;
	}
	if (!keep.has_encap && known->has_encap) {
		dst->has_encap = true;
		dst->encap = known->encap;
	}
	if (!keep.dir)
		dst->dir = known->dir;
}

/* A rekeyed SA: same peers, protocol and reqid, another SPI. */
static bool sa_has_successor(const struct xfrm_nl *x, const struct xfrm_nl_sa *sa)
{
	const struct sa_node *n;
	size_t len = addr_len(sa->family);
	unsigned int i;

	for (i = 0; i < SA_BUCKETS; i++) {
		for (n = x->sa_hash[i]; n; n = n->next) {
			if (n->sa.spi && n->sa.spi != sa->spi && n->sa.proto == sa->proto &&
			    n->sa.reqid == sa->reqid && n->sa.family == sa->family &&
			    !memcmp(&n->sa.daddr, &sa->daddr, len) &&
			    !memcmp(&n->sa.saddr, &sa->saddr, len))
				return true;
		}
	}
	return false;
}

static void sa_flush(struct xfrm_nl *x, __u8 proto)
{
	struct sa_node **pp;
	unsigned int i;
	__u8 p;

	for (i = 0; i < SA_BUCKETS; i++) {
		pp = &x->sa_hash[i];
		while (*pp) {
			p = (*pp)->sa.proto;
			/* xfrm_id_proto_match(): 0 = all, 255 = any IPsec */
			if (!proto || p == proto ||
			    (proto == 255 && (p == IPPROTO_ESP || p == IPPROTO_AH ||
					      p == IPPROTO_COMP)))
				sa_remove(x, pp);
			else
				pp = &(*pp)->next;
		}
	}
}

static ssize_t pol_find(const struct xfrm_nl *x, const struct xfrm_nl_policy *p)
{
	size_t i;

	for (i = 0; i < x->npol; i++) {
		const struct xfrm_nl_policy *q = &x->pols[i];

		if (p->index ? q->index == p->index :
			       q->dir == p->dir && !memcmp(&q->sel, &p->sel, sizeof(p->sel)))
			return i;
	}
	return -1;
}

static void pol_upsert(struct xfrm_nl *x, const struct xfrm_nl_policy *p)
{
	ssize_t i = pol_find(x, p);
	struct xfrm_nl_policy *np;

	if (i >= 0) {
		x->pols[i] = *p;
		return;
	}
	if (x->npol == x->cappol) {
		np = realloc(x->pols, (x->cappol ? x->cappol * 2 : 16) * sizeof(*np));
		if (!np) {
			pr_warn("xfrm: out of memory for the policy table");
			return;
		}
		x->pols = np;
		x->cappol = x->cappol ? x->cappol * 2 : 16;
	}
	x->pols[x->npol++] = *p;
}

static void pol_remove_at(struct xfrm_nl *x, size_t i)
{
	memmove(&x->pols[i], &x->pols[i + 1], (x->npol - i - 1) * sizeof(x->pols[0]));
	x->npol--;
}

static void pol_remove(struct xfrm_nl *x, const struct xfrm_nl_policy *p)
{
	ssize_t i = pol_find(x, p);

	if (i >= 0)
		pol_remove_at(x, i);
}

static void pol_flush(struct xfrm_nl *x, __u8 type)
{
	size_t i = 0;

	while (i < x->npol) {
		if (x->pols[i].type == type)
			pol_remove_at(x, i);
		else
			i++;
	}
}

static void table_clear(struct xfrm_nl *x)
{
	sa_flush(x, 0);
	x->npol = 0;
}

/* Keeps the table what the kernel has after ev; fills ev in from it. */
static void table_apply(struct xfrm_nl *x, struct xfrm_nl_event *ev)
{
	struct sa_node **pp;

	switch (ev->type) {
	case XFRM_NL_EV_NEW_SA:
	case XFRM_NL_EV_UPD_SA:
		sa_upsert(x, &ev->sa);
		break;
	case XFRM_NL_EV_DEL_SA:
	case XFRM_NL_EV_EXPIRE:
	case XFRM_NL_EV_MAPPING:
		pp = sa_find(x, &ev->sa);
		if (*pp) {
			sa_enrich(&ev->sa, &(*pp)->sa, ev->type == XFRM_NL_EV_MAPPING);
			ev->sa_id_only = false;
			if (ev->type == XFRM_NL_EV_DEL_SA ||
			    (ev->type == XFRM_NL_EV_EXPIRE && ev->hard))
				sa_remove(x, pp);
			else if (ev->type == XFRM_NL_EV_EXPIRE)
				(*pp)->sa = ev->sa;
		}
		if (ev->type != XFRM_NL_EV_MAPPING && ev->sa.spi)
			ev->sa_replaced = sa_has_successor(x, &ev->sa);
		break;
	case XFRM_NL_EV_FLUSH_SA:
		sa_flush(x, ev->proto);
		break;
	case XFRM_NL_EV_NEW_POLICY:
	case XFRM_NL_EV_UPD_POLICY:
		pol_upsert(x, &ev->policy);
		break;
	case XFRM_NL_EV_DEL_POLICY:
		pol_remove(x, &ev->policy);
		break;
	case XFRM_NL_EV_POLICY_EXPIRE:
		if (ev->hard)
			pol_remove(x, &ev->policy);
		break;
	case XFRM_NL_EV_FLUSH_POLICY:
		pol_flush(x, ev->policy.type);
		break;
	default:
		break;
	}
}

const struct xfrm_nl_sa *xfrm_nl__sa_by_spi(const struct xfrm_nl *x, __be32 spi, __u8 proto,
					    const __u8 *daddr)
{
	const struct sa_node *n;

	if (!x)
		return NULL;
	for (n = x->sa_hash[spi_hash(spi)]; n; n = n->next) {
		if (n->sa.spi != spi || (proto && n->sa.proto != proto))
			continue;
		if (daddr && memcmp(&n->sa.daddr, daddr, addr_len(n->sa.family)))
			continue;
		return &n->sa;
	}
	return NULL;
}

const struct xfrm_nl_policy *xfrm_nl__policy_by_index(const struct xfrm_nl *x, __u32 index)
{
	size_t i;

	for (i = 0; x && i < x->npol; i++)
		if (x->pols[i].index == index)
			return &x->pols[i];
	return NULL;
}

size_t xfrm_nl__sa_count(const struct xfrm_nl *x)
{
	return x ? x->nsa : 0;
}

size_t xfrm_nl__policy_count(const struct xfrm_nl *x)
{
	return x ? x->npol : 0;
}

int xfrm_nl__foreach_sa(const struct xfrm_nl *x, int (*fn)(const struct xfrm_nl_sa *, void *),
			void *ctx)
{
	const struct sa_node *n;
	unsigned int i;
	int ret;

	for (i = 0; x && i < SA_BUCKETS; i++)
		for (n = x->sa_hash[i]; n; n = n->next)
			if ((ret = fn(&n->sa, ctx)))
				return ret;
	return 0;
}

int xfrm_nl__foreach_policy(const struct xfrm_nl *x,
			    int (*fn)(const struct xfrm_nl_policy *, void *), void *ctx)
{
	size_t i;
	int ret;

	for (i = 0; x && i < x->npol; i++)
		if ((ret = fn(&x->pols[i], ctx)))
			return ret;
	return 0;
}

int xfrm_nl__feed(struct xfrm_nl *x, const void *buf, size_t len, __u64 ts_ns, __u64 wall_s,
		  xfrm_nl_cb cb, void *ctx)
{
	const struct nlmsghdr *nlh = buf;
	struct xfrm_nl_event ev;
	int left = len, n = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (xfrm_nl__parse(nlh, &ev))
			continue;
		ev.ts_ns = ts_ns;
		ev.wall_s = wall_s;
		table_apply(x, &ev);
		if (cb)
			cb(&ev, ctx);
		n++;
	}
	return n;
}

/* ---- sockets ----------------------------------------------------------- */

static struct xfrm_nl *nl_alloc(void)
{
	struct xfrm_nl *x = calloc(1, sizeof(*x));

	if (x && !(x->buf = malloc(BUF_SIZE))) {
		free(x);
		x = NULL;
	}
	if (!x)
		errno = ENOMEM;
	return x;
}

struct xfrm_nl *xfrm_nl__new_detached(void)
{
	return nl_alloc();
}

void xfrm_nl__close(struct xfrm_nl *x)
{
	if (!x)
		return;
	if (x->dump_nl)
		mnl_socket_close(x->dump_nl);
	if (x->ev_nl)
		mnl_socket_close(x->ev_nl);
	table_clear(x);
	free(x->pols);
	free(x->buf);
	free(x);
}

static int sockets_open(struct xfrm_nl *x)
{
	static const int groups[] = { XFRMNLGRP_ACQUIRE, XFRMNLGRP_EXPIRE, XFRMNLGRP_SA,
				      XFRMNLGRP_POLICY, XFRMNLGRP_REPORT, XFRMNLGRP_MAPPING };
	struct timeval tv = { .tv_sec = 2 };
	int rcvbuf = EV_RCVBUF, fd;
	size_t i;

	x->dump_nl = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC);
	x->ev_nl = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!x->dump_nl || !x->ev_nl || mnl_socket_bind(x->dump_nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_bind(x->ev_nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	x->dump_portid = mnl_socket_get_portid(x->dump_nl);
	/* A dump is answered at once; never let it hang the tool. */
	setsockopt(mnl_socket_get_fd(x->dump_nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		int g = groups[i];

		if (mnl_socket_setsockopt(x->ev_nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
			return -errno;
	}
	/* Bursts (a flush of thousands of SAs) should not overrun us. */
	fd = mnl_socket_get_fd(x->ev_nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return 0;
}

struct ns_open {
	struct xfrm_nl *x;
	int netns_fd;
	int err;
};

/*
 * A socket belongs to the netns it was created in. Creating them in a
 * short-lived thread that setns()es means no thread of ours is ever left
 * in the other namespace if returning failed.
 */
static void *ns_open_thread(void *arg)
{
	struct ns_open *o = arg;

	if (setns(o->netns_fd, CLONE_NEWNET))
		o->err = -errno;
	else
		o->err = sockets_open(o->x);
	return NULL;
}

struct xfrm_nl *xfrm_nl__open(int netns_fd)
{
	struct ns_open o = { .netns_fd = netns_fd };
	pthread_t t;
	int err;

	o.x = nl_alloc();
	if (!o.x)
		return NULL;
	if (netns_fd < 0) {
		o.err = sockets_open(o.x);
	} else if ((err = pthread_create(&t, NULL, ns_open_thread, &o))) {
		o.err = -err;
	} else {
		pthread_join(t, NULL);
	}
	if (o.err) {
		pr_debug("xfrm: netlink sockets: %s", strerror(-o.err));
		xfrm_nl__close(o.x);
		errno = -o.err;
		return NULL;
	}
	return o.x;
}

int xfrm_nl__fd(const struct xfrm_nl *x)
{
	return x && x->ev_nl ? mnl_socket_get_fd(x->ev_nl) : -1;
}

__u64 xfrm_nl__lost(const struct xfrm_nl *x)
{
	return x ? x->lost : 0;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct xfrm_nl_event ev;

	if (!xfrm_nl__parse(nlh, &ev))
		table_apply(data, &ev);
	return MNL_CB_OK;
}

static int dump_one(struct xfrm_nl *x, __u16 type, char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned int seq = ++x->seq;
	ssize_t n;
	int ret;

	/* No payload: xfrm_dump_sa() reads attributes right after the header. */
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(x->dump_nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(x->dump_nl, buf, BUF_SIZE);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, n, seq, x->dump_portid, dump_cb, x);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

int xfrm_nl__dump(struct xfrm_nl *x)
{
	char *buf;
	int err;

	if (!x || !x->dump_nl)
		return -ENOTCONN;
	buf = malloc(BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	table_clear(x);
	err = dump_one(x, XFRM_MSG_GETSA, buf);
	if (!err)
		err = dump_one(x, XFRM_MSG_GETPOLICY, buf);
	free(buf);
	return err;
}

int xfrm_nl__process(struct xfrm_nl *x, xfrm_nl_cb cb, void *ctx)
{
	struct xfrm_nl_event ev;
	bool resync = false;
	int i, err, cnt = 0;
	ssize_t n;

	if (!x || !x->ev_nl)
		return -ENOTCONN;
	for (i = 0; i < MAX_READS; i++) {
		n = mnl_socket_recvfrom(x->ev_nl, x->buf, BUF_SIZE);
		if (n >= 0) {
			cnt += xfrm_nl__feed(x, x->buf, n, clock_ns(CLOCK_MONOTONIC),
					     clock_ns(CLOCK_REALTIME) / 1000000000ULL, cb, ctx);
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		if (errno == EINTR)
			continue;
		/* ENOBUFS: the kernel dropped notifications; ENOSPC: truncated. */
		if (errno != ENOBUFS && errno != ENOSPC)
			return -errno;
		x->lost++;
		resync = true;
		memset(&ev, 0, sizeof(ev));
		ev.type = XFRM_NL_EV_OVERRUN;
		ev.ts_ns = clock_ns(CLOCK_MONOTONIC);
		ev.lost = x->lost;
		if (cb)
			cb(&ev, ctx);
		cnt++;
	}
	if (resync && (err = xfrm_nl__dump(x)))
		pr_warn("xfrm: re-dump after netlink overrun failed: %s", strerror(-err));
	return cnt;
}

/* ---- rendering --------------------------------------------------------- */

static const char *const event_names[] = {
	[XFRM_NL_EV_NONE] = "none",
	[XFRM_NL_EV_EXPIRE] = "expire",
	[XFRM_NL_EV_ACQUIRE] = "acquire",
	[XFRM_NL_EV_NEW_SA] = "new_sa",
	[XFRM_NL_EV_DEL_SA] = "del_sa",
	[XFRM_NL_EV_UPD_SA] = "upd_sa",
	[XFRM_NL_EV_NEW_POLICY] = "new_policy",
	[XFRM_NL_EV_DEL_POLICY] = "del_policy",
	[XFRM_NL_EV_UPD_POLICY] = "upd_policy",
	[XFRM_NL_EV_POLICY_EXPIRE] = "policy_expire",
	[XFRM_NL_EV_FLUSH_SA] = "flush_sa",
	[XFRM_NL_EV_FLUSH_POLICY] = "flush_policy",
	[XFRM_NL_EV_MAPPING] = "mapping",
	[XFRM_NL_EV_REPORT] = "report",
	[XFRM_NL_EV_OVERRUN] = "overrun",
};

const char *xfrm_nl__event_name(enum xfrm_nl_event_type t)
{
	if ((unsigned int)t < sizeof(event_names) / sizeof(event_names[0]))
		return event_names[t];
	return "unknown";
}

#define ADDR_STR 48		/* INET6_ADDRSTRLEN + "/128" */

static const char *addr_str(__u16 family, const xfrm_address_t *a, char *buf)
{
	if (!addr_len(family) || !inet_ntop(family, a, buf, INET6_ADDRSTRLEN))
		strcpy(buf, "?");
	return buf;
}

static const char *prefix_str(__u16 family, const xfrm_address_t *a, __u8 plen, char *buf)
{
	if (!addr_len(family))
		return strcpy(buf, "any");
	addr_str(family, a, buf);
	sprintf(buf + strlen(buf), "/%u", plen);
	return buf;
}

/* 0 and 255 both mean "any" where they are wildcards (selectors, flush). */
static const char *proto_str(__u8 proto, char *buf)
{
	switch (proto) {
	case 0:
	case 255:
		return "any";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_IPIP:
		return "ipip";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_IPV6:
		return "ipv6";
	case IPPROTO_GRE:
		return "gre";
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_ICMPV6:
		return "ipv6-icmp";
	case IPPROTO_COMP:
		return "comp";
	case IPPROTO_SCTP:
		return "sctp";
	}
	sprintf(buf, "%u", proto);
	return buf;
}

static const char *mode_str(__u8 mode)
{
	static const char *const names[] = { "transport", "tunnel", "ro", "in_trigger", "beet",
					     "iptfs" };

	return mode < sizeof(names) / sizeof(names[0]) ? names[mode] : "unknown";
}

static const char *dir_str(__u8 dir)
{
	static const char *const names[] = { "in", "out", "fwd" };

	return dir < 3 ? names[dir] : "socket";
}

static const char *spi_str(__be32 spi, char *buf)
{
	sprintf(buf, "0x%08x", ntohl(spi));
	return buf;
}

static __u64 sa_age(const struct xfrm_nl_sa *sa, __u64 now_s, bool *known)
{
	*known = sa->cur.add_time && now_s >= sa->cur.add_time;
	return *known ? now_s - sa->cur.add_time : 0;
}

/* Short-lived SAs make tunnels flap: a lifetime typo, or peers disagreeing. */
static bool sa_short_lived(const struct xfrm_nl_sa *sa, __u64 now_s, bool expired)
{
	__u64 hard = sa->lft.hard_add_expires_seconds, age;
	bool known;

	/* Larval SAs (spi 0) live net.core.xfrm_acq_expires (30 s) by design. */
	if (!sa->spi)
		return false;
	if (hard && hard < XFRM_NL_SHORT_LIFETIME_S)
		return true;
	age = sa_age(sa, now_s, &known);
	return expired && known && age < XFRM_NL_SHORT_LIFETIME_S;
}

static const char *const FLAP_HINT = "SA lifetime far shorter than the peer's? tunnel will flap";

static const char *event_hint(const struct xfrm_nl_event *ev)
{
	switch (ev->type) {
	case XFRM_NL_EV_EXPIRE:
		if (!ev->sa.spi)
			return "ACQUIRE timed out: IKE negotiated no SA "
			       "(peer unreachable? proposal mismatch?)";
		if (sa_short_lived(&ev->sa, ev->wall_s, true))
			return FLAP_HINT;
		if (ev->sa_replaced)
			return "expired after a rekey: a newer SA carries this traffic";
		if (!ev->hard)
			return "soft limit: IKE should rekey now";
		return "SA gone: its packets drop (XfrmIn/OutNoStates) until IKE installs another";
	case XFRM_NL_EV_NEW_SA:
	case XFRM_NL_EV_UPD_SA:
		return sa_short_lived(&ev->sa, ev->wall_s, false) ? FLAP_HINT : NULL;
	case XFRM_NL_EV_ACQUIRE:
		return "IKE has no SA for this flow: its packets drop until one is negotiated";
	case XFRM_NL_EV_MAPPING:
		return "NAT-T mapping changed: the peer's NAT rebound its port, "
		       "IKE must update the SA";
	case XFRM_NL_EV_OVERRUN:
		return "netlink receive buffer overrun: xfrm events lost, table dumped again";
	default:
		return NULL;
	}
}

static void sel_json(struct jw *w, const struct xfrm_selector *s)
{
	char a[ADDR_STR], p[8];

	jw_string_field(w, "src", prefix_str(s->family, &s->saddr, s->prefixlen_s, a));
	jw_string_field(w, "dst", prefix_str(s->family, &s->daddr, s->prefixlen_d, a));
	jw_string_field(w, "proto", proto_str(s->proto, p));
	/* ICMP: sport holds the type, dport the code. */
	if (s->sport_mask)
		jw_u64_field(w, "sport", ntohs(s->sport));
	if (s->dport_mask)
		jw_u64_field(w, "dport", ntohs(s->dport));
}

static bool sel_is_wild(const struct xfrm_selector *s)
{
	return !s->prefixlen_s && !s->prefixlen_d && !s->proto && !s->sport_mask &&
	       !s->dport_mask && !s->ifindex;
}

static void limit_field(struct jw *w, const char *name, __u64 v)
{
	if (v == XFRM_INF)
		jw_null_field(w, name);
	else
		jw_u64_field(w, name, v);
}

static void lifetime_json(struct jw *w, const struct xfrm_nl_sa *sa, __u64 now_s)
{
	const struct xfrm_lifetime_cfg *l = &sa->lft;
	bool known;
	__u64 age = sa_age(sa, now_s, &known);

	jw_name(w, "lifetime");
	jw_start_object(w);
	jw_u64_field(w, "soft_add_s", l->soft_add_expires_seconds);
	jw_u64_field(w, "hard_add_s", l->hard_add_expires_seconds);
	if (l->soft_use_expires_seconds || l->hard_use_expires_seconds) {
		jw_u64_field(w, "soft_use_s", l->soft_use_expires_seconds);
		jw_u64_field(w, "hard_use_s", l->hard_use_expires_seconds);
	}
	limit_field(w, "soft_bytes", l->soft_byte_limit);
	limit_field(w, "hard_bytes", l->hard_byte_limit);
	limit_field(w, "soft_packets", l->soft_packet_limit);
	limit_field(w, "hard_packets", l->hard_packet_limit);
	jw_end_object(w);
	jw_name(w, "current");
	jw_start_object(w);
	jw_u64_field(w, "bytes", sa->cur.bytes);
	jw_u64_field(w, "packets", sa->cur.packets);
	jw_u64_field(w, "add_time", sa->cur.add_time);
	if (known)
		jw_u64_field(w, "age_s", age);
	if (sa->cur.use_time)
		jw_u64_field(w, "use_time", sa->cur.use_time);
	jw_end_object(w);
}

/* UDP_ENCAP_ESPINUDP_NON_IKE 1, UDP_ENCAP_ESPINUDP 2, TCP_ENCAP_ESPINTCP 7 */
static const char *encap_str(__u16 type)
{
	switch (type) {
	case 1:
		return "espinudp-nonike";
	case 2:
		return "espinudp";
	case 7:
		return "espintcp";
	default:
		return "other";
	}
}

static void sa_extra_json(struct jw *w, const struct xfrm_nl_sa *sa)
{
	char a[ADDR_STR];

	jw_u64_field(w, "replay_window", sa->replay_window);
	if (sa->esn)
		jw_bool_field(w, "esn", true);
	if (sa->has_encap) {
		jw_name(w, "encap");
		jw_start_object(w);
		jw_string_field(w, "type", encap_str(sa->encap.encap_type));
		jw_u64_field(w, "sport", ntohs(sa->encap.encap_sport));
		jw_u64_field(w, "dport", ntohs(sa->encap.encap_dport));
		jw_end_object(w);
	}
	if (!sel_is_wild(&sa->sel)) {
		jw_name(w, "sel");
		jw_start_object(w);
		sel_json(w, &sa->sel);
		jw_end_object(w);
	}
	if (sa->dir)
		jw_string_field(w, "dir", sa->dir == 1 ? "in" : sa->dir == 2 ? "out" : "?");
	if (sa->if_id)
		jw_u64_field(w, "if_id", sa->if_id);
	if (sa->mark.m) {
		sprintf(a, "0x%x/0x%x", sa->mark.v, sa->mark.m);
		jw_string_field(w, "mark", a);
	}
}

/* full = false: only what identifies the SA (ACQUIRE: no SA, no SPI yet). */
static void sa_json_at(struct jw *w, const struct xfrm_nl_sa *sa, __u64 now_s, bool full)
{
	char a[ADDR_STR], p[8];

	jw_start_object(w);
	if (full || sa->spi)
		jw_string_field(w, "spi", spi_str(sa->spi, a));
	jw_string_field(w, "proto", proto_str(sa->proto, p));
	jw_string_field(w, "mode", mode_str(sa->mode));
	jw_u64_field(w, "reqid", sa->reqid);
	jw_string_field(w, "src", addr_str(sa->family, &sa->saddr, a));
	jw_string_field(w, "dst", addr_str(sa->family, &sa->daddr, a));
	if (full) {
		if (sa->aead[0])
			jw_string_field(w, "aead", sa->aead);
		if (sa->enc[0])
			jw_string_field(w, "enc", sa->enc);
		if (sa->auth[0])
			jw_string_field(w, "auth", sa->auth);
		if (sa->comp[0])
			jw_string_field(w, "comp", sa->comp);
		lifetime_json(w, sa, now_s);
		sa_extra_json(w, sa);
	}
	jw_end_object(w);
}

void xfrm_nl__sa_json(struct jw *w, const struct xfrm_nl_sa *sa)
{
	sa_json_at(w, sa, time(NULL), true);
}

static void tmpl_json(struct jw *w, const struct xfrm_user_tmpl *t)
{
	char a[ADDR_STR], p[8];

	jw_start_object(w);
	jw_string_field(w, "proto", proto_str(t->id.proto, p));
	jw_string_field(w, "mode", mode_str(t->mode));
	jw_u64_field(w, "reqid", t->reqid);
	jw_string_field(w, "src", addr_str(t->family, &t->saddr, a));
	jw_string_field(w, "dst", addr_str(t->family, &t->id.daddr, a));
	if (t->id.spi)
		jw_string_field(w, "spi", spi_str(t->id.spi, a));
	if (t->optional)
		jw_bool_field(w, "optional", true);
	jw_end_object(w);
}

void xfrm_nl__policy_json(struct jw *w, const struct xfrm_nl_policy *p)
{
	unsigned int i;

	jw_start_object(w);
	jw_string_field(w, "dir", dir_str(p->dir));
	jw_string_field(w, "action", p->action == XFRM_POLICY_BLOCK ? "block" : "allow");
	sel_json(w, &p->sel);
	jw_u64_field(w, "priority", p->priority);
	jw_u64_field(w, "index", p->index);
	if (p->type == XFRM_POLICY_TYPE_SUB)
		jw_string_field(w, "type", "sub");
	if (p->if_id)
		jw_u64_field(w, "if_id", p->if_id);
	if (p->ntmpl) {
		jw_name(w, "tmpl");
		jw_start_array(w);
		for (i = 0; i < p->ntmpl; i++)
			tmpl_json(w, &p->tmpl[i]);
		jw_end_array(w);
	}
	jw_end_object(w);
}

static void mapping_json(struct jw *w, const struct xfrm_nl_event *ev)
{
	char a[ADDR_STR];

	jw_name(w, "mapping");
	jw_start_object(w);
	jw_string_field(w, "old_src", addr_str(ev->sa.family, &ev->mapping.old_saddr, a));
	jw_u64_field(w, "old_sport", ntohs(ev->mapping.old_sport));
	jw_string_field(w, "new_src", addr_str(ev->sa.family, &ev->mapping.new_saddr, a));
	jw_u64_field(w, "new_sport", ntohs(ev->mapping.new_sport));
	jw_end_object(w);
}

void xfrm_nl__event_json(struct jw *w, const struct xfrm_nl_event *ev)
{
	const char *hint = event_hint(ev);
	char p[8];

	jw_start_object(w);
	jw_string_field(w, "type", "xfrm_event");
	jw_u64_field(w, "t_ns", ev->ts_ns);
	jw_string_field(w, "event", xfrm_nl__event_name(ev->type));
	if (ev->type == XFRM_NL_EV_EXPIRE || ev->type == XFRM_NL_EV_POLICY_EXPIRE)
		jw_bool_field(w, "hard", ev->hard);
	if (ev->type == XFRM_NL_EV_FLUSH_SA || ev->type == XFRM_NL_EV_REPORT)
		jw_string_field(w, "proto", proto_str(ev->proto, p));
	if (ev->has_flow) {
		jw_name(w, "flow");
		jw_start_object(w);
		sel_json(w, &ev->flow);
		jw_end_object(w);
	}
	if (ev->has_sa) {
		jw_name(w, "sa");
		sa_json_at(w, &ev->sa, ev->wall_s, !ev->sa_id_only);
	}
	if (ev->sa_replaced)
		jw_bool_field(w, "replaced", true);
	if (ev->type == XFRM_NL_EV_MAPPING)
		mapping_json(w, ev);
	if (ev->has_policy) {
		jw_name(w, "policy");
		xfrm_nl__policy_json(w, &ev->policy);
	}
	if (ev->type == XFRM_NL_EV_OVERRUN)
		jw_u64_field(w, "lost", ev->lost);
	if (hint)
		jw_string_field(w, "hint", hint);
	jw_end_object(w);
}

/* ---- text -------------------------------------------------------------- */

const char *xfrm_nl__sa_summary(const struct xfrm_nl_sa *sa, char *buf, size_t len)
{
	char s[ADDR_STR], d[ADDR_STR], spi[16], p[8];

	snprintf(buf, len, "spi %s %s %s %s -> %s", spi_str(sa->spi, spi),
		 proto_str(sa->proto, p), mode_str(sa->mode), addr_str(sa->family, &sa->saddr, s),
		 addr_str(sa->family, &sa->daddr, d));
	return buf;
}

static void sel_text(FILE *f, const struct xfrm_selector *s)
{
	char a[ADDR_STR], b[ADDR_STR], p[8];

	fprintf(f, "%s -> %s %s", prefix_str(s->family, &s->saddr, s->prefixlen_s, a),
		prefix_str(s->family, &s->daddr, s->prefixlen_d, b), proto_str(s->proto, p));
	if (s->sport_mask)
		fprintf(f, " sport %u", ntohs(s->sport));
	if (s->dport_mask)
		fprintf(f, " dport %u", ntohs(s->dport));
}

static void tmpl_text(FILE *f, const struct xfrm_user_tmpl *t)
{
	char a[ADDR_STR], b[ADDR_STR], p[8];

	fprintf(f, " tmpl %s %s %s -> %s reqid %u", proto_str(t->id.proto, p), mode_str(t->mode),
		addr_str(t->family, &t->saddr, a), addr_str(t->family, &t->id.daddr, b), t->reqid);
}

static void policy_text(FILE *f, const struct xfrm_nl_policy *p)
{
	unsigned int i;

	fprintf(f, "%s ", dir_str(p->dir));
	sel_text(f, &p->sel);
	fprintf(f, " %s  prio %u index %u", p->action == XFRM_POLICY_BLOCK ? "block" : "allow",
		p->priority, p->index);
	for (i = 0; i < p->ntmpl; i++)
		tmpl_text(f, &p->tmpl[i]);
}

/* Which limit an expiry hit: "hard add limit 5 s". */
static void expire_reason(FILE *f, const struct xfrm_nl_event *ev)
{
	const struct xfrm_nl_sa *sa = &ev->sa;
	const char *kind = ev->hard ? "hard" : "soft";
	__u64 bytes = ev->hard ? sa->lft.hard_byte_limit : sa->lft.soft_byte_limit;
	__u64 pkts = ev->hard ? sa->lft.hard_packet_limit : sa->lft.soft_packet_limit;
	__u64 add = ev->hard ? sa->lft.hard_add_expires_seconds : sa->lft.soft_add_expires_seconds;
	__u64 use = ev->hard ? sa->lft.hard_use_expires_seconds : sa->lft.soft_use_expires_seconds;

	if (bytes != XFRM_INF && sa->cur.bytes >= bytes)
		fprintf(f, " (%s byte limit %llu)", kind, (unsigned long long)bytes);
	else if (pkts != XFRM_INF && sa->cur.packets >= pkts)
		fprintf(f, " (%s packet limit %llu)", kind, (unsigned long long)pkts);
	else if (add)
		fprintf(f, " (%s add limit %llu s)", kind, (unsigned long long)add);
	else if (use)
		fprintf(f, " (%s use limit %llu s)", kind, (unsigned long long)use);
}

static void sa_event_text(FILE *f, const struct xfrm_nl_event *ev)
{
	const struct xfrm_nl_sa *sa = &ev->sa;
	char buf[160];
	bool known;
	__u64 age = sa_age(sa, ev->wall_s, &known);

	fprintf(f, " %s", xfrm_nl__sa_summary(sa, buf, sizeof(buf)));
	if (ev->type == XFRM_NL_EV_EXPIRE || ev->type == XFRM_NL_EV_DEL_SA) {
		if (known)
			fprintf(f, "  after %llu s", (unsigned long long)age);
		if (ev->type == XFRM_NL_EV_EXPIRE)
			expire_reason(f, ev);
		else
			fprintf(f, ", %llu bytes %llu packets", (unsigned long long)sa->cur.bytes,
				(unsigned long long)sa->cur.packets);
		return;
	}
	fprintf(f, "  reqid %u", sa->reqid);
	if (sa->aead[0])
		fprintf(f, " aead %s", sa->aead);
	if (sa->enc[0])
		fprintf(f, " enc %s", sa->enc);
	if (sa->auth[0])
		fprintf(f, " auth %s", sa->auth);
	if (sa->lft.hard_add_expires_seconds)
		fprintf(f, " hard add limit %llu s",
			(unsigned long long)sa->lft.hard_add_expires_seconds);
}

static void other_event_text(FILE *f, const struct xfrm_nl_event *ev)
{
	char a[ADDR_STR], b[ADDR_STR], p[8], buf[160];

	switch (ev->type) {
	case XFRM_NL_EV_ACQUIRE:
		fputc(' ', f);
		sel_text(f, &ev->flow);
		fprintf(f, "  wants %s %s %s -> %s reqid %u  policy ", proto_str(ev->sa.proto, p),
			mode_str(ev->sa.mode), addr_str(ev->sa.family, &ev->sa.saddr, a),
			addr_str(ev->sa.family, &ev->sa.daddr, b), ev->sa.reqid);
		policy_text(f, &ev->policy);
		break;
	case XFRM_NL_EV_MAPPING:
		fprintf(f, " %s  peer %s:%u -> %s:%u",
			xfrm_nl__sa_summary(&ev->sa, buf, sizeof(buf)),
			addr_str(ev->sa.family, &ev->mapping.old_saddr, a),
			ntohs(ev->mapping.old_sport),
			addr_str(ev->sa.family, &ev->mapping.new_saddr, b),
			ntohs(ev->mapping.new_sport));
		break;
	case XFRM_NL_EV_REPORT:
		fprintf(f, " %s ", proto_str(ev->proto, p));
		sel_text(f, &ev->flow);
		break;
	case XFRM_NL_EV_FLUSH_SA:
		fprintf(f, " %s", proto_str(ev->proto, p));
		break;
	case XFRM_NL_EV_OVERRUN:
		fprintf(f, " %llu so far", (unsigned long long)ev->lost);
		break;
	default:
		if (ev->has_policy) {
			fputc(' ', f);
			policy_text(f, &ev->policy);
		}
	}
}

void xfrm_nl__event_text(FILE *f, const struct xfrm_nl_event *ev)
{
	const char *name = xfrm_nl__event_name(ev->type), *hint = event_hint(ev);

	fputs("xfrm  ", f);
	for (; *name; name++)
		fputc(toupper((unsigned char)*name), f);
	if (ev->type == XFRM_NL_EV_EXPIRE || ev->type == XFRM_NL_EV_POLICY_EXPIRE)
		fputs(ev->hard ? " (hard)" : " (soft)", f);
	if (ev->has_sa && ev->type != XFRM_NL_EV_ACQUIRE && ev->type != XFRM_NL_EV_MAPPING)
		sa_event_text(f, ev);
	else
		other_event_text(f, ev);
	if (hint)
		fprintf(f, "  <- %s", hint);
	fputc('\n', f);
}

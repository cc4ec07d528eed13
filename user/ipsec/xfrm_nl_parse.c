// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * NETLINK_XFRM message decoding: one message -> one struct xfrm_nl_event,
 * no table, no socket.
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
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include "xfrm_nl.h"

#define XA_SA_DIR	33	/* XFRMA_SA_DIR, 6.10+; not in 6.1's uapi header */
#define XA_MAX		40	/* highest attribute we keep a slot for */

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

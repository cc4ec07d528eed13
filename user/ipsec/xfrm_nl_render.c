// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xfrm events, SAs and policies as JSON (one object per event line) and
 * as text (one line per event), with a hint saying what the event means
 * for the packets of a gateway. Keys are never printed: the decoder does
 * not even keep them.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include "diagnose.h"
#include "json_writer.h"
#include "packet.h"
#include "xfrm_nl_priv.h"

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
	if (!xfrm_nl__addr_len(family) || !inet_ntop(family, a, buf, INET6_ADDRSTRLEN))
		strcpy(buf, "?");
	return buf;
}

static const char *prefix_str(__u16 family, const xfrm_address_t *a, __u8 plen, char *buf)
{
	if (!xfrm_nl__addr_len(family))
		return strcpy(buf, "any");
	addr_str(family, a, buf);
	sprintf(buf + strlen(buf), "/%u", plen);
	return buf;
}

/* 0 and 255 both mean "any" where they are wildcards (selectors, flush). */
static const char *proto_str(__u8 proto, char *buf)
{
	if (proto == 0 || proto == 255)
		return "any";
	return gw_proto_name(proto, buf, 8);	/* callers' buffers: 8 bytes */
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
	if (ev->netns)
		jw_u64_field(w, "netns", ev->netns);
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
	if (ev->netns)
		fprintf(f, " [netns %u]", ev->netns);
	if (ev->has_sa && ev->type != XFRM_NL_EV_ACQUIRE && ev->type != XFRM_NL_EV_MAPPING)
		sa_event_text(f, ev);
	else
		other_event_text(f, ev);
	if (hint)
		fprintf(f, "  <- %s", hint);
	fputc('\n', f);
}

bool xfrm_nl__expired_early(const struct xfrm_nl_event *ev, char *evidence, size_t len)
{
	bool known;
	__u64 age;

	if (ev->type != XFRM_NL_EV_EXPIRE || !ev->sa.spi || !sa_short_lived(&ev->sa, ev->wall_s, true))
		return false;
	age = sa_age(&ev->sa, ev->wall_s, &known);
	if (known)
		snprintf(evidence, len, "SA 0x%x (reqid %u) expired (%s) %llu s after it was added",
			 ntohl(ev->sa.spi), ev->sa.reqid, ev->hard ? "hard" : "soft",
			 (unsigned long long)age);
	else
		snprintf(evidence, len, "SA 0x%x (reqid %u) expired (%s), hard lifetime %llu s",
			 ntohl(ev->sa.spi), ev->sa.reqid, ev->hard ? "hard" : "soft",
			 (unsigned long long)ev->sa.lft.hard_add_expires_seconds);
	return true;
}

void xfrm_nl__lifetime_json(struct jw *w, const struct xfrm_nl_event *ev, const char *evidence)
{
	const struct gw_cause_def *c = &gw_causes[GW_CAUSE_LIFETIME_MISMATCH];

	jw_start_object(w);
	jw_enum_field(w, "type", "diagnosis");
	jw_enum_field(w, "cause", c->id);
	jw_string_field(w, "text", c->text);
	jw_string_field(w, "advice", c->advice);
	jw_name(w, "evidence");
	jw_start_array(w);
	jw_string(w, evidence);
	jw_end_array(w);
	jw_u64_field(w, "t_ns", ev->ts_ns);
	jw_name(w, "sa");
	xfrm_nl__sa_json(w, &ev->sa);
	jw_name(w, "at");
	jw_start_object(w);
	jw_u64_field(w, "netns", ev->netns);
	jw_null_field(w, "dev");
	jw_null_field(w, "hook");
	jw_end_object(w);
	jw_end_object(w);
}

void xfrm_nl__lifetime_text(FILE *f, const struct xfrm_nl_event *ev, const char *evidence)
{
	const struct gw_cause_def *c = &gw_causes[GW_CAUSE_LIFETIME_MISMATCH];

	fprintf(f, "CAUSE %s: %s", c->id, c->text);
	if (ev->netns)
		fprintf(f, " (netns %u)", ev->netns);
	fprintf(f, "\n        %s\n        advice: %s\n", evidence, c->advice);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JSON lines rendering. Stable schema: scripts and the end-to-end tests
 * read it. Absent means "does not apply" (no drop, no route, no NAT);
 * null means "applies but not known" (a gateway of a connected route, a
 * prefix length the kernel did not tell).
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>
#include "attach.h"
#include "correlate.h"
#include "diagnose.h"
#include "ike.h"
#include "json_writer.h"
#include "render_json.h"

/*
 * A path names the same two or three addresses in every step: the last
 * ones formatted are kept (per thread), and an address is plain ASCII.
 */
#define ADDR_CACHE 4

struct addr_cached {
	unsigned family;
	__u8 addr[GW_ADDR_LEN];
	size_t len;
	char str[64];
};

static void json_addr_value(struct jw *w, unsigned family, const __u8 *addr)
{
	static _Thread_local struct addr_cached cache[ADDR_CACHE];
	static _Thread_local unsigned next;
	size_t alen = packet__addr_len(family);
	struct addr_cached *c;

	if (!alen) {
		jw_null(w);
		return;
	}
	for (c = cache; c < cache + ADDR_CACHE; c++)
		if (c->len && c->family == family && !memcmp(c->addr, addr, alen))
			break;
	if (c == cache + ADDR_CACHE) {
		c = &cache[next++ % ADDR_CACHE];
		c->family = family;
		memset(c->addr, 0, sizeof(c->addr));
		memcpy(c->addr, addr, alen);
		packet__addr_str(family, addr, c->str, sizeof(c->str));
		c->len = strlen(c->str);
	}
	jw_plain_string(w, c->str, c->len);
}

/* Inlined, so that jw_name() sees the literal (see json_writer.h). */
static inline __attribute__((always_inline)) void json_addr(struct jw *w, const char *name,
							    unsigned family, const __u8 *addr)
{
	jw_name(w, name);
	json_addr_value(w, family, addr);
}

static void json_spi_value(struct jw *w, __be32 spi)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%x", ntohl(spi));
	jw_string(w, buf);
}

static inline __attribute__((always_inline)) void json_spi(struct jw *w, const char *name,
							   __be32 spi)
{
	jw_name(w, name);
	json_spi_value(w, spi);
}

/* A fixed-size kernel name: null when empty. */
static inline __attribute__((always_inline)) void json_kname(struct jw *w, const char *name,
							     const char *s, size_t len)
{
	jw_name(w, name);
	if (s[0])
		jw_string_len(w, s, len);
	else
		jw_null(w);
}

static void json_flow(struct jw *w, const struct gw_tuple *t)
{
	__u16 sp, dp;
	char pb[8];

	jw_name(w, "flow");
	if (!packet__addr_len(t->family)) {
		jw_null(w); /* no step could parse the headers */
		return;
	}
	packet__ports(t, &sp, &dp);
	jw_start_object(w);
	jw_enum_field(w, "family", packet__family_name(t->family));
	jw_enum_field(w, "proto", gw_proto_name(t->proto, pb, sizeof(pb)));
	json_addr(w, "src", t->family, t->saddr);
	json_addr(w, "dst", t->family, t->daddr);
	jw_u64_field(w, "sport", sp);
	jw_u64_field(w, "dport", dp);
	if (packet__is_icmp(t)) {
		jw_u64_field(w, "icmp_type", t->icmp_type);
		jw_u64_field(w, "icmp_code", t->icmp_code);
		if (packet__is_echo(t))
			jw_u64_field(w, "icmp_id", ntohs(t->sport));
	}
	if (t->spi)
		json_spi(w, "spi", t->spi);
	jw_end_object(w);
}

/* GW_EVF_* as words, in bit order. */
static void json_flags(struct jw *w, unsigned flags)
{
	static const char *const words[] = { "new", "nat_src", "nat_dst", "secpath", "xfrm_dst" };
	size_t i;

	jw_name(w, "flags");
	jw_start_array(w);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (flags & (1u << i))
			jw_enum(w, words[i]);
	jw_end_array(w);
}

static void json_step_nf(struct jw *w, const struct gw_event *ev)
{
	jw_enum_field(w, "hook", gw_hook_name(ev->nf.hook));
	if (ev->kind == GW_EV_NF_TABLE) {
		json_kname(w, "table", ev->nf.table, sizeof(ev->nf.table));
		json_kname(w, "chain", ev->nf.chain, sizeof(ev->nf.chain));
	}
	if (ev->kind != GW_EV_NF_ENTER)
		jw_enum_field(w, "verdict", packet__nf_verdict_name(ev->nf.verdict));
	jw_u64_field(w, "ct_status", ev->nf.ct_status);
	if (ev->nf.xfrm_spi)	/* with flags secpath / xfrm_dst */
		json_spi(w, "xfrm_spi", ev->nf.xfrm_spi);
}

static void json_step_route(struct jw *w, const struct gw_event *ev, const struct gw_names *n)
{
	char tb[32];

	jw_u64_field(w, "table", ev->route.table);
	jw_string_field(w, "table_name", packet__table_name(n, ev->route.table, tb, sizeof(tb)));
	jw_int_field(w, "err", ev->route.err);
	jw_enum_field(w, "type", packet__route_type_name(ev->route.type));
	json_addr(w, "gateway", ev->route.gw_family, ev->route.gw);
	json_kname(w, "oif", ev->route.oif_name, sizeof(ev->route.oif_name));
	jw_name(w, "prefixlen");
	if (ev->route.prefixlen == GW_PREFIX_UNKNOWN)
		jw_null(w);
	else
		jw_u64(w, ev->route.prefixlen);
}

static void json_drop_fields(struct jw *w, const struct gw_event *ev, const struct gw_names *n)
{
	char loc[256];

	jw_string_field(w, "reason", packet__reason_name(n, ev->drop.reason));
	jw_u64_field(w, "reason_code", ev->drop.reason);
	jw_string_field(w, "location",
			ev->drop.location ? packet__location(n, ev->drop.location, loc, sizeof(loc))
					  : NULL);
	if (ev->drop.xfrm_mib) {
		char mb[32];

		jw_string_field(w, "xfrm_error",
				packet__xfrm_mib_name(n, ev->drop.xfrm_mib, mb, sizeof(mb)));
	}
	if (ev->drop.table[0])
		json_kname(w, "table", ev->drop.table, sizeof(ev->drop.table));
	if (ev->drop.chain[0])
		json_kname(w, "chain", ev->drop.chain, sizeof(ev->drop.chain));
}

static void json_step_kind(struct jw *w, const struct gw_event *ev, const struct gw_names *n)
{
	switch (ev->kind) {
	case GW_EV_NF_ENTER:
	case GW_EV_NF_EXIT:
	case GW_EV_NF_TABLE:
		json_step_nf(w, ev);
		break;
	case GW_EV_ROUTE:
		json_step_route(w, ev, n);
		break;
	case GW_EV_DROP:
		json_drop_fields(w, ev, n);
		break;
	case GW_EV_XFRM_OUT:
	case GW_EV_XFRM_IN:
	case GW_EV_XFRM_POLICY:
		json_spi(w, "spi", ev->xfrm.spi);
		jw_int_field(w, "err", ev->xfrm.err);
		jw_enum_field(w, "dir", packet__xfrm_dir_name(ev->xfrm.dir));
		if (ev->xfrm.mib) {
			char mb[32];

			jw_string_field(w, "error",
					packet__xfrm_mib_name(n, ev->xfrm.mib, mb, sizeof(mb)));
		}
		break;
	}
}

/* The direction an xfrm counter belongs to, from its name. */
static const char *mib_dir(const char *name)
{
	if (!strncmp(name, "XfrmIn", 6))
		return "in";
	if (!strncmp(name, "XfrmOut", 7))
		return "out";
	if (!strncmp(name, "XfrmFwd", 7))
		return "fwd";
	return NULL;
}

/* Tracepoint strategy: the first netfilter step that saw IPsec state.
 * Routed into an SA is not encrypted (NAT can still divert the packet
 * into the clear): an xfrm dst counts only with the encrypted verdict. */
static void json_xfrm_from_flags(struct jw *w, const struct gw_packet *p)
{
	unsigned want = GW_EVF_SECPATH;

	if (p->verdicts & (1u << GW_V_ENCRYPTED))
		want |= GW_EVF_XFRM_DST;
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct gw_event *ev = &p->steps[i];

		if (!(ev->flags & want) ||
		    (ev->kind != GW_EV_NF_ENTER && ev->kind != GW_EV_NF_EXIT))
			continue;
		jw_name(w, "xfrm");
		jw_start_object(w);
		jw_enum_field(w, "dir", ev->flags & GW_EVF_SECPATH ? "in" : "out");
		if (ev->nf.xfrm_spi)
			json_spi(w, "spi", ev->nf.xfrm_spi);
		jw_end_object(w);
		return;
	}
}

/*
 * "xfrm": the packet's IPsec story in one object -- the SA (SPI, and what
 * netlink knows of it) of its decisive xfrm step and, when IPsec killed
 * it, the xfrm counter that says why (a drop in __xfrm_route_forward has
 * no xfrm step of its own: the drop carries the counter).
 */
static void json_xfrm(struct jw *w, const struct gw_packet *p, const struct gw_names *n)
{
	const struct gw_event *x = packet__xfrm_step(p);
	__u32 mib = x ? x->xfrm.mib : 0;
	const char *err;
	char mb[32];

	if (!mib && p->drop && p->drop->drop.xfrm_mib)
		mib = p->drop->drop.xfrm_mib;
	if (!x && !mib) {
		json_xfrm_from_flags(w, p);
		return;
	}
	err = packet__xfrm_mib_name(n, mib, mb, sizeof(mb));
	jw_name(w, "xfrm");
	jw_start_object(w);
	if (x)
		jw_enum_field(w, "dir", packet__xfrm_dir_name(x->xfrm.dir));
	else if (err && mib_dir(err))
		jw_string_field(w, "dir", mib_dir(err));
	if (x && x->xfrm.spi)
		json_spi(w, "spi", x->xfrm.spi);
	else if (p->flow.spi)
		json_spi(w, "spi", p->flow.spi);
	if (err)
		jw_string_field(w, "error", err);
	if (x && x->xfrm.spi && !x->xfrm.err && n->sa_json) {
		jw_name(w, "sa");
		if (!n->sa_json(n->ctx, w, x->netns, x->xfrm.spi, x->xfrm.proto, x->xfrm.daddr))
			jw_null(w);
	}
	jw_end_object(w);
}

static bool step_shows_spi(const struct gw_event *ev)
{
	return ev->tuple.spi && !packet__is_xfrm_step(ev);
}

/* The members after t_ns that say where the step was; prev: the step
 * before, for RJ_COMPACT (NULL: list every field). */
static void json_step_head(struct jw *w, const struct gw_event *ev, const struct gw_event *prev)
{
	jw_enum_field(w, "probe", packet__probe_name(ev->probe));
	jw_enum_field(w, "kind", packet__kind_name(ev->kind));
	if (!prev || prev->strategy != ev->strategy)
		jw_enum_field(w, "strategy", packet__strategy_name(ev->strategy));
	if (!prev || prev->cpu != ev->cpu)
		jw_u64_field(w, "cpu", ev->cpu);
	if (!prev || prev->netns != ev->netns)
		jw_u64_field(w, "netns", ev->netns);
	if (!prev || memcmp(prev->ifname, ev->ifname, sizeof(ev->ifname)))
		json_kname(w, "dev", ev->ifname, sizeof(ev->ifname));
	if (!prev || prev->ifindex != ev->ifindex)
		jw_u64_field(w, "ifindex", ev->ifindex);
	if (!prev || prev->len != ev->len)
		jw_u64_field(w, "len", ev->len);
	if (!prev || prev->mark != ev->mark)
		jw_u64_field(w, "mark", ev->mark);
	if (!prev || ev->flags)
		json_flags(w, ev->flags);
}

/* The step's headers. */
static void json_step_tuple(struct jw *w, const struct gw_event *ev, const struct gw_event *prev)
{
	char pb[8];
	__u16 sp, dp;

	if (prev && !memcmp(&prev->tuple, &ev->tuple, sizeof(ev->tuple)))
		return;
	if (packet__addr_len(ev->tuple.family)) {
		jw_enum_field(w, "proto", gw_proto_name(ev->tuple.proto, pb, sizeof(pb)));
		json_addr(w, "src", ev->tuple.family, ev->tuple.saddr);
		json_addr(w, "dst", ev->tuple.family, ev->tuple.daddr);
		if (packet__has_ports(&ev->tuple)) {
			packet__ports(&ev->tuple, &sp, &dp);
			jw_u64_field(w, "sport", sp);
			jw_u64_field(w, "dport", dp);
		} else if (prev && packet__has_ports(&prev->tuple)) {
			/* compact: what the step before had is gone */
			jw_null_field(w, "sport");
			jw_null_field(w, "dport");
		}
		/* The ESP (or ESP-in-UDP 4500) header's SPI; xfrm steps
		 * already name theirs. */
		if (step_shows_spi(ev))
			json_spi(w, "spi", ev->tuple.spi);
		else if (prev && step_shows_spi(prev))
			jw_null_field(w, "spi");
	} else if (prev) {
		jw_null_field(w, "proto");	/* compact: headers no longer known */
	}
}

/*
 * A step's members, but t_ns, from a cache of rendered fragments: a path
 * names the same headers in every step and a flood the same devices and
 * namespaces in every path, so most of a step is bytes written before.
 * Three parts, each keyed by every field it renders from (so a hit writes
 * exactly what rendering would): where (kind .. mark of struct gw_event),
 * the netfilter members, the headers (with the kind: xfrm steps leave out
 * the SPI). Direct-mapped, per thread; a miss renders and keeps. Route,
 * drop and xfrm members read name tables that can change: not cached.
 */
enum { FRAG_HEAD, FRAG_NF, FRAG_TUPLE, FRAG_PARTS };

#define FRAG_SLOTS 64		/* per part, a power of two */
#define FRAG_KEY_WORDS 7
#define FRAG_MAX 240		/* longer fragments are not kept */

struct frag_slot {
	__u64 key[FRAG_KEY_WORDS];
	unsigned len;		/* 0: empty */
	char s[FRAG_MAX];
};

_Static_assert(offsetof(struct gw_event, tuple) - offsetof(struct gw_event, kind) <=
	       sizeof(((struct frag_slot *)0)->key), "step head key");
_Static_assert(sizeof(struct gw_nf) + sizeof(__u16) <= FRAG_KEY_WORDS * 8, "nf key");
_Static_assert(sizeof(struct gw_tuple) + sizeof(__u16) <= FRAG_KEY_WORDS * 8, "tuple key");

static unsigned frag_hash(const __u64 *k)
{
	__u64 h = 0;

	/* Independent multiplies: a chained hash was a fifth of the
	 * renderer's time. */
	for (int i = 0; i < FRAG_KEY_WORDS; i++)
		h += k[i] * (0x9e3779b97f4a7c15ull + 2 * (__u64)i);
	return (unsigned)(h >> 40) & (FRAG_SLOTS - 1);
}

static void frag_key(int part, const struct gw_event *ev, __u64 *key)
{
	unsigned char *k = (unsigned char *)key;

	memset(key, 0, FRAG_KEY_WORDS * 8);
	switch (part) {
	case FRAG_HEAD:
		memcpy(k, &ev->kind, offsetof(struct gw_event, tuple) -
				     offsetof(struct gw_event, kind));
		break;
	case FRAG_NF:
		memcpy(k, &ev->kind, sizeof(ev->kind));
		memcpy(k + sizeof(ev->kind), &ev->nf, sizeof(ev->nf));
		break;
	case FRAG_TUPLE:
		memcpy(k, &ev->kind, sizeof(ev->kind));
		memcpy(k + sizeof(ev->kind), &ev->tuple, sizeof(ev->tuple));
		break;
	}
}

static void frag_render(int part, struct jw *w, const struct gw_event *ev)
{
	switch (part) {
	case FRAG_HEAD:
		json_step_head(w, ev, NULL);
		break;
	case FRAG_NF:
		json_step_nf(w, ev);
		break;
	case FRAG_TUPLE:
		json_step_tuple(w, ev, NULL);
		break;
	}
}

static void json_step_cached(struct jw *w, const struct gw_event *ev, const struct gw_names *n)
{
	static _Thread_local struct frag_slot cache[FRAG_PARTS][FRAG_SLOTS];
	__u64 key[FRAG_KEY_WORDS];

	for (int part = 0; part < FRAG_PARTS; part++) {
		struct frag_slot *slot;
		struct jw_mark m;

		if (part == FRAG_NF && ev->kind != GW_EV_NF_ENTER &&
		    ev->kind != GW_EV_NF_EXIT && ev->kind != GW_EV_NF_TABLE) {
			json_step_kind(w, ev, n);
			continue;
		}
		frag_key(part, ev, key);
		slot = &cache[part][frag_hash(key)];
		if (slot->len && !memcmp(slot->key, key, sizeof(key)) &&
		    jw_put_fragment(w, slot->s, slot->len))
			continue;
		m = jw_mark(w);
		frag_render(part, w, ev);
		slot->len = (unsigned)jw_fragment(w, m, slot->s, sizeof(slot->s));
		memcpy(slot->key, key, sizeof(key));
	}
}

/* prev: the step before, for RJ_COMPACT (NULL: list every field). */
static void json_step(struct jw *w, const struct gw_event *ev, const struct gw_event *prev,
		      __u64 t0, const struct gw_names *n)
{
	jw_start_object(w);
	jw_u64_field(w, "t_ns", ev->ts_ns > t0 ? ev->ts_ns - t0 : 0);
	if (prev) {
		json_step_head(w, ev, prev);
		json_step_kind(w, ev, n);
		json_step_tuple(w, ev, prev);
	} else {
		json_step_cached(w, ev, n);
	}
	jw_end_object(w);
}

static void json_drop(struct jw *w, const struct gw_packet *p, const struct gw_names *n)
{
	const struct gw_event *d = packet__drop_event(p);

	jw_name(w, "drop");
	jw_start_object(w);
	if (d) {
		json_drop_fields(w, d, n);
	} else {
		jw_null_field(w, "reason");
		jw_null_field(w, "location");
	}
	if (p->nf_drop_hook >= 0)
		jw_enum_field(w, "hook", gw_hook_name((unsigned)p->nf_drop_hook));
	jw_end_object(w);
}

static void json_route(struct jw *w, const struct gw_packet *p, const struct gw_names *n)
{
	const struct gw_event *r = p->route;
	char tb[32];

	jw_name(w, "route");
	jw_start_object(w);
	jw_u64_field(w, "table", r->route.table);
	jw_string_field(w, "table_name", packet__table_name(n, r->route.table, tb, sizeof(tb)));
	jw_enum_field(w, "type", packet__route_type_name(r->route.type));
	json_addr(w, "gateway", r->route.gw_family, r->route.gw);
	json_kname(w, "dev", r->route.oif_name, sizeof(r->route.oif_name));
	jw_bool_field(w, "default", p->verdicts & (1u << GW_V_DEFAULT_ROUTE));
	jw_name(w, "prefixlen");
	if (p->route_prefixlen == GW_PREFIX_UNKNOWN)
		jw_null(w);
	else
		jw_u64(w, p->route_prefixlen);
	jw_int_field(w, "err", r->route.err);
	jw_end_object(w);
}

/* "10.1.0.2:0", "[fd00::1]:443": the rewritten side, port 0 without ports. */
static void json_nat_side(struct jw *w, const char *name, const struct gw_tuple *t, bool src)
{
	char buf[80];
	__u16 sp, dp;

	packet__ports(t, &sp, &dp);
	jw_string_field(w, name,
			packet__endpoint_str(t->family, src ? t->saddr : t->daddr, src ? sp : dp,
					     buf, sizeof(buf)));
}

static void json_nat(struct jw *w, const struct gw_packet *p)
{
	bool src = p->nat.type == GW_NAT_SNAT;

	jw_name(w, "nat");
	jw_start_object(w);
	jw_enum_field(w, "type", src ? "snat" : "dnat");
	jw_string_field(w, "hook", p->nat.hook < GW_NF_NUMHOOKS ? gw_hook_name(p->nat.hook) : NULL);
	json_nat_side(w, "from", &p->nat.from, src);
	json_nat_side(w, "to", &p->nat.to, src);
	jw_end_object(w);
}

/* An IKE SPI as 16 hex digits, "0x0123456789abcdef". */
static void json_ike_spi(struct jw *w, const char *name, const __u8 *spi)
{
	char buf[19] = "0x";

	for (int i = 0; i < 8; i++)
		snprintf(buf + 2 + 2 * i, 3, "%02x", spi[i]);
	jw_name(w, name);
	jw_plain_string(w, buf, 18);
}

/* "ike": the header of an IKE datagram (UDP 500/4500). */
static void json_ike(struct jw *w, const struct gw_ike *k)
{
	unsigned v = ike__version(k);
	const char *x = ike__exchange_name(k);

	jw_name(w, "ike");
	jw_start_object(w);
	jw_u64_field(w, "version", v);
	if (x) {
		jw_enum_field(w, "exchange", x);
	} else {
		jw_name(w, "exchange");
		jw_u64(w, k->exchange);
	}
	jw_name(w, "initiator");	/* IKEv2's flag; IKEv1 has none */
	if (v == 2)
		jw_bool(w, k->flags & 0x08);
	else
		jw_null(w);
	jw_bool_field(w, "response", ike__is_response(k));
	jw_u64_field(w, "msg_id", ntohl(k->msg_id));
	json_ike_spi(w, "spi_i", k->spi_i);
	json_ike_spi(w, "spi_r", k->spi_r);
	jw_name(w, "notify");
	if (!k->notify)
		jw_null(w);
	else if (ike__notify_name(k->notify))
		jw_enum(w, ike__notify_name(k->notify));
	else
		jw_u64(w, k->notify);
	jw_end_object(w);
}

/* "diagnosis": the cause of a death in operators' words (diagnose.c). */
static void json_diagnosis(struct jw *w, const struct gw_packet *p, const struct gw_names *n)
{
	const struct gw_diagnosis *d = &p->diag;
	const char *nsname = d->at && n && n->netns_name ? n->netns_name(n->ctx, d->at->netns) : NULL;
	const struct gw_cause_def *c = &gw_causes[d->cause];

	jw_name(w, "diagnosis");
	jw_start_object(w);
	jw_enum_field(w, "cause", c->id);
	jw_string_field(w, "text", c->text);
	jw_string_field(w, "advice", c->advice);
	jw_name(w, "evidence");
	jw_start_array(w);
	for (unsigned i = 0; i < d->n_evidence; i++)
		jw_string(w, d->evidence[i]);
	jw_end_array(w);
	jw_name(w, "at");
	jw_start_object(w);
	jw_u64_field(w, "netns", d->at ? d->at->netns : 0);
	if (nsname)
		jw_string_field(w, "netns_name", nsname);
	if (d->at)
		json_kname(w, "dev", d->at->ifname, sizeof(d->at->ifname));
	else
		jw_null_field(w, "dev");
	jw_enum_field(w, "hook", d->hook >= 0 ? gw_hook_name((unsigned)d->hook) : NULL);
	jw_end_object(w);
	jw_end_object(w);
}

void render_json__packet(FILE *out, const struct gw_packet *p, const struct gw_names *n,
			 unsigned flags)
{
	__u64 t0 = p->n_steps ? p->steps[0].ts_ns : 0;
	struct jw w;
	size_t i;
	int v;

	jw_init(&w, out);
	jw_start_object(&w);
	jw_enum_field(&w, "type", "packet");
	jw_u64_field(&w, "id", p->id);
	jw_u64_field(&w, "ts_ns", t0);
	json_flow(&w, &p->flow);
	jw_enum_field(&w, "outcome", gw_outcome_name(p->outcome));
	jw_bool_field(&w, "complete", p->complete);
	jw_bool_field(&w, "held", p->held);
	jw_name(&w, "verdicts");
	jw_start_array(&w);
	for (v = 0; v < GW_V_MAX; v++)
		if (p->verdicts & (1u << v))
			jw_enum(&w, gw_verdict_name(v));
	jw_end_array(&w);
	jw_name(&w, "steps");
	jw_start_array(&w);
	for (i = 0; i < p->n_steps; i++)
		json_step(&w, &p->steps[i],
			  i && (flags & RJ_COMPACT) ? &p->steps[i - 1] : NULL, t0, n);
	jw_end_array(&w);
	if (p->outcome == GW_OUT_DROPPED)
		json_drop(&w, p, n);
	if (p->route)
		json_route(&w, p, n);
	if (p->nat.type != GW_NAT_NONE)
		json_nat(&w, p);
	json_xfrm(&w, p, n);
	if (p->ike)
		json_ike(&w, &p->ike->ike);
	if (p->diag.cause != GW_CAUSE_NONE)
		json_diagnosis(&w, p, n);
	jw_end_object(&w);
	jw_endline(&w);
}

void render_json__finding(FILE *out, const struct ike_finding *f)
{
	const struct gw_cause_def *c = &gw_causes[f->cause];
	struct jw w;

	jw_init(&w, out);
	jw_start_object(&w);
	jw_enum_field(&w, "type", "diagnosis");
	jw_enum_field(&w, "cause", c->id);
	jw_string_field(&w, "text", c->text);
	jw_string_field(&w, "advice", c->advice);
	jw_name(&w, "evidence");
	jw_start_array(&w);
	for (unsigned i = 0; i < f->n_evidence && i < 2; i++)
		jw_string(&w, f->evidence[i]);
	jw_end_array(&w);
	json_flow(&w, &f->flow);
	json_ike(&w, &f->ike);
	jw_u64_field(&w, "sent", f->sent);
	jw_u64_field(&w, "first_ts_ns", f->first_ts);
	jw_u64_field(&w, "last_ts_ns", f->last_ts);
	jw_name(&w, "at");
	jw_start_object(&w);
	jw_u64_field(&w, "netns", f->at_netns);
	json_kname(&w, "dev", f->at_dev, GW_IFNAMSIZ);
	jw_enum_field(&w, "hook", f->at_hook >= 0 ? gw_hook_name((unsigned)f->at_hook) : NULL);
	jw_end_object(&w);
	jw_end_object(&w);
	jw_endline(&w);
}

static void json_probe(struct jw *w, const struct gw_probe_report *pr)
{
	jw_start_object(w);
	jw_string_field(w, "name", pr->name);
	jw_string_field(w, "strategy", pr->strategy ? pr->strategy : "none");
	jw_bool_field(w, "attached", pr->attached);
	jw_string_field(w, "detail", pr->detail);
	jw_u64_field(w, "events", pr->events);
	jw_u64_field(w, "lost", probe_report__lost(pr));
	jw_u64_field(w, "lost_ringbuf", pr->lost_ringbuf);
	jw_u64_field(w, "lost_track", pr->lost_track);
	jw_u64_field(w, "lost_busy", pr->lost_busy);
	jw_end_object(w);
}

void render_json__summary(FILE *out, const struct gw_summary *s)
{
	struct jw w;
	size_t i;

	jw_init(&w, out);
	jw_start_object(&w);
	jw_string_field(&w, "type", "summary");
	jw_u64_field(&w, "packets", s->packets);
	jw_u64_field(&w, "dropped", s->by_outcome[GW_OUT_DROPPED]);
	jw_u64_field(&w, "forwarded", s->by_outcome[GW_OUT_FORWARDED]);
	jw_u64_field(&w, "delivered", s->by_outcome[GW_OUT_DELIVERED]);
	jw_u64_field(&w, "sent", s->by_outcome[GW_OUT_SENT]);
	jw_u64_field(&w, "unknown", s->by_outcome[GW_OUT_UNKNOWN]);
	jw_u64_field(&w, "events", s->events);
	jw_u64_field(&w, "lost_events", summary__lost(s));
	jw_u64_field(&w, "lost_ringbuf", s->lost_ringbuf);
	jw_u64_field(&w, "lost_track", s->lost_track);
	jw_u64_field(&w, "lost_busy", s->lost_busy);
	jw_u64_field(&w, "unattributed", s->unattributed);
	jw_u64_field(&w, "evicted", s->evicted);
	if (s->xfrm_events)
		jw_u64_field(&w, "xfrm_events_lost", s->xfrm_events_lost);
	if (s->xfrm_stat) {
		jw_name(&w, "xfrm_stat");
		xfrm_stat__json(&w, s->xfrm_stat);
	}
	jw_name(&w, "duration_s");
	jw_double(&w, s->duration_s, 3);
	jw_name(&w, "probes");
	jw_start_array(&w);
	for (i = 0; i < s->n_probes; i++)
		json_probe(&w, &s->probes[i]);
	jw_end_array(&w);
	jw_end_object(&w);
	jw_endline(&w);
}

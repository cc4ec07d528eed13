/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Hand-made events for the unit tests: builders for each step kind, a
 * fake struct gw_names with fixed answers, a callback that keeps copies of
 * finished packets, and a small JSON syntax checker. Header-only (static
 * inline) so every test binary can include it without link clashes.
 */
#ifndef GW_EVENTS_FIXTURE_H
#define GW_EVENTS_FIXTURE_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/types.h>
#include "gwtrace.h"
#include "names.h"
#include "correlate.h"
#include "packet.h"

#define FX_NETNS_GW 4026532100u
#define FX_NETNS_CLIENT 4026532200u
#define FX_NETNS_SERVER 4026532300u
#define FX_SKB 0xffff888004a1b200ULL

/* Drop reasons of the fake kernel (6.18-like numbering). */
#define FX_R_CONSUMED 1
#define FX_R_NOT_SPECIFIED 2
#define FX_R_IP_INNOROUTES 5
#define FX_R_NETFILTER_DROP 12
#define FX_R_XFRM_POLICY 18
#define FX_R_NO_SOCKET 20
#define FX_R_IP_RPFILTER 21
#define FX_R_NEIGH_FAILED 22
#define FX_R_PKT_TOO_BIG 23
#define FX_R_TCP_CSUM 24
#define FX_R_IP_INADDRERRORS 25
#define FX_R_UNKNOWN 77 /* no name in this kernel */

#define FX_LOC_NFT 0xffffffff81a003a8ULL  /* nft_do_chain+0x3a8 */
#define FX_LOC_NFT2 0xffffffff81a00400ULL /* nft_do_chain+0x400 */
#define FX_LOC_FWD 0xffffffff81b00010ULL  /* ip_forward+0x10 */
#define FX_LOC_FWD6 0xffffffff81b0068eULL /* ip6_forward+0x68e */
#define FX_LOC_GSO 0xffffffff81c00020ULL  /* skb_segment+0x20 */
#define FX_LOC_XFRM 0xffffffff81d00030ULL /* xfrm_input+0x30 */
#define FX_LOC_DISCARD 0xffffffff81e00014ULL /* dst_discard_out+0x14 */

/* ------------------------------------------------------------------ */
/* Fake names */

struct fx_names_ctx {
	int prefixlen_calls;
};

static inline const char *fx_reason(void *ctx, __u32 reason)
{
	(void)ctx;
	switch (reason) {
	case FX_R_CONSUMED:
		return "CONSUMED";
	case FX_R_NOT_SPECIFIED:
		return "NOT_SPECIFIED";
	case FX_R_IP_INNOROUTES:
		return "IP_INNOROUTES";
	case FX_R_NETFILTER_DROP:
		return "NETFILTER_DROP";
	case FX_R_XFRM_POLICY:
		return "XFRM_POLICY";
	case FX_R_NO_SOCKET:
		return "NO_SOCKET";
	case FX_R_IP_RPFILTER:
		return "IP_RPFILTER";
	case FX_R_NEIGH_FAILED:
		return "NEIGH_FAILED";
	case FX_R_PKT_TOO_BIG:
		return "PKT_TOO_BIG";
	case FX_R_TCP_CSUM:
		return "TCP_CSUM";
	case FX_R_IP_INADDRERRORS:
		return "IP_INADDRERRORS";
	}
	return NULL;
}

static inline const char *fx_location(void *ctx, __u64 addr, char *buf, size_t len)
{
	(void)ctx;
	switch (addr) {
	case FX_LOC_NFT:
		snprintf(buf, len, "nft_do_chain+0x3a8");
		break;
	case FX_LOC_NFT2:
		snprintf(buf, len, "nft_do_chain+0x400");
		break;
	case FX_LOC_FWD:
		snprintf(buf, len, "ip_forward+0x10");
		break;
	case FX_LOC_FWD6:
		snprintf(buf, len, "ip6_forward+0x68e");
		break;
	case FX_LOC_GSO:
		snprintf(buf, len, "skb_segment+0x20");
		break;
	case FX_LOC_XFRM:
		snprintf(buf, len, "xfrm_input+0x30");
		break;
	case FX_LOC_DISCARD:
		snprintf(buf, len, "dst_discard_out+0x14");
		break;
	default:
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
		break;
	}
	return buf;
}

/* Routes of the fake kernel: 10.2.0.0/16 via the default route (/0),
 * 10.9.0.0/24 connected; anything else unresolvable. */
static inline int fx_prefixlen(void *ctx, __u32 netns, int family, const __u8 *daddr, __u32 table)
{
	struct fx_names_ctx *c = ctx;

	(void)netns;
	if (c)
		c->prefixlen_calls++;
	if (family != AF_INET || table != 254)
		return -1;
	if (daddr[0] == 10 && daddr[1] == 2)
		return 0;
	if (daddr[0] == 10 && daddr[1] == 9)
		return 24;
	return -1;
}

static inline const char *fx_table(void *ctx, __u32 table, char *buf, size_t len)
{
	(void)ctx;
	if (table == 254)
		return "main";
	if (table == 255)
		return "local";
	snprintf(buf, len, "%u", table);
	return buf;
}

/* LINUX_MIB_XFRM* indexes of the fake kernel (uapi numbering). */
#define FX_MIB_INNOSTATES 4
#define FX_MIB_INSTATEPROTOERROR 5
#define FX_MIB_INSTATESEQERROR 7
#define FX_MIB_INSTATEEXPIRED 8
#define FX_MIB_INPOLBLOCK 13
#define FX_MIB_OUTNOSTATES 16

static inline const char *fx_xfrm_mib(void *ctx, __u32 index)
{
	(void)ctx;
	switch (index) {
	case FX_MIB_INNOSTATES:
		return "XfrmInNoStates";
	case FX_MIB_INSTATEPROTOERROR:
		return "XfrmInStateProtoError";
	case FX_MIB_INSTATESEQERROR:
		return "XfrmInStateSeqError";
	case FX_MIB_INSTATEEXPIRED:
		return "XfrmInStateExpired";
	case FX_MIB_INPOLBLOCK:
		return "XfrmInPolBlock";
	case FX_MIB_OUTNOSTATES:
		return "XfrmOutNoStates";
	default:
		return NULL;
	}
}

/* IPsec out policies of the fake kernel, in every namespace: between
 * 10.1.0.0/24 and 10.7.0.0/16, both ways (no other fixture uses 10.7),
 * and 0.0.0.0/0 -> 0.0.0.0/0 for what 172.16.9.0/24 (the gateway's WAN
 * address) sends. */
static inline bool fx_xfrm_out_policy(void *ctx, __u32 netns, unsigned family, const __u8 *s,
				      const __u8 *d, unsigned plen[2], char *desc, size_t len)
{
	bool lan_s = s[0] == 10 && s[1] == 1 && s[2] == 0, lan_d = d[0] == 10 && d[1] == 1 && d[2] == 0;
	bool far_s = s[0] == 10 && s[1] == 7, far_d = d[0] == 10 && d[1] == 7;

	(void)ctx;
	(void)netns;
	if (family == AF_INET && s[0] == 172 && s[1] == 16 && s[2] == 9) {
		snprintf(desc, len, "out policy 0.0.0.0/0 -> 0.0.0.0/0");
		if (plen)
			plen[0] = plen[1] = 0;
		return true;
	}
	if (family != AF_INET || !((lan_s && far_d) || (far_s && lan_d)))
		return false;
	snprintf(desc, len, "out policy %s", lan_s ? "10.1.0.0/24 -> 10.7.0.0/16" :
						     "10.7.0.0/16 -> 10.1.0.0/24");
	if (plen) {
		plen[0] = lan_s ? 24 : 16;
		plen[1] = lan_s ? 16 : 24;
	}
	return true;
}

/* The fake kernel's `ip netns` names: the gateway's only. */
static inline const char *fx_netns_name(void *ctx, __u32 inum)
{
	(void)ctx;
	return inum == FX_NETNS_GW ? "gw" : NULL;
}

static inline struct gw_names fx_names(struct fx_names_ctx *ctx)
{
	struct gw_names n = {
		.ctx = ctx,
		.reason = fx_reason,
		.location = fx_location,
		.prefixlen = fx_prefixlen,
		.table = fx_table,
		.xfrm_mib = fx_xfrm_mib,
		.xfrm_out_policy = fx_xfrm_out_policy,
		.netns_name = fx_netns_name,
	};
	return n;
}

/* ------------------------------------------------------------------ */
/* Tuples and events */

static inline void fx_addr(__u8 *dst, const char *s)
{
	memset(dst, 0, GW_ADDR_LEN);
	if (inet_pton(AF_INET, s, dst) != 1)
		inet_pton(AF_INET6, s, dst);
}

/* Ports in host order; for ICMP sport is the echo id (echo request). */
static inline struct gw_tuple fx_tuple(const char *src, const char *dst, __u8 proto, __u16 sport,
				       __u16 dport)
{
	struct gw_tuple t;

	memset(&t, 0, sizeof(t));
	t.family = strchr(src, ':') ? AF_INET6 : AF_INET;
	t.proto = proto;
	fx_addr(t.saddr, src);
	fx_addr(t.daddr, dst);
	t.sport = htons(sport);
	t.dport = htons(dport);
	if (proto == 1)
		t.icmp_type = 8;
	if (proto == 58)
		t.icmp_type = 128;
	return t;
}

static inline struct gw_tuple fx_icmp(const char *src, const char *dst, __u16 id)
{
	return fx_tuple(src, dst, strchr(src, ':') ? 58 : 1, id, 0);
}

static inline __u16 fx_probe_of(__u16 kind)
{
	switch (kind) {
	case GW_EV_RX:
		return GW_PROBE_RX;
	case GW_EV_TX:
		return GW_PROBE_TX;
	case GW_EV_NF_ENTER:
	case GW_EV_NF_EXIT:
		return GW_PROBE_NF_HOOK;
	case GW_EV_NF_TABLE:
		return GW_PROBE_NF_TABLE;
	case GW_EV_ROUTE:
		return GW_PROBE_FIB;
	case GW_EV_DROP:
		return GW_PROBE_DROP;
	case GW_EV_FREE:
		return GW_PROBE_FREE;
	case GW_EV_XFRM_OUT:
		return GW_PROBE_XFRM_OUT;
	case GW_EV_XFRM_IN:
		return GW_PROBE_XFRM_IN;
	case GW_EV_IP_FORWARD:
	case GW_EV_IP_DELIVER:
		return GW_PROBE_IP_FINISH;
	default:
		return GW_PROBE_XFRM_POLICY;
	}
}

/* An event with the common part filled: gateway netns, tracepoint. */
/* A ring buffer record of steps ev[0..n) (seq, GW_CHF_* flags): its size. */
static inline size_t fx_chunk(struct gw_chunk *c, const struct gw_event *ev, size_t n,
			      __u16 seq, __u8 flags)
{
	memset(c, 0, sizeof(*c));
	c->hdr.n_steps = (__u16)n;
	c->hdr.seq = seq;
	c->hdr.flags = flags;
	memcpy(c->steps, ev, n * sizeof(*ev));
	return sizeof(c->hdr) + n * sizeof(*ev);
}

static inline struct gw_event fx_ev(__u64 id, __u64 ts, __u16 kind, const struct gw_tuple *t)
{
	struct gw_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = ts;
	e.skb = FX_SKB;
	e.pkt_id = id;
	e.kind = kind;
	e.probe = fx_probe_of(kind);
	e.strategy = GW_STRAT_TRACEPOINT;
	e.netns = FX_NETNS_GW;
	e.len = 84;
	if (t)
		e.tuple = *t;
	return e;
}

/* Copies a name into a fixed kernel array, NUL-padded, maybe unterminated. */
static inline void fx_name(char dst[GW_IFNAMSIZ], const char *src)
{
	memset(dst, 0, GW_IFNAMSIZ);
	memcpy(dst, src, strnlen(src, GW_IFNAMSIZ));
}

static inline struct gw_event fx_dev(struct gw_event e, const char *dev, __u32 ifindex)
{
	fx_name(e.ifname, dev);
	e.ifindex = ifindex;
	return e;
}

static inline struct gw_event fx_rx(__u64 id, __u64 ts, const char *dev, const struct gw_tuple *t)
{
	return fx_dev(fx_ev(id, ts, GW_EV_RX, t), dev, 2);
}

static inline struct gw_event fx_tx(__u64 id, __u64 ts, const char *dev, const struct gw_tuple *t)
{
	return fx_dev(fx_ev(id, ts, GW_EV_TX, t), dev, 3);
}

static inline struct gw_event fx_nf(__u64 id, __u64 ts, bool exit_, __u8 hook,
				    const struct gw_tuple *t)
{
	struct gw_event e = fx_ev(id, ts, exit_ ? GW_EV_NF_EXIT : GW_EV_NF_ENTER, t);

	e.nf.hook = hook;
	e.nf.pf = 2;
	e.nf.verdict = exit_ ? GW_NF_ACCEPT : GW_NF_NONE;
	return e;
}

/* A FIB hit (err 0) or miss; gw NULL = connected; prefixlen may be
 * GW_PREFIX_UNKNOWN (the tracepoint's case). */
static inline struct gw_event fx_route(__u64 id, __u64 ts, __u32 table, int err, const char *gw,
				       const char *oif, __u8 prefixlen, const struct gw_tuple *t)
{
	struct gw_event e = fx_ev(id, ts, GW_EV_ROUTE, t);

	e.route.table = table;
	e.route.err = err;
	e.route.prefixlen = prefixlen;
	if (t)
		memcpy(e.route.daddr, t->daddr, GW_ADDR_LEN);
	if (!err) {
		e.route.type = 1; /* RTN_UNICAST */
		e.route.oif = 3;
		fx_name(e.route.oif_name, oif);
		if (gw) {
			e.route.gw_family = AF_INET;
			fx_addr(e.route.gw, gw);
		}
	}
	return e;
}

static inline struct gw_event fx_drop(__u64 id, __u64 ts, __u32 reason, __u64 loc,
				      const struct gw_tuple *t)
{
	struct gw_event e = fx_ev(id, ts, GW_EV_DROP, t);

	e.drop.reason = reason;
	e.drop.location = loc;
	return e;
}

static inline struct gw_event fx_free(__u64 id, __u64 ts, const struct gw_tuple *t)
{
	return fx_ev(id, ts, GW_EV_FREE, t);
}

static inline struct gw_event fx_xfrm(__u64 id, __u64 ts, __u16 kind, __u32 spi, int err, __u8 dir,
				      const struct gw_tuple *t)
{
	struct gw_event e = fx_ev(id, ts, kind, t);

	e.xfrm.spi = htonl(spi);
	e.xfrm.err = err;
	e.xfrm.dir = dir;
	return e;
}

/*
 * The forwarded path of the brief: rx, PRE enter/exit, route (local miss,
 * main hit), FORWARD enter/exit, POST enter/exit, tx, free. Steps are
 * 1 us apart from t0. Returns the number of events written to ev (11).
 */
static inline size_t fx_forward_path(struct gw_event *ev, __u64 id, __u64 t0,
				     const struct gw_tuple *t)
{
	size_t n = 0;

	ev[n++] = fx_rx(id, t0, "veth-lan", t);
	ev[n++] = fx_nf(id, t0 + 1000, false, GW_NF_PRE_ROUTING, t);
	ev[n++] = fx_nf(id, t0 + 2000, true, GW_NF_PRE_ROUTING, t);
	ev[n++] = fx_route(id, t0 + 3000, 255, -11, NULL, NULL, GW_PREFIX_UNKNOWN, t);
	ev[n++] = fx_route(id, t0 + 3500, 254, 0, "172.16.9.1", "veth-wan", 16, t);
	ev[n++] = fx_nf(id, t0 + 4000, false, GW_NF_FORWARD, t);
	ev[n++] = fx_nf(id, t0 + 5000, true, GW_NF_FORWARD, t);
	ev[n++] = fx_nf(id, t0 + 6000, false, GW_NF_POST_ROUTING, t);
	ev[n++] = fx_nf(id, t0 + 7000, true, GW_NF_POST_ROUTING, t);
	ev[n++] = fx_tx(id, t0 + 8000, "veth-wan", t);
	ev[n++] = fx_free(id, t0 + 9000, t);
	return n;
}

/* ------------------------------------------------------------------ */
/* A callback that keeps deep copies of finished packets */

#define FX_SINK_MAX 256

struct fx_sink {
	struct gw_packet pkts[FX_SINK_MAX];
	size_t n;
};

static inline void fx_collect(struct gw_packet *p, void *ctx)
{
	struct fx_sink *s = ctx;
	struct gw_packet *c;

	if (s->n >= FX_SINK_MAX)
		abort();
	c = &s->pkts[s->n++];
	if (packet__copy(c, p))
		abort();
}

static inline void fx_sink_free(struct fx_sink *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->pkts[i].steps);
	s->n = 0;
}

/* A correlator whose finished packets land in sink, with the fake names. */
struct fx_corr {
	struct fx_names_ctx nc;
	struct gw_names names;
	struct fx_sink sink;
	struct gw_corr *c;
};

static inline int fx_corr_open(struct fx_corr *f)
{
	struct gw_corr_opts o = { .names = NULL };

	memset(f, 0, sizeof(*f));
	f->names = fx_names(&f->nc);
	o.names = &f->names;
	f->c = corr__new(&o, fx_collect, &f->sink);
	return f->c ? 0 : -1;
}

static inline void fx_corr_close(struct fx_corr *f)
{
	corr__free(f->c);
	fx_sink_free(&f->sink);
}

/* Pushes ev, flushes; the only packet, NULL if not exactly one. */
static inline const struct gw_packet *fx_corr_run(struct fx_corr *f, const struct gw_event *ev,
						  size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (corr__push(f->c, &ev[i]))
			return NULL;
	corr__flush(f->c);
	return f->sink.n == 1 ? &f->sink.pkts[0] : NULL;
}

static inline bool fx_has_verdict(const struct gw_packet *p, enum gw_verdict v)
{
	return p->verdicts & (1u << v);
}

/* ------------------------------------------------------------------ */
/* Output capture */

struct fx_out {
	FILE *f;
	char *buf;
	size_t len;
};

static inline void fx_out_open(struct fx_out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	if (!o->f)
		abort();
}

/* Closes the stream; o->buf holds everything written (free it). */
static inline const char *fx_out_close(struct fx_out *o)
{
	fclose(o->f);
	o->f = NULL;
	return o->buf;
}

/* The n-th line (0-based) of s, without its newline, into buf. */
static inline const char *fx_line(const char *s, int n, char *buf, size_t len)
{
	const char *e;

	while (n-- > 0 && s) {
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	if (!s) {
		snprintf(buf, len, "<no such line>");
		return buf;
	}
	e = strchr(s, '\n');
	snprintf(buf, len, "%.*s", (int)(e ? (size_t)(e - s) : strlen(s)), s);
	return buf;
}

/* ------------------------------------------------------------------ */
/* JSON syntax check (RFC 8259; strings must be valid UTF-8) */

struct fx_json {
	const unsigned char *s;
	int depth;
};

static inline bool fx_json_value(struct fx_json *j);

static inline void fx_json_ws(struct fx_json *j)
{
	while (*j->s == ' ' || *j->s == '\t' || *j->s == '\n' || *j->s == '\r')
		j->s++;
}

static inline bool fx_json_string(struct fx_json *j)
{
	if (*j->s++ != '"')
		return false;
	while (*j->s != '"') {
		unsigned char c = *j->s;
		int i, n;

		if (c < 0x20)
			return false;
		if (c == '\\') {
			j->s++;
			if (*j->s == 'u') {
				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", j->s[i]) || !j->s[i])
						return false;
				j->s += 5;
			} else if (*j->s && strchr("\"\\/bfnrt", *j->s)) {
				j->s++;
			} else {
				return false;
			}
			continue;
		}
		n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
		if (!n || c > 0xf4)
			return false;
		for (i = 1; i < n; i++)
			if ((j->s[i] & 0xc0) != 0x80)
				return false;
		j->s += n;
	}
	j->s++;
	return true;
}

static inline bool fx_json_number(struct fx_json *j)
{
	const unsigned char *st = j->s;

	if (*j->s == '-')
		j->s++;
	if (*j->s == '0')
		j->s++;
	else if (*j->s >= '1' && *j->s <= '9')
		while (*j->s >= '0' && *j->s <= '9')
			j->s++;
	else
		return false;
	if (*j->s == '.') {
		j->s++;
		if (!(*j->s >= '0' && *j->s <= '9'))
			return false;
		while (*j->s >= '0' && *j->s <= '9')
			j->s++;
	}
	return j->s > st;
}

static inline bool fx_json_container(struct fx_json *j, char close)
{
	bool first = true;

	if (++j->depth > 64)
		return false;
	j->s++;
	fx_json_ws(j);
	while (*j->s != close) {
		if (!first) {
			if (*j->s++ != ',')
				return false;
			fx_json_ws(j);
		}
		if (close == '}') {
			if (!fx_json_string(j))
				return false;
			fx_json_ws(j);
			if (*j->s++ != ':')
				return false;
		}
		if (!fx_json_value(j))
			return false;
		fx_json_ws(j);
		first = false;
	}
	j->s++;
	j->depth--;
	return true;
}

static inline bool fx_json_value(struct fx_json *j)
{
	fx_json_ws(j);
	switch (*j->s) {
	case '{':
		return fx_json_container(j, '}');
	case '[':
		return fx_json_container(j, ']');
	case '"':
		return fx_json_string(j);
	case 't':
		return !strncmp((const char *)j->s, "true", 4) && (j->s += 4);
	case 'f':
		return !strncmp((const char *)j->s, "false", 5) && (j->s += 5);
	case 'n':
		return !strncmp((const char *)j->s, "null", 4) && (j->s += 4);
	default:
		return fx_json_number(j);
	}
}

/* True if s is exactly one JSON value followed by "\n" (a JSON line). */
static inline bool fx_json_line_ok(const char *s)
{
	struct fx_json j = { (const unsigned char *)s, 0 };

	if (!fx_json_value(&j))
		return false;
	return j.s[0] == '\n' && j.s[1] == '\0';
}

#endif /* GW_EVENTS_FIXTURE_H */

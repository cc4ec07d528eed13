// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Text rendering of packet paths, the folded report and the summary.
 * Written for someone reading a terminal at 3 a.m.: outcome first, one
 * line per thing that happened, the cause spelled out, nothing repeated
 * (an ENTER/EXIT pair of a hook is one line, a FIB lookup that tried
 * several tables is one line unless it failed).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include "attach.h"
#include "correlate.h"
#include "diagnose.h"
#include "ike.h"
#include "render_text.h"
#include "xfrm_stat.h"

#define LINE_MAX_LEN 1024

struct line {
	char buf[LINE_MAX_LEN];
	size_t len;
};

static void line_add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line_add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
	if (l->len > sizeof(l->buf) - 1)
		l->len = sizeof(l->buf) - 1;
}

/* Device and table names come from the kernel and may hold any byte:
 * never let one write terminal escape sequences. */
static const char *safe_name(const char *s, size_t max, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < max && s[i] && o + 5 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c > 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

#define NAME_BUF (GW_IFNAMSIZ * 4 + 1)

static const char *dev_name(const char *name, __u32 ifindex, char *buf, size_t len)
{
	if (name[0])
		return safe_name(name, GW_IFNAMSIZ, buf, len);
	if (ifindex)
		snprintf(buf, len, "if%u", ifindex);
	else
		snprintf(buf, len, "?");
	return buf;
}

/* "tcp 10.1.0.2:40000 -> 10.2.0.2:80", "icmp 10.1.0.2 -> 10.2.0.2 (id 7)". */
static void line_tuple(struct line *l, const struct gw_tuple *t)
{
	char pb[8], s[64], d[64];
	__u16 sp, dp;

	if (!packet__addr_len(t->family)) {
		line_add(l, "(headers not parsed)");
		return;
	}
	packet__ports(t, &sp, &dp);
	if (packet__has_ports(t)) {
		packet__endpoint_str(t->family, t->saddr, sp, s, sizeof(s));
		packet__endpoint_str(t->family, t->daddr, dp, d, sizeof(d));
	} else {
		packet__addr_str(t->family, t->saddr, s, sizeof(s));
		packet__addr_str(t->family, t->daddr, d, sizeof(d));
	}
	line_add(l, "%s %s -> %s", gw_proto_name(t->proto, pb, sizeof(pb)), s, d);
	if (packet__is_echo(t))
		line_add(l, " (id %u)", ntohs(t->sport));
	else if (packet__is_icmp(t))
		line_add(l, " (type %u code %u)", t->icmp_type, t->icmp_code);
	if (t->spi)
		line_add(l, " (spi 0x%x)", ntohl(t->spi));
}

/* One side of a NAT: "10.1.0.2" or, with ports, "10.1.0.2:40000". */
static const char *nat_side(const struct gw_tuple *t, bool src, char *buf, size_t len)
{
	const __u8 *addr = src ? t->saddr : t->daddr;
	__u16 sp, dp;

	if (!packet__has_ports(t))
		return packet__addr_str(t->family, addr, buf, len);
	packet__ports(t, &sp, &dp);
	return packet__endpoint_str(t->family, addr, src ? sp : dp, buf, len);
}

static void nat_annotate(struct line *l, const struct gw_event *a, const struct gw_event *b)
{
	unsigned ch = corr__nat_change(&a->tuple, &b->tuple);
	char x[64], y[64];

	if (ch & CORR_NAT_DST)
		line_add(l, "  DNAT %s -> %s", nat_side(&a->tuple, false, x, sizeof(x)),
			 nat_side(&b->tuple, false, y, sizeof(y)));
	if (ch & CORR_NAT_SRC)
		line_add(l, "  SNAT %s -> %s", nat_side(&a->tuple, true, x, sizeof(x)),
			 nat_side(&b->tuple, true, y, sizeof(y)));
	/* Masquerading pings may get a new echo id to stay unique. */
	if ((ch & CORR_NAT_SRC) && packet__is_echo(&a->tuple) && a->tuple.sport != b->tuple.sport)
		line_add(l, " (id %u -> %u)", ntohs(a->tuple.sport), ntohs(b->tuple.sport));
}

struct text_ctx {
	FILE *out;
	const struct gw_packet *p;
	const struct gw_names *n;
	__u64 t0;
	__u32 netns; /* of the last line, 0 = none yet */
	__u8 flags;  /* GW_EVF_* seen on earlier lines */
};

static bool tuple_moved(const struct gw_tuple *a, const struct gw_tuple *b)
{
	return a->family != b->family || a->proto != b->proto ||
	       memcmp(a->saddr, b->saddr, GW_ADDR_LEN) || memcmp(a->daddr, b->daddr, GW_ADDR_LEN);
}

/*
 * Annotations of the step at i: a NAT seen there (relative to the last
 * step that parsed headers, as corr__finish compares), or, first thing
 * after an xfrm step, the headers it now has (outer after encryption,
 * inner after decryption).
 */
static void step_annotate(const struct text_ctx *c, size_t i, struct line *l)
{
	const struct gw_event *ev = &c->p->steps[i], *q, *before = NULL;
	const struct gw_event *xf = NULL; /* nearest parsed xfrm step */
	bool crossed = false;

	if (!ev->tuple.family || packet__is_xfrm_step(ev))
		return;
	while (i--) {
		q = &c->p->steps[i];
		if (packet__is_xfrm_step(q)) {
			/* Its headers are the ones it was about to
			 * transform: compare with what came before it. */
			crossed = true;
			if (!xf && q->tuple.family)
				xf = q;
			continue;
		}
		if (!q->tuple.family)
			continue;
		if (!crossed) {
			nat_annotate(l, q, ev);
			return;
		}
		before = q;
		break;
	}
	if (!before)
		before = xf; /* the path starts at the xfrm step */
	if (crossed && before && tuple_moved(&before->tuple, &ev->tuple)) {
		line_add(l, "  now ");
		line_tuple(l, &ev->tuple);
	}
}

/* Prints "  +Tus    kind      text" and the netns when it changed. */
static void emit(struct text_ctx *c, const struct gw_event *ev, const char *kind, struct line *text)
{
	char t[32];

	snprintf(t, sizeof(t), "+%" PRIu64 "us",
		 ev->ts_ns > c->t0 ? (uint64_t)(ev->ts_ns - c->t0) / 1000 : 0);
	fprintf(c->out, "  %-7s %-9s %s", t, kind, text->buf);
	if (ev->netns && c->netns && ev->netns != c->netns) {
		char nb[16];

		fprintf(c->out, "  [netns %s]", packet__netns_str(c->n, ev->netns, nb, sizeof(nb)));
	}
	if (ev->netns)
		c->netns = ev->netns;
	/* Where IPsec touched the packet, also when no xfrm probe could
	 * attach (the netfilter probes see the secpath and the xfrm dst). */
	if (ev->flags & ~c->flags & GW_EVF_SECPATH)
		fputs("  [decrypted by IPsec", c->out);
	if (ev->flags & ~c->flags & GW_EVF_XFRM_DST)
		fputs("  [routed into IPsec", c->out);
	if (ev->flags & ~c->flags & (GW_EVF_SECPATH | GW_EVF_XFRM_DST)) {
		/* Netfilter steps carry the SA's SPI with the flag. */
		if (ev->nf.xfrm_spi && (ev->kind == GW_EV_NF_ENTER || ev->kind == GW_EV_NF_EXIT))
			fprintf(c->out, " spi 0x%x", ntohl(ev->nf.xfrm_spi));
		fputc(']', c->out);
	}
	c->flags |= ev->flags;
	fputc('\n', c->out);
}

static const char *nf_verdict_word(unsigned verdict)
{
	const char *s = packet__nf_verdict_name(verdict);

	/* A drop must stand out in a column of "accept". */
	if (verdict == GW_NF_DROP)
		return "DROP";
	return s ? s : "?";
}

/*
 * The EXIT of the hook entered at i (0 if it never left), and whether only
 * table verdicts came between, so the two can share one line. Something
 * else in between (a re-route inside OUTPUT) keeps them apart.
 */
static size_t nf_exit_of(const struct gw_packet *p, size_t i, bool *adjacent)
{
	size_t j;

	*adjacent = true;
	for (j = i + 1; j < p->n_steps; j++) {
		const struct gw_event *ev = &p->steps[j];

		if (ev->kind == GW_EV_NF_TABLE)
			continue;
		if ((ev->kind == GW_EV_NF_EXIT || ev->kind == GW_EV_NF_ENTER) &&
		    ev->nf.hook == p->steps[i].nf.hook)
			return ev->kind == GW_EV_NF_EXIT ? j : 0;
		*adjacent = false;
	}
	return 0;
}

/* Whether the EXIT at j was shown on its ENTER's line. */
static bool nf_exit_collapsed(const struct gw_packet *p, size_t j)
{
	size_t i = j;
	bool adjacent;

	while (i--) {
		if (p->steps[i].kind == GW_EV_NF_TABLE)
			continue;
		return p->steps[i].kind == GW_EV_NF_ENTER &&
		       p->steps[i].nf.hook == p->steps[j].nf.hook &&
		       nf_exit_of(p, i, &adjacent) == j && adjacent;
	}
	return false;
}

/* An ENTER never left is where a netfilter drop happened if it is the
 * last entry into the hook corr__finish blamed. */
static bool nf_enter_dropped(const struct gw_packet *p, size_t i)
{
	size_t j;

	if (!(p->verdicts & (1u << GW_V_NETFILTER_DROP)) ||
	    p->nf_drop_hook != (int)p->steps[i].nf.hook)
		return false;
	for (j = i + 1; j < p->n_steps; j++)
		if (p->steps[j].kind == GW_EV_NF_ENTER &&
		    p->steps[j].nf.hook == p->steps[i].nf.hook)
			return false;
	return true;
}

static void render_nf(struct text_ctx *c, size_t i)
{
	const struct gw_event *ev = &c->p->steps[i];
	struct line l = { .len = 0 };
	bool adjacent;
	size_t j;

	line_add(&l, "%s", gw_hook_name(ev->nf.hook));
	if (ev->kind == GW_EV_NF_EXIT) {
		if (nf_exit_collapsed(c->p, i))
			return; /* shown with its ENTER */
		line_add(&l, " %s", nf_verdict_word(ev->nf.verdict));
		step_annotate(c, i, &l);
	} else if ((j = nf_exit_of(c->p, i, &adjacent)) && adjacent) {
		line_add(&l, " %s", nf_verdict_word(c->p->steps[j].nf.verdict));
		step_annotate(c, i, &l);
		/* The hook's own rewrite: headers before it vs after it. */
		if (ev->tuple.family)
			nat_annotate(&l, ev, &c->p->steps[j]);
		else
			step_annotate(c, j, &l);
	} else {
		if (j)
			line_add(&l, " enter");
		else
			line_add(&l, nf_enter_dropped(c->p, i) ? " DROP" : " (no exit)");
		step_annotate(c, i, &l);
	}
	emit(c, ev, "nf", &l);
}

static void render_nf_table(struct text_ctx *c, const struct gw_event *ev)
{
	struct line l = { .len = 0 };
	char t[NAME_BUF], ch[NAME_BUF];

	line_add(&l, "%s table %s", gw_hook_name(ev->nf.hook),
		 safe_name(ev->nf.table, GW_IFNAMSIZ, t, sizeof(t)));
	if (ev->nf.chain[0])
		line_add(&l, " chain %s", safe_name(ev->nf.chain, GW_IFNAMSIZ, ch, sizeof(ch)));
	line_add(&l, ": %s", nf_verdict_word(ev->nf.verdict));
	emit(c, ev, "nf-table", &l);
}

static const char *route_err_name(const struct gw_event *ev, char *buf, size_t len)
{
	const char *s;

	/* blackhole/unreachable/prohibit routes fail the lookup on purpose:
	 * the route type is the news, not the errno. */
	if (ev->route.type >= 6 && ev->route.type <= 8)
		return packet__route_type_name(ev->route.type);
	/* An errno is small; INT_MIN (a corrupt recording) has no negation. */
	s = ev->route.err < 0 && ev->route.err > -4096 ? strerrorname_np(-ev->route.err) : NULL;
	if (s)
		return s;
	snprintf(buf, len, "err %d", ev->route.err);
	return buf;
}

static void route_hit_desc(struct text_ctx *c, const struct gw_event *ev, struct line *l)
{
	char tb[32], gw[64], dev[NAME_BUF];
	const char *type = packet__route_type_name(ev->route.type);

	line_add(l, "table %s -> ", packet__table_name(c->n, ev->route.table, tb, sizeof(tb)));
	dev_name(ev->route.oif_name, ev->route.oif, dev, sizeof(dev));
	if (ev->route.type == 2) /* RTN_LOCAL */
		line_add(l, "this host");
	else if (ev->route.type >= 6 && ev->route.type <= 8)
		line_add(l, "%s", type);
	else if (ev->route.gw_family)
		line_add(l, "via %s dev %s",
			 packet__addr_str(ev->route.gw_family, ev->route.gw, gw, sizeof(gw)), dev);
	else
		line_add(l, "dev %s (connected)", dev);
	if (ev == c->p->route && (c->p->verdicts & (1u << GW_V_DEFAULT_ROUTE)))
		line_add(l, "  [DEFAULT ROUTE]");
}

/* One line per FIB lookup; a failed one lists every table it tried. */
static size_t render_route(struct text_ctx *c, size_t i)
{
	size_t end, dec = corr__route_run(c->p, i, &end), k;
	const struct gw_event *d = &c->p->steps[dec];
	struct line l = { .len = 0 };
	char tb[32], eb[32];

	if (!d->route.err) {
		route_hit_desc(c, d, &l);
	} else {
		line_add(&l, "no route (");
		for (k = i; k < end; k++)
			line_add(&l, "%stable %s: %s", k > i ? ", " : "",
				 packet__table_name(c->n, c->p->steps[k].route.table, tb,
						    sizeof(tb)),
				 route_err_name(&c->p->steps[k], eb, sizeof(eb)));
		line_add(&l, ")");
	}
	step_annotate(c, dec, &l);
	emit(c, d, "route", &l);
	return end;
}

static void render_drop(struct text_ctx *c, const struct gw_event *ev)
{
	const char *name = packet__reason_name(c->n, ev->drop.reason);
	struct line l = { .len = 0 };
	char loc[256], t[NAME_BUF], ch[NAME_BUF];

	if (name)
		line_add(&l, "%s", name);
	else
		line_add(&l, "reason %u", ev->drop.reason);
	if (ev->drop.location)
		line_add(&l, " at %s", packet__location(c->n, ev->drop.location, loc, sizeof(loc)));
	/* Without a reason a free is a drop only if another step judged
	 * the packet (xfrm_input frees its failures that way). */
	if (!packet__drop_step_is_drop(c->n, ev) && c->p->outcome != GW_OUT_DROPPED) {
		line_add(&l, " (not a drop)");
		emit(c, ev, "free", &l);
		return;
	}
	if (ev->drop.xfrm_mib) {
		char mb[32];
		const char *mib = packet__xfrm_mib_name(c->n, ev->drop.xfrm_mib, mb, sizeof(mb));
		const char *why = xfrm_stat__meaning(mib);

		line_add(&l, "  [%s%s%s]", mib, why ? ": " : "", why ? why : "");
	}
	if (ev->drop.table[0]) {
		line_add(&l, "  (table %s", safe_name(ev->drop.table, GW_IFNAMSIZ, t, sizeof(t)));
		if (ev->drop.chain[0])
			line_add(&l, " chain %s",
				 safe_name(ev->drop.chain, GW_IFNAMSIZ, ch, sizeof(ch)));
		line_add(&l, ")");
	}
	emit(c, ev, "drop", &l);
}

static void render_xfrm(struct text_ctx *c, size_t i)
{
	const struct gw_event *ev = &c->p->steps[i];
	const char *dir = packet__xfrm_dir_name(ev->xfrm.dir);
	struct line l = { .len = 0 };
	char s[64], d[64];

	if (ev->kind == GW_EV_XFRM_POLICY) {
		if (ev->xfrm.err)
			line_add(&l, "REJECTED by %s policy", dir ? dir : "?");
		else
			line_add(&l, "%s policy ok", dir ? dir : "?");
		emit(c, ev, "xfrm-pol", &l);
		return;
	}
	if (ev->xfrm.err && ev->xfrm.mib) {
		char mb[32];
		const char *name = packet__xfrm_mib_name(c->n, ev->xfrm.mib, mb, sizeof(mb));
		const char *why = xfrm_stat__meaning(name);

		line_add(&l, "FAILED: %s%s%s%s", name, why ? " (" : "", why ? why : "",
			 why ? ")" : "");
	} else if (ev->xfrm.err)
		line_add(&l, "FAILED (err %d)", ev->xfrm.err);
	else
		line_add(&l, ev->kind == GW_EV_XFRM_OUT ? "encrypt" : "decrypted");
	if (ev->xfrm.spi)
		line_add(&l, " spi 0x%x", ntohl(ev->xfrm.spi));
	if (ev->kind == GW_EV_XFRM_OUT && packet__addr_len(ev->xfrm.family))
		line_add(&l, " %s %s -> %s", ev->xfrm.mode == 1 ? "tunnel" : "transport",
			 packet__addr_str(ev->xfrm.family, ev->xfrm.saddr, s, sizeof(s)),
			 packet__addr_str(ev->xfrm.family, ev->xfrm.daddr, d, sizeof(d)));
	emit(c, ev, ev->kind == GW_EV_XFRM_OUT ? "xfrm-out" : "xfrm-in", &l);
}

/* rx, tx, free and kinds this version does not know. */
static void render_simple(struct text_ctx *c, size_t i)
{
	const struct gw_event *ev = &c->p->steps[i];
	struct line l = { .len = 0 };
	char dev[NAME_BUF];
	const char *kind = packet__kind_name(ev->kind);

	if (ev->kind == GW_EV_FREE) {
		line_add(&l, "consumed");
	} else {
		line_add(&l, "dev %s", dev_name(ev->ifname, ev->ifindex, dev, sizeof(dev)));
		step_annotate(c, i, &l);
	}
	emit(c, ev, kind, &l);
}

static void render_steps(struct text_ctx *c)
{
	size_t i = 0;

	while (i < c->p->n_steps) {
		switch (c->p->steps[i].kind) {
		case GW_EV_ROUTE:
			i = render_route(c, i);
			continue;
		case GW_EV_NF_ENTER:
		case GW_EV_NF_EXIT:
			render_nf(c, i);
			break;
		case GW_EV_NF_TABLE:
			render_nf_table(c, &c->p->steps[i]);
			break;
		case GW_EV_DROP:
			render_drop(c, &c->p->steps[i]);
			break;
		case GW_EV_XFRM_OUT:
		case GW_EV_XFRM_IN:
		case GW_EV_XFRM_POLICY:
			render_xfrm(c, i);
			break;
		default:
			render_simple(c, i);
			break;
		}
		i++;
	}
}

static const char *outcome_word(enum gw_outcome o)
{
	switch (o) {
	case GW_OUT_DROPPED:
		return "DROP";
	case GW_OUT_FORWARDED:
		return "FORWARDED";
	case GW_OUT_DELIVERED:
		return "DELIVERED";
	case GW_OUT_SENT:
		return "SENT";
	default:
		return "UNKNOWN";
	}
}

/* The diagnosis under the path: "CAUSE id: text (where)", then advice. */
static void render_cause(FILE *out, const struct gw_packet *p, const struct gw_names *n)
{
	const struct gw_diagnosis *d = &p->diag;
	char nb[16];
	const struct gw_cause_def *c = &gw_causes[d->cause];
	struct line l = { .len = 0 };

	if (d->cause == GW_CAUSE_NONE)
		return;
	line_add(&l, "  CAUSE %s: %s", c->id, c->text);
	if (d->at) {
		line_add(&l, " (");
		if (d->hook >= 0)
			line_add(&l, "%s, ", gw_hook_name((unsigned)d->hook));
		line_add(&l, "netns %s", packet__netns_str(n, d->at->netns, nb, sizeof(nb)));
		if (d->at->ifname[0])
			line_add(&l, ", dev %.16s", d->at->ifname);
		line_add(&l, ")");
	}
	fprintf(out, "%s\n        advice: %s\n", l.buf, c->advice);
}

void render_text__packet(FILE *out, const struct gw_packet *p, __u64 count,
			 const struct gw_names *n)
{
	struct text_ctx c = { .out = out, .p = p, .n = n };
	struct line l = { .len = 0 };

	line_add(&l, "%s ", outcome_word(p->outcome));
	line_tuple(&l, &p->flow);
	if (p->held)
		line_add(&l, " (held on its way out: no transmission, no drop seen yet)");
	else if (!p->complete)
		line_add(&l, " (incomplete)");
	if (count > 1)
		line_add(&l, "  x%" PRIu64 " packets", (uint64_t)count);
	fprintf(out, "%s\n", l.buf);
	if (p->ike)
		render_text__ike(out, &p->ike->ike);
	if (p->n_steps)
		c.t0 = p->steps[0].ts_ns;
	render_steps(&c);
	render_cause(out, p, n);
}

void render_text__report(FILE *out, const struct gw_flows *f, bool all, const struct gw_names *n)
{
	size_t i, nf = flows__count(f), shown = 0, dropped = 0;
	uint64_t dropped_pkts = 0;
	int pass;

	for (i = 0; i < nf; i++) {
		struct gw_fold fo = flows__get(f, i);

		if (fo.pkt->outcome == GW_OUT_DROPPED) {
			dropped++;
			dropped_pkts += fo.count;
		}
	}
	if (all)
		fprintf(out,
			"=== report: %zu distinct paths, %" PRIu64 " packets; "
			"%zu dropped paths (%" PRIu64 " packets) ===\n",
			nf, (uint64_t)flows__packets(f), dropped, dropped_pkts);
	else if (dropped)
		fprintf(out,
			"=== report: %zu dropped paths (%" PRIu64 " of %" PRIu64 " packets) ===\n",
			dropped, dropped_pkts, (uint64_t)flows__packets(f));
	else
		fprintf(out, "=== report: no dropped packets (%" PRIu64 " packets seen) ===\n",
			(uint64_t)flows__packets(f));
	/* Dropped first: that is what the operator came for. */
	for (pass = 0; pass < (all ? 2 : 1); pass++) {
		for (i = 0; i < nf; i++) {
			struct gw_fold fo = flows__get(f, i);

			if ((fo.pkt->outcome == GW_OUT_DROPPED) != (pass == 0))
				continue;
			fputc('\n', out);
			render_text__packet(out, fo.pkt, fo.count, n);
			shown++;
		}
	}
	if (flows__overflow(f))
		fprintf(out, "%s(%" PRIu64 " packets not folded: too many distinct paths)\n",
			shown ? "\n" : "", (uint64_t)flows__overflow(f));
}

static void summary_probe(FILE *out, const struct gw_probe_report *pr)
{
	uint64_t lost = probe_report__lost(pr);

	fprintf(out, "  %-12s %-10s %s%s", pr->name ? pr->name : "?",
		pr->strategy ? pr->strategy : "none",
		pr->attached ? "" : "NOT ATTACHED: ", pr->detail ? pr->detail : "");
	if (pr->attached)
		fprintf(out, "  (%" PRIu64 " events)", (uint64_t)pr->events);
	if (lost)
		fprintf(out,
			"  LOST %" PRIu64 " (ring buffer %" PRIu64 ", tracking map %" PRIu64
			", not traced while busy %" PRIu64 ")",
			lost, (uint64_t)pr->lost_ringbuf, (uint64_t)pr->lost_track,
			(uint64_t)pr->lost_busy);
	fputc('\n', out);
}

void render_text__summary(FILE *out, const struct gw_summary *s)
{
	uint64_t lost = summary__lost(s);
	size_t i;

	fprintf(out, "=== summary: %.1f s ===\n", s->duration_s);
	fprintf(out,
		"packets: %" PRIu64 "  dropped %" PRIu64 ", forwarded %" PRIu64
		", delivered %" PRIu64 ", sent %" PRIu64 ", unknown %" PRIu64 "\n",
		(uint64_t)s->packets, (uint64_t)s->by_outcome[GW_OUT_DROPPED],
		(uint64_t)s->by_outcome[GW_OUT_FORWARDED],
		(uint64_t)s->by_outcome[GW_OUT_DELIVERED], (uint64_t)s->by_outcome[GW_OUT_SENT],
		(uint64_t)s->by_outcome[GW_OUT_UNKNOWN]);
	fprintf(out, "events: %" PRIu64 "  (unattributed %" PRIu64 ", evicted paths %" PRIu64 ")\n",
		(uint64_t)s->events, (uint64_t)s->unattributed, (uint64_t)s->evicted);
	/* Always printed: silence about loss must mean no loss. */
	if (!lost)
		fprintf(out, "lost events: 0\n");
	else
		fprintf(out,
			"lost events: %" PRIu64 " (ring buffer full %" PRIu64
			", tracking map full %" PRIu64 ", packets not traced while the"
			" ring buffer was over half full %" PRIu64 "): paths may be"
			" incomplete or missing; try --ringbuf-size / --track-max or a filter\n",
			lost, (uint64_t)s->lost_ringbuf, (uint64_t)s->lost_track,
			(uint64_t)s->lost_busy);
	if (s->xfrm_events_lost)
		fprintf(out, "xfrm events lost: %" PRIu64 " netlink overruns (tables read again)\n",
			(uint64_t)s->xfrm_events_lost);
	if (s->xfrm_stat && s->xfrm_stat->n) {
		fprintf(out, "xfrm counters that moved:\n");
		xfrm_stat__text(out, s->xfrm_stat);
	}
	if (s->n_probes)
		fprintf(out, "probes:\n");
	for (i = 0; i < s->n_probes; i++)
		summary_probe(out, &s->probes[i]);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The trace's IPsec context: one watch per network namespace the trace
 * sees -- every reachable one, or with --netns ours and that one. Our own
 * namespace is always watched (w[0]) because packets without a known
 * namespace are looked up there, and because gwtrace usually runs on the
 * gateway itself. An IKE daemon in a container or gateway namespace makes
 * its SAs there: without a watch there, they would not be in the timeline.
 */
#include <errno.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "json_writer.h"
#include "log.h"
#include "netns.h"
#include "packet.h"
#include "xfrm_ctx.h"
#include "xfrm_nl.h"
#include "xfrm_stat.h"

/* Namespaces watched at most; more are reported once. Each watch is a
 * netlink socket (holding its namespace alive until the namespace is no
 * longer reachable and xfrm_ctx__refresh() lets it go). */
#define MAX_WATCH 256
#define MAX_EARLY 64
#define MAX_ACQUIRES 32
/* The kernel's larval SA lives XFRM_ACQ_EXPIRES (30 s): packets of the
 * flow are refused that long after one ACQUIRE, without another. */
#define ACQUIRE_KEEP_NS (35ULL * 1000000000ULL)

/* An ACQUIRE: the kernel asked the IKE daemon for an SA for this flow. */
struct xfrm_acquire {
	__u64 ts_ns;
	__u32 netns;
	__u16 family;
	__u8 saddr[16], daddr[16];
	/* The policy that wanted the SA: while its larval SA lives the kernel
	 * sends no ACQUIRE for the other flows it covers, which wait (or
	 * die) for the same negotiation. */
	bool has_policy;
	struct xfrm_selector sel;
};

struct xfrm_watch {
	__u32 inum;			/* 0: our own, when it cannot be stat'ed */
	bool own;
	bool warned;			/* a read error was reported */
	struct xfrm_nl *nl;		/* NULL: no xfrm netlink there */
	struct xfrm_stat *start;	/* NULL: no xfrm_stat there */
	struct xfrm_stat_delta delta;
	bool has_delta;
};

struct xfrm_ctx {
	struct xfrm_ctx_opts o;
	unsigned int n;
	struct xfrm_watch *w;		/* [0] ours, [1] --netns's; MAX_WATCH */
	__u64 lost_closed;		/* events lost by watches let go */
	bool warned_max;
	struct xfrm_acquire acq[MAX_ACQUIRES];	/* ring, newest at acq_next - 1 */
	unsigned int acq_next;
	struct {
		__be32 spi;
		__u32 netns;
	} early[MAX_EARLY];		/* SAs reported as expiring early */
	unsigned int early_next;
};

static __u32 own_netns(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (__u32)st.st_ino;
}

/* -1 stands for our own namespace: no setns needed. */
static bool watch_fd(const struct xfrm_ctx *x, const struct xfrm_watch *w, int *fd)
{
	*fd = w->own ? -1 : netns__fd(x->o.netns_map, w->inum);
	return w->own || *fd >= 0;
}

/* The one watch whose counters the summary reports: --netns's, else ours.
 * Only its counters are read (a read is a thread that enters the netns). */
static struct xfrm_watch *summary_watch(const struct xfrm_ctx *x)
{
	return &x->w[x->o.netns && x->n > 1 ? 1 : 0];
}

/* The watch of netns inum, or NULL. */
static struct xfrm_watch *watch_find(const struct xfrm_ctx *x, __u32 inum)
{
	for (unsigned int i = 0; i < x->n; i++)
		if (x->w[i].inum == inum)
			return &x->w[i];
	return NULL;
}

static void watch_open(struct xfrm_ctx *x, struct xfrm_watch *w)
{
	int fd, err;

	if (!watch_fd(x, w, &fd)) {
		pr_warn("xfrm: cannot open network namespace %u: no xfrm events or counters from it",
			w->inum);
		return;
	}
	w->nl = xfrm_nl__open(fd);
	if (!w->nl && errno == EPROTONOSUPPORT)
		pr_debug("xfrm: kernel without xfrm netlink (CONFIG_XFRM_USER): no xfrm events");
	else if (!w->nl)
		pr_warn("xfrm: no xfrm events from netns %u: %s", w->inum, strerror(errno));
	else if ((err = xfrm_nl__dump(w->nl)))
		pr_warn("xfrm: cannot read the SAs and policies of netns %u: %s", w->inum,
			strerror(-err));
	else
		pr_debug("xfrm: netns %u has %zu SAs, %zu policies", w->inum,
			 xfrm_nl__sa_count(w->nl), xfrm_nl__policy_count(w->nl));
	if (w != summary_watch(x))
		return;
	w->start = xfrm_stat__read_netns(fd);
	if (!w->start)
		pr_debug("xfrm: no xfrm_stat in netns %u (%s): no xfrm counters", w->inum,
			 strerror(errno));
}

struct xfrm_ctx *xfrm_ctx__open(const struct xfrm_ctx_opts *o)
{
	struct xfrm_ctx *x = calloc(1, sizeof(*x));
	__u32 own = own_netns();

	if (!x || !(x->w = calloc(MAX_WATCH, sizeof(*x->w)))) {
		free(x);
		return NULL;
	}
	x->o = *o;
	x->w[x->n].inum = own;
	x->w[x->n++].own = true;
	if (o->netns && o->netns != own)
		x->w[x->n++].inum = o->netns;
	for (unsigned int i = 0; i < x->n; i++)
		watch_open(x, &x->w[i]);
	if (!o->netns)
		xfrm_ctx__refresh(x);
	return x;
}

static void watch_close(struct xfrm_ctx *x, struct xfrm_watch *w)
{
	if (w->nl)
		x->lost_closed += xfrm_nl__lost(w->nl);
	xfrm_nl__close(w->nl);
	xfrm_stat__free(w->start);
	memset(w, 0, sizeof(*w));
}

void xfrm_ctx__close(struct xfrm_ctx *x)
{
	if (!x)
		return;
	for (unsigned int i = 0; i < x->n; i++)
		watch_close(x, &x->w[i]);
	free(x->w);
	free(x);
}

static bool has_inum(const __u32 *v, int n, __u32 inum)
{
	for (int i = 0; i < n; i++)
		if (v[i] == inum)
			return true;
	return false;
}

void xfrm_ctx__refresh(struct xfrm_ctx *x)
{
	__u32 seen[MAX_WATCH];
	unsigned int i;
	int n;

	if (!x || x->o.netns)
		return;
	n = netns__list(x->o.netns_map, seen, MAX_WATCH);
	if (n < 0)
		return;
	if (n > MAX_WATCH) {
		if (!x->warned_max)
			pr_warn("xfrm: %d network namespaces, watching %d: no xfrm events from the rest",
				n, MAX_WATCH);
		x->warned_max = true;
		n = MAX_WATCH;
	}
	/* Gone (deleted, or no process left in it): let it go. */
	for (i = 1; i < x->n;) {
		if (has_inum(seen, n, x->w[i].inum)) {
			i++;
			continue;
		}
		pr_debug("xfrm: netns %u gone: no longer watched", x->w[i].inum);
		watch_close(x, &x->w[i]);
		x->w[i] = x->w[--x->n];
		memset(&x->w[x->n], 0, sizeof(x->w[x->n]));
	}
	for (int j = 0; j < n && x->n < MAX_WATCH; j++) {
		if (watch_find(x, seen[j]))
			continue;
		x->w[x->n].inum = seen[j];
		watch_open(x, &x->w[x->n++]);
	}
}

static void remember_acquire(struct xfrm_ctx *x, const struct xfrm_nl_event *ev)
{
	struct xfrm_acquire *a = &x->acq[x->acq_next++ % MAX_ACQUIRES];

	a->ts_ns = ev->ts_ns;
	a->netns = ev->netns;
	a->family = ev->flow.family;
	memcpy(a->saddr, &ev->flow.saddr, sizeof(a->saddr));
	memcpy(a->daddr, &ev->flow.daddr, sizeof(a->daddr));
	a->has_policy = ev->has_policy;
	if (ev->has_policy)
		a->sel = ev->policy.sel;
}

/* An SA that expired far too soon: the diagnosis line, once per SA (its
 * soft and hard expiry are one finding). */
static void lifetime_finding(struct xfrm_ctx *x, const struct xfrm_nl_event *ev)
{
	char evidence[128];
	struct jw w;

	if (!xfrm_nl__expired_early(ev, evidence, sizeof(evidence)))
		return;
	for (unsigned int i = 0; i < MAX_EARLY; i++)
		if (x->early[i].spi == ev->sa.spi && x->early[i].netns == ev->netns)
			return;
	x->early[x->early_next % MAX_EARLY].spi = ev->sa.spi;
	x->early[x->early_next++ % MAX_EARLY].netns = ev->netns;
	if (x->o.json) {
		jw_init(&w, x->o.out);
		xfrm_nl__lifetime_json(&w, ev, evidence);
		jw_endline(&w);
	} else {
		xfrm_nl__lifetime_text(x->o.out, ev, evidence);
		fflush(x->o.out);
	}
}

static void on_event(const struct xfrm_nl_event *ev, void *ctx)
{
	struct xfrm_ctx *x = ctx;
	struct xfrm_nl_event one;
	struct jw w;

	if (ev->type == XFRM_NL_EV_ACQUIRE && ev->has_flow)
		remember_acquire(x, ev);

	if (x->o.json) {
		jw_init(&w, x->o.out);
		xfrm_nl__event_json(&w, ev);
		jw_endline(&w);
		lifetime_finding(x, ev);
		return;
	}
	/* With one namespace watched its inode on every line is noise. */
	if (x->n < 2) {
		one = *ev;
		one.netns = 0;
		ev = &one;
	}
	xfrm_nl__event_text(x->o.out, ev);
	fflush(x->o.out);
	lifetime_finding(x, ev);
}

void xfrm_ctx__poll(struct xfrm_ctx *x)
{
	struct xfrm_watch *w;
	int err;

	for (unsigned int i = 0; x && i < x->n; i++) {
		w = &x->w[i];
		if (!w->nl)
			continue;
		err = xfrm_nl__process(w->nl, on_event, x);
		if (err < 0 && !w->warned) {
			pr_warn("xfrm: reading events of netns %u failed: %s", w->inum,
				strerror(-err));
			w->warned = true;
		}
	}
}

static void watch_delta(const struct xfrm_ctx *x, struct xfrm_watch *w)
{
	struct xfrm_stat *now = NULL;
	int fd;

	if (!w->start)
		return;
	if (watch_fd(x, w, &fd))
		now = xfrm_stat__read_netns(fd);
	if (!now) {
		pr_warn("xfrm: cannot read the xfrm counters of netns %u again (namespace gone?)",
			w->inum);
		return;
	}
	xfrm_stat__delta(w->start, now, &w->delta);
	w->has_delta = true;
	xfrm_stat__free(now);
}

void xfrm_ctx__finish(struct xfrm_ctx *x, struct gw_summary *s)
{
	struct xfrm_watch *w;

	if (!x || !x->n)
		return;
	xfrm_ctx__poll(x);
	for (unsigned int i = 0; i < x->n; i++) {
		w = &x->w[i];
		if (w->nl) {
			s->xfrm_events = true;
			s->xfrm_events_lost += xfrm_nl__lost(w->nl);
		}
	}
	s->xfrm_events_lost += x->lost_closed;
	w = summary_watch(x);
	watch_delta(x, w);
	s->xfrm_stat = w->has_delta ? &w->delta : NULL;
}

bool xfrm_ctx__sa_json(const struct xfrm_ctx *x, struct jw *jw, __u32 netns, __be32 spi,
		       __u8 proto, const __u8 *daddr)
{
	const struct xfrm_watch *w;
	const struct xfrm_nl_sa *sa;

	if (!x || !x->n)
		return false;
	w = netns ? watch_find(x, netns) : NULL;
	if (!w)
		w = &x->w[0];
	sa = xfrm_nl__sa_by_spi(w->nl, spi, proto, daddr);
	if (!sa)
		return false;
	xfrm_nl__sa_json(jw, sa);
	return true;
}

bool xfrm_ctx__acquired(struct xfrm_ctx *x, __u32 netns, unsigned int family, const __u8 *saddr,
			const __u8 *daddr, __u64 ts_ns)
{
	size_t alen = packet__addr_len(family);

	if (!x || !alen)
		return false;
	/* The ACQUIRE was queued before the drop it explains: read it now
	 * if the poll loop has not yet. */
	xfrm_ctx__poll(x);
	for (unsigned int i = 0; i < MAX_ACQUIRES; i++) {
		const struct xfrm_acquire *a = &x->acq[i];

		if (!a->ts_ns || a->family != family || (netns && a->netns && a->netns != netns))
			continue;
		if (ts_ns + 1000000000ULL < a->ts_ns || ts_ns > a->ts_ns + ACQUIRE_KEEP_NS)
			continue;	/* not this packet's time (ACQUIRE up to 1 s late) */
		if (!memcmp(a->saddr, saddr, alen) && !memcmp(a->daddr, daddr, alen))
			return true;
		if (a->has_policy && xfrm_nl__sel_covers(&a->sel, (__u16)family, saddr, daddr))
			return true;
	}
	return false;
}

bool xfrm_ctx__out_policy(const struct xfrm_ctx *x, __u32 netns, unsigned int family,
			  const __u8 *saddr, const __u8 *daddr, unsigned int plen[2], char *desc,
			  size_t len)
{
	const struct xfrm_nl_policy *p;
	const struct xfrm_watch *w;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	if (!x || !x->n || !packet__addr_len(family))
		return false;
	w = netns ? watch_find(x, netns) : NULL;
	if (!w)
		w = &x->w[0];
	p = xfrm_nl__policy_covering(w->nl, XFRM_POLICY_OUT, (__u16)family, saddr, daddr);
	if (!p)
		return false;
	if (plen) {
		plen[0] = p->sel.prefixlen_s;
		plen[1] = p->sel.prefixlen_d;
	}
	if (desc && len) {
		packet__addr_str(family, (const __u8 *)&p->sel.saddr, s, sizeof(s));
		packet__addr_str(family, (const __u8 *)&p->sel.daddr, d, sizeof(d));
		if (p->if_id)
			snprintf(desc, len, "out policy %s/%u -> %s/%u if_id 0x%x", s,
				 p->sel.prefixlen_s, d, p->sel.prefixlen_d, p->if_id);
		else
			snprintf(desc, len, "out policy %s/%u -> %s/%u", s, p->sel.prefixlen_s, d,
				 p->sel.prefixlen_d);
	}
	return true;
}

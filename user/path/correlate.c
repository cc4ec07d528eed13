// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Correlation of step events into packet paths: identity, ordering, life
 * cycle. The conclusions drawn from a finished path (corr__finish) are in
 * conclude.c. See correlate.h for the life cycle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "correlate.h"

struct corr_path {
	struct gw_packet pkt;
	/* Its latest record said GW_CHF_MORE: the kernel holds its next
	 * steps, so being idle here says nothing (see path_expired). */
	bool more;
	struct corr_path *hnext; /* hash chain */
	struct corr_path *older; /* activity list: least recent first */
	struct corr_path *newer;
};

struct gw_corr {
	struct gw_corr_opts opts;
	gw_packet_cb cb;
	void *ctx;
	struct corr_path **buckets; /* power-of-two sized, by pkt_id */
	size_t n_buckets;
	size_t n_paths;
	struct corr_path *oldest; /* first victim of eviction */
	struct corr_path *newest;
	struct gw_corr_stats stats;
};

#define CORR_MIN_BUCKETS 64

static size_t corr_hash(const struct gw_corr *c, __u64 id)
{
	/* pkt_ids are CPU << 48 | sequence: mix before masking. */
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	return (size_t)id & (c->n_buckets - 1);
}

struct gw_corr *corr__new(const struct gw_corr_opts *opts, gw_packet_cb cb, void *ctx)
{
	struct gw_corr *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->opts = *opts;
	if (!c->opts.idle_timeout_ns)
		c->opts.idle_timeout_ns = CORR_DEFAULT_IDLE_NS;
	if (!c->opts.max_packets)
		c->opts.max_packets = CORR_DEFAULT_MAX;
	if (!c->opts.hold_ns)
		c->opts.hold_ns = CORR_DEFAULT_HOLD_NS;
	c->cb = cb;
	c->ctx = ctx;
	c->n_buckets = CORR_MIN_BUCKETS;
	c->buckets = calloc(c->n_buckets, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	return c;
}

static struct corr_path *corr_lookup(const struct gw_corr *c, __u64 id)
{
	struct corr_path *p = c->buckets[corr_hash(c, id)];

	while (p && p->pkt.id != id)
		p = p->hnext;
	return p;
}

/* Doubles the table when it gets crowded; on ENOMEM keeps the old one
 * (longer chains, still correct). */
static void corr_grow(struct gw_corr *c)
{
	size_t old_n = c->n_buckets, i;
	struct corr_path **old = c->buckets, **nb;

	if (c->n_paths < old_n)
		return;
	nb = calloc(old_n * 2, sizeof(*nb));
	if (!nb)
		return;
	c->buckets = nb;
	c->n_buckets = old_n * 2;
	for (i = 0; i < old_n; i++) {
		struct corr_path *p = old[i], *next;

		for (; p; p = next) {
			size_t h = corr_hash(c, p->pkt.id);

			next = p->hnext;
			p->hnext = nb[h];
			nb[h] = p;
		}
	}
	free(old);
}

static void list_unlink(struct gw_corr *c, struct corr_path *p)
{
	if (p->older)
		p->older->newer = p->newer;
	else
		c->oldest = p->newer;
	if (p->newer)
		p->newer->older = p->older;
	else
		c->newest = p->older;
	p->older = p->newer = NULL;
}

static void list_append(struct gw_corr *c, struct corr_path *p)
{
	p->older = c->newest;
	p->newer = NULL;
	if (c->newest)
		c->newest->newer = p;
	else
		c->oldest = p;
	c->newest = p;
}

static void corr_unhash(struct gw_corr *c, struct corr_path *p)
{
	struct corr_path **pp = &c->buckets[corr_hash(c, p->pkt.id)];

	while (*pp && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = p->hnext;
}

static void path_free(struct corr_path *p)
{
	free(p->pkt.steps);
	free(p);
}

/* Takes p out of flight, concludes, reports, frees. */
static void corr_emit(struct gw_corr *c, struct corr_path *p)
{
	corr_unhash(c, p);
	list_unlink(c, p);
	c->n_paths--;
	corr__finish(&p->pkt, c->opts.names);
	c->stats.packets++;
	if (c->cb)
		c->cb(&p->pkt, c->ctx);
	path_free(p);
}

static struct corr_path *corr_add_path(struct gw_corr *c, __u64 id)
{
	struct corr_path *p;
	size_t h;

	/* Full: the least recently active path is the likeliest to be a life
	 * whose end we missed; it goes out incomplete. */
	while (c->n_paths >= c->opts.max_packets && c->oldest) {
		c->stats.evicted++;
		corr_emit(c, c->oldest);
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pkt.id = id;
	p->pkt.nf_drop_hook = -1;
	p->pkt.route_prefixlen = GW_PREFIX_UNKNOWN;
	corr_grow(c);
	h = corr_hash(c, id);
	p->hnext = c->buckets[h];
	c->buckets[h] = p;
	list_append(c, p);
	c->n_paths++;
	return p;
}

/* Inserts ev keeping steps sorted by ts_ns; equal stamps keep arrival
 * order. Late arrivals are rare and close to the end: search backwards. */
static int path_add_step(struct gw_packet *pkt, const struct gw_event *ev)
{
	size_t i;

	if (pkt->n_steps == pkt->cap_steps) {
		size_t cap = pkt->cap_steps ? pkt->cap_steps * 2 : 8;
		struct gw_event *s = realloc(pkt->steps, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		pkt->steps = s;
		pkt->cap_steps = cap;
	}
	i = pkt->n_steps;
	while (i && pkt->steps[i - 1].ts_ns > ev->ts_ns)
		i--;
	memmove(&pkt->steps[i + 1], &pkt->steps[i], (pkt->n_steps - i) * sizeof(*ev));
	pkt->steps[i] = *ev;
	pkt->n_steps++;
	if (ev->ts_ns > pkt->last_ts)
		pkt->last_ts = ev->ts_ns;
	return 0;
}

int corr__push(struct gw_corr *c, const struct gw_event *ev)
{
	struct corr_path *p;
	bool fresh = false, end;

	c->stats.events++;
	if (!ev->pkt_id) {
		c->stats.unattributed++;
		return 0;
	}
	p = corr_lookup(c, ev->pkt_id);
	if (!p) {
		p = corr_add_path(c, ev->pkt_id);
		if (!p)
			return -ENOMEM;
		fresh = true;
	}
	end = ev->kind == GW_EV_DROP || ev->kind == GW_EV_FREE;
	/* A runaway path (a routing loop) is capped, but its end is kept:
	 * the end carries the verdict. */
	if (p->pkt.n_steps >= CORR_MAX_STEPS && !end) {
		c->stats.truncated++;
	} else if (path_add_step(&p->pkt, ev)) {
		if (fresh) {
			corr_unhash(c, p);
			list_unlink(c, p);
			c->n_paths--;
			path_free(p);
		}
		return -ENOMEM;
	}
	list_unlink(c, p);
	list_append(c, p);
	if (end) {
		p->pkt.complete = true;
		corr_emit(c, p);
	}
	return 0;
}

size_t corr__record_steps(size_t size)
{
	size_t hdr = sizeof(struct gw_chunk_hdr), ev = sizeof(struct gw_event);

	if (size < hdr + ev || (size - hdr) % ev || (size - hdr) / ev > GW_CHUNK_STEPS)
		return 0;
	return (size - hdr) / ev;
}

int corr__push_record(struct gw_corr *c, const void *data, size_t size)
{
	const struct gw_chunk_hdr *h = data;
	/* Records are 8-aligned in the ring buffer and in recordings. */
	const struct gw_event *steps = (const void *)(h + 1);
	size_t n = corr__record_steps(size), i;
	struct corr_path *p;
	int err;

	if (!n || h->n_steps != n)
		return -EBADMSG;
	for (i = 1; i < n; i++)
		if (steps[i].pkt_id != steps[0].pkt_id)
			return -EBADMSG;
	for (i = 0; i < n; i++)
		if ((err = corr__push(c, &steps[i])))
			return err;
	p = corr_lookup(c, steps[0].pkt_id);
	if (!p)
		return 0;	/* its last step ended it */
	p->more = h->flags & GW_CHF_MORE;
	/* The kernel saw the life end after its last step: a delivered
	 * packet whose address a new packet took (gw_track_reused). */
	if (h->flags & GW_CHF_END) {
		p->pkt.complete = true;
		corr_emit(c, p);
	}
	return 0;
}

/*
 * Idle for at least its limit: idle_timeout_ns, or hold_ns if held or if
 * the kernel still gathers its steps (its tracking entry ends with a
 * record, or user space's sweep takes it, well within hold_ns).
 */
static bool path_expired(const struct gw_corr *c, const struct corr_path *cp, __u64 now_ns)
{
	const struct gw_packet *p = &cp->pkt;
	__u64 idle = now_ns > p->last_ts ? now_ns - p->last_ts : 0;

	if (idle < c->opts.idle_timeout_ns)
		return false;
	return (!cp->more && !corr__path_held(p)) || idle >= c->opts.hold_ns;
}

void corr__expire(struct gw_corr *c, __u64 now_ns)
{
	struct corr_path *p = c->oldest, *next;

	/* The list is in push order, not ts order (cross-CPU skew): look at
	 * every path; there are at most max_packets. */
	for (; p; p = next) {
		next = p->newer;
		if (path_expired(c, p, now_ns))
			corr_emit(c, p);
	}
}

void corr__flush(struct gw_corr *c)
{
	while (c->oldest)
		corr_emit(c, c->oldest);
}

void corr__free(struct gw_corr *c)
{
	struct corr_path *p, *next;

	if (!c)
		return;
	for (p = c->oldest; p; p = next) {
		next = p->newer;
		path_free(p);
	}
	free(c->buckets);
	free(c);
}

void corr__stats(const struct gw_corr *c, struct gw_corr_stats *out)
{
	*out = c->stats;
}

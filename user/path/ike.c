// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* IKE headers named, and unanswered requests found (see ike.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "ike.h"

#define IKEV2_FLAG_RESPONSE 0x20
#define WATCH_MAX 256		/* requests remembered; the oldest goes first */

struct name_def {
	unsigned value;
	const char *name;
};

/* RFC 7296 exchange types. */
static const struct name_def v2_exchanges[] = {
	{ 34, "IKE_SA_INIT" }, { 35, "IKE_AUTH" }, { 36, "CREATE_CHILD_SA" },
	{ 37, "INFORMATIONAL" }, { 43, "IKE_INTERMEDIATE" },
};

/* RFC 2408/2409 exchange types (ISAKMP, IKEv1). */
static const struct name_def v1_exchanges[] = {
	{ 2, "MAIN_MODE" }, { 4, "AGGRESSIVE_MODE" }, { 5, "INFORMATIONAL" },
	{ 32, "QUICK_MODE" },
};

/* Notify message types sent in clear that name a failure or a step of
 * the negotiation (RFC 7296; IKEv1 shares the low error numbers). */
static const struct name_def notifies[] = {
	{ 1, "UNSUPPORTED_CRITICAL_PAYLOAD" }, { 4, "INVALID_IKE_SPI" },
	{ 5, "INVALID_MAJOR_VERSION" }, { 7, "INVALID_SYNTAX" }, { 9, "INVALID_MESSAGE_ID" },
	{ 11, "INVALID_SPI" }, { 14, "NO_PROPOSAL_CHOSEN" }, { 17, "INVALID_KE_PAYLOAD" },
	{ 24, "AUTHENTICATION_FAILED" }, { 34, "SINGLE_PAIR_REQUIRED" },
	{ 35, "NO_ADDITIONAL_SAS" }, { 36, "INTERNAL_ADDRESS_FAILURE" },
	{ 37, "FAILED_CP_REQUIRED" }, { 38, "TS_UNACCEPTABLE" }, { 39, "INVALID_SELECTORS" },
	{ 43, "TEMPORARY_FAILURE" }, { 44, "CHILD_SA_NOT_FOUND" },
	{ 16388, "NAT_DETECTION_SOURCE_IP" }, { 16389, "NAT_DETECTION_DESTINATION_IP" },
	{ 16390, "COOKIE" },
};

static const char *lookup(const struct name_def *t, size_t n, unsigned v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	return NULL;
}

#define LOOKUP(t, v) lookup((t), sizeof(t) / sizeof((t)[0]), (v))

unsigned ike__version(const struct gw_ike *k)
{
	unsigned v = k->version >> 4;

	return v == 1 || v == 2 ? v : 0;
}

const char *ike__exchange_name(const struct gw_ike *k)
{
	switch (ike__version(k)) {
	case 2:
		return LOOKUP(v2_exchanges, k->exchange);
	case 1:
		return LOOKUP(v1_exchanges, k->exchange);
	}
	return NULL;
}

const char *ike__notify_name(unsigned notify)
{
	return notify ? LOOKUP(notifies, notify) : NULL;
}

bool ike__is_response(const struct gw_ike *k)
{
	static const __u8 zero[8];

	if (ike__version(k) == 2)
		return k->flags & IKEV2_FLAG_RESPONSE;
	return memcmp(k->spi_r, zero, sizeof(zero)) != 0;	/* IKEv1: see ike.h */
}

const struct gw_event *ike__step(const struct gw_packet *p)
{
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct gw_event *ev = &p->steps[i];

		if ((ev->kind == GW_EV_RX || ev->kind == GW_EV_TX) && ev->ike.present)
			return ev;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */

struct pending {
	struct ike_finding f;
	bool used, reported;
	__u64 seq;			/* age order, for eviction */
};

struct ike_watch {
	unsigned retries;
	ike_finding_fn fn;
	void *ctx;
	__u64 seq;
	struct pending v[WATCH_MAX];
};

struct ike_watch *ike_watch__new(unsigned retries, ike_finding_fn fn, void *ctx)
{
	struct ike_watch *w = calloc(1, sizeof(*w));

	if (w) {
		w->retries = retries;
		w->fn = fn;
		w->ctx = ctx;
	}
	return w;
}

void ike_watch__free(struct ike_watch *w)
{
	free(w);
}

static bool same_addrs(const struct gw_tuple *a, const struct gw_tuple *b, bool reversed)
{
	size_t n = packet__addr_len(a->family);

	if (a->family != b->family || !n)
		return false;
	if (reversed)
		return !memcmp(a->saddr, b->daddr, n) && !memcmp(a->daddr, b->saddr, n);
	return !memcmp(a->saddr, b->saddr, n) && !memcmp(a->daddr, b->daddr, n);
}

/* A request is one exchange: initiator SPI, message id, exchange type,
 * between the same two addresses. */
static bool same_request(const struct pending *r, const struct gw_tuple *t,
			 const struct gw_ike *k)
{
	return same_addrs(&r->f.flow, t, false) && !memcmp(r->f.ike.spi_i, k->spi_i, 8) &&
	       r->f.ike.msg_id == k->msg_id && r->f.ike.exchange == k->exchange;
}

/* Its answer: from the responder, same initiator SPI (and, in IKEv2,
 * message id; IKEv1's phase 1 answers change it). */
static bool answers(const struct pending *r, const struct gw_tuple *t, const struct gw_ike *k)
{
	if (!same_addrs(&r->f.flow, t, true) || memcmp(r->f.ike.spi_i, k->spi_i, 8))
		return false;
	return ike__version(k) != 2 || r->f.ike.msg_id == k->msg_id;
}

/* Where the packet was last seen: its drop (the cause's place), else
 * its last step. */
static void note_place(struct ike_finding *f, const struct gw_packet *p)
{
	const struct gw_event *at = p->drop ?: &p->steps[p->n_steps - 1];

	f->at_netns = at->netns;
	memcpy(f->at_dev, at->ifname, GW_IFNAMSIZ);
	f->at_dev[GW_IFNAMSIZ] = '\0';
	f->at_dropped = p->drop != NULL;
	f->at_hook = p->drop ? p->nf_drop_hook : -1;
}

static struct pending *slot_for(struct ike_watch *w)
{
	struct pending *oldest = &w->v[0];

	for (size_t i = 0; i < WATCH_MAX; i++) {
		if (!w->v[i].used)
			return &w->v[i];
		if (w->v[i].seq < oldest->seq)
			oldest = &w->v[i];
	}
	return oldest;
}

static void report(struct ike_watch *w, struct pending *r)
{
	struct ike_finding *f = &r->f;

	r->reported = true;
	f->cause = GW_CAUSE_IKE_UNANSWERED;
	f->n_evidence = 0;
	snprintf(f->evidence[f->n_evidence++], sizeof(f->evidence[0]),
		 "%u %s request%s, message id %u, no answer", f->sent,
		 ike__exchange_name(&f->ike) ?: "IKE", f->sent == 1 ? "" : "s",
		 ntohl(f->ike.msg_id));
	if (f->at_dropped)
		snprintf(f->evidence[f->n_evidence++], sizeof(f->evidence[0]),
			 "the last one dropped%s%s", f->at_hook >= 0 ? " at " : "",
			 f->at_hook >= 0 ? gw_hook_name((unsigned)f->at_hook) : "");
	if (w->fn)
		w->fn(&r->f, w->ctx);
}

void ike_watch__packet(struct ike_watch *w, const struct gw_packet *p)
{
	const struct gw_event *ev = p->ike;
	struct pending *r;

	if (!w || !ev || !ike__version(&ev->ike))
		return;
	if (ike__is_response(&ev->ike)) {
		for (size_t i = 0; i < WATCH_MAX; i++)
			if (w->v[i].used && answers(&w->v[i], &ev->tuple, &ev->ike))
				w->v[i].used = false;
		return;
	}
	for (size_t i = 0; i < WATCH_MAX; i++) {
		r = &w->v[i];
		if (!r->used || !same_request(r, &ev->tuple, &ev->ike))
			continue;
		r->f.sent++;
		r->f.last_ts = ev->ts_ns;
		note_place(&r->f, p);
		if (!r->reported && r->f.sent > w->retries)
			report(w, r);
		return;
	}
	r = slot_for(w);
	memset(r, 0, sizeof(*r));
	r->used = true;
	r->seq = ++w->seq;
	r->f.flow = ev->tuple;
	r->f.ike = ev->ike;
	r->f.sent = 1;
	r->f.first_ts = r->f.last_ts = ev->ts_ns;
	note_place(&r->f, p);
	if (r->f.sent > w->retries)
		report(w, r);
}

void ike_watch__finish(struct ike_watch *w)
{
	for (size_t i = 0; w && i < WATCH_MAX; i++)
		if (w->v[i].used && !w->v[i].reported && w->v[i].f.sent >= 2)
			report(w, &w->v[i]);
}

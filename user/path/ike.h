/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * IKE as the packets show it: the header the kernel side read from a UDP
 * 500/4500 datagram (struct gw_ike on its RX/TX steps), named; and the
 * exchanges that fail without any packet dying -- a request retransmitted
 * with no answer (ike_unanswered), found across packets by ike_watch.
 *
 * Requests and answers: IKEv2 says so in its flags (0x20 response); IKEv1
 * has no such flag, so its first message (responder cookie 0) is the
 * request and any message of the same initiator cookie coming back is
 * its answer.
 */
#ifndef GW_IKE_H
#define GW_IKE_H

#include <stdbool.h>
#include <linux/types.h>
#include "packet.h"

#define GW_IKE_NOTIFY_NO_PROPOSAL_CHOSEN 14	/* IKEv1 and IKEv2 alike */

/* "IKE_SA_INIT", "MAIN_MODE", ...; NULL if not known for that version. */
const char *ike__exchange_name(const struct gw_ike *k);
/* "NO_PROPOSAL_CHOSEN", ...; NULL if not known (or no notify). */
const char *ike__notify_name(unsigned notify);
/* IKE major version from the header (1, 2; 0 if neither). */
unsigned ike__version(const struct gw_ike *k);
bool ike__is_response(const struct gw_ike *k);
/* The IKE header of p: its first RX/TX step that read one, or NULL.
 * corr__finish() keeps it as p->ike, which the other stages read. */
const struct gw_event *ike__step(const struct gw_packet *p);

/* A finding about an IKE exchange that no dying packet carries. */
struct ike_finding {
	enum gw_cause cause;		/* GW_CAUSE_IKE_UNANSWERED */
	struct gw_tuple flow;		/* the request's headers (initiator -> responder) */
	struct gw_ike ike;		/* its IKE header */
	unsigned sent;			/* transmissions seen (1 + retransmissions) */
	__u64 first_ts, last_ts;	/* first and last of them (CLOCK_MONOTONIC) */
	/* The last place the last copy was seen: its drop, else its last step. */
	__u32 at_netns;
	char at_dev[GW_IFNAMSIZ + 1];
	int at_hook;			/* netfilter hook there, -1 if none */
	bool at_dropped;		/* it died there (see its packet's diagnosis) */
	/* The facts in words, written once when it is reported. */
	unsigned n_evidence;
	char evidence[2][96];
};

typedef void (*ike_finding_fn)(const struct ike_finding *f, void *ctx);

struct ike_watch;

/* Requests unanswered after `retries` retransmissions (sent > retries)
 * are reported through fn, once each. */
struct ike_watch *ike_watch__new(unsigned retries, ike_finding_fn fn, void *ctx);
void ike_watch__free(struct ike_watch *w);	/* NULL-safe */
/* A finished packet: a request is remembered (a retransmission counted),
 * an answer forgets its request. */
void ike_watch__packet(struct ike_watch *w, const struct gw_packet *p);
/* At exit: requests sent at least twice and never answered are reported
 * too (the trace ended before the daemon gave up). */
void ike_watch__finish(struct ike_watch *w);

#endif /* GW_IKE_H */

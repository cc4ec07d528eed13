/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Diagnosis: the cause of a packet's death in the words of IPsec and
 * gateway troubleshooting ("IKE is blocked", "the keys differ"), from the
 * conclusions corr__finish() drew. One table of causes (id, text, advice):
 * the ids are part of the JSON schema, the README lists them.
 */
#ifndef GW_DIAGNOSE_H
#define GW_DIAGNOSE_H

#include "names.h"
#include "packet.h"

struct gw_cause_def {
	const char *id;		/* stable: JSON "cause", text "CAUSE" */
	const char *text;	/* what happened */
	const char *advice;	/* what to look at */
};

/* Indexed by enum gw_cause (packet.h); [GW_CAUSE_NONE] has no id. */
extern const struct gw_cause_def gw_causes[GW_CAUSE_MAX];

/*
 * What a cause is decided from. A caller that cannot know a fact leaves it
 * false / NULL: monitor's counters know the reason, counter, location and
 * protocol of a drop, not its ports, route or history.
 */
struct gw_drop_facts {
	const char *reason;		/* drop reason name; NULL: none or unknown */
	const char *xfrm_mib;		/* xfrm counter name ("XfrmInNoStates"); NULL */
	const char *location;		/* "func+0x1c" or "func"; "" or NULL: unknown */
	const struct gw_tuple *t;	/* headers at the drop; NULL: unknown */
	const struct gw_tuple *flow;	/* headers at first sight; NULL: t */
	bool netfilter;			/* netfilter dropped it */
	bool policy;			/* an xfrm policy check rejected it */
	bool decrypted;			/* IPsec decrypted it before the drop */
	bool routed_rx;			/* received, and its FIB lookup found a route */
	bool acquired;			/* the kernel sent an ACQUIRE for its flow */
};

/* The cause those facts show (GW_CAUSE_KERNEL_DROP when none fits). */
enum gw_cause diagnose__cause(const struct gw_drop_facts *f);

/* Fills p->diag from p's conclusions (after finish_verdicts & co.). */
void diagnose__packet(struct gw_packet *p, const struct gw_names *n);

#endif /* GW_DIAGNOSE_H */

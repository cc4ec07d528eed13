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

/* Fills p->diag from p's conclusions (after finish_verdicts & co.). */
void diagnose__packet(struct gw_packet *p, const struct gw_names *n);

#endif /* GW_DIAGNOSE_H */

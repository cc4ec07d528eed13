/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * JSON lines output (--json): one object per line, flushed after each
 * line. The schema is documented in the README ("JSON output"); every word
 * used comes from packet.c. Fields are only ever added, never renamed.
 */
#ifndef GW_RENDER_JSON_H
#define GW_RENDER_JSON_H

#include <stdio.h>
#include "names.h"
#include "packet.h"
#include "summary.h"

/* Rendering options. */
enum {
	/* Each step lists only the common fields (dev, netns, len, headers,
	 * ...) whose value differs from the step before; t_ns, probe, kind
	 * and the kind's own fields always. The first step lists all. A
	 * reader carries the others forward. */
	RJ_COMPACT = 1u << 0,
};

/* {"type":"packet",...}; flags: RJ_* */
void render_json__packet(FILE *out, const struct gw_packet *p, const struct gw_names *n,
			 unsigned flags);
struct ike_finding;
/* {"type":"diagnosis",...}: a finding no dying packet carries (ike.h). */
void render_json__finding(FILE *out, const struct ike_finding *f);
/* {"type":"summary",...} */
void render_json__summary(FILE *out, const struct gw_summary *s);

#endif /* GW_RENDER_JSON_H */

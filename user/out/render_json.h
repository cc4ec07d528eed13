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

/* {"type":"packet",...} */
void render_json__packet(FILE *out, const struct gw_packet *p, const struct gw_names *n);
/* {"type":"summary",...} */
void render_json__summary(FILE *out, const struct gw_summary *s);

#endif /* GW_RENDER_JSON_H */

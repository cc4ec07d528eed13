// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * IKE in text output: the line under an IKE packet's header, and the
 * findings about exchanges that no dying packet carries (ike.h).
 */
#include <arpa/inet.h>
#include "diagnose.h"
#include "ike.h"
#include "render_text.h"

static void spi_hex(FILE *out, const __u8 *spi)
{
	for (int i = 0; i < 8; i++)
		fprintf(out, "%02x", spi[i]);
}

void render_text__ike(FILE *out, const struct gw_ike *k)
{
	const char *x = ike__exchange_name(k), *nt = ike__notify_name(k->notify);

	fprintf(out, "  IKEv%u ", ike__version(k));
	if (x)
		fprintf(out, "%s", x);
	else
		fprintf(out, "exchange %u", k->exchange);
	fprintf(out, " %s", ike__is_response(k) ? "response" : "request");
	if (ike__version(k) == 2 && (k->flags & 0x08))
		fprintf(out, " (initiator)");
	fprintf(out, "  msgid %u  spi_i ", ntohl(k->msg_id));
	spi_hex(out, k->spi_i);
	fprintf(out, " spi_r ");
	spi_hex(out, k->spi_r);
	if (nt)
		fprintf(out, "  notify %s", nt);
	else if (k->notify)
		fprintf(out, "  notify %u", k->notify);
	fprintf(out, "\n");
}

void render_text__finding(FILE *out, const struct ike_finding *f)
{
	const struct gw_cause_def *c = &gw_causes[f->cause];
	char s[64], d[64];

	fprintf(out, "IKE %s -> %s: %u %s request%s (message id %u), no answer\n",
		packet__addr_str(f->flow.family, f->flow.saddr, s, sizeof(s)),
		packet__addr_str(f->flow.family, f->flow.daddr, d, sizeof(d)), f->sent,
		ike__exchange_name(&f->ike) ?: "IKE", f->sent == 1 ? "" : "s",
		ntohl(f->ike.msg_id));
	fprintf(out, "  CAUSE %s: %s (", c->id, c->text);
	if (f->at_hook >= 0)
		fprintf(out, "%s, ", gw_hook_name((unsigned)f->at_hook));
	fprintf(out, "netns %u", f->at_netns);
	if (f->at_dev[0])
		fprintf(out, ", dev %s", f->at_dev);
	fprintf(out, "%s)\n        advice: %s\n", f->at_dropped ? ", dropped there" : "",
		c->advice);
	fflush(out);
}

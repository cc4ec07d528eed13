// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fuzz target: a `--record` recording, read as bench/replay reads it --
 * the header checks, every record through the correlator (the per-packet
 * record decoder, corr__push_record) at the recorded ticks, and every
 * finished path rendered as JSON and as text, and watched for unanswered
 * IKE requests (their findings rendered too). Outside bytes: a recording
 * may come from another machine, a full disk or a kill.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "correlate.h"
#include "events_fixture.h"
#include "ike.h"
#include "record.h"
#include "render_json.h"
#include "render_text.h"

static FILE *sink;
static struct ike_watch *ike;

static void on_finding(const struct ike_finding *f, void *ctx)
{
	(void)ctx;
	render_json__finding(sink, f);
	render_text__finding(sink, f);
}

static void on_packet(struct gw_packet *p, void *ctx)
{
	ike_watch__packet(ike, p);
	render_json__packet(sink, p, ctx, 0);
	render_json__packet(sink, p, ctx, RJ_COMPACT);
	render_text__packet(sink, p, 1, ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gw_names names;
	struct gw_corr_opts co = { .max_packets = 64, .names = &names };
	const struct gw_rec_hdr *h;
	struct gw_recording rec;
	struct gw_rec_iter it;
	struct gw_corr *c;
	const void *pl;
	void *buf;
	__u64 now;

	if (!sink) {
		sink = fopen("/dev/null", "w");
		names = fx_names(NULL);	/* the unit tests' fixed answers */
	}
	/* A recording is read whole into an aligned buffer (records are
	 * 8-aligned in it): so here. */
	buf = malloc(size ? size : 1);
	if (!buf || !sink)
		return 0;
	memcpy(buf, data, size);
	if (recording__parse(buf, size, &rec)) {
		free(buf);
		return 0;
	}
	c = corr__new(&co, on_packet, &names);
	ike = ike_watch__new(2, on_finding, NULL);
	if (c && ike) {
		recording__iter(&rec, &it);
		while (recording__next(&it, &h, &pl) == 1) {
			if (h->type == GW_REC_EVENT) {
				corr__push_record(c, pl, h->len);
			} else if (h->type == GW_REC_TICK && h->len >= sizeof(now)) {
				memcpy(&now, pl, sizeof(now));
				corr__expire(c, now);
			}
		}
		corr__flush(c);
		ike_watch__finish(ike);
	}
	corr__free(c);
	ike_watch__free(ike);
	free(buf);
	return 0;
}

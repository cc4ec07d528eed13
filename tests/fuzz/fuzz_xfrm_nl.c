// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fuzz target: xfrm netlink messages as the kernel (or anything that can
 * write to the socket) sends them -- decoded, applied to the SA/policy
 * table, and every event rendered as JSON and as text, then the table
 * looked up and walked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_writer.h"
#include "xfrm_nl.h"

static FILE *sink;

static void on_event(const struct xfrm_nl_event *ev, void *ctx)
{
	struct jw w;

	(void)ctx;
	jw_init(&w, sink);
	xfrm_nl__event_json(&w, ev);
	jw_endline(&w);
	xfrm_nl__event_text(sink, ev);
}

static int on_sa(const struct xfrm_nl_sa *sa, void *ctx)
{
	struct jw w;

	(void)ctx;
	jw_init(&w, sink);
	xfrm_nl__sa_json(&w, sa);
	jw_endline(&w);
	return 0;
}

static int on_policy(const struct xfrm_nl_policy *p, void *ctx)
{
	(void)p, (void)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xfrm_nl *x;
	void *buf;
	__be32 spi = 0;

	if (!sink)
		sink = fopen("/dev/null", "w");
	/* Netlink messages arrive 4-aligned in the receive buffer. */
	buf = malloc(size ? size : 1);
	x = xfrm_nl__new_detached();
	if (!buf || !x || !sink) {
		free(buf);
		xfrm_nl__close(x);
		return 0;
	}
	memcpy(buf, data, size);
	xfrm_nl__feed(x, buf, size, 1000000000ULL, 1700000000ULL, on_event, NULL);
	if (size >= 4)
		memcpy(&spi, data, 4);
	xfrm_nl__sa_by_spi(x, spi, 0, NULL);
	xfrm_nl__policy_by_index(x, spi);
	xfrm_nl__foreach_sa(x, on_sa, NULL);
	xfrm_nl__foreach_policy(x, on_policy, NULL);
	xfrm_nl__close(x);
	free(buf);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What both xfrm_nl tests need: output capture, an event log for
 * xfrm_nl_cb, IPv4 addresses into xfrm_address_t. Header-only (static
 * inline), like events_fixture.h. Include after <cmocka.h>.
 */
#ifndef GW_XFRM_NL_FIXTURE_H
#define GW_XFRM_NL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "json_writer.h"
#include "xfrm_nl.h"

#define SPI 0x1000

static inline char *event_json(const struct xfrm_nl_event *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;

	assert_non_null(f);
	jw_init(&w, f);
	xfrm_nl__event_json(&w, ev);
	assert_true(jw_ok(&w));
	fclose(f);
	return buf;
}

static inline char *event_text(const struct xfrm_nl_event *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	xfrm_nl__event_text(f, ev);
	fclose(f);
	return buf;
}

static inline char *policy_json(const struct xfrm_nl_policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;

	jw_init(&w, f);
	xfrm_nl__policy_json(&w, p);
	fclose(f);
	return buf;
}

static inline void assert_json_eq(const struct xfrm_nl_event *ev, const char *want)
{
	char *got = event_json(ev);

	assert_string_equal(got, want);
	free(got);
}

static inline void assert_text_eq(const struct xfrm_nl_event *ev, const char *want)
{
	char *got = event_text(ev);

	assert_string_equal(got, want);
	free(got);
}

static inline void addr4(xfrm_address_t *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	assert_int_equal(inet_pton(AF_INET, s, &a->a4), 1);
}

struct evlog {
	int n;
	struct xfrm_nl_event ev[512];
};

static inline void collect(const struct xfrm_nl_event *ev, void *ctx)
{
	struct evlog *l = ctx;

	if (l->n < (int)(sizeof(l->ev) / sizeof(l->ev[0])))
		l->ev[l->n++] = *ev;
}

static inline struct evlog *evlog_new(void)
{
	struct evlog *l = calloc(1, sizeof(*l));

	assert_non_null(l);
	return l;
}

#endif /* GW_XFRM_NL_FIXTURE_H */

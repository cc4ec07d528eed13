// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Prometheus registry: name rules, escaping, series identity, counter
 * monotonicity, value formatting and the exact text format; promtool
 * checks a rendering when it is installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "metrics.h"
#include "sh_fixture.h"

#define L(n, v) ((struct metric_label){ (n), (v) })

static struct metrics *m;

static int setup(void **state)
{
	(void)state;
	m = metrics__new();
	return m ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	metrics__free(m);
	m = NULL;
	return 0;
}

/* The whole rendering, as a string the test frees. */
static char *render(void)
{
	size_t len = 12345;
	char *s = metrics__render(m, &len);

	assert_non_null(s);
	assert_int_equal(len, strlen(s));
	return s;
}

static void assert_render(const char *want)
{
	char *s = render();

	assert_string_equal(s, want);
	free(s);
}

static void test_family_names(void **state)
{
	static const char *const bad[] = { "", "1abc", "a-b", "a b", "a.b", "\xc3\xa9", "a\n" };
	size_t i;

	(void)state;
	assert_int_equal(metrics__family(m, "a", METRIC_GAUGE, "h"), 0);
	assert_int_equal(metrics__family(m, "_x:y9", METRIC_GAUGE, "h"), 0);
	assert_int_equal(metrics__family(m, ":a_total", METRIC_COUNTER, "h"), 0);
	assert_int_equal(metrics__family(m, "x_total", METRIC_COUNTER, "h"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(metrics__family(m, bad[i], METRIC_GAUGE, "h"), -EINVAL);
		assert_int_equal(metrics__family(m, bad[i], METRIC_COUNTER, "h"), -EINVAL);
	}
	assert_int_equal(metrics__family(m, NULL, METRIC_GAUGE, "h"), -EINVAL);
	/* counters end in _total, gauges do not */
	assert_int_equal(metrics__family(m, "packets", METRIC_COUNTER, "h"), -EINVAL);
	assert_int_equal(metrics__family(m, "_total", METRIC_COUNTER, "h"), -EINVAL);
	assert_int_equal(metrics__family(m, "packets_totals", METRIC_COUNTER, "h"), -EINVAL);
	assert_int_equal(metrics__family(m, "flows_total", METRIC_GAUGE, "h"), -EINVAL);
	assert_int_equal(metrics__family(m, "g", (enum metric_type)7, "h"), -EINVAL);
	/* help is required */
	assert_int_equal(metrics__family(m, "g", METRIC_GAUGE, NULL), -EINVAL);
	assert_int_equal(metrics__family(m, "g", METRIC_GAUGE, ""), -EINVAL);
	/* redeclaring: same type is fine and keeps the first help */
	assert_int_equal(metrics__family(m, "a", METRIC_GAUGE, "other"), 0);
	assert_int_equal(metrics__family(m, "x_total", METRIC_COUNTER, "other"), 0);
	assert_render("# HELP a h\n# TYPE a gauge\n"
		      "# HELP _x:y9 h\n# TYPE _x:y9 gauge\n"
		      "# HELP :a_total h\n# TYPE :a_total counter\n"
		      "# HELP x_total h\n# TYPE x_total counter\n");
	assert_int_equal(metrics__family(NULL, "b", METRIC_GAUGE, "h"), -EINVAL);
}

static void test_family_redeclared_other_type(void **state)
{
	(void)state;
	assert_int_equal(metrics__family(m, "a", METRIC_GAUGE, "h"), 0);
	/* "a" cannot be a counter; a gauge "a_total" cannot exist either */
	assert_int_equal(metrics__family(m, "a", METRIC_COUNTER, "h"), -EINVAL);
	assert_int_equal(metrics__family(m, "c_total", METRIC_COUNTER, "h"), 0);
	assert_int_equal(metrics__family(m, "c_total", METRIC_GAUGE, "h"), -EINVAL);
	/* the refused declarations changed nothing */
	assert_int_equal(metrics__set(m, "a", NULL, 0, 1), 0);
	assert_render("# HELP a h\n# TYPE a gauge\na 1\n"
		      "# HELP c_total h\n# TYPE c_total counter\n");
}

static void test_label_names(void **state)
{
	static const char *const bad[] = { "__reserved", "__", "1a", "a-b", "a:b", "", "a b" };
	struct metric_label l[METRICS_MAX_LABELS + 1];
	char names[METRICS_MAX_LABELS + 1][8];
	double v = -1;
	size_t i;

	(void)state;
	assert_int_equal(metrics__family(m, "c_total", METRIC_COUNTER, "h"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l[0] = L(bad[i], "v");
		assert_int_equal(metrics__add(m, "c_total", l, 1, 1), -EINVAL);
	}
	l[0] = L(NULL, "v");
	assert_int_equal(metrics__add(m, "c_total", l, 1, 1), -EINVAL);
	l[0] = L("a", NULL);
	assert_int_equal(metrics__add(m, "c_total", l, 1, 1), -EINVAL);
	assert_int_equal(metrics__add(m, "c_total", NULL, 1, 1), -EINVAL);
	/* duplicate names, even with different values, wherever they are */
	l[0] = L("a", "1");
	l[1] = L("b", "2");
	l[2] = L("a", "3");
	assert_int_equal(metrics__add(m, "c_total", l, 3, 1), -EINVAL);
	/* one underscore is fine, and so are digits after the first character */
	l[0] = L("_a1", "x");
	assert_int_equal(metrics__add(m, "c_total", l, 1, 1), 0);
	/* at most METRICS_MAX_LABELS */
	for (i = 0; i <= METRICS_MAX_LABELS; i++) {
		snprintf(names[i], sizeof(names[i]), "l%zu", i);
		l[i] = L(names[i], "v");
	}
	assert_int_equal(metrics__add(m, "c_total", l, METRICS_MAX_LABELS + 1, 1), -E2BIG);
	assert_int_equal(metrics__add(m, "c_total", l, METRICS_MAX_LABELS, 1), 0);
	assert_int_equal(metrics__get(m, "c_total", l, METRICS_MAX_LABELS, &v), 0);
	assert_true(v == 1);
	/* the refused calls created nothing */
	metrics__free(m);
	m = metrics__new();
	assert_int_equal(metrics__family(m, "c_total", METRIC_COUNTER, "h"), 0);
	l[0] = L("__x", "v");
	assert_int_equal(metrics__add(m, "c_total", l, 1, 1), -EINVAL);
	assert_render("# HELP c_total h\n# TYPE c_total counter\n");
}

static void test_label_escaping(void **state)
{
	struct metric_label l[] = {
		L("a", "back\\slash"),
		L("b", "say \"hi\""),
		L("c", "two\nlines"),
		L("d", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
		L("e", ""),
		L("f", "\\n is not a newline"),
	};

	(void)state;
	assert_int_equal(metrics__family(m, "g", METRIC_GAUGE, "h"), 0);
	assert_int_equal(metrics__set(m, "g", l, 6, 1), 0);
	assert_render("# HELP g h\n# TYPE g gauge\n"
		      "g{a=\"back\\\\slash\",b=\"say \\\"hi\\\"\",c=\"two\\nlines\","
		      "d=\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\",e=\"\","
		      "f=\"\\\\n is not a newline\"} 1\n");
}

/* Bytes that are not UTF-8 become U+FFFD, and the series is found again. */
static void test_label_invalid_utf8(void **state)
{
	struct metric_label l = L("dev", "e\xfft\xc3h\xed\xa0\x80");
	double v = 0;

	(void)state;
	assert_int_equal(metrics__family(m, "x_total", METRIC_COUNTER, "h\xff"), 0);
	assert_int_equal(metrics__add(m, "x_total", &l, 1, 2), 0);
	assert_int_equal(metrics__add(m, "x_total", &l, 1, 3), 0);
	assert_int_equal(metrics__get(m, "x_total", &l, 1, &v), 0);
	assert_true(v == 5);
	assert_render("# HELP x_total h\xef\xbf\xbd\n# TYPE x_total counter\n"
		      "x_total{dev=\"e\xef\xbf\xbdt\xef\xbf\xbdh"
		      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"} 5\n");
}

static void test_help_escaping(void **state)
{
	(void)state;
	assert_int_equal(metrics__family(m, "g", METRIC_GAUGE, "a \\ b\nc \"quoted\" caf\xc3\xa9"),
			 0);
	/* in HELP only backslash and newline are escaped */
	assert_render("# HELP g a \\\\ b\\nc \"quoted\" caf\xc3\xa9\n# TYPE g gauge\n");
}

static void test_label_order(void **state)
{
	struct metric_label ab[] = { L("a", "1"), L("b", "2"), L("c", "3") };
	struct metric_label cba[] = { L("c", "3"), L("b", "2"), L("a", "1") };
	struct metric_label bca[] = { L("b", "2"), L("c", "3"), L("a", "1") };
	double v = 0;

	(void)state;
	assert_int_equal(metrics__family(m, "p_total", METRIC_COUNTER, "h"), 0);
	assert_int_equal(metrics__add(m, "p_total", cba, 3, 1), 0);
	assert_int_equal(metrics__add(m, "p_total", ab, 3, 2), 0);
	assert_int_equal(metrics__add(m, "p_total", bca, 3, 4), 0);
	assert_int_equal(metrics__get(m, "p_total", bca, 3, &v), 0);
	assert_true(v == 7);
	assert_int_equal(metrics__get(m, "p_total", ab, 3, &v), 0);
	assert_true(v == 7);
	/* a subset is another series */
	assert_int_equal(metrics__get(m, "p_total", ab, 2, &v), -ENOENT);
	assert_render("# HELP p_total h\n# TYPE p_total counter\n"
		      "p_total{a=\"1\",b=\"2\",c=\"3\"} 7\n");
}

static void test_counter_monotonic(void **state)
{
	struct metric_label l = L("k", "v");
	double v = 0;
	int i;

	(void)state;
	assert_int_equal(metrics__family(m, "c_total", METRIC_COUNTER, "h"), 0);
	assert_int_equal(metrics__add(m, "c_total", &l, 1, 5), 0);
	assert_int_equal(metrics__add(m, "c_total", &l, 1, -1), -EINVAL);
	assert_int_equal(metrics__add(m, "c_total", &l, 1, -0.5), -EINVAL);
	assert_int_equal(metrics__add(m, "c_total", &l, 1, NAN), -EINVAL);
	assert_int_equal(metrics__add(m, "c_total", &l, 1, INFINITY), -EINVAL);
	assert_int_equal(metrics__add(m, "c_total", &l, 1, -INFINITY), -EINVAL);
	assert_int_equal(metrics__get(m, "c_total", &l, 1, &v), 0);
	assert_true(v == 5);
	/* a refused delta does not create the series either */
	assert_int_equal(metrics__add(m, "c_total", NULL, 0, -1), -EINVAL);
	assert_int_equal(metrics__get(m, "c_total", NULL, 0, &v), -ENOENT);
	/* adding 0 creates it at 0 */
	assert_int_equal(metrics__add(m, "c_total", NULL, 0, 0), 0);
	assert_int_equal(metrics__get(m, "c_total", NULL, 0, &v), 0);
	assert_true(v == 0);
	/* exact accumulation of large integers */
	assert_int_equal(metrics__add(m, "c_total", NULL, 0, 0x1p40), 0);
	assert_int_equal(metrics__add(m, "c_total", NULL, 0, 1), 0);
	assert_int_equal(metrics__get(m, "c_total", NULL, 0, &v), 0);
	assert_true(v == 1099511627777.0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(metrics__add(m, "c_total", NULL, 0, 0x1p32 + 3), 0);
	assert_int_equal(metrics__get(m, "c_total", NULL, 0, &v), 0);
	assert_true(v == 1099511627777.0 + 1000 * (0x1p32 + 3));
	assert_render("# HELP c_total h\n# TYPE c_total counter\n"
		      "c_total 5394478926777\n"
		      "c_total{k=\"v\"} 5\n");
}

/* A counter raised to a running total kept elsewhere: up or level, never
 * down, never a gauge. */
static void test_counter_advance(void **state)
{
	struct metric_label l = L("k", "v");
	double v = -1;

	(void)state;
	assert_int_equal(metrics__family(m, "c_total", METRIC_COUNTER, "h"), 0);
	assert_int_equal(metrics__family(m, "g", METRIC_GAUGE, "h"), 0);
	assert_int_equal(metrics__advance(m, "c_total", &l, 1, 0), 0);
	assert_int_equal(metrics__get(m, "c_total", &l, 1, &v), 0);
	assert_true(v == 0);
	assert_int_equal(metrics__advance(m, "c_total", &l, 1, 7), 0);
	assert_int_equal(metrics__advance(m, "c_total", &l, 1, 7), 0);
	assert_int_equal(metrics__advance(m, "c_total", &l, 1, 6), -EINVAL);
	assert_int_equal(metrics__advance(m, "c_total", &l, 1, NAN), -EINVAL);
	assert_int_equal(metrics__advance(m, "c_total", &l, 1, INFINITY), -EINVAL);
	assert_int_equal(metrics__get(m, "c_total", &l, 1, &v), 0);
	assert_true(v == 7);
	assert_int_equal(metrics__add(m, "c_total", &l, 1, 1), 0);
	assert_int_equal(metrics__advance(m, "c_total", &l, 1, 0x1p40), 0);
	assert_int_equal(metrics__get(m, "c_total", &l, 1, &v), 0);
	assert_true(v == 0x1p40);
	assert_int_equal(metrics__advance(m, "g", NULL, 0, 1), -EINVAL);
	assert_int_equal(metrics__advance(m, "nope_total", NULL, 0, 1), -ENOENT);
	assert_render("# HELP c_total h\n# TYPE c_total counter\n"
		      "c_total{k=\"v\"} 1099511627776\n"
		      "# HELP g h\n# TYPE g gauge\n");
}

static void test_type_mismatch(void **state)
{
	double v = 0;

	(void)state;
	assert_int_equal(metrics__family(m, "c_total", METRIC_COUNTER, "h"), 0);
	assert_int_equal(metrics__family(m, "g", METRIC_GAUGE, "h"), 0);
	assert_int_equal(metrics__add(m, "g", NULL, 0, 1), -EINVAL);
	assert_int_equal(metrics__set(m, "c_total", NULL, 0, 1), -EINVAL);
	assert_int_equal(metrics__add(m, "nope_total", NULL, 0, 1), -ENOENT);
	assert_int_equal(metrics__set(m, "nope", NULL, 0, 1), -ENOENT);
	assert_int_equal(metrics__get(m, "nope", NULL, 0, &v), -ENOENT);
	assert_int_equal(metrics__get(m, "g", NULL, 0, &v), -ENOENT);
	assert_int_equal(metrics__set(m, "g", NULL, 0, -3), 0);
	assert_int_equal(metrics__set(m, "g", NULL, 0, 2.5), 0); /* gauges go anywhere */
	assert_int_equal(metrics__get(m, "g", NULL, 0, &v), 0);
	assert_true(v == 2.5);
	assert_int_equal(metrics__get(m, "g", NULL, 0, NULL), -EINVAL);
	assert_int_equal(metrics__add(NULL, "c_total", NULL, 0, 1), -EINVAL);
	assert_int_equal(metrics__add(m, NULL, NULL, 0, 1), -EINVAL);
	assert_render("# HELP c_total h\n# TYPE c_total counter\n"
		      "# HELP g h\n# TYPE g gauge\ng 2.5\n");
}

/* The value field of a gauge set to v. */
static char *formatted(double v)
{
	char *s, *sp, *out;

	assert_int_equal(metrics__set(m, "g", NULL, 0, v), 0);
	s = render();
	sp = strrchr(s, ' ');
	assert_non_null(sp);
	out = strndup(sp + 1, strlen(sp + 1) - 1); /* without the newline */
	free(s);
	return out;
}

static void assert_formatted(double v, const char *want)
{
	char *got = formatted(v);

	assert_string_equal(got, want);
	free(got);
}

static void test_value_format(void **state)
{
	(void)state;
	assert_int_equal(metrics__family(m, "g", METRIC_GAUGE, "h"), 0);
	assert_formatted(0, "0");
	assert_formatted(-0.0, "0");
	assert_formatted(42, "42");
	assert_formatted(-42, "-42");
	assert_formatted(1099511627777.0, "1099511627777");
	assert_formatted(0x1p53, "9007199254740992");
	assert_formatted(-0x1p53, "-9007199254740992");
	assert_formatted(0x1p53 + 2, "9007199254740994");
	assert_formatted(1e17, "1e+17");
	assert_formatted(-0x1p64, "-1.8446744073709552e+19");
	assert_formatted(1e300, "1e+300");
	assert_formatted(0.1, "0.1");
	assert_formatted(2.5, "2.5");
	assert_formatted(-1.25e-7, "-1.25e-07");
	assert_formatted(1.0 / 3, "0.3333333333333333");
	assert_formatted(0.1 + 0.2, "0.30000000000000004");
	assert_formatted(INFINITY, "+Inf");
	assert_formatted(-INFINITY, "-Inf");
	assert_formatted(NAN, "NaN");
}

/* Whatever the double, the text reads back to the same one. */
static void test_value_round_trip(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	double v;
	char *s;
	int i;

	(void)state;
	assert_int_equal(metrics__family(m, "g", METRIC_GAUGE, "h"), 0);
	for (i = 0; i < 2000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(&v, &x, sizeof(v));
		if (!isfinite(v))
			continue;
		s = formatted(v);
		assert_true(strtod(s, NULL) == v);
		free(s);
	}
}

static void test_empty_registry(void **state)
{
	size_t len = 99;
	char *s;

	(void)state;
	s = metrics__render(m, &len);
	assert_non_null(s);
	assert_int_equal(len, 0);
	assert_string_equal(s, "");
	free(s);
	assert_null(metrics__render(NULL, &len));
	metrics__free(NULL);
}

static void test_render_exact(void **state)
{
	struct metric_label l[3];

	(void)state;
	assert_int_equal(metrics__family(m, "gw_packets_total", METRIC_COUNTER, "Packets by fate"),
			 0);
	assert_int_equal(metrics__family(m, "gw_flows", METRIC_GAUGE, "Flows now"), 0);
	assert_int_equal(metrics__family(m, "gw_unused_total", METRIC_COUNTER, "Never counted"), 0);
	l[0] = L("fate", "sent");
	l[1] = L("dev", "eth0");
	assert_int_equal(metrics__add(m, "gw_packets_total", l, 2, 3), 0);
	l[0] = L("fate", "dropped");
	l[2] = L("reason", "NO_ROUTE");
	assert_int_equal(metrics__add(m, "gw_packets_total", l, 3, 1), 0);
	l[0] = L("fate", "dropped");
	assert_int_equal(metrics__add(m, "gw_packets_total", l, 2, 10), 0);
	l[1] = L("dev", "eth1");
	assert_int_equal(metrics__add(m, "gw_packets_total", l, 2, 7), 0);
	assert_int_equal(metrics__set(m, "gw_flows", NULL, 0, 12), 0);
	assert_render("# HELP gw_packets_total Packets by fate\n"
		      "# TYPE gw_packets_total counter\n"
		      "gw_packets_total{dev=\"eth0\",fate=\"dropped\"} 10\n"
		      "gw_packets_total{dev=\"eth0\",fate=\"dropped\",reason=\"NO_ROUTE\"} 1\n"
		      "gw_packets_total{dev=\"eth0\",fate=\"sent\"} 3\n"
		      "gw_packets_total{dev=\"eth1\",fate=\"dropped\"} 7\n"
		      "# HELP gw_flows Flows now\n"
		      "# TYPE gw_flows gauge\n"
		      "gw_flows 12\n"
		      "# HELP gw_unused_total Never counted\n"
		      "# TYPE gw_unused_total counter\n");
}

/* Series order: by label name, then value, a prefix first; none at all first. */
static void test_render_order(void **state)
{
	struct metric_label x[] = { L("a", "x"), L("b", "y") };
	struct metric_label xy = L("a", "xy");
	struct metric_label b = L("b", "a");
	struct metric_label up = L("a", "X");

	(void)state;
	assert_int_equal(metrics__family(m, "g", METRIC_GAUGE, "h"), 0);
	assert_int_equal(metrics__set(m, "g", &b, 1, 5), 0);
	assert_int_equal(metrics__set(m, "g", &xy, 1, 4), 0);
	assert_int_equal(metrics__set(m, "g", x, 2, 3), 0);
	assert_int_equal(metrics__set(m, "g", x, 1, 2), 0);
	assert_int_equal(metrics__set(m, "g", NULL, 0, 1), 0);
	assert_int_equal(metrics__set(m, "g", &up, 1, 0), 0);
	assert_render("# HELP g h\n# TYPE g gauge\n"
		      "g 1\n"
		      "g{a=\"X\"} 0\n"
		      "g{a=\"x\"} 2\n"
		      "g{a=\"x\",b=\"y\"} 3\n"
		      "g{a=\"xy\"} 4\n"
		      "g{b=\"a\"} 5\n");
}

/* Thousands of series: all found again, rendered once each, in order. */
static void test_many_series(void **state)
{
	enum { N = 5000 };
	char val[16], want[64], *s, *p;
	struct metric_label l[2] = { L("i", val), L("k", "v") };
	double v;
	int i;

	(void)state;
	assert_int_equal(metrics__family(m, "n_total", METRIC_COUNTER, "h"), 0);
	for (i = N - 1; i >= 0; i--) {
		snprintf(val, sizeof(val), "%05d", (i * 7919) % N);
		assert_int_equal(metrics__add(m, "n_total", l, 2, (i * 7919) % N), 0);
	}
	for (i = 0; i < N; i++) {
		snprintf(val, sizeof(val), "%05d", i);
		assert_int_equal(metrics__add(m, "n_total", l, 2, 1), 0);
		assert_int_equal(metrics__get(m, "n_total", l, 2, &v), 0);
		assert_true(v == i + 1);
	}
	s = render();
	p = strstr(s, "counter\n");
	assert_non_null(p);
	p += strlen("counter\n");
	for (i = 0; i < N; i++) {
		snprintf(want, sizeof(want), "n_total{i=\"%05d\",k=\"v\"} %d\n", i, i + 1);
		assert_memory_equal(p, want, strlen(want));
		p += strlen(want);
	}
	assert_string_equal(p, "");
	free(s);
}

/* Prometheus' own parser and linter agree with us, when installed. */
static void test_promtool(void **state)
{
	char path[] = "/tmp/gwt-metrics.XXXXXX";
	struct metric_label l[] = { L("fate", "dropped"), L("note", "a\\b \"c\"\nd \xc3\xa9") };
	char *s;
	int fd, rc;

	(void)state;
	if (fx_sh("command -v promtool >/dev/null")) {
		print_message("skip: promtool is not installed (apt-get install prometheus)\n");
		skip();
	}
	assert_int_equal(
		metrics__family(m, "gw_packets_total", METRIC_COUNTER, "Packets \\ by\nfate"), 0);
	assert_int_equal(metrics__family(m, "gw_flows", METRIC_GAUGE, "Flows"), 0);
	assert_int_equal(metrics__family(m, "gw_empty_total", METRIC_COUNTER, "None yet"), 0);
	assert_int_equal(metrics__add(m, "gw_packets_total", l, 2, 3), 0);
	assert_int_equal(metrics__add(m, "gw_packets_total", l, 1, 0x1p40 + 1), 0);
	assert_int_equal(metrics__set(m, "gw_flows", NULL, 0, 0.1), 0);
	s = render();
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
	free(s);
	rc = fx_sh("promtool check metrics < %s", path);
	unlink(path);
	assert_int_equal(rc, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_family_names),	    T(test_family_redeclared_other_type),
		T(test_label_names),	    T(test_label_escaping),
		T(test_label_invalid_utf8), T(test_help_escaping),
		T(test_label_order),	    T(test_counter_monotonic),
		T(test_counter_advance),
		T(test_type_mismatch),	    T(test_value_format),
		T(test_value_round_trip),   T(test_empty_registry),
		T(test_render_exact),	    T(test_render_order),
		T(test_many_series),	    T(test_promtool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

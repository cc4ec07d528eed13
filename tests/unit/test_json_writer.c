// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JSON writer: structure, separators, escaping, numbers. */
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "json_writer.h"
#include "events_fixture.h"

static struct fx_out out;
static struct jw w;

static int setup(void **state)
{
	(void)state;
	fx_out_open(&out);
	jw_init(&w, out.f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (out.f)
		fclose(out.f);
	free(out.buf);
	memset(&out, 0, sizeof(out));
	return 0;
}

static const char *done(void)
{
	return fx_out_close(&out);
}

/* The escaped form of the string s (len bytes) as one record. */
static const char *escaped(const char *s, size_t len)
{
	jw_string_len(&w, s, len);
	return done();
}

static void test_structure(void **state)
{
	(void)state;
	jw_start_object(&w);
	jw_int_field(&w, "a", 1);
	jw_name(&w, "b");
	jw_start_array(&w);
	jw_int(&w, 1);
	jw_u64(&w, 2);
	jw_start_object(&w);
	jw_null_field(&w, "c");
	jw_end_object(&w);
	jw_start_array(&w);
	jw_end_array(&w);
	jw_end_array(&w);
	jw_name(&w, "d");
	jw_start_object(&w);
	jw_end_object(&w);
	jw_bool_field(&w, "e", true);
	jw_bool_field(&w, "f", false);
	jw_string_field(&w, "g", NULL);
	jw_end_object(&w);
	assert_true(jw_ok(&w));
	jw_endline(&w);
	assert_string_equal(done(), "{\"a\":1,\"b\":[1,2,{\"c\":null},[]],\"d\":{},"
				    "\"e\":true,\"f\":false,\"g\":null}\n");
	assert_true(fx_json_line_ok(out.buf));
}

/* Records on consecutive lines do not get a comma between them. */
static void test_json_lines(void **state)
{
	(void)state;
	jw_start_object(&w);
	jw_string_field(&w, "type", "a");
	jw_end_object(&w);
	jw_endline(&w);
	jw_start_object(&w);
	jw_string_field(&w, "type", "b");
	jw_end_object(&w);
	jw_endline(&w);
	assert_string_equal(done(), "{\"type\":\"a\"}\n{\"type\":\"b\"}\n");
}

static void test_misuse_detected(void **state)
{
	int i;

	(void)state;
	jw_start_object(&w);
	assert_false(jw_ok(&w)); /* still open */
	jw_end_object(&w);
	assert_true(jw_ok(&w));
	jw_end_array(&w); /* nothing open */
	assert_false(jw_ok(&w));
	jw_init(&w, out.f);
	for (i = 0; i < JW_MAX_DEPTH + 1; i++)
		jw_start_array(&w);
	for (i = 0; i < JW_MAX_DEPTH + 1; i++)
		jw_end_array(&w);
	assert_false(jw_ok(&w));
	jw_init(&w, out.f);
	jw_start_array(&w);
	jw_endline(&w); /* record not closed */
	assert_false(jw_ok(&w));
}

static void test_escape_json_specials(void **state)
{
	(void)state;
	assert_string_equal(escaped("a\"b\\c/d", SIZE_MAX), "\"a\\\"b\\\\c/d\"");
}

static void test_escape_control(void **state)
{
	(void)state;
	assert_string_equal(escaped("\x01\t\n\r\x1f\x7f x", SIZE_MAX),
			    "\"\\u0001\\u0009\\u000a\\u000d\\u001f\\u007f x\"");
}

static void test_utf8_valid_kept(void **state)
{
	(void)state;
	/* é (2 bytes), € (3), U+10FFFF (4), 😀 (4) */
	assert_string_equal(
		escaped("\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80", SIZE_MAX),
		"\"\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80\"");
	assert_true(fx_json_value(&(struct fx_json){ (const unsigned char *)out.buf, 0 }));
}

static void test_utf8_invalid_escaped(void **state)
{
	(void)state;
	assert_string_equal(
		escaped("\x80"		   /* lone continuation */
			"\xc0\xaf"	   /* overlong '/' */
			"\xed\xa0\x80"	   /* UTF-16 surrogate */
			"\xf4\x90\x80\x80" /* above U+10FFFF */
			"\xf5"		   /* never valid */
			"\xe0\x80\xaf"	   /* overlong 3-byte */
			"\xc3"
			"A"	    /* cut short by ASCII */
			"\xe2\x82", /* cut short by the end */
			SIZE_MAX),
		"\"\\u0080\\u00c0\\u00af\\u00ed\\u00a0\\u0080\\u00f4\\u0090\\u0080\\u0080"
		"\\u00f5\\u00e0\\u0080\\u00af\\u00c3A\\u00e2\\u0082\"");
}

/* Kernel char arrays may lack the NUL: never read past len. */
static void test_string_len(void **state)
{
	char name[4] = { 'e', 't', 'h', '0' };

	(void)state;
	jw_start_array(&w);
	jw_string_len(&w, name, sizeof(name));
	jw_string_len(&w, "ab\0cd", 5);	  /* stops at the NUL */
	jw_string_len(&w, "\xc3\xa9", 1); /* a sequence cut by len */
	jw_string_len(&w, NULL, 3);
	jw_end_array(&w);
	assert_string_equal(done(), "[\"eth0\",\"ab\",\"\\u00c3\",null]");
}

static void test_numbers(void **state)
{
	(void)state;
	jw_start_array(&w);
	jw_int(&w, INT64_MIN);
	jw_int(&w, -1);
	jw_u64(&w, UINT64_MAX);
	jw_u64(&w, 0);
	jw_double(&w, 1.5, 3);
	jw_double(&w, 0.0004, 3);
	jw_double(&w, NAN, 3);
	jw_double(&w, INFINITY, 3);
	jw_end_array(&w);
	assert_string_equal(done(), "[-9223372036854775808,-1,18446744073709551615,0,"
				    "1.500,0.000,null,null]");
	assert_true(fx_json_value(&(struct fx_json){ (const unsigned char *)out.buf, 0 }));
}

/* Every byte value, alone and in context, yields parseable JSON. */
static void test_all_bytes(void **state)
{
	char s[3] = { 'x', 0, 'y' };
	int c;

	(void)state;
	jw_start_array(&w);
	for (c = 1; c < 256; c++) {
		s[1] = (char)c;
		jw_string_len(&w, s, sizeof(s));
	}
	jw_end_array(&w);
	jw_endline(&w);
	assert_true(fx_json_line_ok(done()));
}

/*
 * Records far larger than the writer's stage: strings longer than it,
 * escapes and UTF-8 sequences across its boundary, numbers and names
 * split by a flush. The output must be what one byte at a time gives.
 */
static void test_large_record(void **state)
{
	size_t big_len = 3 * JW_STAGE + 123, cap = 64 * JW_STAGE, n = 0, i, k;
	char *big = malloc(big_len + 1), *want = malloc(cap);

	(void)state;
	assert_non_null(big);
	assert_non_null(want);
	for (i = 0; i < big_len; i++)
		big[i] = (char)('a' + i % 26);
	big[JW_STAGE - 7] = '"';
	big[JW_STAGE + 1] = '\x01';
	memcpy(big + 2 * JW_STAGE - 9, "\xe2\x82\xac", 3); /* € across a flush */
	big[big_len] = '\0';

	jw_start_object(&w);
	n += (size_t)snprintf(want + n, cap - n, "{");
	for (k = 0; k < 3; k++) {
		for (i = 0; i < 700; i++) {
			jw_u64_field(&w, "n", i * 1000003u);
			n += (size_t)snprintf(want + n, cap - n, "%s\"n\":%zu",
					      k || i ? "," : "", i * 1000003u);
		}
		jw_string_field(&w, "big", big);
		n += (size_t)snprintf(want + n, cap - n, ",\"big\":\"");
		for (i = 0; i < big_len; i++) {
			if (big[i] == '"')
				n += (size_t)snprintf(want + n, cap - n, "\\\"");
			else if (big[i] == '\x01')
				n += (size_t)snprintf(want + n, cap - n, "\\u0001");
			else
				want[n++] = big[i];
		}
		want[n++] = '"';
	}
	jw_end_object(&w);
	jw_endline(&w);
	n += (size_t)snprintf(want + n, cap - n, "}\n");
	assert_true(n < cap);
	assert_string_equal(done(), want);
	assert_true(fx_json_line_ok(out.buf));
	free(big);
	free(want);
}

/* A complete top-level value is in the FILE when the call returns, so
 * other writes to the same FILE keep their place. */
static void test_order_with_direct_writes(void **state)
{
	(void)state;
	jw_u64(&w, 1);
	fputs("X", out.f);
	jw_start_object(&w);
	jw_null_field(&w, "a");
	jw_end_object(&w);
	fputs("Y", out.f);
	jw_endline(&w);
	assert_string_equal(done(), "1X,{\"a\":null}Y\n");
}

/* A name the compiler sizes (a literal) and one built at run time come
 * out the same; only the run-time one may need escaping. */
static void test_names_literal_and_runtime(void **state)
{
	char rt[8];

	(void)state;
	snprintf(rt, sizeof(rt), "%s", "t_ns");
	jw_start_object(&w);
	jw_u64_field(&w, "t_ns", 7);
	jw_u64_field(&w, rt, 7);
	snprintf(rt, sizeof(rt), "a\"b");
	jw_u64_field(&w, rt, 9);
	jw_name(&w, "e");
	jw_enum(&w, "PREROUTING");
	jw_enum_field(&w, "f", NULL);
	jw_end_object(&w);
	assert_true(jw_ok(&w));
	assert_string_equal(done(), "{\"t_ns\":7,\"t_ns\":7,\"a\\\"b\":9,"
				    "\"e\":\"PREROUTING\",\"f\":null}");
}

/* Digits at each boundary of the fast paths (one digit, two, 2^32). */
static void test_number_boundaries(void **state)
{
	(void)state;
	jw_start_array(&w);
	jw_u64(&w, 9);
	jw_u64(&w, 10);
	jw_u64(&w, 99);
	jw_u64(&w, 100);
	jw_u64(&w, 4294967295u);
	jw_u64(&w, 4294967296u);
	jw_int(&w, -9);
	jw_end_array(&w);
	assert_string_equal(done(), "[9,10,99,100,4294967295,4294967296,-9]");
}

/* Every digit count, and numbers written across the stage's end (they
 * are written in place): the same text snprintf gives. */
static void test_numbers_in_place(void **state)
{
	static char want[4 * JW_STAGE];
	size_t n = 0, i;
	uint64_t v;

	(void)state;
	jw_start_array(&w);
	n += (size_t)snprintf(want + n, sizeof(want) - n, "[");
	for (i = 0; n < 3 * JW_STAGE; i++) {
		v = 1;
		for (size_t d = 0; d < i % 20; d++)
			v *= 10;
		v = v - 1 + i % 7;	/* 9..., 10..., and neighbours */
		jw_u64(&w, v);
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%" PRIu64, i ? "," : "", v);
	}
	jw_end_array(&w);
	snprintf(want + n, sizeof(want) - n, "]");
	assert_string_equal(done(), want);
}

/* Names and strings that straddle the stage's end flush it, whole. */
static void test_stage_boundaries(void **state)
{
	char big[JW_STAGE + 16];
	size_t i, want = 0;

	(void)state;
	jw_start_array(&w);
	want++;
	for (i = 0; i < 3 * JW_STAGE / 10; i++) {	/* {"ab":"xyz"} = 12 bytes + comma */
		jw_start_object(&w);
		jw_enum_field(&w, "ab", "xyz");
		jw_end_object(&w);
		want += 12 + (i > 0);
	}
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	jw_plain_string(&w, big, sizeof(big) - 1);	/* larger than the stage */
	want += sizeof(big) - 1 + 3;
	jw_end_array(&w);
	want++;
	jw_endline(&w);
	want++;
	assert_int_equal(strlen(done()), want);
	assert_true(fx_json_line_ok(out.buf));
}

/* Members written since a mark come back whole and go out again as
 * they were; a mark the stage was flushed past gives nothing. */
static void test_fragments(void **state)
{
	char frag[64], big[JW_STAGE];
	struct jw_mark m;
	size_t n;

	(void)state;
	jw_start_object(&w);
	jw_int_field(&w, "a", 1);
	m = jw_mark(&w);
	jw_enum_field(&w, "b", "x");
	jw_name(&w, "c");
	jw_start_array(&w);
	jw_u64(&w, 7);
	jw_end_array(&w);
	n = jw_fragment(&w, m, frag, sizeof(frag));
	assert_int_equal(n, strlen(",\"b\":\"x\",\"c\":[7]"));
	assert_memory_equal(frag, ",\"b\":\"x\",\"c\":[7]", n);
	assert_int_equal(jw_fragment(&w, m, frag, 4), 0);	/* does not fit */
	jw_end_object(&w);
	jw_endline(&w);
	jw_start_object(&w);
	/* Not after a member: a fragment's comma would be wrong there. */
	assert_false(jw_put_fragment(&w, frag, n));
	m = jw_mark(&w);
	jw_int_field(&w, "a", 2);
	assert_int_equal(jw_fragment(&w, m, frag + 32, 32), 0);	/* mark not after a member */
	assert_true(jw_put_fragment(&w, frag, n));
	jw_end_object(&w);
	jw_endline(&w);
	assert_string_equal(done(), "{\"a\":1,\"b\":\"x\",\"c\":[7]}\n"
				    "{\"a\":2,\"b\":\"x\",\"c\":[7]}\n");
	free(out.buf);
	fx_out_open(&out);
	jw_init(&w, out.f);
	jw_start_object(&w);
	jw_int_field(&w, "a", 1);
	m = jw_mark(&w);
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	jw_string_field(&w, "b", big);	/* flushes the stage */
	jw_int_field(&w, "c", 3);
	assert_int_equal(jw_fragment(&w, m, frag, sizeof(frag)), 0);
	jw_end_object(&w);
	jw_endline(&w);
	done();
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_structure),
		T(test_json_lines),
		T(test_misuse_detected),
		T(test_escape_json_specials),
		T(test_escape_control),
		T(test_utf8_valid_kept),
		T(test_utf8_invalid_escaped),
		T(test_string_len),
		T(test_numbers),
		T(test_all_bytes),
		T(test_large_record),
		T(test_order_with_direct_writes),
		T(test_names_literal_and_runtime),
		T(test_number_boundaries),
		T(test_numbers_in_place),
		T(test_stage_boundaries),
		T(test_fragments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Streaming JSON writer; see json_writer.h for the contract. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "json_writer.h"
#include "utf8.h"

/* Bytes that go into a JSON string as they are: printable ASCII but '"'
 * and '\\'. */
static const unsigned char jw_plain[256] = {
	[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1,
};

void jw__flush(struct jw *w)
{
	if (w->used)
		fwrite(w->stage, 1, w->used, w->out);
	w->used = 0;
	w->flushes++;
}

/* After each call: a complete top-level value leaves the stage. */
static void jw_done(struct jw *w)
{
	if (!w->depth)
		jw__flush(w);
}

static void jw_put(struct jw *w, char c)
{
	if (w->used == sizeof(w->stage))
		jw__flush(w);
	w->stage[w->used++] = c;
}

static void jw_write(struct jw *w, const void *p, size_t n)
{
	if (n > sizeof(w->stage) - w->used) {
		jw__flush(w);
		if (n > sizeof(w->stage)) {
			fwrite(p, 1, n, w->out);
			return;
		}
	}
	memcpy(w->stage + w->used, p, n);
	w->used += n;
}

void jw_init(struct jw *w, FILE *out)
{
	/* Not memset: the stage (JW_STAGE bytes) needs no clearing. */
	w->out = out;
	w->depth = 0;
	w->need_comma = false;
	w->bad = false;
	w->used = 0;
	w->flushes = 0;
}

size_t jw_fragment(const struct jw *w, struct jw_mark m, char *dst, size_t cap)
{
	size_t n = w->used - m.used;

	if (!m.ok || m.flushes != w->flushes || m.used > w->used || n > cap ||
	    !w->need_comma)
		return 0;
	memcpy(dst, w->stage + m.used, n);
	return n;
}

bool jw_put_fragment(struct jw *w, const char *frag, size_t n)
{
	if (!w->depth || !w->need_comma || !n || frag[0] != ',')
		return false;
	jw_write(w, frag, n);
	return true;
}

/* Before any value or member name: separate it from its predecessor. */
static void jw_sep(struct jw *w)
{
	if (w->need_comma)
		jw_put(w, ',');
	w->need_comma = true;
}

static void jw_escape_w(struct jw *w, const char *s, size_t len);

/* A name the compiler could not size: checked and copied in one pass
 * ("name":), escaped the slow way only if not plain. */
void jw__name_scan(struct jw *w, const char *name)
{
	size_t n = 0;

	while (jw_plain[(unsigned char)name[n]])
		n++;
	if (!name[n] && n + 4 <= sizeof(w->stage)) {
		jw__name_plain(w, name, n);
	} else {
		jw_sep(w);
		jw_escape_w(w, name, SIZE_MAX);
		jw_put(w, ':');
		w->need_comma = false;
	}
	jw_done(w);
}

/* Sanitizer builds: a literal name with a byte that needs escaping is a
 * bug in gwtrace, caught where it is written. */
void jw__name_check(const char *name, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!jw_plain[(unsigned char)name[i]]) {
			fprintf(stderr, "json_writer: member name \"%.*s\" needs escaping\n",
				(int)n, name);
			abort();
		}
}

static void jw_open(struct jw *w, char c)
{
	jw_sep(w);
	jw_put(w, c);
	if (w->depth >= JW_MAX_DEPTH)
		w->bad = true;
	else
		w->depth++;
	w->need_comma = false;
}

static void jw_close(struct jw *w, char c)
{
	if (!w->depth)
		w->bad = true;
	else
		w->depth--;
	jw_put(w, c);
	w->need_comma = true;
	jw_done(w);
}

void jw_start_object(struct jw *w)
{
	jw_open(w, '{');
}
void jw_end_object(struct jw *w)
{
	jw_close(w, '}');
}
void jw_start_array(struct jw *w)
{
	jw_open(w, '[');
}
void jw_end_array(struct jw *w)
{
	jw_close(w, ']');
}

/* "\u00XX" for a byte that cannot go into the string as it is. */
static void jw_put_u00(struct jw *w, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	jw_write(w, u, sizeof(u));
}

static void jw_escape_w(struct jw *w, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run, n;
	unsigned char c;

	jw_put(w, '"');
	for (;;) {
		/* Names, devices, addresses: runs of plain bytes, one copy. */
		for (run = i; run < len && jw_plain[s[run]]; run++)
			;
		jw_write(w, s + i, run - i);
		i = run;
		if (i >= len || !s[i])
			break;
		c = s[i];
		if (c == '"' || c == '\\') {
			jw_put(w, '\\');
			jw_put(w, (char)c);
			i++;
		} else if (c >= 0x80 &&
			   (n = utf8__seq_len(s + i, strnlen(str + i, len - i < 4 ? len - i : 4)))) {
			jw_write(w, s + i, n);
			i += n;
		} else {
			jw_put_u00(w, c);	/* control, DEL, not UTF-8 */
			i++;
		}
	}
	jw_put(w, '"');
}

void jw_escape(FILE *out, const char *str, size_t len)
{
	struct jw w;

	jw_init(&w, out);
	jw_escape_w(&w, str, len);
	jw__flush(&w);
}

void jw_string_len(struct jw *w, const char *s, size_t len)
{
	size_t n = 0;

	if (!s) {
		jw_null(w);
		return;
	}
	/* Names from tables, devices, addresses: nearly always plain, and
	 * then one copy between two quotes. */
	while (n < len && jw_plain[(unsigned char)s[n]])
		n++;
	if (n == len || !s[n]) {
		jw_plain_string(w, s, n);
		return;
	}
	jw_sep(w);
	jw_escape_w(w, s, len);
	jw_done(w);
}

void jw_enum(struct jw *w, const char *s)
{
	size_t n;

	if (!s) {
		jw_null(w);
		return;
	}
	n = strlen(s);
#ifdef JW_CHECK_NAMES
	jw__name_check(s, n);
#endif
	jw_plain_string(w, s, n);
}

void jw_plain_string(struct jw *w, const char *s, size_t n)
{
	char *p;

	if (n + 3 > sizeof(w->stage) - w->used) {
		jw__flush(w);
		if (n + 3 > sizeof(w->stage)) {
			jw_sep(w);
			jw_escape_w(w, s, n);
			jw_done(w);
			return;
		}
	}
	p = w->stage + w->used;
	if (w->need_comma)
		*p++ = ',';
	w->need_comma = true;
	*p++ = '"';
	memcpy(p, s, n);
	p += n;
	*p++ = '"';
	w->used = (size_t)(p - w->stage);
	jw_done(w);
}

void jw_string(struct jw *w, const char *s)
{
	jw_string_len(w, s, SIZE_MAX);
}

/*
 * Digits by hand: printf's machinery costs more than the number. Two at a
 * time from a table, and in 32-bit arithmetic below 2^32: timestamps and
 * ids have 15-19 digits, and a 64-bit division per digit was a tenth of
 * the consumer's time.
 */
static const char jw_digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Decimal digits of v. */
static unsigned jw_ndigits(uint64_t v)
{
	unsigned n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* Written in place, right to left: a copy out of a scratch buffer was a
 * libc memmove call per number. */
static void jw_put_u64(struct jw *w, uint64_t v)
{
	unsigned n;
	uint32_t v32;
	char *p;

	if (v < 10) {		/* cpu, mark, ct_status, flags: mostly 0-9 */
		jw_put(w, (char)('0' + v));
		return;
	}
	n = jw_ndigits(v);
	if (n > sizeof(w->stage) - w->used)
		jw__flush(w);
	p = w->stage + w->used + n;
	w->used += n;
	while (v > UINT32_MAX) {
		unsigned d = (unsigned)(v % 100);

		v /= 100;
		p -= 2;
		__builtin_memcpy(p, jw_digits2 + 2 * d, 2);
	}
	for (v32 = (uint32_t)v; v32 >= 100; v32 /= 100) {
		p -= 2;
		__builtin_memcpy(p, jw_digits2 + 2 * (v32 % 100), 2);
	}
	if (v32 >= 10) {
		p -= 2;
		__builtin_memcpy(p, jw_digits2 + 2 * v32, 2);
	} else {
		*--p = (char)('0' + v32);
	}
}

void jw_int(struct jw *w, int64_t v)
{
	jw_sep(w);
	if (v < 0)
		jw_put(w, '-');
	jw_put_u64(w, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
	jw_done(w);
}

void jw_u64(struct jw *w, uint64_t v)
{
	jw_sep(w);
	jw_put_u64(w, v);
	jw_done(w);
}

void jw_double(struct jw *w, double v, int decimals)
{
	char buf[64];
	int n;

	if (!isfinite(v)) {
		jw_null(w); /* JSON has no NaN or infinity */
		return;
	}
	jw_sep(w);
	n = snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	if (n >= 0 && (size_t)n < sizeof(buf)) {
		jw_write(w, buf, (size_t)n);
	} else {
		jw__flush(w);	/* a huge number: straight to the file */
		fprintf(w->out, "%.*f", decimals, v);
	}
	jw_done(w);
}

void jw_bool(struct jw *w, bool v)
{
	jw_sep(w);
	if (v)
		jw_write(w, "true", 4);
	else
		jw_write(w, "false", 5);
	jw_done(w);
}

void jw_null(struct jw *w)
{
	jw_sep(w);
	jw_write(w, "null", 4);
	jw_done(w);
}

void jw_endline(struct jw *w)
{
	if (w->depth)
		w->bad = true;
	jw_put(w, '\n');
	jw__flush(w);
	fflush(w->out);
	w->need_comma = false;
}

bool jw_ok(const struct jw *w)
{
	return !w->bad && !w->depth;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Streaming JSON writer; see json_writer.h for the contract. */
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include "json_writer.h"

void jw_init(struct jw *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

/* Before any value or member name: separate it from its predecessor. */
static void jw_sep(struct jw *w)
{
	if (w->need_comma)
		fputc(',', w->out);
	w->need_comma = true;
}

void jw_name(struct jw *w, const char *name)
{
	jw_sep(w);
	jw_escape(w->out, name, SIZE_MAX);
	fputc(':', w->out);
	/* The value that follows belongs to this name: no comma before it. */
	w->need_comma = false;
}

static void jw_open(struct jw *w, char c)
{
	jw_sep(w);
	fputc(c, w->out);
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
	fputc(c, w->out);
	w->need_comma = true;
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

/*
 * Length of the valid UTF-8 sequence at s (at most avail bytes), or 0 if
 * the byte at s does not start one. Rejects overlong forms, surrogates and
 * code points above U+10FFFF (RFC 3629), so the output is valid UTF-8.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong 3-byte */
	else if (c == 0xed)
		hi = 0x9f; /* UTF-16 surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong 4-byte */
	else if (c == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (avail < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

void jw_escape(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t avail = strnlen(str, len), i = 0, n;

	fputc('"', out);
	while (i < avail) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			fputc('\\', out);
			fputc(c, out);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			fputc(c, out);
			i++;
		} else if ((n = utf8_seq_len(s + i, avail - i))) {
			fwrite(s + i, 1, n, out);
			i += n;
		} else {
			fprintf(out, "\\u%04x", c);
			i++;
		}
	}
	fputc('"', out);
}

void jw_string_len(struct jw *w, const char *s, size_t len)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_sep(w);
	jw_escape(w->out, s, len);
}

void jw_string(struct jw *w, const char *s)
{
	jw_string_len(w, s, SIZE_MAX);
}

void jw_int(struct jw *w, int64_t v)
{
	jw_sep(w);
	fprintf(w->out, "%" PRId64, v);
}

void jw_u64(struct jw *w, uint64_t v)
{
	jw_sep(w);
	fprintf(w->out, "%" PRIu64, v);
}

void jw_double(struct jw *w, double v, int decimals)
{
	if (!isfinite(v)) {
		jw_null(w); /* JSON has no NaN or infinity */
		return;
	}
	jw_sep(w);
	fprintf(w->out, "%.*f", decimals, v);
}

void jw_bool(struct jw *w, bool v)
{
	jw_sep(w);
	fputs(v ? "true" : "false", w->out);
}

void jw_null(struct jw *w)
{
	jw_sep(w);
	fputs("null", w->out);
}

void jw_string_field(struct jw *w, const char *name, const char *s)
{
	jw_name(w, name);
	jw_string(w, s);
}

void jw_int_field(struct jw *w, const char *name, int64_t v)
{
	jw_name(w, name);
	jw_int(w, v);
}

void jw_u64_field(struct jw *w, const char *name, uint64_t v)
{
	jw_name(w, name);
	jw_u64(w, v);
}

void jw_bool_field(struct jw *w, const char *name, bool v)
{
	jw_name(w, name);
	jw_bool(w, v);
}

void jw_null_field(struct jw *w, const char *name)
{
	jw_name(w, name);
	jw_null(w);
}

void jw_endline(struct jw *w)
{
	if (w->depth)
		w->bad = true;
	fputc('\n', w->out);
	fflush(w->out);
	w->need_comma = false;
}

bool jw_ok(const struct jw *w)
{
	return !w->bad && !w->depth;
}

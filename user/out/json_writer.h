/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A tiny streaming JSON writer, in the spirit of bpftool's json_writer.c:
 * the caller opens and closes objects and arrays, the writer places the
 * commas and colons and escapes strings. Compact output, one record per
 * line with jw_endline(). No allocation: struct jw lives on the caller's
 * stack.
 *
 * Output is staged in struct jw and handed to the FILE in one fwrite()
 * when a top-level value is complete (or the stage is full): a packet
 * record is thousands of bytes, and one stdio call per byte was most of
 * gwtrace's consumer time. Nothing stays staged once a call returns with
 * every container closed, so writes to the same FILE between records keep
 * their order.
 *
 * Strings are emitted as valid JSON whatever the input bytes: '"' and '\'
 * are escaped, control characters and DEL become \u00XX, valid UTF-8 is
 * copied, and every byte that is not part of a valid UTF-8 sequence is
 * written as \u00XX (its Latin-1 reading) so device names and kernel
 * strings can never break a consumer's parser.
 */
#ifndef GW_JSON_WRITER_H
#define GW_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 32
#define JW_STAGE 16384	/* a packet path (~6 KB) in one write */

struct jw {
	FILE *out;
	unsigned depth;
	bool need_comma;	/* a value was written at this level */
	bool bad;		/* misuse seen (unbalanced, too deep) */
	size_t used;		/* bytes in stage */
	unsigned long flushes;	/* stage emptied: a jw_mark before is stale */
	char stage[JW_STAGE];
};

void jw_init(struct jw *w, FILE *out);

void jw_start_object(struct jw *w);
void jw_end_object(struct jw *w);
void jw_start_array(struct jw *w);
void jw_end_array(struct jw *w);
/* Member name inside an object; the next call writes its value. */

void jw_string(struct jw *w, const char *s);		/* NULL: null */
/* At most len bytes, stopping at a NUL: fixed-size kernel char arrays. */
void jw_string_len(struct jw *w, const char *s, size_t len);
/* s[0..n) is known plain (printable ASCII but '"' and '\\'): no escaping. */
void jw_plain_string(struct jw *w, const char *s, size_t n);
/* s: one of gwtrace's own name-table strings (a kind, a hook, a probe),
 * plain by construction: copied without a scan. NULL: null. */
void jw_enum(struct jw *w, const char *s);
void jw_int(struct jw *w, int64_t v);
void jw_u64(struct jw *w, uint64_t v);
void jw_double(struct jw *w, double v, int decimals);	/* non-finite: null */
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);

/* name + value in one call. */

/*
 * Fragments: the members written since a mark, copied out to be written
 * again verbatim (a renderer's cache of members it renders alike for many
 * steps). Only inside an object, after a member (need_comma), so a
 * fragment starts with its comma and leaves the writer as a member does.
 */
struct jw_mark {
	size_t used;
	unsigned long flushes;
	bool ok;		/* the writer was after a member */
};

static inline struct jw_mark jw_mark(const struct jw *w)
{
	return (struct jw_mark){ w->used, w->flushes, w->depth && w->need_comma };
}

/* Copies what was written since m into dst (at most cap bytes): its
 * length, or 0 if it cannot be had whole (the stage was flushed since,
 * it is too long, or m was not after a member). */
size_t jw_fragment(const struct jw *w, struct jw_mark m, char *dst, size_t cap);
/* Writes a fragment jw_fragment() gave back; false (nothing written) if
 * the writer is not after a member, where the fragment could not go. */
bool jw_put_fragment(struct jw *w, const char *frag, size_t n);

/* Ends a top-level record: newline and fflush, so a reader of a pipe sees
 * every record as soon as it is complete. */
void jw_endline(struct jw *w);

/* False if the writer was misused (unbalanced or too deep nesting). */
bool jw_ok(const struct jw *w);

/* Writes s as a JSON string literal (with quotes) to out; len as above. */
void jw_escape(FILE *out, const char *s, size_t len);

/* Internals of the inline fast path below. */
void jw__flush(struct jw *w);
void jw__name_scan(struct jw *w, const char *name);
void jw__name_check(const char *name, size_t n);

/*
 * A member name. gwtrace's member names are literals of plain ASCII: where
 * the compiler knows the length (a literal, inlined from the *_field
 * helpers too) the name is copied as it is, with its quotes and colon, in
 * moves the compiler sizes; any other name is scanned and escaped. About
 * 430 names per packet path made the scan a quarter of the consumer's
 * time. Sanitizer builds (JW_CHECK_NAMES) still check every literal.
 */
static inline void jw__name_plain(struct jw *w, const char *name, size_t n)
{
	char *p;

#ifdef JW_CHECK_NAMES
	jw__name_check(name, n);
#endif
	if (n + 4 > sizeof(w->stage) - w->used) {
		jw__flush(w);
		if (n + 4 > sizeof(w->stage)) {
			jw__name_scan(w, name);
			return;
		}
	}
	p = w->stage + w->used;
	if (w->need_comma)
		*p++ = ',';
	*p++ = '"';
	__builtin_memcpy(p, name, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	w->used = (size_t)(p - w->stage);
	/* The value that follows belongs to this name: no comma before it. */
	w->need_comma = false;
}

static inline void jw_name(struct jw *w, const char *name)
{
	if (__builtin_constant_p(__builtin_strlen(name)))
		jw__name_plain(w, name, __builtin_strlen(name));
	else
		jw__name_scan(w, name);
}

static inline void jw_string_field(struct jw *w, const char *name, const char *s)
{
	jw_name(w, name);
	jw_string(w, s);
}

static inline void jw_enum_field(struct jw *w, const char *name, const char *s)
{
	jw_name(w, name);
	jw_enum(w, s);
}

static inline void jw_int_field(struct jw *w, const char *name, int64_t v)
{
	jw_name(w, name);
	jw_int(w, v);
}

static inline void jw_u64_field(struct jw *w, const char *name, uint64_t v)
{
	jw_name(w, name);
	jw_u64(w, v);
}

static inline void jw_bool_field(struct jw *w, const char *name, bool v)
{
	jw_name(w, name);
	jw_bool(w, v);
}

static inline void jw_null_field(struct jw *w, const char *name)
{
	jw_name(w, name);
	jw_null(w);
}

#endif /* GW_JSON_WRITER_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Prometheus registry; see metrics.h for the contract.
 *
 * Each family owns an open-addressing hash table of its series, keyed by
 * the canonical form of the label set: "name\0value\0" per label, labels
 * sorted by name. Strings hold no NUL, so comparing two keys bytewise
 * orders them as the tuples of their strings: rendering sorts the series
 * by key and gets the deterministic order for free.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "metrics.h"
#include "utf8.h"

#define SLOTS_MIN 16

struct series {
	double value;
	uint64_t hash;
	unsigned int nlabels;
	size_t keylen;
	char key[]; /* nlabels x "name\0value\0" */
};

struct family {
	char *name;
	char *help; /* valid UTF-8 */
	enum metric_type type;
	struct series **slots; /* power-of-two sized, NULL: free */
	size_t nslots;
	size_t nseries;
};

struct metrics {
	struct family *fams; /* in declaration order */
	size_t nfams;
	size_t capfams;
};

/* A label set in canonical form, built for a lookup. */
struct key {
	char *buf;
	size_t len;
	unsigned int nlabels;
	uint64_t hash;
};

/* ---- names and UTF-8 ---- */

static bool name__valid(const char *s, bool colon)
{
	const char *p;

	if (!s || !*s)
		return false;
	for (p = s; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			  (colon && c == ':') || (p != s && c >= '0' && c <= '9');

		if (!ok)
			return false;
	}
	return true;
}

static bool family__name_valid(const char *name, enum metric_type type)
{
	static const char suffix[] = "_total";
	size_t n, sl = sizeof(suffix) - 1;
	bool total;

	if (!name__valid(name, true))
		return false;
	n = strlen(name);
	total = n >= sl && !strcmp(name + n - sl, suffix);
	if (type == METRIC_COUNTER)
		return total && n > sl;
	return type == METRIC_GAUGE && !total;
}

static bool label__name_valid(const char *name)
{
	return name__valid(name, false) && strncmp(name, "__", 2);
}

/*
 * Copies s into dst (when not NULL) as valid UTF-8, each stray byte
 * replaced by U+FFFD: Prometheus refuses a scrape with invalid UTF-8, and
 * interface names are arbitrary bytes. Returns the length, without NUL.
 */
static size_t valid_utf8_copy(char *dst, const char *s)
{
	static const char repl[] = "\xef\xbf\xbd";
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0, n, left = strlen(s);

	while (*p) {
		n = *p < 0x80 ? 1 : utf8__seq_len(p, left);
		left -= n ?: 1;
		if (dst)
			memcpy(dst + len, n ? (const char *)p : repl, n ?: 3);
		len += n ?: 3;
		p += n ?: 1;
	}
	if (dst)
		dst[len] = '\0';
	return len;
}

static char *valid_utf8_dup(const char *s)
{
	char *d = malloc(valid_utf8_copy(NULL, s) + 1);

	if (d)
		valid_utf8_copy(d, s);
	return d;
}

/* ---- keys and the series table ---- */

static int label__cmp(const void *a, const void *b)
{
	const struct metric_label *x = *(const struct metric_label *const *)a;
	const struct metric_label *y = *(const struct metric_label *const *)b;

	return strcmp(x->name, y->name);
}

static int key__build(const struct metric_label *l, size_t n, struct key *k)
{
	const struct metric_label *sorted[METRICS_MAX_LABELS];
	size_t i, len = 0, nl;
	char *p;

	if (n && !l)
		return -EINVAL;
	if (n > METRICS_MAX_LABELS)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		if (!label__name_valid(l[i].name) || !l[i].value)
			return -EINVAL;
		sorted[i] = &l[i];
	}
	qsort(sorted, n, sizeof(sorted[0]), label__cmp);
	for (i = 0; i < n; i++) {
		if (i && !strcmp(sorted[i - 1]->name, sorted[i]->name))
			return -EINVAL;
		len += strlen(sorted[i]->name) + 1 + valid_utf8_copy(NULL, sorted[i]->value) + 1;
	}
	k->buf = p = malloc(len ?: 1);
	if (!p)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		nl = strlen(sorted[i]->name) + 1;
		memcpy(p, sorted[i]->name, nl);
		p += nl;
		p += valid_utf8_copy(p, sorted[i]->value) + 1;
	}
	k->len = len;
	k->nlabels = (unsigned int)n;
	k->hash = hash__fnv1a(k->buf, len);
	return 0;
}

/* The slot holding key k, or the free slot where it belongs. */
static size_t family__slot(const struct family *f, const struct key *k)
{
	size_t mask = f->nslots - 1, i = k->hash & mask;
	const struct series *s;

	while ((s = f->slots[i])) {
		if (s->hash == k->hash && s->keylen == k->len && !memcmp(s->key, k->buf, k->len))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static struct series *family__find(const struct family *f, const struct key *k)
{
	return f->nslots ? f->slots[family__slot(f, k)] : NULL;
}

/* Keeps the table at most 3/4 full, so probe sequences stay short. */
static int family__reserve(struct family *f)
{
	struct series **old = f->slots;
	size_t i, n = f->nslots ?: SLOTS_MIN / 2, oldn = f->nslots;

	if ((f->nseries + 1) * 4 <= f->nslots * 3)
		return 0;
	f->slots = calloc(n * 2, sizeof(*f->slots));
	if (!f->slots) {
		f->slots = old;
		return -ENOMEM;
	}
	f->nslots = n * 2;
	for (i = 0; i < oldn; i++) {
		size_t mask = f->nslots - 1, j;

		if (!old[i])
			continue;
		for (j = old[i]->hash & mask; f->slots[j]; j = (j + 1) & mask)
			;
		f->slots[j] = old[i];
	}
	free(old);
	return 0;
}

static struct series *family__insert(struct family *f, struct key *k)
{
	struct series *s;

	if (family__reserve(f))
		return NULL;
	s = malloc(sizeof(*s) + k->len);
	if (!s)
		return NULL;
	s->value = 0;
	s->hash = k->hash;
	s->nlabels = k->nlabels;
	s->keylen = k->len;
	memcpy(s->key, k->buf, k->len);
	f->slots[family__slot(f, k)] = s;
	f->nseries++;
	return s;
}

/* ---- the registry ---- */

struct metrics *metrics__new(void)
{
	return calloc(1, sizeof(struct metrics));
}

static void family__free(struct family *f)
{
	size_t i;

	for (i = 0; i < f->nslots; i++)
		free(f->slots[i]);
	free(f->slots);
	free(f->name);
	free(f->help);
}

void metrics__free(struct metrics *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nfams; i++)
		family__free(&m->fams[i]);
	free(m->fams);
	free(m);
}

/* Families are few (tens): a linear search costs less than hashing. */
static struct family *metrics__find(const struct metrics *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nfams; i++)
		if (!strcmp(m->fams[i].name, name))
			return &m->fams[i];
	return NULL;
}

int metrics__family(struct metrics *m, const char *name, enum metric_type type, const char *help)
{
	struct family *f;

	if (!m || !family__name_valid(name, type) || !help || !*help)
		return -EINVAL;
	f = metrics__find(m, name);
	if (f)
		return f->type == type ? 0 : -EINVAL;
	if (m->nfams == m->capfams) {
		size_t cap = m->capfams ? m->capfams * 2 : 8;
		struct family *fams = realloc(m->fams, cap * sizeof(*fams));

		if (!fams)
			return -ENOMEM;
		m->fams = fams;
		m->capfams = cap;
	}
	f = &m->fams[m->nfams];
	memset(f, 0, sizeof(*f));
	f->type = type;
	f->name = strdup(name);
	f->help = valid_utf8_dup(help);
	if (!f->name || !f->help) {
		family__free(f);
		return -ENOMEM;
	}
	m->nfams++;
	return 0;
}

/* The series of (family, labels) into *out, created if create. */
static int metrics__series(const struct metrics *m, const char *family, enum metric_type type,
			   const struct metric_label *l, size_t n, bool create, struct series **out)
{
	struct key k = { .buf = NULL };
	struct family *f;
	int err;

	if (!m || !family)
		return -EINVAL;
	f = metrics__find(m, family);
	if (!f)
		return -ENOENT;
	if (f->type != type)
		return -EINVAL;
	err = key__build(l, n, &k);
	if (err)
		return err;
	*out = family__find(f, &k);
	if (!*out && create)
		*out = family__insert(f, &k);
	free(k.buf);
	if (!*out)
		return create ? -ENOMEM : -ENOENT;
	return 0;
}

int metrics__add(struct metrics *m, const char *family, const struct metric_label *l, size_t n,
		 double delta)
{
	struct series *s;
	int err;

	/* NaN fails the comparison too. */
	if (!(delta >= 0) || isinf(delta))
		return -EINVAL;
	err = metrics__series(m, family, METRIC_COUNTER, l, n, true, &s);
	if (!err)
		s->value += delta;
	return err;
}

int metrics__advance(struct metrics *m, const char *family, const struct metric_label *l,
		     size_t n, double total)
{
	struct series *s;
	int err;

	if (isnan(total) || isinf(total))
		return -EINVAL;
	err = metrics__series(m, family, METRIC_COUNTER, l, n, true, &s);
	if (err)
		return err;
	if (total < s->value)
		return -EINVAL;
	s->value = total;
	return 0;
}

int metrics__set(struct metrics *m, const char *family, const struct metric_label *l, size_t n,
		 double value)
{
	struct series *s;
	int err;

	err = metrics__series(m, family, METRIC_GAUGE, l, n, true, &s);
	if (!err)
		s->value = value;
	return err;
}

int metrics__get(const struct metrics *m, const char *family, const struct metric_label *l,
		 size_t n, double *out)
{
	const struct family *f = m && family ? metrics__find(m, family) : NULL;
	struct series *s;
	int err;

	if (!out)
		return -EINVAL;
	if (!f)
		return m && family ? -ENOENT : -EINVAL;
	err = metrics__series(m, family, f->type, l, n, false, &s);
	if (!err)
		*out = s->value;
	return err;
}

/* ---- rendering ---- */

struct sbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;
};

static void sbuf__put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		p = realloc(b->buf, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void sbuf__puts(struct sbuf *b, const char *s)
{
	sbuf__put(b, s, strlen(s));
}

/* The escape of c in the text format, or NULL: '"' only in label values. */
static const char *text__escape(char c, bool quote)
{
	switch (c) {
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '"':
		return quote ? "\\\"" : NULL;
	default:
		return NULL;
	}
}

/* s escaped; quote: for a label value (HELP text keeps its quotes). */
static void sbuf__escaped(struct sbuf *b, const char *s, bool quote)
{
	const char *run = s;

	for (; *s; s++) {
		const char *esc = text__escape(*s, quote);

		if (!esc)
			continue;
		sbuf__put(b, run, (size_t)(s - run));
		sbuf__puts(b, esc);
		run = s + 1;
	}
	sbuf__puts(b, run);
}

/*
 * Integers print exactly as integers; other values in the shortest "%g"
 * form that reads back to the same double. The C locale's decimal point
 * is assumed: gwtrace never calls setlocale().
 */
static void value__format(char *buf, size_t sz, double v)
{
	int prec;

	if (isnan(v)) {
		snprintf(buf, sz, "NaN");
	} else if (isinf(v)) {
		snprintf(buf, sz, v > 0 ? "+Inf" : "-Inf");
	} else if (v == trunc(v) && fabs(v) <= 0x1p53) {
		snprintf(buf, sz, "%" PRId64, (int64_t)v);
	} else {
		for (prec = 15; prec < 17; prec++) {
			snprintf(buf, sz, "%.*g", prec, v);
			if (strtod(buf, NULL) == v)
				return;
		}
		snprintf(buf, sz, "%.17g", v);
	}
}

static int series__cmp(const void *a, const void *b)
{
	const struct series *x = *(const struct series *const *)a;
	const struct series *y = *(const struct series *const *)b;
	int c = memcmp(x->key, y->key, x->keylen < y->keylen ? x->keylen : y->keylen);

	if (c)
		return c;
	return x->keylen < y->keylen ? -1 : x->keylen > y->keylen;
}

static void series__render(struct sbuf *b, const char *name, const struct series *s)
{
	const char *p = s->key;
	char val[64];
	unsigned int i;

	sbuf__puts(b, name);
	for (i = 0; i < s->nlabels; i++) {
		sbuf__puts(b, i ? "," : "{");
		sbuf__puts(b, p);
		sbuf__puts(b, "=\"");
		p += strlen(p) + 1;
		sbuf__escaped(b, p, true);
		sbuf__puts(b, "\"");
		p += strlen(p) + 1;
	}
	if (s->nlabels)
		sbuf__puts(b, "}");
	value__format(val, sizeof(val), s->value);
	sbuf__puts(b, " ");
	sbuf__puts(b, val);
	sbuf__puts(b, "\n");
}

static int family__render(struct sbuf *b, const struct family *f)
{
	struct series **v = NULL;
	size_t i, n = 0;

	sbuf__puts(b, "# HELP ");
	sbuf__puts(b, f->name);
	sbuf__puts(b, " ");
	sbuf__escaped(b, f->help, false);
	sbuf__puts(b, "\n# TYPE ");
	sbuf__puts(b, f->name);
	sbuf__puts(b, f->type == METRIC_COUNTER ? " counter\n" : " gauge\n");
	if (!f->nseries)
		return 0;
	v = malloc(f->nseries * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < f->nslots; i++)
		if (f->slots[i])
			v[n++] = f->slots[i];
	qsort(v, n, sizeof(*v), series__cmp);
	for (i = 0; i < n; i++)
		series__render(b, f->name, v[i]);
	free(v);
	return 0;
}

char *metrics__render(const struct metrics *m, size_t *len)
{
	struct sbuf b = { .buf = NULL };
	size_t i;

	if (!m)
		return NULL;
	sbuf__put(&b, "", 0); /* an empty registry is "", not NULL */
	for (i = 0; i < m->nfams && !b.oom; i++)
		if (family__render(&b, &m->fams[i]))
			b.oom = true;
	if (b.oom) {
		free(b.buf);
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.buf;
}

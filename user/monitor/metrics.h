/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A Prometheus registry: counter and gauge families of labelled series,
 * rendered in the text exposition format 0.0.4. Pure: no I/O, no global
 * state, and no locking either — the caller serialises every call on one
 * registry (gwtrace monitor holds its lock around updates and renders).
 *
 * Names: a family matches [a-zA-Z_:][a-zA-Z0-9_:]*; a counter's name ends
 * in "_total" (with something before it), a gauge's does not. A label name
 * matches [a-zA-Z_][a-zA-Z0-9_]* and does not start with "__" (reserved by
 * Prometheus). Label values are UTF-8; a byte that is not part of a valid
 * sequence is stored as U+FFFD, so the output always parses. An empty
 * value is kept as given (Prometheus reads it as an absent label).
 *
 * A series is identified by its family and the set of its labels: the
 * order the caller gives them in does not matter. At most
 * METRICS_MAX_LABELS labels per series.
 *
 * Output: families in declaration order, each with "# HELP" and "# TYPE"
 * lines even before it has a series (a scraper sees it exists); series
 * sorted by their labels (sorted by name), so equal registries render
 * byte for byte equally. Integral values up to 2^53 in magnitude print as
 * integers ("42"), other finite values in the shortest form that reads
 * back exactly ("0.1", "1e+300"), and +Inf, -Inf, NaN as Prometheus
 * spells them.
 *
 * Errors are negative errno values: -EINVAL (bad name, label, help text or
 * value; type mismatch: metrics__add on a gauge, metrics__set on a
 * counter), -ENOENT (family not declared, or series absent for
 * metrics__get), -E2BIG (too many labels), -ENOMEM.
 */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stddef.h>

#define METRICS_MAX_LABELS 16

enum metric_type {
	METRIC_COUNTER,
	METRIC_GAUGE,
};

struct metric_label {
	const char *name;
	const char *value;
};

struct metrics;

struct metrics *metrics__new(void);
void metrics__free(struct metrics *m); /* NULL-safe */

/*
 * Declares a family; help is required (non-empty). Declaring it again
 * returns 0 and keeps the first help text (the name rules make a family
 * of the other type with the same name impossible).
 */
int metrics__family(struct metrics *m, const char *name, enum metric_type type, const char *help);

/*
 * Counter: adds delta (finite, >= 0) to the series with these labels,
 * created at 0 if new. Counters only grow: a refused delta leaves the
 * value unchanged.
 */
int metrics__add(struct metrics *m, const char *family, const struct metric_label *l, size_t n,
		 double delta);
/*
 * Counter: raises the series to total, a running total kept elsewhere (a
 * kernel counter, a count of ours), created at 0 if new. -EINVAL, value
 * unchanged, if total is below the value: counters never go down.
 */
int metrics__advance(struct metrics *m, const char *family, const struct metric_label *l,
		     size_t n, double total);
/* Gauge: sets the series' value (any double, NaN and infinities too). */
int metrics__set(struct metrics *m, const char *family, const struct metric_label *l, size_t n,
		 double value);
/* Reads one series' value back; -ENOENT if the family or series is absent. */
int metrics__get(const struct metrics *m, const char *family, const struct metric_label *l,
		 size_t n, double *out);

/*
 * The whole registry in the text format into a malloc'd, NUL-terminated
 * buffer; *len (if len is not NULL) gets its length without the NUL.
 * An empty registry renders as "". NULL when out of memory.
 */
char *metrics__render(const struct metrics *m, size_t *len);

#endif /* GW_METRICS_H */

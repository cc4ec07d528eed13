// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Consumer throughput without a kernel: replays a recording made by
 * `gwtrace trace --record FILE` through what trace does with each ring
 * buffer record -- the size check, corr__push(), corr__expire() wherever
 * the live run called it, corr__flush() at the end, render_json__packet()
 * for every finished packet -- on one CPU, and reports events/s and
 * packets/s.
 *
 *   replay [-C] [-c CPU] [-n REPS] [-r RUNS] [-i MS] [-o FILE] RECORDING
 *
 *   -C       JSON as trace --compact writes it
 *   -c CPU   pin to CPU (default: the one it starts on)
 *   -n REPS  passes over the recording per run (default: about 1 s worth)
 *   -r RUNS  runs; the median is reported (default 5)
 *   -i MS    idle timeout, as trace's --idle-timeout (default 1000)
 *   -o FILE  write the JSON there (default /dev/null: one write() per
 *            packet, as trace's stdout, which is flushed after each line)
 *
 * The recording is read into memory first; each pass starts a fresh
 * correlator (packet ids repeat across passes). Names come from names_sys
 * as in trace, loaded before the clock starts, but without route queries:
 * the recorded namespaces are gone (trace answers most of them from its
 * 1 s cache anyway), and without kallsyms if the recording is from
 * another boot. Needs neither root nor BPF. The last line is JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "correlate.h"
#include "json_writer.h"
#include "log.h"
#include "names_sys.h"
#include "record.h"
#include "render_json.h"

#define MAX_RUNS 101

struct replay {
	struct gw_recording rec;
	struct gw_names names;
	FILE *out;		/* JSON goes here; the warm-up's counts bytes */
	__u64 idle_ns;
	unsigned json_flags;	/* -C: RJ_COMPACT */
	/* counted per run */
	__u64 records, events, packets, complete, bad, bytes;
	int truncated;		/* recording__next() said -EBADMSG */
	double json_per_packet;	/* bytes, from the warm-up */
};

struct result {
	double wall_s, cpu_s;
	__u64 records, events, packets, complete;
};

static ssize_t sink_write(void *ctx, const char *buf, size_t len)
{
	struct replay *r = ctx;

	(void)buf;
	r->bytes += len;
	return (ssize_t)len;
}

static double clock_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A whole life: the step that started its tracking is there and its end
 * was seen. A path whose head or end was lost is a fragment. (The start
 * need not be the first step: an output route lookup is stamped before
 * the LOCAL_OUT step that reports it.) */
static bool path_whole(const struct gw_packet *p)
{
	if (!p->complete)
		return false;
	for (size_t i = 0; i < p->n_steps; i++)
		if (p->steps[i].flags & GW_EVF_NEW)
			return true;
	return false;
}

static void on_packet(struct gw_packet *p, void *ctx)
{
	struct replay *r = ctx;

	r->packets++;
	r->complete += path_whole(p);
	render_json__packet(r->out, p, &r->names, r->json_flags);
}

/* One pass: trace's on_event() and poll loop, minus the ring buffer. */
static void replay_pass(struct replay *r, struct gw_corr *c)
{
	const struct gw_rec_hdr *h;
	struct gw_rec_iter it;
	const void *pl;
	__u64 now;
	int rc;

	recording__iter(&r->rec, &it);
	while ((rc = recording__next(&it, &h, &pl)) == 1) {
		switch (h->type) {
		case GW_REC_EVENT:
			r->records++;
			r->events += corr__record_steps(h->len);
			if (corr__push_record(c, pl, h->len))
				r->bad++;
			break;
		case GW_REC_TICK:
			memcpy(&now, pl, sizeof(now));
			corr__expire(c, now);
			break;
		}
	}
	if (rc)
		r->truncated = 1;
	corr__flush(c);
}

static int replay_run(struct replay *r, unsigned reps, struct result *res)
{
	struct gw_corr_opts co = { .idle_timeout_ns = r->idle_ns, .names = &r->names };
	struct gw_corr *c = corr__new(&co, on_packet, r);
	double t0, c0;

	if (!c)
		return -ENOMEM;
	r->records = r->events = r->packets = r->complete = r->bad = r->bytes = 0;
	t0 = clock_s(CLOCK_MONOTONIC);
	c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	for (unsigned i = 0; i < reps; i++)
		replay_pass(r, c);
	fflush(r->out);
	res->wall_s = clock_s(CLOCK_MONOTONIC) - t0;
	res->cpu_s = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	res->records = r->records;
	res->events = r->events;
	res->packets = r->packets;
	res->complete = r->complete;
	corr__free(c);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_rate(const void *a, const void *b)
{
	const struct result *x = a, *y = b;
	double rx = x->events / x->wall_s, ry = y->events / y->wall_s;

	return rx < ry ? -1 : rx > ry;
}

/* Events, ticks and the recorded time span, for the header line. */
static void describe(const struct replay *r, const char *path)
{
	__u64 events = 0, ticks = 0, first = 0, last = 0;
	const struct gw_rec_hdr *h;
	const struct gw_event *ev;
	struct gw_rec_iter it;
	const void *pl;

	recording__iter(&r->rec, &it);
	while (recording__next(&it, &h, &pl) == 1) {
		if (h->type == GW_REC_TICK) {
			ticks++;
		} else if (h->type == GW_REC_EVENT && corr__record_steps(h->len)) {
			/* The first step's time: a record's steps are close. */
			ev = (const void *)((const struct gw_chunk_hdr *)pl + 1);
			events += corr__record_steps(h->len);
			if (!first || ev->ts_ns < first)
				first = ev->ts_ns;
			if (ev->ts_ns > last)
				last = ev->ts_ns;
		}
	}
	printf("replay: %s: %llu events, %llu ticks over %.2f s of trace, %s boot\n", path,
	       (unsigned long long)events, (unsigned long long)ticks,
	       last > first ? (last - first) / 1e9 : 0.0,
	       recording__same_boot(&r->rec) ? "this" : "another");
}

static int pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "replay: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
		return -1;
	}
	return cpu;
}

static void report(const struct replay *r, const char *path, int cpu, unsigned reps,
		   struct result *res, int runs)
{
	double cpu_rate[MAX_RUNS], cpu_med;
	const struct result *m;
	struct jw w;

	/* On a shared machine wall time includes other work; time on CPU
	 * is what this code costs. Both are medians, taken apart. */
	for (int i = 0; i < runs; i++)
		cpu_rate[i] = res[i].events / res[i].cpu_s;
	qsort(cpu_rate, (size_t)runs, sizeof(*cpu_rate), cmp_double);
	cpu_med = cpu_rate[runs / 2];
	qsort(res, (size_t)runs, sizeof(*res), cmp_rate);
	m = &res[runs / 2];
	printf("consumer: %.1f k complete paths/s (%.1f events, %.1f records each), %.2f M events/s, "
	       "%.1f k paths/s in all (median of %d runs; one core, CPU %d; "
	       "decode+correlate+JSON, %.0f B of JSON per packet); %.2f M events per CPU-second\n",
	       m->complete / m->wall_s / 1e3, m->packets ? (double)m->events / m->packets : 0,
	       m->packets ? (double)m->records / m->packets : 0, m->events / m->wall_s / 1e6, m->packets / m->wall_s / 1e3, runs, cpu,
	       r->json_per_packet, cpu_med / 1e6);
	jw_init(&w, stdout);
	jw_start_object(&w);
	jw_string_field(&w, "type", "replay");
	jw_string_field(&w, "file", path);
	jw_int_field(&w, "cpu", cpu);
	jw_u64_field(&w, "runs", (unsigned)runs);
	jw_u64_field(&w, "reps", reps);
	jw_u64_field(&w, "events", m->events);
	jw_u64_field(&w, "packets", m->packets);
	jw_u64_field(&w, "complete_packets", m->complete);
	jw_name(&w, "complete_packets_per_s");
	jw_double(&w, m->complete / m->wall_s, 0);
	jw_name(&w, "events_per_packet");
	jw_double(&w, m->packets ? (double)m->events / m->packets : 0, 2);
	jw_name(&w, "records_per_packet");
	jw_double(&w, m->packets ? (double)m->records / m->packets : 0, 2);
	jw_name(&w, "events_per_s");
	jw_double(&w, m->events / m->wall_s, 0);
	jw_name(&w, "packets_per_s");
	jw_double(&w, m->packets / m->wall_s, 0);
	jw_name(&w, "events_per_cpu_s");
	jw_double(&w, cpu_med, 0);
	jw_name(&w, "json_bytes_per_packet");
	jw_double(&w, r->json_per_packet, 0);
	jw_name(&w, "events_per_s_runs");
	jw_start_array(&w);
	for (int i = 0; i < runs; i++)
		jw_double(&w, res[i].events / res[i].wall_s, 0);
	jw_end_array(&w);
	jw_bool_field(&w, "truncated", r->truncated);
	jw_end_object(&w);
	jw_endline(&w);
}

static int usage(void)
{
	fprintf(stderr, "usage: replay [-C] [-c CPU] [-n REPS] [-r RUNS] [-i MS] [-o FILE] "
			"RECORDING\n");
	return 2;
}

static int setup_names(struct replay *r)
{
	unsigned int flags = NAMES_SYS_EAGER | NAMES_SYS_NO_ROUTE;
	double t0 = clock_s(CLOCK_MONOTONIC);

	/* Kernel addresses of another boot would name the wrong symbols. */
	if (!recording__same_boot(&r->rec))
		flags |= NAMES_SYS_NO_KSYMS;
	if (names_sys__init(&r->names, flags, NULL))
		return -ENOMEM;
	printf("replay: names (BTF%s) loaded in %.0f ms, not timed\n",
	       flags & NAMES_SYS_NO_KSYMS ? "" : ", kallsyms",
	       (clock_s(CLOCK_MONOTONIC) - t0) * 1e3);
	return 0;
}

struct opts {
	int cpu;		/* -1: where we start */
	int runs;
	unsigned reps;		/* 0: about 1 s worth */
	const char *out;	/* NULL: /dev/null */
	const char *path;
};

static int parse_args(int argc, char **argv, struct opts *o, struct replay *r)
{
	int opt;

	while ((opt = getopt(argc, argv, "Cc:n:r:i:o:")) != -1) {
		switch (opt) {
		case 'C':
			r->json_flags |= RJ_COMPACT;
			break;
		case 'c':
			o->cpu = atoi(optarg);
			break;
		case 'n':
			o->reps = (unsigned)atoi(optarg);
			break;
		case 'r':
			o->runs = atoi(optarg);
			break;
		case 'i':
			r->idle_ns = strtoull(optarg, NULL, 10) * 1000000ULL;
			break;
		case 'o':
			o->out = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc - 1 || o->runs < 1 || o->runs > MAX_RUNS || !r->idle_ns)
		return -1;
	o->path = argv[optind];
	return 0;
}

/*
 * A warm-up pass (caches, page faults, lazily built tables) into a sink
 * that counts the JSON bytes; then r->out is the real output.
 */
static int warm_up(struct replay *r, struct opts *o)
{
	const char *out = o->out ? o->out : "/dev/null";
	struct result warm;

	r->out = fopencookie(r, "w", (cookie_io_functions_t){ .write = sink_write });
	if (!r->out || replay_run(r, 1, &warm))
		return -ENOMEM;
	fclose(r->out);
	if (!warm.events) {
		fprintf(stderr, "replay: no events in %s\n", o->path);
		return -ENOENT;
	}
	r->json_per_packet = warm.packets ? (double)r->bytes / warm.packets : 0;
	if (!o->reps)
		o->reps = warm.wall_s >= 1.0 ? 1 : (unsigned)(1.0 / warm.wall_s) + 1;
	r->out = fopen(out, "we");
	if (!r->out) {
		fprintf(stderr, "replay: %s: %s\n", out, strerror(errno));
		return -errno;
	}
	return 0;
}

static int measure(struct replay *r, const struct opts *o, struct result *res)
{
	for (int i = 0; i < o->runs; i++) {
		if (replay_run(r, o->reps, &res[i]))
			return -ENOMEM;
		printf("run %d/%d: %u x %llu events, %llu packets in %.3f s (cpu %.3f s): "
		       "%.2f M events/s, %.1f k packets/s\n",
		       i + 1, o->runs, o->reps, (unsigned long long)(res[i].events / o->reps),
		       (unsigned long long)res[i].packets, res[i].wall_s, res[i].cpu_s,
		       res[i].events / res[i].wall_s / 1e6, res[i].packets / res[i].wall_s / 1e3);
		fflush(stdout);
	}
	if (r->bad)
		fprintf(stderr, "replay: %llu events could not be processed per run\n",
			(unsigned long long)r->bad);
	if (r->truncated)
		fprintf(stderr, "replay: the recording is truncated; its complete records "
				"were used\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct replay r = { .idle_ns = 1000000000ULL };
	struct opts o = { .cpu = -1, .runs = 5 };
	struct result res[MAX_RUNS];
	int err;

	if (parse_args(argc, argv, &o, &r))
		return usage();
	if ((o.cpu = pin(o.cpu)) < 0 || recording__load(o.path, &r.rec))
		return 1;
	describe(&r, o.path);
	err = setup_names(&r);
	if (!err)
		err = warm_up(&r, &o);
	if (!err)
		err = measure(&r, &o, res);
	if (!err)
		report(&r, o.path, o.cpu, o.reps, res, o.runs);
	if (r.out)
		fclose(r.out);
	names_sys__free(&r.names);
	recording__free(&r.rec);
	return err ? 1 : 0;
}

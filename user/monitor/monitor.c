// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `gwtrace monitor`: always on. The kernel counts every packet's fate
 * (bpf/monitor.bpf.h); this loop harvests the counters once a second into
 * the Prometheus registry (served by --listen), logs the rate-limited drop
 * events the kernel streams (text, or JSON lines of the trace schema),
 * prints a report per window in text mode, and says at exit what was lost.
 *
 * Threads: the HTTP server renders the registry on its own thread; the
 * registry is only touched under m->lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "correlate.h"
#include "filter.h"
#include "harvest.h"
#include "http.h"
#include "json_writer.h"
#include "kfeat.h"
#include "log.h"
#include "metrics.h"
#include "monitor.h"
#include "names_sys.h"
#include "netns.h"
#include "render_json.h"
#include "render_text.h"
#include "session.h"
#include "xfrm_stat.h"

#define POLL_MS 100
#define HARVEST_NS 1000000000ULL
#define REFRESH_NS 1000000000ULL	/* network namespaces come and go */
#define DROP_PATH_IDLE_NS 100000000ULL	/* a streamed drop is a whole path */

struct monitor {
	const struct gw_config *cfg;
	struct gw_kfeat kernel;
	struct gw_names names;
	struct gw_attach *attach;
	struct gw_corr *corr;
	struct ring_buffer *rb;
	struct harvest *hv;
	struct metrics *metrics;
	pthread_mutex_t lock;		/* guards metrics */
	struct http_srv *http;
	__u64 logged;			/* drop paths written */
	__u64 bad_events;
	double duration_s;
	__u64 t0;			/* ktime of the first window's start */
	struct xfrm_stat *xstat;	/* last /proc/net/xfrm_stat read */
};

static void on_packet(struct gw_packet *p, void *ctx)
{
	struct monitor *m = ctx;

	m->logged++;
	if (m->cfg->json)
		render_json__packet(stdout, p, &m->names, 0);
	else
		render_text__packet(stdout, p, 1, &m->names);
	fflush(stdout);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct monitor *m = ctx;

	if (corr__push_record(m->corr, data, size))
		m->bad_events++;
	return 0;
}

static char *render_metrics(void *ctx, size_t *len)
{
	struct monitor *m = ctx;
	char *body;

	pthread_mutex_lock(&m->lock);
	body = metrics__render(m->metrics, len);
	pthread_mutex_unlock(&m->lock);
	return body;
}

static int declare_metrics(struct monitor *m)
{
	struct metrics *r = m->metrics;
	int err = harvest__declare(r);

	err = err ?: metrics__family(r, "gwtrace_drop_log_lines_total", METRIC_COUNTER,
		"Drop events written to the drop log (the first of each flow and drop "
		"location per window)");
	err = err ?: metrics__family(r, "gwtrace_drop_log_suppressed_total", METRIC_COUNTER,
		"Drops counted but not logged: over --drop-limit for their flow and window");
	err = err ?: metrics__family(r, "gwtrace_events_lost_total", METRIC_COUNTER,
		"Steps the kernel could not deliver: cause=ringbuf (drop log full), "
		"fate_table_full (not in any counter), flow_table_full (in the totals, "
		"not in the flow table)");
	err = err ?: metrics__family(r, "gwtrace_xfrm_stat_total", METRIC_COUNTER,
		"The kernel's IPsec error counters (/proc/net/xfrm_stat) of the monitored "
		"network namespace, by counter name");
	err = err ?: metrics__family(r, "gwtrace_probe_info", METRIC_GAUGE,
		"1 per probe, with the strategy it is attached with (none: not attached)");
	err = err ?: metrics__family(r, "gwtrace_build_info", METRIC_GAUGE,
		"1, with gwtrace's version");
	return err;
}

/* The probes' kernel counters and strategies (r: attach__reports), under
 * m->lock. */
static void update_probe_metrics(struct monitor *m, const struct gw_probe_report *r,
				 size_t n)
{
	static const char *const causes[3] = {
		"ringbuf", "fate_table_full", "flow_table_full",
	};
	__u64 suppressed = 0;

	for (size_t p = 0; p < n; p++) {
		__u64 now[3] = { r[p].lost_ringbuf, r[p].mon_fate_full, r[p].mon_flow_full };
		struct metric_label l[2] = {
			{ "probe", r[p].name }, { "strategy", r[p].strategy },
		};

		metrics__set(m->metrics, "gwtrace_probe_info", l, 2, 1);
		suppressed += r[p].mon_suppressed;
		if (!r[p].attached)
			continue;
		for (int c = 0; c < 3; c++) {
			l[1] = (struct metric_label){ "cause", causes[c] };
			metrics__advance(m->metrics, "gwtrace_events_lost_total", l, 2,
					 (double)now[c]);
		}
	}
	metrics__advance(m->metrics, "gwtrace_drop_log_suppressed_total", NULL, 0,
			 (double)suppressed);
}

/*
 * The kernel's own IPsec counters of the monitored namespace (--netns, or
 * gwtrace's): where the xfrm probes cannot attach (tracepoint strategy),
 * the only per-cause view of IPsec failures. Absolute values; a counter
 * that went down (namespace recreated) counts on from there. Read outside
 * the registry lock: it may enter the namespace (helper thread).
 */
static struct xfrm_stat *read_xfrm_stat(struct monitor *m)
{
	int fd = -1;

	if (m->cfg->filter.flags & GW_F_NETNS) {
		fd = netns__fd(names_sys__netns(&m->names), m->cfg->filter.netns);
		if (fd < 0)
			return NULL;
	}
	return xfrm_stat__read_netns(fd);	/* NULL: no CONFIG_XFRM_STATISTICS */
}

/* Under m->lock. */
static void add_xfrm_stat(struct monitor *m, struct xfrm_stat *now)
{
	struct xfrm_stat_delta d;

	if (!now)
		return;
	/* Every counter has a series from the first harvest on, zero or not. */
	for (unsigned int i = 0; !m->xstat && i < now->n; i++) {
		struct metric_label l = { "counter", now->c[i].name };

		metrics__add(m->metrics, "gwtrace_xfrm_stat_total", &l, 1, 0);
	}
	xfrm_stat__delta(m->xstat, now, &d);
	for (unsigned int i = 0; i < d.n; i++) {
		struct metric_label l = { "counter", d.c[i].name };

		metrics__add(m->metrics, "gwtrace_xfrm_stat_total", &l, 1, (double)d.c[i].value);
	}
	xfrm_stat__free(m->xstat);
	m->xstat = now;
}

static void harvest_now(struct monitor *m)
{
	struct xfrm_stat *xs = read_xfrm_stat(m);
	size_t n;
	const struct gw_probe_report *r = attach__reports(m->attach, &n);
	int err;

	pthread_mutex_lock(&m->lock);
	err = harvest__run(m->hv);
	update_probe_metrics(m, r, n);
	add_xfrm_stat(m, xs);
	metrics__advance(m->metrics, "gwtrace_drop_log_lines_total", NULL, 0, (double)m->logged);
	pthread_mutex_unlock(&m->lock);
	if (err)
		pr_warn("reading the monitor counters failed: %s", strerror(-err));
}

static void announce(const struct monitor *m)
{
	char desc[256];

	if (m->cfg->json)
		return;
	fprintf(stderr, "gwtrace: monitoring %s with %zu probes (",
		filter__describe(&m->cfg->filter, desc, sizeof(desc)),
		attach__attached(m->attach));
	attach__print_strategies(m->attach, stderr);
	fprintf(stderr, "), report every %gs", m->cfg->interval);
	if (m->http)
		fprintf(stderr, ", metrics on port %u", http__port(m->http));
	fprintf(stderr, ". Ctrl-C to stop.\n");
}

static int poll_loop(struct monitor *m)
{
	__u64 start = session__now_ns(), now;
	__u64 window_ns = (__u64)(m->cfg->interval * 1e9);
	__u64 next_harvest = start + (window_ns < HARVEST_NS ? window_ns : HARVEST_NS);
	/* The kernel's drop-log windows start at m->t0 too. */
	__u64 next_window = m->t0 + window_ns, next_refresh = start + REFRESH_NS;
	__u64 limit = m->cfg->duration > 0 ? (__u64)(m->cfg->duration * 1e9) : 0;
	int err;

	while (!session__stop_requested()) {
		err = ring_buffer__poll(m->rb, POLL_MS);
		if (err < 0 && err != -EINTR) {
			pr_err("reading the ring buffer failed: %s", strerror(-err));
			return err;
		}
		now = session__now_ns();
		corr__expire(m->corr, now);
		if (now >= next_harvest) {
			harvest_now(m);
			next_harvest = now + (window_ns < HARVEST_NS ? window_ns : HARVEST_NS);
		}
		if (now >= next_window) {
			pthread_mutex_lock(&m->lock);
			harvest__report(m->hv, m->cfg->json ? NULL : stdout);
			pthread_mutex_unlock(&m->lock);
			next_window = now + window_ns;
		}
		if (now >= next_refresh) {
			attach__refresh(m->attach);
			next_refresh = now + REFRESH_NS;
		}
		if (limit && now - start >= limit)
			break;
	}
	m->duration_s = (session__now_ns() - start) / 1e9;
	return 0;
}

static void summary_json(struct monitor *m, const struct harvest_stats *st,
			 __u64 lost, __u64 flow_full, __u64 suppressed)
{
	struct jw w;

	jw_init(&w, stdout);
	jw_start_object(&w);
	jw_string_field(&w, "type", "monitor_summary");
	jw_name(&w, "packets");
	jw_start_object(&w);
	for (int f = GW_FATE_FORWARDED; f < GW_FATE_MAX; f++)
		jw_u64_field(&w, harvest__fate_name(f), st->fate_total[f]);
	jw_end_object(&w);
	jw_u64_field(&w, "drop_log_lines", m->logged);
	jw_u64_field(&w, "drop_log_suppressed", suppressed);
	jw_u64_field(&w, "lost_events", lost);
	jw_u64_field(&w, "flow_table_full", flow_full);
	jw_u64_field(&w, "flows_evicted", st->evicted);
	jw_name(&w, "duration_s");
	jw_double(&w, m->duration_s, 3);
	jw_end_object(&w);
	jw_endline(&w);
}

static void finish(struct monitor *m)
{
	struct harvest_stats st;
	__u64 lost = 0, flow_full = 0, suppressed = 0;
	size_t n;
	const struct gw_probe_report *r;

	ring_buffer__consume(m->rb);
	corr__flush(m->corr);
	harvest_now(m);
	r = attach__reports(m->attach, &n);
	for (size_t p = 0; p < n; p++) {
		lost += r[p].lost_ringbuf + r[p].mon_fate_full;
		flow_full += r[p].mon_flow_full;
		suppressed += r[p].mon_suppressed;
	}
	harvest__stats(m->hv, &st);
	if (m->bad_events)
		pr_warn("%llu events could not be processed (malformed or out of memory)",
			(unsigned long long)m->bad_events);
	if (m->cfg->json) {
		summary_json(m, &st, lost, flow_full, suppressed);
	} else {
		printf("\ntotal:");
		for (int f = GW_FATE_FORWARDED; f < GW_FATE_MAX; f++)
			printf(" %s %llu", harvest__fate_name(f),
			       (unsigned long long)st.fate_total[f]);
		printf("\ndrops logged %llu, not logged (over --drop-limit) %llu; "
		       "flows evicted %llu, flow table full %llu; lost events: %llu\n",
		       (unsigned long long)m->logged, (unsigned long long)suppressed,
		       (unsigned long long)st.evicted, (unsigned long long)flow_full,
		       (unsigned long long)lost);
	}
	fflush(stdout);
}

static int setup(struct monitor *m)
{
	const struct gw_config *c = m->cfg;
	struct gw_attach_opts ao = {
		.kernel = &m->kernel,
		.mode = c->mode,
		.filter = c->filter,
		.ringbuf_kb = c->ringbuf_kb,
		.track_max = c->track_max,
		.monitor = true,
		.mon_flows = c->flows,
		.mon_window_ns = (__u64)(c->interval * 1e9),
		.mon_burst = c->drop_limit,
		.mon_t0_ns = m->t0,
	};
	struct gw_corr_opts co = {
		.idle_timeout_ns = DROP_PATH_IDLE_NS,
		.names = &m->names,
	};
	struct harvest_opts ho = { .flows_max = c->flows };
	struct metric_label ver = { "version", GWTRACE_VERSION };
	int err;

	m->metrics = metrics__new();
	if (!m->metrics || declare_metrics(m))
		return -ENOMEM;
	metrics__set(m->metrics, "gwtrace_build_info", &ver, 1, 1);
	/* A busy port fails now, before seconds of probing and loading. */
	if (c->listen) {
		m->http = http__start(c->listen, &c->http, render_metrics, m, &err);
		if (!m->http)
			return err;
	}
	filter__warn_missing_iface(&c->filter);
	if ((err = kfeat__probe(&m->kernel)))
		return err;
	if ((err = names_sys__init(&m->names, NAMES_SYS_EAGER, &m->kernel)))
		return err;
	m->attach = attach__open(&ao, &err);
	if (!m->attach)
		return err;
	ho.fates_fd = attach__mon_fates_fd(m->attach);
	ho.flows_fd = attach__mon_flows_fd(m->attach);
	ho.window_rounds = c->interval >= 1 ? (unsigned int)(c->interval + 0.5) : 1;
	ho.names = &m->names;
	ho.netns = names_sys__netns(&m->names);
	ho.metrics = m->metrics;
	m->hv = harvest__new(&ho);
	m->corr = corr__new(&co, on_packet, m);
	if (!m->hv || !m->corr)
		return -ENOMEM;
	m->rb = ring_buffer__new(attach__events_fd(m->attach), on_event, m, NULL);
	if (!m->rb) {
		err = -errno;
		pr_err("cannot open the ring buffer: %s", strerror(-err));
		return err;
	}
	harvest_now(m);
	return session__install_signals();
}

static void teardown(struct monitor *m)
{
	http__stop(m->http);	/* first: it reads the registry */
	ring_buffer__free(m->rb);
	corr__free(m->corr);
	harvest__free(m->hv);
	attach__close(m->attach);
	metrics__free(m->metrics);
	xfrm_stat__free(m->xstat);
	names_sys__free(&m->names);
	kfeat__free(&m->kernel);
}

int monitor__run(const struct gw_config *cfg)
{
	struct monitor m = {
		.cfg = cfg, .lock = PTHREAD_MUTEX_INITIALIZER, .t0 = session__now_ns(),
	};
	char extra[64] = "";
	int err;

	err = setup(&m);
	if (!err && cfg->ready_file) {
		if (m.http)
			snprintf(extra, sizeof(extra), "port %u\n", http__port(m.http));
		err = session__write_ready_file(cfg->ready_file, extra);
	}
	if (!err) {
		announce(&m);
		err = poll_loop(&m);
		finish(&m);
	}
	teardown(&m);
	return err ? 1 : 0;
}

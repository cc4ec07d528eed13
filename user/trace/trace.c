// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `gwtrace trace`: attach, read the ring buffer, correlate, print, and on
 * exit say what was lost. Nothing stays attached after return: every
 * attachment is an fd-backed link closed by attach__close() (or by the
 * kernel if the process dies).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "correlate.h"
#include "filter.h"
#include "flows.h"
#include "ike.h"
#include "kfeat.h"
#include "log.h"
#include "names_sys.h"
#include "record.h"
#include "render_json.h"
#include "render_text.h"
#include "session.h"
#include "trace.h"
#include "xfrm_ctx.h"

#define POLL_MS 100
#define POLL_RECORDS 4096	/* records per poll at most (on_event) */
#define POLL_BUDGET (-ECANCELED)
#define EXPIRE_NS 50000000ULL
#define REFRESH_NS 1000000000ULL	/* network namespaces come and go */
/*
 * Tracking entries hold a packet's steps until its end (see gwtrace.h,
 * struct gw_chunk). The kernel treats one untouched for TRACK_TIMEOUT_NS
 * as a life whose end we missed (its address is a new packet now), or for
 * HOLD_KERNEL_NS if its packet is held (gw_step_holds: queued after
 * POSTROUTING, e.g. for ARP, its drop or transmission still to come).
 *
 * The sweep, every SWEEP_NS, takes the entries untouched for
 * SWEEP_STALE_NS (held: HOLD_NS) with their steps, before the kernel
 * would, and ends delivered lives quiet for DELIVERED_NS: what comes after
 * a delivery is the socket's business, a drop there comes at once (no
 * socket, receive buffer full) and the application's read has no
 * tracepoint. While a sweep leaves more than TRACK_BUSY of the map in use
 * (a flood to a local server, an application that stopped reading), a
 * delivered life ends after DELIVERED_BUSY_NS, so the map keeps room for
 * new packets; a step that would still come (a slow reader's free, its
 * socket's queue purged at close) then comes as an untracked packet's,
 * alone. At exit every entry is taken. The sweep runs in the kernel
 * (attach__sweep); where it cannot, user space sweeps every
 * SWEEP_USER_NS, by lookup-and-delete (an entry is gone or whole).
 */
#define TRACK_TIMEOUT_NS 6000000000ULL
#define SWEEP_STALE_NS 2000000000ULL
#define HOLD_NS CORR_DEFAULT_HOLD_NS
#define SWEEP_NS 100000000ULL
#define SWEEP_USER_NS 2000000000ULL
#define HOLD_KERNEL_NS (HOLD_NS + 2 * SWEEP_USER_NS)
#define DELIVERED_NS CORR_DEFAULT_IDLE_NS
#define DELIVERED_BUSY_NS 10000000ULL
#define TRACK_BUSY(max) ((max) / 8)	/* entries left by a sweep: busy */
/* An IKE request seen this many times more, unanswered, is reported
 * (daemons retransmit after 1-4 s, then back off). */
#define IKE_RETRIES 2

struct trace {
	const struct gw_config *cfg;
	struct gw_kfeat kernel;
	struct gw_names names;
	struct gw_attach *attach;
	struct gw_corr *corr;
	struct gw_flows *flows;
	struct ike_watch *ike;
	struct ring_buffer *rb;
	struct xfrm_ctx *xfrm;
	struct gw_recorder *rec;	/* --record, else NULL */
	struct gw_summary sum;
	__u64 bad_events;
	size_t budget, batch;	/* records per poll: limit (0: none), so far */
	bool user_sweep;	/* the kernel's sweep cannot run */
	bool track_busy;	/* the map's last sweep left > TRACK_BUSY */
	__u64 last_user_sweep;
};

static void on_packet(struct gw_packet *p, void *ctx)
{
	struct trace *t = ctx;
	__u64 count;

	t->sum.packets++;
	t->sum.by_outcome[p->outcome]++;
	ike_watch__packet(t->ike, p);
	if (t->cfg->json) {
		/* JSON carries every packet; consumers filter with jq. */
		render_json__packet(stdout, p, &t->names, t->cfg->json_compact ? RJ_COMPACT : 0);
		return;
	}
	count = flows__add(t->flows, p, &t->names);
	if (count == 1 && (t->cfg->all || p->outcome == GW_OUT_DROPPED)) {
		render_text__packet(stdout, p, 1, &t->names);
		fflush(stdout);
	}
}

static void on_ike_finding(const struct ike_finding *f, void *ctx)
{
	struct trace *t = ctx;

	if (t->cfg->json)
		render_json__finding(stdout, f);
	else
		render_text__finding(stdout, f);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct trace *t = ctx;

	recorder__event(t->rec, data, size);
	t->sum.events += corr__record_steps(size);
	if (corr__push_record(t->corr, data, size))
		t->bad_events++;
	/* libbpf reads on while records keep coming: under a flood, for
	 * ever. Return to the poll loop now and then (this record is
	 * consumed), for the sweep and the idle paths. */
	if (t->budget && ++t->batch >= t->budget)
		return POLL_BUDGET;
	return 0;
}

/* Where the kernel cannot sweep: takes the tracking entries idle for
 * their limit at now (all if now is 0) and hands their gathered steps to
 * the correlator as one record. */
static void sweep_user(struct trace *t, __u64 now)
{
	int fd = attach__tracked_fd(t->attach);
	__u64 key, next, *prev = NULL;
	struct gw_track val;
	size_t size;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		/* next's successor before next may go. */
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val) ||
		    (now && (now <= val.last_ts ||
			     now - val.last_ts < (val.held ? HOLD_NS : SWEEP_STALE_NS))))
			continue;
		if (bpf_map_lookup_and_delete_elem(fd, &key, &val))
			continue;	/* its end came meanwhile */
		if (!val.chunk.hdr.n_steps || val.chunk.hdr.n_steps > GW_CHUNK_STEPS)
			continue;
		val.chunk.hdr.flags = 0;	/* the last record's: this one is the rest */
		size = sizeof(val.chunk.hdr) + val.chunk.hdr.n_steps * sizeof(struct gw_event);
		on_event(t, &val.chunk, size);
	}
}

/* The sweep (see SWEEP_NS); now 0 at exit: every entry, reading the ring
 * buffer whenever the kernel stops for want of room in it. */
static void sweep_tracked(struct trace *t, __u64 now)
{
	struct gw_sweep io = {
		.now_ns = now,
		.stale_ns = SWEEP_STALE_NS,
		.hold_ns = HOLD_NS,
		.delivered_ns = t->track_busy ? DELIVERED_BUSY_NS : DELIVERED_NS,
	};

	if (t->user_sweep) {
		if (!now || now - t->last_user_sweep >= SWEEP_USER_NS) {
			sweep_user(t, now);
			t->last_user_sweep = now;
		}
		return;
	}
	for (int round = 0; round < 1000; round++) {
		int err = attach__sweep(t->attach, &io);

		if (err) {
			pr_warn("the tracking map's sweep cannot run in the kernel (%s): "
				"user space sweeps it", strerror(-err));
			t->user_sweep = true;
			sweep_user(t, now);
			return;
		}
		t->track_busy = io.seen - io.taken > TRACK_BUSY(t->cfg->track_max);
		if (now)
			return;	/* the next poll reads what it sent */
		ring_buffer__consume(t->rb);
		if (!io.full)
			return;
	}
}

static void announce(const struct trace *t)
{
	char desc[256];

	if (t->cfg->json)
		return;
	fprintf(stderr, "gwtrace: tracing %s with %zu/%zu probes (",
		filter__describe(&t->cfg->filter, desc, sizeof(desc)),
		attach__attached(t->attach), (size_t)GW_PROBE_MAX);
	attach__print_strategies(t->attach, stderr);
	fprintf(stderr, "). Ctrl-C to stop.\n");
}

static int poll_loop(struct trace *t)
{
	__u64 start = session__now_ns(), last_sweep = start, last_refresh = start, now;
	__u64 last_expire = start;
	__u64 limit = t->cfg->duration > 0 ? (__u64)(t->cfg->duration * 1e9) : 0;
	int err;

	t->budget = POLL_RECORDS;
	while (!session__stop_requested()) {
		t->batch = 0;
		err = ring_buffer__poll(t->rb, POLL_MS);
		if (err < 0 && err != -EINTR && err != POLL_BUDGET) {
			pr_err("reading the ring buffer failed: %s", strerror(-err));
			return err;
		}
		xfrm_ctx__poll(t->xfrm);
		now = session__now_ns();
		/* Idle limits are a second or more: no need to look at every
		 * path in flight after every poll (a flood returns at once). */
		if (now - last_expire >= EXPIRE_NS) {
			corr__expire(t->corr, now);
			recorder__tick(t->rec, now);
			last_expire = now;
		}
		if (now - last_refresh > REFRESH_NS) {
			attach__refresh(t->attach);
			xfrm_ctx__refresh(t->xfrm);
			last_refresh = now;
		}
		if (now - last_sweep > SWEEP_NS) {
			sweep_tracked(t, now);
			last_sweep = now;
		}
		if (limit && now - start >= limit)
			break;
	}
	t->sum.duration_s = (session__now_ns() - start) / 1e9;
	t->budget = 0;
	return 0;
}

static void finish(struct trace *t)
{
	struct gw_corr_stats cs;
	size_t n;

	ring_buffer__consume(t->rb);
	sweep_tracked(t, 0);
	corr__flush(t->corr);
	ike_watch__finish(t->ike);
	corr__stats(t->corr, &cs);
	t->sum.unattributed = cs.unattributed;
	t->sum.evicted = cs.evicted;
	t->sum.probes = attach__reports(t->attach, &n);
	t->sum.n_probes = n;
	for (size_t i = 0; i < n; i++) {
		t->sum.lost_ringbuf += t->sum.probes[i].lost_ringbuf;
		t->sum.lost_track += t->sum.probes[i].lost_track;
		t->sum.lost_busy += t->sum.probes[i].lost_busy;
	}
	xfrm_ctx__finish(t->xfrm, &t->sum);
	if (t->bad_events)
		pr_warn("%llu events could not be processed (malformed or out of memory)",
			(unsigned long long)t->bad_events);
	if (t->cfg->json) {
		render_json__summary(stdout, &t->sum);
	} else {
		render_text__report(stdout, t->flows, t->cfg->all, &t->names);
		render_text__summary(stdout, &t->sum);
	}
	fflush(stdout);
}

/* After the probes attach, so the counters' start matches the trace's. */
static int setup_xfrm(struct trace *t)
{
	struct xfrm_ctx_opts xo = {
		.out = stdout,
		.json = t->cfg->json,
		.netns = t->cfg->filter.flags & GW_F_NETNS ? t->cfg->filter.netns : 0,
		.netns_map = names_sys__netns(&t->names),
	};

	t->xfrm = xfrm_ctx__open(&xo);
	if (!t->xfrm)
		return -ENOMEM;
	names_sys__set_xfrm(&t->names, t->xfrm);
	return 0;
}

static int setup(struct trace *t)
{
	struct gw_attach_opts ao = {
		.kernel = &t->kernel,
		.mode = t->cfg->mode,
		.filter = t->cfg->filter,
		.ringbuf_kb = t->cfg->ringbuf_kb,
		.track_max = t->cfg->track_max,
		.track_timeout_ns = TRACK_TIMEOUT_NS,
		.hold_timeout_ns = HOLD_KERNEL_NS,
	};
	struct gw_corr_opts co = {
		.idle_timeout_ns = (__u64)t->cfg->idle_ms * 1000000ULL,
		.hold_ns = HOLD_NS,
		.names = &t->names,
	};
	int err;

	/* First: a path we may not write fails before anything loads. */
	if (t->cfg->record_file && !(t->rec = recorder__open(t->cfg->record_file, &err)))
		return err;
	filter__warn_missing_iface(&t->cfg->filter);
	if ((err = kfeat__probe(&t->kernel)))
		return err;
	/* Eager: names from BTF now, not on the first drop event. */
	if ((err = names_sys__init(&t->names, NAMES_SYS_EAGER, &t->kernel)))
		return err;
	if (!names_sys__dropreason(&t->names)) {
		pr_err("cannot read drop reason names from the kernel's BTF");
		return -ENOENT;
	}
	t->attach = attach__open(&ao, &err);
	if (!t->attach)
		return err;
	t->corr = corr__new(&co, on_packet, t);
	t->flows = flows__new();
	t->ike = ike_watch__new(IKE_RETRIES, on_ike_finding, t);
	if (!t->corr || !t->flows || !t->ike)
		return -ENOMEM;
	t->rb = ring_buffer__new(attach__events_fd(t->attach), on_event, t, NULL);
	if (!t->rb) {
		err = -errno;
		pr_err("cannot open the ring buffer: %s", strerror(-err));
		return err;
	}
	if ((err = setup_xfrm(t)))
		return err;
	return session__install_signals();
}

static void teardown(struct trace *t)
{
	ring_buffer__free(t->rb);
	corr__free(t->corr);
	flows__free(t->flows);
	ike_watch__free(t->ike);
	attach__close(t->attach);
	names_sys__set_xfrm(&t->names, NULL);
	xfrm_ctx__close(t->xfrm);
	names_sys__free(&t->names);
	kfeat__free(&t->kernel);
}

int trace__run(const struct gw_config *cfg)
{
	struct trace t = { .cfg = cfg };
	int err;

	err = setup(&t);
	if (!err && cfg->ready_file)
		err = session__write_ready_file(cfg->ready_file, NULL);
	if (!err) {
		announce(&t);
		err = poll_loop(&t);
		finish(&t);
	}
	/* After finish(): its last ring buffer read is recorded too. */
	if (recorder__close(t.rec) && !err)
		err = -EIO;
	teardown(&t);
	return err ? 1 : 0;
}

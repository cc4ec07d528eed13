/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The attach strategy, in one place: which probes exist, how each can be
 * implemented (fentry -> kprobe -> tracepoint), what this kernel allows,
 * and the load/attach/detach of the one CO-RE object.
 */
#ifndef GW_ATTACH_H
#define GW_ATTACH_H

#include <stddef.h>
#include <stdio.h>
#include <stdbool.h>
#include <linux/types.h>
#include "gwtrace.h"
#include "probe_table.h"

struct gw_attach;
struct gw_kfeat;

struct gw_attach_opts {
	const struct gw_kfeat *kernel;	/* the run's kernel facts (borrowed) */
	enum gw_mode mode;
	struct gw_filter filter;
	__u32 ringbuf_kb;
	__u32 track_max;
	__u64 track_timeout_ns;
	__u64 hold_timeout_ns;		/* ... for a held packet (gw_step_holds) */
	/* gwtrace monitor: count fates in the kernel, stream rate-limited
	 * drops; only the probes that settle a fate are attached. */
	bool monitor;
	__u32 mon_flows;		/* flow table entries */
	__u64 mon_window_ns;		/* drop streaming window */
	__u64 mon_t0_ns;		/* when the first window starts (ktime) */
	__u32 mon_burst;		/* drops streamed per flow+location+window */
};

/* What one probe attached and counted (the summary's and `probes`'). */
struct gw_probe_report {
	const char *name;	/* "skb:drop", "nf:hook", ... */
	const char *strategy;	/* "fentry", "kprobe", "tracepoint", "none" */
	const char *detail;	/* what was attached, or why unavailable */
	bool attached;
	__u64 events;		/* written to the ring buffer */
	__u64 lost_ringbuf;	/* ring buffer full */
	__u64 lost_track;	/* tracking map full */
	__u64 lost_busy;	/* packets not traced: ring buffer over half full */
	__u64 mon_suppressed;	/* monitor: drops not streamed (rate limit) */
	__u64 mon_flow_full;	/* monitor: flow table full */
	__u64 mon_fate_full;	/* monitor: fate table full */
};

/* What trace could not deliver for this probe (its "lost"): steps lost to
 * the ring buffer, packets not tracked or not traced. */
static inline __u64 probe_report__lost(const struct gw_probe_report *pr)
{
	return pr->lost_ringbuf + pr->lost_track + pr->lost_busy;
}

/* Chooses a strategy per probe from opts->kernel, loads and attaches.
 * NULL with *err set (-errno) if nothing usable could be attached. */
struct gw_attach *attach__open(const struct gw_attach_opts *opts, int *err);
void attach__close(struct gw_attach *a);

/* Follows network namespaces appearing and vanishing (netfilter links are
 * per namespace); call about once a second. */
void attach__refresh(struct gw_attach *a);

int attach__events_fd(const struct gw_attach *a);
int attach__tracked_fd(const struct gw_attach *a);
/* Runs the tracking map's sweep in the kernel (bpf/sweep.bpf.c) with io's
 * limits; what it found comes back in io. 0, or -errno if it cannot run
 * (user space then sweeps through attach__tracked_fd). Trace only. */
int attach__sweep(struct gw_attach *a, struct gw_sweep *io);
/* Monitor counters: gw_mon_fates (aggregates) and gw_mon_flows. */
int attach__mon_fates_fd(const struct gw_attach *a);
int attach__mon_flows_fd(const struct gw_attach *a);
/* Number of probes attached. */
size_t attach__attached(const struct gw_attach *a);
/* "skb:rx=tracepoint nf:hook=tracepoint ...": the attached probes. */
void attach__print_strategies(const struct gw_attach *a, FILE *f);

/* One report per probe (GW_PROBE_MAX), with counters read from the
 * kernel now. The strings live as long as a. */
const struct gw_probe_report *attach__reports(struct gw_attach *a, size_t *n);
/* Why the strategies not used for probe i were not used ("" if none). */
const char *attach__refused(const struct gw_attach *a, size_t i);

#endif /* GW_ATTACH_H */

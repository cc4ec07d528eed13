/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Correlation: per-packet step events (struct gw_event), as the ring
 * buffer's records carry them (struct gw_chunk), in; finished packet paths
 * (struct gw_packet) with conclusions out.
 *
 * Identity is the BPF side's pkt_id, never the skb address (addresses are
 * recycled within microseconds). Steps are kept sorted by ts_ns because
 * events of one packet may arrive slightly out of order across CPUs. A
 * path is finished when its life ends (DROP/FREE step), when it has been
 * idle for idle_timeout_ns (corr__expire) -- or for hold_ns if it is held
 * (corr__path_held: on its way out -- past FORWARD, in LOCAL_OUT or
 * POSTROUTING -- e.g. waiting for ARP, and not transmitted yet) -- when it is the least recently
 * active path and room is needed for a new one (max_packets; counted as
 * evicted), or at corr__flush. Each finished path is passed to the
 * callback once, then freed. The callback must not call back into the
 * same correlator.
 */
#ifndef GW_CORRELATE_H
#define GW_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "gwtrace.h"
#include "names.h"
#include "packet.h"

#define CORR_DEFAULT_IDLE_NS	1000000000ULL	/* idle_timeout_ns 0 */
#define CORR_DEFAULT_HOLD_NS	30000000000ULL	/* hold_ns 0 */
#define CORR_DEFAULT_MAX	8192		/* max_packets 0 */
#define CORR_MAX_STEPS		1024		/* per path; extra steps counted */

struct gw_corr_opts {
	__u64 idle_timeout_ns;		/* finish a path idle this long (default 1 s) */
	__u64 hold_ns;			/* ... a held one this long (default 30 s) */
	size_t max_packets;		/* paths in flight; beyond: oldest finished early, counted */
	const struct gw_names *names;	/* never NULL; its callbacks may return NULL/-1 */
};

/* pkt is valid only during the call. */
typedef void (*gw_packet_cb)(struct gw_packet *pkt, void *ctx);

struct gw_corr;

struct gw_corr *corr__new(const struct gw_corr_opts *opts, gw_packet_cb cb, void *ctx);
/* 0, or -ENOMEM (the event is lost, nothing else changes). */
int corr__push(struct gw_corr *c, const struct gw_event *ev);
/*
 * One ring buffer record (struct gw_chunk: a life's steps, see gwtrace.h):
 * checks it whole, then pushes its steps. 0; -EBADMSG if the record is
 * malformed (wrong size, step count, steps of different lives: nothing is
 * pushed); -ENOMEM as corr__push (the steps before stay pushed). After a
 * record with GW_CHF_MORE the kernel holds the path's next steps: it is
 * not finished idle before hold_ns.
 */
int corr__push_record(struct gw_corr *c, const void *data, size_t size);
/* Steps in a record of size bytes, 0 if that is no record size. */
size_t corr__record_steps(size_t size);
/* Finishes (incomplete) every path idle for idle_timeout_ns at now_ns
 * (ktime ns, the clock of ev->ts_ns). */
void corr__expire(struct gw_corr *c, __u64 now_ns);
/* Finishes every path in flight (incomplete), oldest activity first. */
void corr__flush(struct gw_corr *c);
/* Frees the correlator; paths still in flight are discarded unreported
 * (call corr__flush first to report them). NULL is fine. */
void corr__free(struct gw_corr *c);

/* Computes the conclusions of p from its steps; idempotent. */
void corr__finish(struct gw_packet *p, const struct gw_names *n);

/*
 * Whether a path without an end is held: its newest step is the exit of
 * POSTROUTING, so the kernel has it queued on the way to the device (the
 * neighbour layer resolving the next hop, a qdisc) and its fate is still
 * to come: neither transmitted nor dropped. A held path is kept open
 * (hold_ns), and one finished while held has outcome unknown, never the
 * "forwarded" its earlier steps suggest. The rule is gw_step_holds(), the
 * kernel's too.
 */
bool corr__path_held(const struct gw_packet *p);

struct gw_corr_stats {
	__u64 events;		/* pushed, attributable or not */
	__u64 packets;		/* paths passed to the callback */
	__u64 unattributed;	/* events with pkt_id 0, ignored */
	__u64 evicted;		/* paths finished early: max_packets */
	__u64 truncated;	/* steps ignored beyond CORR_MAX_STEPS */
};
void corr__stats(const struct gw_corr *c, struct gw_corr_stats *out);

/*
 * Shared with the renderers so text, JSON and the conclusions agree.
 */

/* Sides rewritten between two parsed tuples (corr__nat_change). */
#define CORR_NAT_SRC	(1u << 0)
#define CORR_NAT_DST	(1u << 1)

/*
 * CORR_NAT_* bits for what changed from a to b, 0 if nothing or if the
 * two are not comparable (unparsed, other family or protocol: that is
 * encapsulation, not NAT). A port that reads 0 on one side (non-first
 * fragment) is not a change.
 */
unsigned corr__nat_change(const struct gw_tuple *a, const struct gw_tuple *b);

/* SNAT or DNAT for a change seen at hook (both sides: decided by hook). */
enum gw_nat_type corr__nat_type(unsigned change, unsigned hook);

/*
 * One FIB lookup is a run of consecutive ROUTE steps (one per table
 * tried). For the run starting at steps[start] (a ROUTE step), sets *end
 * to the index after it and returns the index of its decisive step: the
 * last hit (err 0), or the last step if no table hit.
 */
size_t corr__route_run(const struct gw_packet *p, size_t start, size_t *end);

#endif /* GW_CORRELATE_H */

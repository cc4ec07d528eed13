// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tracking map's sweep, in the kernel: trace's poll loop test-runs
 * gw_track_sweep (never attached) with the limits in gw_sweep_io. An entry
 * whose packet has been quiet for its limit goes out as a record (its
 * gathered steps) and leaves the map: a delivered life (its socket's read
 * has no tracepoint, gw_delivered_after) as ended, any other as one whose
 * end we missed. Done in user space before, with a lookup per entry that
 * copied the whole entry out: under a flood the map filled with delivered
 * lives and that copying took most of the consumer's CPU (issue 8).
 */
#include "core.bpf.h"

struct gw_sweep gw_sweep_io;

/* Room in the ring buffer for a record of n steps (exit: lose nothing). */
static __always_inline bool sweep_room(__u32 n)
{
	__u64 size = bpf_ringbuf_query(&gw_events, BPF_RB_RING_SIZE);
	__u64 used = bpf_ringbuf_query(&gw_events, BPF_RB_AVAIL_DATA);
	__u64 need = sizeof(struct gw_chunk_hdr) + (__u64)n * sizeof(struct gw_event) + 64;

	return used + need <= size;
}

static long sweep_one(struct bpf_map *map, __u64 *key, struct gw_track *tr,
		      struct gw_sweep *s)
{
	__u64 now = s->now_ns, idle, limit;

	s->seen++;
	if (now) {
		idle = now > tr->last_ts ? now - tr->last_ts : 0;
		limit = tr->held ? s->hold_ns : tr->delivered ? s->delivered_ns : s->stale_ns;
		if (idle < limit)
			return 0;
	} else if (!sweep_room(tr->chunk.hdr.n_steps)) {
		s->full = 1;
		return 1;	/* the caller reads the ring, then again */
	}
	gw_chunk_flush(tr, tr->delivered ? GW_CHF_END : 0);
	bpf_map_delete_elem(map, key);
	s->taken++;
	return 0;
}

SEC("raw_tp")
int gw_track_sweep(void *ctx)
{
	struct gw_sweep s = {
		.now_ns = gw_sweep_io.now_ns,
		.stale_ns = gw_sweep_io.stale_ns,
		.hold_ns = gw_sweep_io.hold_ns,
		.delivered_ns = gw_sweep_io.delivered_ns,
	};

	bpf_for_each_map_elem(&gw_tracked, sweep_one, &s, 0);
	gw_sweep_io.seen = s.seen;
	gw_sweep_io.taken = s.taken;
	gw_sweep_io.full = s.full;
	gw_sweep_io.done = 1;
	return 0;
}

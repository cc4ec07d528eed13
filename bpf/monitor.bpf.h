/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `gwtrace monitor`: the same probes, but a step that settles a packet's
 * fate bumps per-CPU counters instead of crossing the ring buffer. Only
 * drops are streamed, and only the first gw_cfg_mon_burst per flow and
 * drop location per window, so a drop storm costs counters, not events.
 *
 * Part of core.bpf.h (needs its stats and config); not included alone.
 */
#ifndef GW_MONITOR_BPF_H
#define GW_MONITOR_BPF_H

/* Which drops of a flow were streamed in the current window. */
struct gw_mon_rl_key {
	struct gw_tuple tuple;
	__u64 location;
	__u32 netns;
	__u32 _pad;
};

struct gw_mon_rl {
	__u64 window;		/* ts / gw_cfg_mon_window_ns */
	__u64 count;		/* drops streamed in it */
};

/* Aggregates: sized for every (fate, hook, reason, location, interface)
 * a gateway has; full = counted, never silent. */
#define GW_MAP_MON_FATES struct {					\
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);				\
	__uint(max_entries, 16384);					\
	__type(key, struct gw_mon_key);					\
	__type(value, struct gw_mon_val);				\
} gw_mon_fates SEC(".maps")

/* Per flow, drops only: sized by --flows; user space evicts idle flows
 * (counted). */
#define GW_MAP_MON_FLOWS struct {					\
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);				\
	__uint(max_entries, 16384);					\
	__type(key, struct gw_mon_flow_key);				\
	__type(value, struct gw_mon_val);				\
} gw_mon_flows SEC(".maps")

/* LRU is fine here, unlike for tracking: forgetting a window only lets a
 * flow stream a few more drops, which are still counted as events. */
#define GW_MAP_MON_RL struct {						\
	__uint(type, BPF_MAP_TYPE_LRU_HASH);				\
	__uint(max_entries, 8192);					\
	__type(key, struct gw_mon_rl_key);				\
	__type(value, struct gw_mon_rl);				\
} gw_mon_rl SEC(".maps")

/* The step a monitored packet fills instead of a ring-buffer slot, and
 * trace's step of an untracked packet: either goes out from here as a
 * record of one step. */
#define GW_MAP_MON_SCRATCH struct {					\
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);			\
	__uint(max_entries, 1);						\
	__type(key, __u32);						\
	__type(value, struct gw_chunk1);				\
} gw_mon_scratch SEC(".maps")

GW_SHARED GW_MAP_MON_FATES;
GW_SHARED GW_MAP_MON_FLOWS;
GW_SHARED GW_MAP_MON_RL;
GW_SHARED GW_MAP_MON_SCRATCH;

extern const volatile __u32 gw_cfg_monitor;
extern const volatile __u64 gw_cfg_mon_window_ns;
extern const volatile __u64 gw_cfg_mon_t0_ns;
extern const volatile __u32 gw_cfg_mon_burst;
extern const volatile __u64 gw_cfg_lossy[GW_LOSSY_FUNCS][2];

/* Freed without a reason where that is a loss (a blackhole route's output,
 * xfrm_input's refusals), as trace's packet__drop_step_is_drop counts it. */
static __always_inline bool gw_mon_lossy(__u64 location)
{
	for (int i = 0; i < GW_LOSSY_FUNCS; i++)
		if (location >= gw_cfg_lossy[i][0] && location < gw_cfg_lossy[i][1])
			return true;
	return false;
}

/*
 * The fate a step settles, and at which netfilter hook: the one rule both
 * the scratch-event path (gw_mon_fate) and the living-packet fast path
 * (gw_mon_living) apply. Forwarded is counted where the packet leaves
 * (device xmit of a received packet), not at FORWARD: one program per
 * forwarded packet instead of two, and the FORWARD hook keeps the kernel's
 * fast path (no BPF link there).
 */
static __always_inline __u8 gw_mon_step_fate(__u16 kind, bool received, __u8 nf_hook,
					     bool xfrm_err, __u8 *hook)
{
	*hook = GW_MON_NO_HOOK;
	switch (kind) {
	case GW_EV_TX:
		return received ? GW_FATE_FORWARDED : GW_FATE_SENT;
	case GW_EV_DROP:
		return GW_FATE_DROPPED;
	case GW_EV_XFRM_OUT:
		return GW_FATE_ENCRYPTED;
	case GW_EV_XFRM_IN:
		return xfrm_err ? GW_FATE_NONE : GW_FATE_DECRYPTED;
	case GW_EV_IP_DELIVER:
		*hook = GW_NF_LOCAL_IN;
		return GW_FATE_DELIVERED;
	case GW_EV_NF_EXIT:
		*hook = nf_hook;
		return nf_hook == GW_NF_LOCAL_IN ? GW_FATE_DELIVERED : GW_FATE_NONE;
	}
	return GW_FATE_NONE;
}

static __always_inline __u8 gw_mon_fate(const struct gw_event *e, __u8 *hook)
{
	return gw_mon_step_fate(e->kind, e->flags & GW_EVF_RECEIVED, e->nf.hook,
				e->xfrm.err, hook);
}

static __always_inline void gw_mon_count(void *map, const void *key, __u32 len,
					 __u16 probe, __u32 full_stat)
{
	struct gw_mon_val *v = bpf_map_lookup_elem(map, key);

	if (!v) {
		struct gw_mon_val nv = { .packets = 1, .bytes = len };

		/* Per-CPU: the other CPUs' slots of a new entry start at 0. */
		if (!bpf_map_update_elem(map, key, &nv, BPF_NOEXIST))
			return;
		/* Another CPU created it meanwhile, or the table is full. */
		v = bpf_map_lookup_elem(map, key);
		if (!v) {
			gw_stat_inc(probe, full_stat);
			return;
		}
	}
	v->packets += 1;
	v->bytes += len;
}

/* Streams a drop unless its flow used up this window's burst. */
static __always_inline void gw_mon_stream_drop(struct gw_event *e)
{
	struct gw_mon_rl_key rk = {
		.location = e->drop.location, .netns = e->netns,
	};
	/* Windows start when gwtrace does, as its reports do. */
	__u64 window = (e->ts_ns - gw_cfg_mon_t0_ns) / (gw_cfg_mon_window_ns ?: 1);
	struct gw_chunk1 *rec;
	struct gw_mon_rl *r;
	__u32 zero = 0;

	if (!gw_cfg_mon_burst) {
		gw_stat_inc(e->probe, GW_STAT_MON_SUPPRESSED);
		return;
	}
	rk.tuple = e->tuple;
	r = bpf_map_lookup_elem(&gw_mon_rl, &rk);
	if (!r || r->window != window) {
		struct gw_mon_rl nr = { .window = window, .count = 1 };

		bpf_map_update_elem(&gw_mon_rl, &rk, &nr, BPF_ANY);
	} else if (__sync_fetch_and_add(&r->count, 1) >= gw_cfg_mon_burst) {
		gw_stat_inc(e->probe, GW_STAT_MON_SUPPRESSED);
		return;
	}
	rec = bpf_map_lookup_elem(&gw_mon_scratch, &zero);
	if (!rec)
		return;
	e->pkt_id = gw_next_id();
	e->flags |= GW_EVF_NEW;
	gw_one_send(rec);	/* e is rec's step (gw_mon_begin) */
}

static __always_inline void gw_mon_account(struct gw_event *e)
{
	struct gw_mon_flow_key fk = {};
	__u8 hook, fate = gw_mon_fate(e, &hook);

	if (fate == GW_FATE_NONE)
		return;
	fk.k.fate = fate;
	fk.k.hook = hook;
	fk.k.family = e->tuple.family;
	fk.k.proto = e->tuple.proto;
	fk.k.netns = e->netns;
	__builtin_memcpy(fk.k.ifname, e->ifname, GW_IFNAMSIZ);
	if (fate == GW_FATE_DROPPED) {
		fk.k.reason = e->drop.reason;
		fk.k.xfrm_mib = e->drop.xfrm_mib;
		fk.k.location = e->drop.location;
	}
	gw_mon_count(&gw_mon_fates, &fk.k, e->len, e->probe, GW_STAT_MON_FATE_FULL);
	/* Per flow only what dies: the report names the flows that lose
	 * packets, and a living packet's second hash update (an 88-byte key)
	 * was a third of its program's time. */
	if (fate != GW_FATE_DROPPED)
		return;
	fk.tuple = e->tuple;
	gw_mon_count(&gw_mon_flows, &fk, e->len, e->probe, GW_STAT_MON_FLOW_FULL);
	gw_mon_stream_drop(e);
}

#endif /* GW_MONITOR_BPF_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kretprobes see only the return value: the entry arguments are stashed
 * per task in a small LIFO. Keyed by task, not CPU, because a process-context
 * call may migrate; a softirq that interrupts it nests strictly inside, so
 * LIFO order holds within one task.
 */
#ifndef GW_STASH_BPF_H
#define GW_STASH_BPF_H

#include "core.bpf.h"

#define GW_STASH_DEPTH 4
#define GW_STASH_ARGS 4

struct gw_stash_key {
	__u64 task;
	__u32 probe;
	__u32 _pad;
};

struct gw_stash {
	__u32 depth;
	__u32 _pad;
	__u64 args[GW_STASH_DEPTH][GW_STASH_ARGS];
};

#define GW_MAP_STASH struct {					\
	__uint(type, BPF_MAP_TYPE_HASH);				\
	__uint(max_entries, 4096);					\
	__type(key, struct gw_stash_key);				\
	__type(value, struct gw_stash);					\
} gw_stash_map SEC(".maps")

GW_SHARED GW_MAP_STASH;

static __always_inline void stash_push(__u32 probe, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	struct gw_stash_key k = { .task = bpf_get_current_task(), .probe = probe };
	struct gw_stash *s = bpf_map_lookup_elem(&gw_stash_map, &k);
	struct gw_stash init = {};
	__u32 d;

	if (!s) {
		bpf_map_update_elem(&gw_stash_map, &k, &init, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&gw_stash_map, &k);
		if (!s)
			return;
	}
	d = s->depth;
	if (d >= GW_STASH_DEPTH) {
		/* Deeper than we keep: still count it so pops stay paired. */
		s->depth = d + 1;
		return;
	}
	s->args[d][0] = a0;
	s->args[d][1] = a1;
	s->args[d][2] = a2;
	s->args[d][3] = a3;
	s->depth = d + 1;
}

/* Returns false if nothing usable was stashed. */
static __always_inline bool stash_pop(__u32 probe, __u64 out[GW_STASH_ARGS])
{
	struct gw_stash_key k = { .task = bpf_get_current_task(), .probe = probe };
	struct gw_stash *s = bpf_map_lookup_elem(&gw_stash_map, &k);
	__u32 d;

	if (!s || !s->depth)
		return false;
	d = --s->depth;
	if (d < GW_STASH_DEPTH) {
		out[0] = s->args[d][0];
		out[1] = s->args[d][1];
		out[2] = s->args[d][2];
		out[3] = s->args[d][3];
	}
	if (!d)
		bpf_map_delete_elem(&gw_stash_map, &k);
	return d < GW_STASH_DEPTH;
}

#endif /* GW_STASH_BPF_H */

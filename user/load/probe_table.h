/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every probe gwtrace has and the ways to implement it, most preferred
 * first. Program names are those of the bpf/ sources.
 */
#ifndef GW_PROBE_TABLE_H
#define GW_PROBE_TABLE_H

#include <stdbool.h>
#include "gwtrace.h"

#define GW_IMPL_PROGS 4
#define GW_PROBE_IMPLS 3

/* Which strategy every probe that has it must use (--mode), or the most
 * preferred the kernel allows (auto). */
enum gw_mode { GW_MODE_AUTO, GW_MODE_FENTRY, GW_MODE_KPROBE, GW_MODE_TRACEPOINT };

struct gw_impl_prog {
	const char *prog;	/* BPF program name */
	const char *target;	/* kernel function, or tracepoint for tp_btf */
	bool not_monitor;	/* gwtrace monitor does without it */
};

struct gw_impl {
	enum gw_strategy strategy;	/* GW_STRAT_NONE ends the list */
	const char *label;		/* what gets attached, for humans */
	struct gw_impl_prog progs[GW_IMPL_PROGS];
	bool any;		/* usable if any target exists (else all) */
	bool nflink;		/* netfilter links instead of libbpf attach */
};

struct gw_probe_def {
	enum gw_probe_id id;
	const char *name;
	const char *what;		/* what it records */
	struct gw_impl impls[GW_PROBE_IMPLS];
	const char *no_tracepoint;	/* why there is no tracepoint strategy */
};

extern const struct gw_probe_def gw_probe_defs[GW_PROBE_MAX];

#endif /* GW_PROBE_TABLE_H */

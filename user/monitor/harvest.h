/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `gwtrace monitor`'s reading of the kernel's counters: the fate table
 * (aggregates) becomes Prometheus counters, the flow table a per-window
 * report; flows idle for a window are evicted from the kernel's bounded
 * table, and every eviction is counted.
 */
#ifndef GW_HARVEST_H
#define GW_HARVEST_H

#include <stdio.h>
#include <linux/types.h>
#include "gwtrace.h"
#include "names.h"

struct metrics;
struct netns_map;
struct harvest;

struct harvest_opts {
	int fates_fd;			/* gw_mon_fates */
	int flows_fd;			/* gw_mon_flows */
	__u32 flows_max;		/* its max_entries */
	unsigned int window_rounds;	/* harvests per window: idle flows go */
	const struct gw_names *names;	/* drop reasons, locations, xfrm names */
	struct netns_map *netns;	/* netns names for the labels */
	struct metrics *metrics;	/* gwtrace_packets_total, ... */
};

struct harvest_stats {
	__u64 flows;			/* in the kernel's table now */
	__u64 evicted;			/* idle flows removed, in total */
	__u64 fate_packets[GW_FATE_MAX];	/* this window, by enum gw_fate */
	__u64 fate_total[GW_FATE_MAX];	/* since the start */
};

struct harvest *harvest__new(const struct harvest_opts *o);
void harvest__free(struct harvest *h);
/* Declares the metric families harvest__run() fills. */
int harvest__declare(struct metrics *m);
/* Reads both tables once; adds what grew to the metrics. 0 or -errno. */
int harvest__run(struct harvest *h);
void harvest__stats(const struct harvest *h, struct harvest_stats *out);
/* Name of an enum gw_fate ("forwarded", ...). */
const char *harvest__fate_name(unsigned fate);
/* Prints the window's fates, drop causes and dropping flows, then starts
 * a new window. */
void harvest__report(struct harvest *h, FILE *out);

#endif /* GW_HARVEST_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Choosing, loading and attaching. Per probe: the most preferred strategy
 * the kernel allows (or the one --mode forces); if the verifier still
 * rejects a program, that strategy is marked refused and the object is
 * opened and loaded again without it. Attach failures make one probe
 * unavailable, never the whole run.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "packet.h"
#include "gwtrace.skel.h"
#include "kfeat.h"
#include "ksyms.h"
#include "log.h"
#include "nflink.h"
#include "nfnetns.h"
#include "probe_table.h"

#define MAX_LOAD_TRIES 6
#define MAX_LINKS 8

struct probe_state {
	int impl;			/* chosen index into impls, -1 = none */
	bool refused[GW_PROBE_IMPLS];	/* strategy ruled out, why[] says why */
	char why[GW_PROBE_IMPLS][200];
	struct bpf_link *links[MAX_LINKS];
	struct nfns_set *nfns;		/* netfilter links, per namespace */
	int n_links;
	bool attached;
	bool unused;			/* not needed by this command */
	char detail[384];
	char refused_text[600];
};

struct gw_attach {
	struct gwtrace_bpf *skel;
	const struct gw_kfeat *kfeat;	/* borrowed */
	struct probe_state probes[GW_PROBE_MAX];
	struct gw_probe_report reports[GW_PROBE_MAX];
	__u32 netns_only;		/* --netns: attach netfilter links there only */
	bool monitor;
	char failed_prog[64];		/* from libbpf's log during load */
};

/* libbpf names the program the verifier rejected only in its log. */
static struct gw_attach *loading;

static int capture_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	char buf[512];
	const char *p, *q;
	va_list cp;

	va_copy(cp, ap);
	vsnprintf(buf, sizeof(buf), fmt, cp);
	va_end(cp);
	if (loading && (p = strstr(buf, "prog '")) && strstr(buf, "failed to load")) {
		p += 6;
		q = strchr(p, '\'');
		if (q && (size_t)(q - p) < sizeof(loading->failed_prog))
			snprintf(loading->failed_prog, sizeof(loading->failed_prog),
				 "%.*s", (int)(q - p), p);
	}
	return log__libbpf_vprint(lvl, fmt, ap);
}

static enum gw_strategy mode_strategy(enum gw_mode m)
{
	switch (m) {
	case GW_MODE_FENTRY: return GW_STRAT_FENTRY;
	case GW_MODE_KPROBE: return GW_STRAT_KPROBE;
	case GW_MODE_TRACEPOINT: return GW_STRAT_TRACEPOINT;
	default: return GW_STRAT_NONE;
	}
}

static bool probe_has_strategy(const struct gw_probe_def *d, enum gw_strategy s)
{
	for (int i = 0; i < GW_PROBE_IMPLS; i++)
		if (d->impls[i].strategy == s)
			return true;
	return false;
}

static bool prog_target_ok(const struct gw_kfeat *k, const struct gw_impl *im,
			   const struct gw_impl_prog *p)
{
	if (im->nflink)
		return true;
	if (im->strategy == GW_STRAT_TRACEPOINT)
		return kfeat__has_tp(k, p->target);
	return kfeat__has_func(k, p->target, im->strategy == GW_STRAT_FENTRY);
}

/* Whether the kernel allows impl at all; if not, why. */
static bool impl_available(const struct gw_kfeat *k, const struct gw_impl *im,
			   char *why, size_t len)
{
	int n = 0, ok = 0;

	if (im->strategy == GW_STRAT_FENTRY && !k->fentry) {
		snprintf(why, len, "%s", k->fentry_why);
		return false;
	}
	if (im->strategy == GW_STRAT_KPROBE && !k->kprobe) {
		snprintf(why, len, "%s", k->kprobe_why);
		return false;
	}
	if (im->nflink && !k->nflink) {
		snprintf(why, len, "%s", k->nflink_why);
		return false;
	}
	for (int j = 0; j < GW_IMPL_PROGS && im->progs[j].prog; j++, n++)
		ok += prog_target_ok(k, im, &im->progs[j]);
	if (im->any ? ok > 0 : ok == n)
		return true;
	snprintf(why, len, "%s not found in this kernel (inlined, or not built)",
		 im->progs[0].target);
	return false;
}

/* Picks the first usable impl the mode allows. */
static void choose(struct gw_attach *a, enum gw_mode mode)
{
	enum gw_strategy forced = mode_strategy(mode);

	for (int p = 0; p < GW_PROBE_MAX; p++) {
		const struct gw_probe_def *d = &gw_probe_defs[p];
		struct probe_state *ps = &a->probes[p];

		ps->impl = -1;
		for (int i = 0; i < GW_PROBE_IMPLS && d->impls[i].strategy; i++) {
			const struct gw_impl *im = &d->impls[i];

			if (ps->refused[i])
				continue;
			/* A forced mode leaves probes that only exist as
			 * tracepoints (skb:*) on their tracepoint. */
			if (forced && im->strategy != forced &&
			    (probe_has_strategy(d, forced) ||
			     im->strategy != GW_STRAT_TRACEPOINT)) {
				snprintf(ps->why[i], sizeof(ps->why[i]),
					 "not tried (--mode %s)",
					 packet__strategy_name(forced));
				continue;
			}
			if (!impl_available(a->kfeat, im, ps->why[i], sizeof(ps->why[i]))) {
				ps->refused[i] = true;
				continue;
			}
			if (ps->impl >= 0) {
				snprintf(ps->why[i], sizeof(ps->why[i]),
					 "available, less preferred");
				continue;
			}
			ps->why[i][0] = '\0';
			ps->impl = i;
		}
	}
}

/*
 * Monitor counts fates: sent and forwarded (tx: made here, or received and
 * sent on), dropped (drop), encrypted/decrypted (xfrm, with policy for the
 * cause), delivered (ip:verdict's INPUT half, or the netfilter link's exit
 * at INPUT where functions cannot be probed). Receive, route and free
 * steps are only path context: not attached, not paid for.
 */
static void choose_monitor(struct gw_attach *a)
{
	static const enum gw_probe_id unused[] = {
		GW_PROBE_RX, GW_PROBE_FREE, GW_PROBE_FIB,
	};
	struct probe_state *nf = &a->probes[GW_PROBE_NF_HOOK];

	for (size_t i = 0; i < sizeof(unused) / sizeof(unused[0]); i++)
		a->probes[unused[i]].unused = true;
	if (a->probes[GW_PROBE_IP_FINISH].impl >= 0 && nf->impl >= 0 &&
	    !gw_probe_defs[GW_PROBE_NF_HOOK].impls[nf->impl].nflink)
		nf->unused = true;
	for (int p = 0; p < GW_PROBE_MAX; p++)
		if (a->probes[p].unused)
			a->probes[p].impl = -1;
}

static struct bpf_program *find_prog(struct gw_attach *a, const char *name)
{
	return bpf_object__find_program_by_name(a->skel->obj, name);
}

/* Where monitor finds drops freed without a reason (bpf/monitor.bpf.h,
 * gw_mon_lossy); without kallsyms addresses it cannot, and does not count
 * them. */
static void set_lossy_ranges(struct gw_attach *a, const struct ksyms *k)
{
	__u64 lo, hi;

	for (int i = 0; i < GW_LOSSY_FUNCS; i++) {
		if (!k || ksyms__range(k, gw_packet_lossy_funcs[i], &lo, &hi)) {
			pr_debug("monitor: %s not in kallsyms: its drops without a reason "
				 "are not counted", gw_packet_lossy_funcs[i]);
			continue;
		}
		a->skel->rodata->gw_cfg_lossy[i][0] = lo;
		a->skel->rodata->gw_cfg_lossy[i][1] = hi;
	}
}

static int open_configure(struct gw_attach *a, const struct gw_attach_opts *o)
{
	struct bpf_program *prog;

	a->skel = gwtrace_bpf__open();
	if (!a->skel)
		return -errno;
	a->skel->rodata->gw_cfg_filter = o->filter;
	a->skel->rodata->gw_cfg_track_timeout_ns = o->track_timeout_ns;
	if (o->hold_timeout_ns)
		a->skel->rodata->gw_cfg_hold_timeout_ns = o->hold_timeout_ns;
	a->skel->rodata->gw_cfg_monitor = o->monitor;
	a->skel->rodata->gw_cfg_mon_window_ns = o->mon_window_ns ?: 1;
	a->skel->rodata->gw_cfg_mon_burst = o->mon_burst;
	a->skel->rodata->gw_cfg_mon_t0_ns = o->mon_t0_ns;
	if (o->monitor && o->kernel)
		set_lossy_ranges(a, o->kernel->ksyms);
	bpf_map__set_max_entries(a->skel->maps.gw_events, o->ringbuf_kb * 1024);
	/* Each mode's maps at full size, the other mode's at the minimum. */
	bpf_map__set_max_entries(a->skel->maps.gw_tracked,
				 o->monitor ? 1 : o->track_max);
	bpf_map__set_max_entries(a->skel->maps.gw_mon_flows,
				 o->monitor ? o->mon_flows : 1);
	if (!o->monitor) {
		bpf_map__set_max_entries(a->skel->maps.gw_mon_fates, 1);
		bpf_map__set_max_entries(a->skel->maps.gw_mon_rl, 64);
	}

	bpf_object__for_each_program(prog, a->skel->obj)
		bpf_program__set_autoload(prog, false);
	for (int p = 0; p < GW_PROBE_MAX; p++) {
		const struct gw_impl *im;

		if (a->probes[p].impl < 0)
			continue;
		im = &gw_probe_defs[p].impls[a->probes[p].impl];
		for (int j = 0; j < GW_IMPL_PROGS && im->progs[j].prog; j++) {
			if (!prog_target_ok(a->kfeat, im, &im->progs[j]))
				continue;	/* an "any" impl's missing half */
			if (o->monitor && im->progs[j].not_monitor)
				continue;	/* monitor counts forwarded at xmit */
			prog = find_prog(a, im->progs[j].prog);
			if (!prog)
				return -ENOENT;
			bpf_program__set_autoload(prog, true);
			if (im->nflink) {
				bpf_program__set_type(prog, GW_BPF_PROG_TYPE_NETFILTER);
				bpf_program__set_expected_attach_type(prog, GW_BPF_NETFILTER);
			}
		}
		/* Trace's links go where a namespace's hooks need them;
		 * monitor has one per namespace anyway (attach_nflinks). */
		if (im->nflink && !o->monitor)
			bpf_program__set_autoload(a->skel->progs.gw_nf_census, true);
	}
	/* Trace's tracking map is swept in the kernel (attach__sweep). */
	if (!o->monitor)
		bpf_program__set_autoload(a->skel->progs.gw_track_sweep, true);
	return 0;
}

/* Marks the probe owning the program the verifier rejected as refused. */
static bool refuse_failed(struct gw_attach *a, int err)
{
	for (int p = 0; p < GW_PROBE_MAX; p++) {
		struct probe_state *ps = &a->probes[p];
		const struct gw_impl *im;

		if (ps->impl < 0)
			continue;
		im = &gw_probe_defs[p].impls[ps->impl];
		for (int j = 0; j < GW_IMPL_PROGS && im->progs[j].prog; j++) {
			if (strcmp(im->progs[j].prog, a->failed_prog))
				continue;
			ps->refused[ps->impl] = true;
			snprintf(ps->why[ps->impl], sizeof(ps->why[ps->impl]),
				 "program %s failed to load: %s (-v shows the verifier log)",
				 a->failed_prog, strerror(-err));
			pr_warn("probe %s: %s", gw_probe_defs[p].name, ps->why[ps->impl]);
			return true;
		}
	}
	return false;
}

static int load(struct gw_attach *a, const struct gw_attach_opts *o)
{
	int err = -EINVAL;

	for (int tries = 0; tries < MAX_LOAD_TRIES; tries++) {
		choose(a, o->mode);
		if (o->monitor)
			choose_monitor(a);
		err = open_configure(a, o);
		if (err)
			return err;
		a->failed_prog[0] = '\0';
		loading = a;
		libbpf_set_print(capture_print);
		err = gwtrace_bpf__load(a->skel);
		loading = NULL;
		log__hook_libbpf();
		if (!err)
			return 0;
		if (!a->failed_prog[0] || !refuse_failed(a, err))
			break;
		gwtrace_bpf__destroy(a->skel);
		a->skel = NULL;
	}
	pr_err("loading BPF programs failed: %s (run with -v for libbpf's log)",
	       strerror(-err));
	return err;
}

static int attach_nflinks(struct gw_attach *a, struct probe_state *ps,
			  struct bpf_program *first, struct bpf_program *last)
{
	int n;

	/* Monitor needs only the verdict at INPUT (delivered): every other
	 * hook keeps the kernel's fast path (no BPF program to run). */
	ps->nfns = a->monitor ?
		nfns__new(-1, bpf_program__fd(last), a->netns_only, 1u << GW_NF_LOCAL_IN,
			  -1, NULL) :
		nfns__new(bpf_program__fd(first), bpf_program__fd(last),
			  a->netns_only, (1u << GW_NF_NUMHOOKS) - 1,
			  bpf_program__fd(a->skel->progs.gw_nf_census),
			  &a->skel->bss->gw_nf_census_out);
	if (!ps->nfns)
		return -errno ?: -ENOMEM;
	n = nfns__refresh(ps->nfns);
	if (n < 0)
		return n;
	nfns__describe(ps->nfns, ps->detail, sizeof(ps->detail));
	return 0;
}

static void detach_probe(struct probe_state *ps)
{
	for (int i = 0; i < ps->n_links; i++)
		bpf_link__destroy(ps->links[i]);
	ps->n_links = 0;
	nfns__free(ps->nfns);
	ps->nfns = NULL;
}

static int attach_probe(struct gw_attach *a, int p)
{
	struct probe_state *ps = &a->probes[p];
	const struct gw_impl *im = &gw_probe_defs[p].impls[ps->impl];
	int err = 0;

	if (im->nflink)
		return attach_nflinks(a, ps, find_prog(a, im->progs[0].prog),
				      find_prog(a, im->progs[1].prog));
	snprintf(ps->detail, sizeof(ps->detail), "%s", im->label);
	for (int j = 0; j < GW_IMPL_PROGS && im->progs[j].prog; j++) {
		struct bpf_program *prog = find_prog(a, im->progs[j].prog);
		struct bpf_link *l;

		if (!bpf_program__autoload(prog))
			continue;
		l = bpf_program__attach(prog);
		if (!l) {
			size_t off = strlen(ps->detail);

			err = -errno;
			if (!im->any)
				break;
			/* Partial: say which target is missing, keep going. */
			snprintf(ps->detail + off, sizeof(ps->detail) - off,
				 " [%s not attached: %s]", im->progs[j].target,
				 strerror(-err));
			continue;
		}
		ps->links[ps->n_links++] = l;
	}
	/* An "any" probe serves with whichever of its targets attached. */
	return im->any && ps->n_links ? 0 : err;
}

static void attach_all(struct gw_attach *a)
{
	for (int p = 0; p < GW_PROBE_MAX; p++) {
		struct probe_state *ps = &a->probes[p];
		int err;

		if (ps->impl < 0)
			continue;
		err = attach_probe(a, p);
		if (err) {
			detach_probe(ps);
			snprintf(ps->why[ps->impl], sizeof(ps->why[ps->impl]),
				 "attach failed: %s", strerror(-err));
			pr_warn("probe %s unavailable: %s", gw_probe_defs[p].name,
				ps->why[ps->impl]);
			continue;
		}
		ps->attached = true;
	}
}

struct gw_attach *attach__open(const struct gw_attach_opts *opts, int *err)
{
	struct gw_attach *a = calloc(1, sizeof(*a));

	if (!a) {
		*err = -ENOMEM;
		return NULL;
	}
	if (opts->filter.flags & GW_F_NETNS)
		a->netns_only = opts->filter.netns;
	a->monitor = opts->monitor;
	a->kfeat = opts->kernel;
	*err = load(a, opts);
	if (*err) {
		attach__close(a);
		return NULL;
	}
	attach_all(a);
	if (!attach__attached(a)) {
		pr_err("no probe could be attached (gwtrace probes -v says why)");
		*err = -ENODEV;
		attach__close(a);
		return NULL;
	}
	return a;
}

void attach__close(struct gw_attach *a)
{
	if (!a)
		return;
	for (int p = 0; p < GW_PROBE_MAX; p++)
		detach_probe(&a->probes[p]);
	gwtrace_bpf__destroy(a->skel);
	free(a);
}

void attach__refresh(struct gw_attach *a)
{
	for (int p = 0; p < GW_PROBE_MAX; p++) {
		struct probe_state *ps = &a->probes[p];

		if (ps->attached && ps->nfns) {
			nfns__refresh(ps->nfns);
			nfns__describe(ps->nfns, ps->detail, sizeof(ps->detail));
		}
	}
}

int attach__events_fd(const struct gw_attach *a)
{
	return bpf_map__fd(a->skel->maps.gw_events);
}

int attach__tracked_fd(const struct gw_attach *a)
{
	return bpf_map__fd(a->skel->maps.gw_tracked);
}

int attach__sweep(struct gw_attach *a, struct gw_sweep *io)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);
	struct gw_sweep *k = (struct gw_sweep *)&a->skel->bss->gw_sweep_io;
	int fd = bpf_program__fd(a->skel->progs.gw_track_sweep), err;

	if (fd < 0)
		return -ENOENT;
	*k = *io;
	k->done = 0;
	err = bpf_prog_test_run_opts(fd, &o);
	if (err)
		return err < 0 ? err : -EIO;
	if (!k->done)
		return -EIO;
	*io = *k;
	return 0;
}

int attach__mon_fates_fd(const struct gw_attach *a)
{
	return bpf_map__fd(a->skel->maps.gw_mon_fates);
}

int attach__mon_flows_fd(const struct gw_attach *a)
{
	return bpf_map__fd(a->skel->maps.gw_mon_flows);
}

size_t attach__attached(const struct gw_attach *a)
{
	size_t n = 0;

	for (int p = 0; p < GW_PROBE_MAX; p++)
		n += a->probes[p].attached;
	return n;
}

void attach__print_strategies(const struct gw_attach *a, FILE *f)
{
	const char *sep = "";

	for (int p = 0; p < GW_PROBE_MAX; p++) {
		const struct probe_state *ps = &a->probes[p];

		if (!ps->attached)
			continue;
		fprintf(f, "%s%s=%s", sep, gw_probe_defs[p].name,
			packet__strategy_name(gw_probe_defs[p].impls[ps->impl].strategy));
		sep = " ";
	}
}

const char *attach__refused(const struct gw_attach *a, size_t i)
{
	const struct probe_state *ps = &a->probes[i];
	const struct gw_probe_def *d = &gw_probe_defs[i];
	char *out = (char *)ps->refused_text;
	size_t len = sizeof(ps->refused_text), off = 0;

	out[0] = '\0';
	if (ps->unused) {
		snprintf(out, len, "not used by gwtrace monitor");
		return out;
	}
	for (int k = 0; k < GW_PROBE_IMPLS && d->impls[k].strategy; k++) {
		if (k == ps->impl && ps->attached)
			continue;
		off += snprintf(out + off, off < len ? len - off : 0, "%s%s: %s",
				off ? "; " : "", packet__strategy_name(d->impls[k].strategy),
				ps->why[k][0] ? ps->why[k] : "not tried");
	}
	if (d->no_tracepoint && off < len)
		snprintf(out + off, len - off, "%stracepoint: %s", off ? "; " : "",
			 d->no_tracepoint);
	return out;
}

/* Sums one probe's per-CPU counters. */
static void read_stats(struct gw_attach *a, int p, __u64 out[GW_STAT_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(a->skel->maps.gw_stats);
	__u64 *vals;

	memset(out, 0, sizeof(__u64) * GW_STAT_MAX);
	if (ncpu <= 0 || !(vals = calloc(ncpu, sizeof(*vals))))
		return;
	for (__u32 s = 0; s < GW_STAT_MAX; s++) {
		__u32 key = p * GW_STAT_MAX + s;

		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[s] += vals[c];
	}
	free(vals);
}

const struct gw_probe_report *attach__reports(struct gw_attach *a, size_t *n)
{
	struct gw_probe_report *reps = a->reports;

	for (int p = 0; p < GW_PROBE_MAX; p++) {
		struct probe_state *ps = &a->probes[p];
		__u64 st[GW_STAT_MAX];

		read_stats(a, p, st);
		reps[p] = (struct gw_probe_report){
			.name = gw_probe_defs[p].name,
			.strategy = ps->attached ?
				packet__strategy_name(gw_probe_defs[p].impls[ps->impl].strategy) :
				"none",
			.detail = ps->attached ? ps->detail : attach__refused(a, p),
			.attached = ps->attached,
			.events = st[GW_STAT_EVENTS],
			.lost_ringbuf = st[GW_STAT_LOST_RINGBUF],
			.lost_track = st[GW_STAT_LOST_TRACK],
			.lost_busy = st[GW_STAT_LOST_BUSY],
			.mon_suppressed = st[GW_STAT_MON_SUPPRESSED],
			.mon_flow_full = st[GW_STAT_MON_FLOW_FULL],
			.mon_fate_full = st[GW_STAT_MON_FATE_FULL],
		};
	}
	*n = GW_PROBE_MAX;
	return reps;
}

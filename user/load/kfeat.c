// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "hash.h"
#include "kfeat.h"
#include "ksyms.h"
#include "log.h"
#include "nflink.h"
#include "probe_table.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/*
 * Loads and attaches a two-instruction fentry program: lockdown and
 * kernels without trampolines refuse at load (EPERM / ENOTSUPP), some only
 * at attach. libbpf-tools' fentry_can_attach() does the same.
 */
static bool fentry_test(const struct btf *btf, char *why, size_t len)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		.expected_attach_type = BPF_TRACE_FENTRY);
	int id, fd, link;

	id = btf__find_by_name_kind(btf, "fib_table_lookup", BTF_KIND_FUNC);
	if (id <= 0) {
		snprintf(why, len, "test target fib_table_lookup not in BTF");
		return false;
	}
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "gw_fentry_test", "GPL",
			   insns, 2, &opts);
	if (fd < 0) {
		snprintf(why, len, "kernel refused to load a test program: %s%s",
			 strerror(errno),
			 errno == EPERM ? " (kernel lockdown?)" : "");
		return false;
	}
	link = bpf_raw_tracepoint_open(NULL, fd);
	if (link < 0) {
		snprintf(why, len, "kernel refused to attach a test program: %s",
			 strerror(errno));
		close(fd);
		return false;
	}
	close(link);
	close(fd);
	return true;
}

static bool kprobe_test(char *why, size_t len)
{
	static const char *const paths[] = {
		"/sys/bus/event_source/devices/kprobe/type",
		"/sys/kernel/tracing/kprobe_events",
		"/sys/kernel/debug/tracing/kprobe_events",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!access(paths[i], F_OK))
			return true;
	snprintf(why, len, "kernel has no kprobe support (no kprobe PMU, "
		 "no kprobe_events: CONFIG_KPROBES off?)");
	return false;
}

void kfeat__free(struct gw_kfeat *k)
{
	btf__free(k->btf);
	k->btf = NULL;
	ksyms__free(k->ksyms);
	k->ksyms = NULL;
}

/* The probe targets by a byte of their name's hash: ~200k kallsyms names
 * are checked against 20-odd targets with one strcmp for most. */
#define FUNC_BUCKETS 256

struct func_index {
	struct gw_kfeat *k;
	__s8 first[FUNC_BUCKETS];	/* index into k->funcs, -1 = none */
	__s8 next[GW_KFEAT_FUNCS];
};

static __u8 func_bucket(const char *name)
{
	return hash__fnv1a(name, strlen(name)) & (FUNC_BUCKETS - 1);
}

static int mark_func(const char *name, const char *module, void *ctx)
{
	struct func_index *ix = ctx;
	struct gw_kfeat *k = ix->k;

	for (int n = ix->first[func_bucket(name)]; n >= 0; n = ix->next[n]) {
		if (strcmp(k->funcs[n].name, name))
			continue;
		k->funcs[n].found = true;
		snprintf(k->funcs[n].module, sizeof(k->funcs[n].module), "%s", module);
	}
	return 0;
}

/*
 * Every function the probe table names, looked up in kallsyms: present
 * means traceable (not inlined away).
 */
static void scan_kallsyms(struct gw_kfeat *k)
{
	struct func_index ix = { .k = k };

	for (int p = 0; p < GW_PROBE_MAX; p++)
		for (int i = 0; i < GW_PROBE_IMPLS; i++)
			for (int j = 0; j < GW_IMPL_PROGS; j++) {
				const char *t = gw_probe_defs[p].impls[i].progs[j].target;
				int n;

				if (!t || gw_probe_defs[p].impls[i].strategy == GW_STRAT_TRACEPOINT)
					continue;
				for (n = 0; n < k->n_funcs; n++)
					if (!strcmp(k->funcs[n].name, t))
						break;
				if (n == k->n_funcs && n < GW_KFEAT_FUNCS)
					k->funcs[k->n_funcs++].name = t;
			}
	memset(ix.first, -1, sizeof(ix.first));
	for (int n = 0; n < k->n_funcs; n++) {
		__u8 b = func_bucket(k->funcs[n].name);

		ix.next[n] = ix.first[b];
		ix.first[b] = n;
	}
	ksyms__for_each(k->ksyms, mark_func, &ix);
}

/*
 * Which found targets BTF describes (fentry needs it). Module functions
 * (nft_do_chain on distro kernels) are in their module's split BTF;
 * kallsyms said which module, and each module's BTF is parsed once.
 */
static void find_btf(struct gw_kfeat *k)
{
	bool checked[GW_KFEAT_FUNCS] = {};
	char path[300];

	for (int n = 0; n < k->n_funcs; n++) {
		const char *mod = k->funcs[n].module;
		struct btf *split;

		if (!k->funcs[n].found || checked[n])
			continue;
		if (!mod[0]) {
			k->funcs[n].in_btf =
				btf__find_by_name_kind(k->btf, k->funcs[n].name, BTF_KIND_FUNC) > 0;
			continue;
		}
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", mod);
		split = btf__parse_split(path, k->btf);
		/* Every target of this module at once (none if unreadable). */
		for (int m = n; m < k->n_funcs; m++) {
			if (!k->funcs[m].found || strcmp(k->funcs[m].module, mod))
				continue;
			checked[m] = true;
			k->funcs[m].in_btf = split &&
				btf__find_by_name_kind(split, k->funcs[m].name, BTF_KIND_FUNC) > 0;
		}
		btf__free(split);
	}
}

int kfeat__probe(struct gw_kfeat *k)
{
	memset(k, 0, sizeof(*k));
	if (access(VMLINUX_BTF, R_OK)) {
		pr_err("kernel has no BTF (%s missing): gwtrace needs a kernel "
		       "built with CONFIG_DEBUG_INFO_BTF=y", VMLINUX_BTF);
		return -ENOENT;
	}
	k->btf = btf__parse(VMLINUX_BTF, NULL);
	if (!k->btf) {
		pr_err("cannot read kernel BTF %s: %s", VMLINUX_BTF, strerror(errno));
		return -ENOENT;
	}
	k->ksyms = ksyms__load(NULL);	/* says why if it fails */
	k->fentry = fentry_test(k->btf, k->fentry_why, sizeof(k->fentry_why));
	k->kprobe = kprobe_test(k->kprobe_why, sizeof(k->kprobe_why));
	k->nflink = nflink__supported(k->btf);
	scan_kallsyms(k);
	find_btf(k);
	if (!k->nflink)
		snprintf(k->nflink_why, sizeof(k->nflink_why),
			 "kernel has no BPF netfilter links (need 6.4+)");
	pr_debug("kernel: fentry %s, kprobe %s, netfilter links %s",
		 k->fentry ? "yes" : k->fentry_why,
		 k->kprobe ? "yes" : k->kprobe_why,
		 k->nflink ? "yes" : k->nflink_why);
	return 0;
}

bool kfeat__has_func(const struct gw_kfeat *k, const char *func, bool need_btf)
{
	for (int n = 0; n < k->n_funcs; n++)
		if (!strcmp(k->funcs[n].name, func))
			return k->funcs[n].found && (!need_btf || k->funcs[n].in_btf);
	return false;
}

bool kfeat__has_tp(const struct gw_kfeat *k, const char *name)
{
	char tname[128];

	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	return btf__find_by_name_kind(k->btf, tname, BTF_KIND_TYPEDEF) > 0;
}

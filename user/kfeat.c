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
#include "kfeat.h"
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
}

/*
 * One pass over /proc/kallsyms for every function the probe table names:
 * present means traceable (not inlined away). ~200k lines, read once.
 */
static void scan_kallsyms(struct gw_kfeat *k)
{
	char line[512], name[256], type;
	unsigned long long addr;
	FILE *f;

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
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char mod[64] = "";

		if (sscanf(line, "%llx %c %255s [%63[^]]]", &addr, &type, name, mod) < 3 ||
		    (type != 't' && type != 'T'))
			continue;
		for (int n = 0; n < k->n_funcs; n++) {
			if (strcmp(k->funcs[n].name, name))
				continue;
			k->funcs[n].found = true;
			snprintf(k->funcs[n].module, sizeof(k->funcs[n].module), "%s", mod);
		}
	}
	fclose(f);
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
	k->fentry = fentry_test(k->btf, k->fentry_why, sizeof(k->fentry_why));
	k->kprobe = kprobe_test(k->kprobe_why, sizeof(k->kprobe_why));
	k->nflink = nflink__supported(k->btf);
	scan_kallsyms(k);
	if (!k->nflink)
		snprintf(k->nflink_why, sizeof(k->nflink_why),
			 "kernel has no BPF netfilter links (need 6.4+)");
	pr_debug("kernel: fentry %s, kprobe %s, netfilter links %s",
		 k->fentry ? "yes" : k->fentry_why,
		 k->kprobe ? "yes" : k->kprobe_why,
		 k->nflink ? "yes" : k->nflink_why);
	return 0;
}

/* Module functions (nft_do_chain on distro kernels) are described by
 * their module's split BTF; kallsyms said which module. */
static bool in_module_btf(const struct btf *base, const char *module, const char *func)
{
	char path[300];
	struct btf *mod;
	bool found;

	if (!module[0])
		return false;
	snprintf(path, sizeof(path), "/sys/kernel/btf/%s", module);
	mod = btf__parse_split(path, (struct btf *)base);
	if (!mod)
		return false;
	found = btf__find_by_name_kind(mod, func, BTF_KIND_FUNC) > 0;
	btf__free(mod);
	return found;
}

bool kfeat__has_func(const struct gw_kfeat *k, const char *func, bool need_btf)
{
	for (int n = 0; n < k->n_funcs; n++) {
		if (strcmp(k->funcs[n].name, func))
			continue;
		if (!k->funcs[n].found || !need_btf)
			return k->funcs[n].found;
		return btf__find_by_name_kind(k->btf, func, BTF_KIND_FUNC) > 0 ||
		       in_module_btf(k->btf, k->funcs[n].module, func);
	}
	return false;
}

bool kfeat__has_tp(const struct gw_kfeat *k, const char *name)
{
	char tname[128];

	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	return btf__find_by_name_kind(k->btf, tname, BTF_KIND_TYPEDEF) > 0;
}

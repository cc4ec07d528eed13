/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The running kernel's facts, read once per run before anything is loaded:
 * its BTF, its symbols (kallsyms) and what it allows (fentry, kprobes,
 * netfilter links, which probe targets exist). Whoever needs one of them
 * borrows it from here: attach (the strategy), names_sys (drop reason and
 * xfrm counter names from BTF, drop locations from kallsyms). Under the VM
 * lab's TCG each BTF parse cost ~0.35 s and each kallsyms read 0.6-1.9 s,
 * and they used to be done three and two times.
 */
#ifndef GW_KFEAT_H
#define GW_KFEAT_H

#include <stdbool.h>
#include <linux/types.h>
#include "gwtrace.h"

struct btf;
struct ksyms;

#define GW_KFEAT_FUNCS 32

struct gw_kfeat {
	struct btf *btf;		/* vmlinux BTF, NULL if the kernel has none */
	struct ksyms *ksyms;		/* kallsyms; NULL if unreadable (warned) */
	bool fentry;
	bool kprobe;
	bool nflink;
	char fentry_why[160];		/* why fentry is unusable */
	char kprobe_why[160];
	char nflink_why[160];
	struct {
		const char *name;
		bool found;
		bool in_btf;		/* described in vmlinux or module BTF */
		char module[64];	/* "" = vmlinux */
	} funcs[GW_KFEAT_FUNCS];		/* probe table targets in kallsyms */
	int n_funcs;
};

/* Returns 0, or -ENOENT if the kernel has no BTF (message printed).
 * kfeat__free() afterwards in either case. */
int kfeat__probe(struct gw_kfeat *k);
void kfeat__free(struct gw_kfeat *k);

/* Whether a kernel function can be traced: in kallsyms (not inlined away)
 * and, for fentry, described in BTF (vmlinux or a module). */
bool kfeat__has_func(const struct gw_kfeat *k, const char *func, bool need_btf);
/* Whether tp_btf can attach to tracepoint name (btf_trace_<name>). */
bool kfeat__has_tp(const struct gw_kfeat *k, const char *name);

#endif /* GW_KFEAT_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the running kernel allows: probed once, before anything is loaded. */
#ifndef GW_KFEAT_H
#define GW_KFEAT_H

#include <stdbool.h>
#include "gwtrace.h"

struct btf;

#define GW_KFEAT_FUNCS 32

struct gw_kfeat {
	struct btf *btf;		/* vmlinux BTF, NULL if the kernel has none */
	bool fentry;
	bool kprobe;
	bool nflink;
	char fentry_why[160];		/* why fentry is unusable */
	char kprobe_why[160];
	char nflink_why[160];
	struct {
		const char *name;
		bool found;
		char module[64];	/* "" = vmlinux */
	} funcs[GW_KFEAT_FUNCS];		/* probe table targets in kallsyms */
	int n_funcs;
};

/* Returns 0, or -ENOENT if the kernel has no BTF (message printed). */
int kfeat__probe(struct gw_kfeat *k);
void kfeat__free(struct gw_kfeat *k);

/* Whether a kernel function can be traced: in kallsyms (not inlined away)
 * and, for fentry, described in BTF (vmlinux or a module). */
bool kfeat__has_func(const struct gw_kfeat *k, const char *func, bool need_btf);
/* Whether tp_btf can attach to tracepoint name (btf_trace_<name>). */
bool kfeat__has_tp(const struct gw_kfeat *k, const char *name);

#endif /* GW_KFEAT_H */

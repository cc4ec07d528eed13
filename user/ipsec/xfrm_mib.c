// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xfrm MIB index -> /proc/net/xfrm_stat name, from the running kernel.
 *
 * The index is never taken from a built-in table when BTF can say: the
 * enum is the kernel's, and a kernel that gained a counter in the middle
 * (none has yet, but the numbering is not ABI) would otherwise be named
 * wrong without anyone noticing. Names are paired by spelling, ignoring
 * case; the one pair that is not spelled alike on 6.18
 * (LINUX_MIB_XFRMOUTNOQSPACE, "XfrmOutNoQueueSpace") falls back to its
 * position in the file, which follows the enum (net/xfrm/xfrm_proc.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "xfrm_mib.h"
#include "xfrm_stat.h"

#define MIB_PREFIX	"LINUX_MIB_"
#define XFRM_PREFIX	"LINUX_MIB_XFRM"
#define MIB_MAX		XFRM_STAT_MAX

struct xfrm_mib {
	char name[MIB_MAX][XFRM_STAT_NAME_LEN];	/* by index; "" = unknown */
};

/* The names the kernel prints, in its order. */
struct name_list {
	unsigned int n;
	const char *name[MIB_MAX];
};

static void names_from(struct name_list *l, const struct xfrm_stat *proc)
{
	const char *s;

	l->n = 0;
	if (proc) {
		for (; l->n < proc->n && l->n < MIB_MAX; l->n++)
			l->name[l->n] = proc->c[l->n].name;
		return;
	}
	while (l->n < MIB_MAX && (s = xfrm_stat__known_name(l->n)))
		l->name[l->n++] = s;
}

static void set_name(struct xfrm_mib *m, __u32 index, const char *name)
{
	size_t n = strnlen(name, XFRM_STAT_NAME_LEN - 1);

	memcpy(m->name[index], name, n);
	m->name[index][n] = '\0';
}

static const char *enum_name(const struct btf *btf, const struct btf_type *t, int i, __s64 *val)
{
	if (btf_is_enum(t)) {
		*val = btf_enum(t)[i].val;
		return btf__name_by_offset(btf, btf_enum(t)[i].name_off);
	}
	*val = (__s64)btf_enum64_value(btf_enum64(t) + i);
	return btf__name_by_offset(btf, btf_enum64(t)[i].name_off);
}

static bool is_xfrm_mib(const char *name)
{
	return name && !strncmp(name, XFRM_PREFIX, strlen(XFRM_PREFIX));
}

/* The enum is anonymous: it is the one whose enumerators say so. */
static const struct btf_type *find_enum(const struct btf *btf)
{
	__u32 id, n = btf__type_cnt(btf);
	__s64 val;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!btf_is_any_enum(t) || !btf_vlen(t))
			continue;
		for (int i = 0; i < btf_vlen(t); i++)
			if (is_xfrm_mib(enum_name(btf, t, i, &val)))
				return t;
	}
	return NULL;
}

static int find_ci(const struct name_list *l, const char *name)
{
	for (unsigned int i = 0; i < l->n; i++)
		if (!strcasecmp(l->name[i], name))
			return (int)i;
	return -1;
}

static void pair_names(struct xfrm_mib *m, const struct btf *btf, const struct btf_type *t,
		       const struct name_list *l)
{
	bool claimed[MIB_MAX] = { false };
	__u32 unmatched[MIB_MAX];
	unsigned int n_unmatched = 0;
	const char *name;
	__s64 val;
	int j;

	for (int i = 0; i < btf_vlen(t); i++) {
		name = enum_name(btf, t, i, &val);
		/* LINUX_MIB_XFRMNUM (0) and __LINUX_MIB_XFRMMAX are no counters. */
		if (!is_xfrm_mib(name) || val <= 0 || val >= MIB_MAX)
			continue;
		j = find_ci(l, name + strlen(MIB_PREFIX));
		if (j < 0) {
			unmatched[n_unmatched++] = (__u32)val;
			continue;
		}
		set_name(m, (__u32)val, l->name[j]);
		claimed[j] = true;
	}
	for (unsigned int i = 0; i < n_unmatched; i++) {
		j = (int)unmatched[i] - 1;
		if (j < (int)l->n && !claimed[j])
			set_name(m, unmatched[i], l->name[j]);
	}
}

struct xfrm_mib *xfrm_mib__new(const struct btf *btf, const struct xfrm_stat *proc)
{
	struct xfrm_mib *m = calloc(1, sizeof(*m));
	struct xfrm_stat *own = NULL;
	const struct btf_type *t = NULL;
	struct btf *vmlinux = NULL;
	struct name_list l;

	if (!m)
		return NULL;
	if (!proc)
		proc = own = xfrm_stat__read(NULL);	/* NULL: no CONFIG_XFRM_STATISTICS */
	if (!btf) {
		vmlinux = btf__load_vmlinux_btf();
		if (!vmlinux)
			pr_debug("xfrm counters: no kernel BTF (%s): names by position",
				 strerror(errno));
		btf = vmlinux;
	}
	if (btf && !(t = find_enum(btf)))
		pr_debug("xfrm counters: no LINUX_MIB_XFRM* enum in BTF: names by position");
	names_from(&l, proc);
	if (t) {
		pair_names(m, btf, t, &l);
	} else {
		for (unsigned int i = 0; i < l.n && i + 1 < MIB_MAX; i++)
			set_name(m, i + 1, l.name[i]);
	}
	btf__free(vmlinux);
	xfrm_stat__free(own);
	return m;
}

void xfrm_mib__free(struct xfrm_mib *m)
{
	free(m);
}

const char *xfrm_mib__name(const struct xfrm_mib *m, __u32 index)
{
	if (!m || !index || index >= MIB_MAX || !m->name[index][0])
		return NULL;
	return m->name[index];
}

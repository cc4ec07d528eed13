// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * enum skb_drop_reason from BTF. Since 6.4 a reason may carry a subsystem
 * in its top 16 bits (SKB_DROP_REASON_SUBSYS_MASK): the subsystem numbers
 * come from enum skb_drop_reason_subsys, and each subsystem declares its
 * own codes in an enum named "<something>_drop_reason" whose values are
 * already shifted (net/openvswitch/drop.h: enum ovs_drop_reason starts at
 * SKB_DROP_REASON_SUBSYS_OPENVSWITCH << SKB_DROP_REASON_SUBSYS_SHIFT;
 * net/mac80211/drop.h likewise). That naming convention is how we find
 * them, in vmlinux or in the owning module's BTF.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "dropreason.h"
#include "log.h"

#define SUBSYS_SHIFT	16
#define CORE_PREFIX	"SKB_DROP_REASON_"
#define SUBSYS_PREFIX	"SKB_DROP_REASON_SUBSYS_"
#define VMLINUX_BTF	"/sys/kernel/btf/vmlinux"
#define SYS_BTF_DIR	"/sys/kernel/btf"
/* Names made up at run time for codes BTF does not know: a bound, since
 * the values come from the kernel and we keep every string we hand out. */
#define MAX_SYNTH	1024

struct dr_entry {
	__u32 value;
	char *name;
};

struct dr_subsys {
	__u32 num;
	char *name;		/* "OPENVSWITCH" */
	bool found;		/* its own reason enum was seen */
};

struct dropreason {
	struct dr_entry *ents;	/* sorted by value, values unique */
	size_t cnt, cap;
	struct dr_subsys *subs;
	size_t nsubs;
	size_t nsynth;
};

static struct dr_entry *find_ent(const struct dropreason *d, __u32 value,
				 size_t *pos)
{
	size_t lo = 0, hi = d->cnt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->ents[mid].value == value)
			return &d->ents[mid];
		if (d->ents[mid].value < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos)
		*pos = lo;
	return NULL;
}

/* Takes ownership of name. The first name for a value wins. */
static int add_ent(struct dropreason *d, __u32 value, char *name)
{
	struct dr_entry *tmp;
	size_t pos;

	if (!name)
		return -ENOMEM;
	if (find_ent(d, value, &pos)) {
		free(name);
		return 0;
	}
	if (d->cnt == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;

		tmp = realloc(d->ents, cap * sizeof(*tmp));
		if (!tmp) {
			free(name);
			return -ENOMEM;
		}
		d->ents = tmp;
		d->cap = cap;
	}
	memmove(&d->ents[pos + 1], &d->ents[pos],
		(d->cnt - pos) * sizeof(*d->ents));
	d->ents[pos] = (struct dr_entry){ .value = value, .name = name };
	d->cnt++;
	return 0;
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static bool has_suffix(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);

	return n >= m && !strcmp(s + n - m, sfx);
}

/* Calls fn(d, name, value) for each enumerator of an ENUM or ENUM64. */
static int for_each_enumerator(struct dropreason *d, const struct btf *btf,
			       const struct btf_type *t,
			       int (*fn)(struct dropreason *, const char *,
					 __u64))
{
	int i, n = btf_vlen(t), err = 0;

	for (i = 0; i < n && !err; i++) {
		const char *name;
		__u64 val;

		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t) + i;

			name = btf__name_by_offset(btf, e->name_off);
			/* Signed 32-bit enums: keep the bit pattern. */
			val = (__u32)e->val;
		} else {
			const struct btf_enum64 *e = btf_enum64(t) + i;

			name = btf__name_by_offset(btf, e->name_off);
			val = btf_enum64_value(e);
		}
		if (name)
			err = fn(d, name, val);
	}
	return err;
}

static const struct btf_type *find_enum(const struct btf *btf, const char *name)
{
	__s32 id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM);

	if (id < 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM64);
	return id < 0 ? NULL : btf__type_by_id(btf, id);
}

static int add_core(struct dropreason *d, const char *name, __u64 val)
{
	/* Bounds and masks share the enum; they are not reasons. */
	if (val > UINT_MAX || !strcmp(name, CORE_PREFIX "MAX") ||
	    !strcmp(name, CORE_PREFIX "SUBSYS_MASK"))
		return 0;
	if (has_prefix(name, CORE_PREFIX))
		name += strlen(CORE_PREFIX);
	else if (has_prefix(name, "SKB_"))	/* SKB_CONSUMED, SKB_NOT_DROPPED_YET */
		name += strlen("SKB_");
	return add_ent(d, val, strdup(name));
}

static int add_subsys(struct dropreason *d, const char *name, __u64 val)
{
	struct dr_subsys *tmp;

	if (!val || val > 0xffff || !has_prefix(name, SUBSYS_PREFIX) ||
	    !strcmp(name, SUBSYS_PREFIX "NUM"))
		return 0;
	tmp = realloc(d->subs, (d->nsubs + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	d->subs = tmp;
	tmp = &d->subs[d->nsubs];
	*tmp = (struct dr_subsys){ .num = val };
	tmp->name = strdup(name + strlen(SUBSYS_PREFIX));
	if (!tmp->name)
		return -ENOMEM;
	d->nsubs++;
	return 0;
}

static struct dr_subsys *find_subsys(const struct dropreason *d, __u32 num)
{
	size_t i;

	for (i = 0; i < d->nsubs; i++)
		if (d->subs[i].num == num)
			return &d->subs[i];
	return NULL;
}

static int add_subsys_reason(struct dropreason *d, const char *name,
			     __u64 val)
{
	struct dr_subsys *s;
	char *full;

	/* "__OVS_DROP_REASON" is the base marker, "OVS_DROP_MAX" the bound. */
	if (val > UINT_MAX || has_prefix(name, "__") || has_suffix(name, "_MAX"))
		return 0;
	s = find_subsys(d, val >> SUBSYS_SHIFT);
	if (!s)
		return 0;	/* core value, or not a drop reason at all */
	if (asprintf(&full, "%s:%s", s->name, name) < 0)
		return -ENOMEM;
	s->found = true;
	return add_ent(d, val, full);
}

/* Every "<x>_drop_reason" enum of btf from type id start on. */
static int scan_subsys_enums(struct dropreason *d, const struct btf *btf,
			     __u32 start)
{
	__u32 id, n = btf__type_cnt(btf);
	int err;

	for (id = start; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;

		if (!btf_is_any_enum(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (!name || !has_suffix(name, "_drop_reason") ||
		    !strcmp(name, "skb_drop_reason"))
			continue;
		err = for_each_enumerator(d, btf, t, add_subsys_reason);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Subsystems built as modules keep their enum in the module's BTF. The
 * module is the subsystem name lower-cased, or a '_'-separated prefix of
 * it: "MAC80211_UNUSABLE" -> mac80211, "OPENVSWITCH" -> openvswitch. A
 * module loaded after us is not seen: its codes print as "OPENVSWITCH:5".
 */
static void scan_module_btf(struct dropreason *d, struct btf *vmlinux)
{
	char path[PATH_MAX], mod[64];
	struct btf *btf;
	size_t i, n;

	for (i = 0; i < d->nsubs; i++) {
		const char *name = d->subs[i].name;

		for (n = 0; name[n] && n < sizeof(mod) - 1; n++) {
			mod[n] = tolower((unsigned char)name[n]);
			if (d->subs[i].found)
				break;
			if (name[n + 1] != '_' && name[n + 1] != '\0')
				continue;
			mod[n + 1] = '\0';
			snprintf(path, sizeof(path), SYS_BTF_DIR "/%s", mod);
			if (access(path, R_OK))
				continue;
			btf = btf__parse_split(path, vmlinux);
			if (!btf)
				continue;
			if (scan_subsys_enums(d, btf, btf__type_cnt(vmlinux)))
				pr_debug("dropreason: out of memory reading %s", path);
			btf__free(btf);
		}
	}
}

static struct btf *open_btf(const char *path)
{
	struct btf *btf;

	if (path) {
		btf = btf__parse(path, NULL);
		if (!btf)
			pr_err("cannot read BTF from %s: %s", path, strerror(errno));
		return btf;
	}
	if (access(VMLINUX_BTF, R_OK) && errno == ENOENT) {
		pr_err("the running kernel has no BTF (" VMLINUX_BTF
		       " is missing; it needs CONFIG_DEBUG_INFO_BTF=y): cannot name drop reasons");
		return NULL;
	}
	btf = btf__load_vmlinux_btf();
	if (!btf)
		pr_err("cannot read kernel BTF (" VMLINUX_BTF "): %s",
		       strerror(errno));
	return btf;
}

static int load_from(struct dropreason *d, struct btf *btf, bool modules)
{
	const struct btf_type *t;
	int err;

	t = find_enum(btf, "skb_drop_reason");
	if (!t) {
		pr_err("BTF has no enum skb_drop_reason (kernel older than 5.17?)");
		return -ENOENT;
	}
	err = for_each_enumerator(d, btf, t, add_core);
	if (err)
		return err;
	/* 6.4+ only; older kernels have no subsystems, which is fine. */
	t = find_enum(btf, "skb_drop_reason_subsys");
	if (!t)
		return 0;
	err = for_each_enumerator(d, btf, t, add_subsys);
	if (!err)
		err = scan_subsys_enums(d, btf, 1);
	if (!err && modules)
		scan_module_btf(d, btf);
	return err;
}

static struct dropreason *load_btf(struct btf *btf, bool modules)
{
	struct dropreason *d = calloc(1, sizeof(*d));
	int err = d ? load_from(d, btf, modules) : -ENOMEM;

	if (err) {
		if (err == -ENOMEM)
			pr_err("out of memory reading drop reasons");
		dropreason__free(d);
		return NULL;
	}
	pr_debug("dropreason: %zu names, %zu subsystems", d->cnt, d->nsubs);
	return d;
}

struct dropreason *dropreason__load(const char *btf_path)
{
	struct dropreason *d;
	struct btf *btf;

	btf = open_btf(btf_path);
	if (!btf)
		return NULL;
	d = load_btf(btf, !btf_path);
	btf__free(btf);
	return d;
}

struct dropreason *dropreason__from_btf(struct btf *vmlinux)
{
	if (!vmlinux) {
		pr_err("the running kernel has no BTF: cannot name drop reasons");
		return NULL;
	}
	return load_btf(vmlinux, true);
}

void dropreason__free(struct dropreason *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->cnt; i++)
		free(d->ents[i].name);
	for (i = 0; i < d->nsubs; i++)
		free(d->subs[i].name);
	free(d->ents);
	free(d->subs);
	free(d);
}

const char *dropreason__name(struct dropreason *d, __u32 value)
{
	struct dr_entry *e;
	struct dr_subsys *s;
	__u32 num = value >> SUBSYS_SHIFT, code = value & 0xffff;
	char *name;
	int n;

	if (!d)
		return NULL;
	e = find_ent(d, value, NULL);
	if (e)
		return e->name;
	if (!num || d->nsynth >= MAX_SYNTH)
		return NULL;
	s = find_subsys(d, num);
	if (s)
		n = asprintf(&name, "%s:%u", s->name, code);
	else
		n = asprintf(&name, "subsys%u:%u", num, code);
	if (n < 0 || add_ent(d, value, name))
		return NULL;
	d->nsynth++;
	e = find_ent(d, value, NULL);
	return e ? e->name : NULL;
}

static int value_exact(const struct dropreason *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->cnt; i++)
		if (!strcmp(d->ents[i].name, name) && d->ents[i].value <= INT_MAX)
			return d->ents[i].value;
	return -1;
}

int dropreason__value(const struct dropreason *d, const char *name)
{
	int v;

	if (!d || !name)
		return -1;
	/* Printed names first: "SKB_CSUM" is a reason of its own. */
	v = value_exact(d, name);
	if (v < 0 && has_prefix(name, CORE_PREFIX))
		v = value_exact(d, name + strlen(CORE_PREFIX));
	if (v < 0 && has_prefix(name, "SKB_"))
		v = value_exact(d, name + strlen("SKB_"));
	return v;
}

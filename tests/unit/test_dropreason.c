// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dropreason: the running kernel's BTF checked against an independent read
 * (libbpf here, bpftool when installed), and a BTF written by the test for
 * the subsystem encoding and ENUM64.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "dropreason.h"
#include "names_sys.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

static void skip_without_btf(void)
{
	if (access(VMLINUX, R_OK)) {
		print_message("skip: " VMLINUX " missing (kernel without CONFIG_DEBUG_INFO_BTF)\n");
		skip();
	}
}

/* Independent of dropreason.c: value of SKB_DROP_REASON_<name>, or -1. */
static long long btf_value(const char *kname)
{
	struct btf *btf = btf__parse(VMLINUX, NULL);
	const struct btf_type *t;
	long long v = -1;
	__s32 id;
	int i;

	assert_non_null(btf);
	id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	assert_true(id > 0);
	t = btf__type_by_id(btf, id);
	for (i = 0; i < btf_vlen(t); i++) {
		const struct btf_enum *e = btf_enum(t) + i;

		if (!strcmp(btf__name_by_offset(btf, e->name_off), kname))
			v = (__u32)e->val;
	}
	btf__free(btf);
	return v;
}

/* A second opinion from bpftool's raw dump, if bpftool is installed. */
static long long bpftool_value(const char *kname)
{
	char line[256], want[128];
	long long v = -1, val;
	int in_enum = 0;
	FILE *p;

	p = popen("bpftool btf dump file " VMLINUX " format raw 2>/dev/null", "r");
	if (!p)
		return -2;
	snprintf(want, sizeof(want), "\t'%s' val=", kname);
	while (fgets(line, sizeof(line), p)) {
		if (line[0] == '[')
			in_enum = strstr(line, "ENUM 'skb_drop_reason' ") != NULL;
		else if (in_enum && !strncmp(line, want, strlen(want)) &&
			 sscanf(line + strlen(want), "%lld", &val) == 1)
			v = val;
	}
	return pclose(p) ? -2 : v;
}

static void test_kernel_netfilter_drop(void **state)
{
	struct dropreason *d;
	long long want, tool;

	(void)state;
	skip_without_btf();
	d = dropreason__load(NULL);
	assert_non_null(d);
	want = btf_value("SKB_DROP_REASON_NETFILTER_DROP");
	assert_true(want > 0);
	assert_int_equal(dropreason__value(d, "NETFILTER_DROP"), want);
	assert_int_equal(dropreason__value(d, "SKB_DROP_REASON_NETFILTER_DROP"), want);
	assert_string_equal(dropreason__name(d, want), "NETFILTER_DROP");
	tool = bpftool_value("SKB_DROP_REASON_NETFILTER_DROP");
	if (tool == -2)
		print_message("note: bpftool not usable, libbpf check only\n");
	else
		assert_int_equal(tool, want);
	print_message("NETFILTER_DROP = %lld on this kernel\n", want);
	dropreason__free(d);
}

static void test_kernel_round_trip(void **state)
{
	struct btf *btf;
	const struct btf_type *t;
	struct dropreason *d;
	int i, checked = 0;

	(void)state;
	skip_without_btf();
	d = dropreason__load(NULL);
	btf = btf__parse(VMLINUX, NULL);
	assert_non_null(d);
	assert_non_null(btf);
	t = btf__type_by_id(btf, btf__find_by_name_kind(btf, "skb_drop_reason",
							 BTF_KIND_ENUM));
	for (i = 0; i < btf_vlen(t); i++) {
		const struct btf_enum *e = btf_enum(t) + i;
		const char *kname = btf__name_by_offset(btf, e->name_off);
		const char *name;

		if (!strcmp(kname, "SKB_DROP_REASON_MAX") ||
		    !strcmp(kname, "SKB_DROP_REASON_SUBSYS_MASK"))
			continue;
		name = dropreason__name(d, (__u32)e->val);
		assert_non_null(name);
		/* the kernel name minus its prefix, and back */
		assert_non_null(strstr(kname, name));
		assert_string_equal(kname + strlen(kname) - strlen(name), name);
		assert_int_equal(dropreason__value(d, name), (__u32)e->val);
		checked++;
	}
	assert_true(checked > 10);
	assert_true(dropreason__value(d, "NOT_SPECIFIED") >= 0);
	assert_true(dropreason__value(d, "CONSUMED") >= 0);
	assert_true(dropreason__value(d, "NOT_DROPPED_YET") >= 0);
	assert_string_equal(dropreason__name(d, dropreason__value(d, "CONSUMED")),
			    "CONSUMED");
	assert_int_equal(dropreason__value(d, "MAX"), -1);
	assert_int_equal(dropreason__value(d, "NO_SUCH_REASON"), -1);
	/* a core value past the enum is unknown */
	assert_null(dropreason__name(d, 0xfffe));
	btf__free(btf);
	dropreason__free(d);
}

static void test_kernel_subsys(void **state)
{
	struct dropreason *d;
	struct btf *btf;
	__s32 id;

	(void)state;
	skip_without_btf();
	d = dropreason__load(NULL);
	assert_non_null(d);
	/* a subsystem no kernel has */
	assert_string_equal(dropreason__name(d, 0xfff00003), "subsys65520:3");
	/* same pointer the second time: cached, not re-made */
	assert_ptr_equal(dropreason__name(d, 0xfff00003),
			 dropreason__name(d, 0xfff00003));
	assert_int_equal(dropreason__value(d, "subsys65520:3"), -1 /* > INT_MAX */);
	btf = btf__parse(VMLINUX, NULL);
	id = btf__find_by_name_kind(btf, "skb_drop_reason_subsys", BTF_KIND_ENUM);
	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e = btf_enum(t) + btf_vlen(t) - 1;
		const char *last = btf__name_by_offset(btf, e->name_off);
		const char *name;

		/* the last enumerator is SUBSYS_NUM: one past a real subsystem */
		assert_string_equal(last, "SKB_DROP_REASON_SUBSYS_NUM");
		e--;
		last = btf__name_by_offset(btf, e->name_off) +
		       strlen("SKB_DROP_REASON_SUBSYS_");
		name = dropreason__name(d, e->val << 16 | 0x7777);
		assert_non_null(name);
		assert_true(!strncmp(name, last, strlen(last)));
		assert_int_equal(name[strlen(last)], ':');
		print_message("subsystem value 0x%x -> %s\n", e->val << 16 | 0x7777,
			      name);
	}
	btf__free(btf);
	dropreason__free(d);
}

/* A BTF as a 6.18 kernel with openvswitch built in would have, but ENUM64. */
static void write_fake_btf(const char *path)
{
	struct btf *btf = btf__new_empty();
	const void *raw;
	__u32 size;
	FILE *f;

	assert_non_null(btf);
	assert_true(btf__add_enum64(btf, "skb_drop_reason", 4, false) > 0);
	btf__add_enum64_value(btf, "SKB_NOT_DROPPED_YET", 0);
	btf__add_enum64_value(btf, "SKB_CONSUMED", 1);
	btf__add_enum64_value(btf, "SKB_DROP_REASON_NOT_SPECIFIED", 2);
	btf__add_enum64_value(btf, "SKB_DROP_REASON_NETFILTER_DROP", 12);
	btf__add_enum64_value(btf, "SKB_DROP_REASON_MAX", 13);
	btf__add_enum64_value(btf, "SKB_DROP_REASON_SUBSYS_MASK", 0xffff0000);
	assert_true(btf__add_enum(btf, "skb_drop_reason_subsys", 4) > 0);
	btf__add_enum_value(btf, "SKB_DROP_REASON_SUBSYS_CORE", 0);
	btf__add_enum_value(btf, "SKB_DROP_REASON_SUBSYS_MAC80211_UNUSABLE", 1);
	btf__add_enum_value(btf, "SKB_DROP_REASON_SUBSYS_OPENVSWITCH", 2);
	btf__add_enum_value(btf, "SKB_DROP_REASON_SUBSYS_NUM", 3);
	assert_true(btf__add_enum(btf, "ovs_drop_reason", 4) > 0);
	btf__add_enum_value(btf, "__OVS_DROP_REASON", 2 << 16);
	btf__add_enum_value(btf, "OVS_DROP_LAST_ACTION", 2 << 16 | 1);
	btf__add_enum_value(btf, "OVS_DROP_ACTION_ERROR", 2 << 16 | 2);
	btf__add_enum_value(btf, "OVS_DROP_MAX", 2 << 16 | 3);
	/* not a drop reason enum: same value range, must be ignored */
	assert_true(btf__add_enum(btf, "some_flags", 4) > 0);
	btf__add_enum_value(btf, "SOME_FLAG", 2 << 16 | 5);
	raw = btf__raw_data(btf, &size);
	assert_non_null(raw);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(raw, 1, size, f), size);
	fclose(f);
	btf__free(btf);
}

static void test_fake_btf(void **state)
{
	char path[] = "/tmp/gwt-btf-XXXXXX";
	struct dropreason *d;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_fake_btf(path);
	d = dropreason__load(path);
	unlink(path);
	assert_non_null(d);
	assert_string_equal(dropreason__name(d, 0), "NOT_DROPPED_YET");
	assert_string_equal(dropreason__name(d, 1), "CONSUMED");
	assert_string_equal(dropreason__name(d, 12), "NETFILTER_DROP");
	assert_int_equal(dropreason__value(d, "NETFILTER_DROP"), 12);
	assert_int_equal(dropreason__value(d, "NOT_SPECIFIED"), 2);
	assert_int_equal(dropreason__value(d, "SKB_CONSUMED"), 1);
	assert_null(dropreason__name(d, 13));		/* MAX is no reason */
	/* the mask itself is no reason: only a made-up subsystem name */
	assert_string_equal(dropreason__name(d, 0xffff0000), "subsys65535:0");
	assert_string_equal(dropreason__name(d, 2 << 16 | 1),
			    "OPENVSWITCH:OVS_DROP_LAST_ACTION");
	assert_int_equal(dropreason__value(d, "OPENVSWITCH:OVS_DROP_ACTION_ERROR"),
			 2 << 16 | 2);
	assert_string_equal(dropreason__name(d, 2 << 16 | 5), "OPENVSWITCH:5");
	assert_string_equal(dropreason__name(d, 1 << 16 | 4), "MAC80211_UNUSABLE:4");
	assert_string_equal(dropreason__name(d, 9 << 16 | 4), "subsys9:4");
	assert_int_equal(dropreason__value(d, "OVS_DROP_MAX"), -1);
	dropreason__free(d);
}

static void test_missing_btf(void **state)
{
	(void)state;
	assert_null(dropreason__load("/nonexistent/vmlinux"));
}

static void test_btf_without_enum(void **state)
{
	char path[] = "/tmp/gwt-btf-XXXXXX";
	struct btf *btf = btf__new_empty();
	const void *raw;
	__u32 size;
	int fd;

	(void)state;
	assert_true(btf__add_int(btf, "int", 4, BTF_INT_SIGNED) > 0);
	raw = btf__raw_data(btf, &size);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, raw, size), size);
	close(fd);
	assert_null(dropreason__load(path));
	unlink(path);
	btf__free(btf);
}

/* The same names through the gw_names the renderers use. */
static void test_names_sys(void **state)
{
	struct gw_names n;
	const struct dropreason *d;
	char buf[64];
	int v;

	(void)state;
	skip_without_btf();
	assert_int_equal(names_sys__init(&n, NAMES_SYS_NO_KSYMS, NULL), 0);
	d = names_sys__dropreason(&n);
	assert_non_null(d);
	assert_ptr_equal(names_sys__dropreason(&n), d);	/* loaded once */
	v = dropreason__value(d, "NETFILTER_DROP");
	assert_true(v > 0);
	assert_string_equal(n.reason(n.ctx, v), "NETFILTER_DROP");
	assert_null(n.reason(n.ctx, 0xfffe));
	assert_string_equal(n.location(n.ctx, 0xffffffff81000000ULL, buf, sizeof(buf)),
			    "0xffffffff81000000");
	assert_string_equal(n.table(n.ctx, 254, buf, sizeof(buf)), "main");
	assert_non_null(names_sys__netns(&n));
	names_sys__free(&n);
	assert_null(n.ctx);
	names_sys__free(&n);	/* twice is harmless */
}

/* From the run's already parsed vmlinux BTF: the same names. */
static void test_from_btf(void **state)
{
	struct dropreason *own, *shared;
	struct btf *btf;
	const struct btf_type *t;

	(void)state;
	skip_without_btf();
	assert_null(dropreason__from_btf(NULL));
	btf = btf__parse(VMLINUX, NULL);
	assert_non_null(btf);
	own = dropreason__load(NULL);
	shared = dropreason__from_btf(btf);
	assert_non_null(own);
	assert_non_null(shared);
	t = btf__type_by_id(btf, btf__find_by_name_kind(btf, "skb_drop_reason",
							 BTF_KIND_ENUM));
	assert_non_null(t);
	for (int i = 0; i < btf_vlen(t); i++) {
		__u32 v = (__u32)btf_enum(t)[i].val;
		const char *a = dropreason__name(own, v), *b = dropreason__name(shared, v);

		assert_true((a == NULL) == (b == NULL));
		if (a)
			assert_string_equal(a, b);
	}
	dropreason__free(shared);
	dropreason__free(own);
	/* the BTF is borrowed: still usable */
	assert_true(btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM) > 0);
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_netfilter_drop),
		cmocka_unit_test(test_kernel_round_trip),
		cmocka_unit_test(test_kernel_subsys),
		cmocka_unit_test(test_fake_btf),
		cmocka_unit_test(test_missing_btf),
		cmocka_unit_test(test_btf_without_enum),
		cmocka_unit_test(test_names_sys),
		cmocka_unit_test(test_from_btf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

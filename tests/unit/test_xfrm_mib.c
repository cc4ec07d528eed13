// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xfrm MIB index -> /proc/net/xfrm_stat name: against the running
 * kernel's BTF (the index of LINUX_MIB_XFRMINNOSTATES looked up here with
 * libbpf, independently of xfrm_mib.c), against a made-up kernel whose
 * numbering differs from 6.18's (pairing is by name, not position), and
 * through names_sys, which is what the renderers call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "names_sys.h"
#include "xfrm_mib.h"
#include "xfrm_stat.h"

/* The enumerator's value in btf, or -1: a scan of every enum, as bpftool shows them. */
static long long enum_value(const struct btf *btf, const char *name)
{
	__u32 id, n = btf__type_cnt(btf);

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!btf_is_enum(t))
			continue;
		for (int i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(btf, btf_enum(t)[i].name_off), name))
				return btf_enum(t)[i].val;
	}
	return -1;
}

static struct btf *vmlinux_or_skip(void)
{
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf) {
		print_message("skip: no kernel BTF (%s)\n", strerror(errno));
		skip();
	}
	if (enum_value(btf, "LINUX_MIB_XFRMINNOSTATES") < 0) {
		btf__free(btf);
		print_message("skip: kernel BTF without LINUX_MIB_XFRM* (no CONFIG_XFRM?)\n");
		skip();
	}
	return btf;
}

static void assert_mib(const struct xfrm_mib *m, const struct btf *btf, const char *enumerator,
		       const char *want)
{
	long long v = enum_value(btf, enumerator);

	if (v < 0)
		return;	/* an older kernel without this counter */
	assert_non_null(xfrm_mib__name(m, (__u32)v));
	assert_string_equal(xfrm_mib__name(m, (__u32)v), want);
}

static void test_running_kernel(void **state)
{
	struct btf *btf = vmlinux_or_skip();
	struct xfrm_mib *m = xfrm_mib__new(NULL, NULL);

	(void)state;
	assert_non_null(m);
	assert_mib(m, btf, "LINUX_MIB_XFRMINNOSTATES", "XfrmInNoStates");
	assert_mib(m, btf, "LINUX_MIB_XFRMOUTNOSTATES", "XfrmOutNoStates");
	assert_mib(m, btf, "LINUX_MIB_XFRMOUTPOLBLOCK", "XfrmOutPolBlock");
	assert_mib(m, btf, "LINUX_MIB_XFRMINPOLBLOCK", "XfrmInPolBlock");
	assert_mib(m, btf, "LINUX_MIB_XFRMINERROR", "XfrmInError");
	/* not spelled alike: paired by its line in the file */
	assert_mib(m, btf, "LINUX_MIB_XFRMOUTNOQSPACE", "XfrmOutNoQueueSpace");
	assert_null(xfrm_mib__name(m, 0));	/* LINUX_MIB_XFRMNUM */
	assert_null(xfrm_mib__name(m, (__u32)enum_value(btf, "__LINUX_MIB_XFRMMAX")));
	assert_null(xfrm_mib__name(m, 1000));
	xfrm_mib__free(m);
	btf__free(btf);
}

/* Every counter of this kernel has a name /proc/net/xfrm_stat prints. */
static void test_every_counter_named(void **state)
{
	struct btf *btf = vmlinux_or_skip();
	struct xfrm_stat *proc = xfrm_stat__read(NULL);
	struct xfrm_mib *m = xfrm_mib__new(btf, proc);
	long long max = enum_value(btf, "__LINUX_MIB_XFRMMAX");
	__u64 v;

	(void)state;
	assert_non_null(m);
	assert_true(max > 1);
	for (__u32 i = 1; i < max; i++) {
		assert_non_null(xfrm_mib__name(m, i));
		if (proc)
			assert_int_equal(xfrm_stat__value(proc, xfrm_mib__name(m, i), &v), 0);
		/* gwtrace's fallback list is in the kernel's order */
		if (xfrm_stat__known_name(i - 1))
			assert_string_equal(xfrm_mib__name(m, i), xfrm_stat__known_name(i - 1));
	}
	xfrm_mib__free(m);
	xfrm_stat__free(proc);
	btf__free(btf);
}

static struct xfrm_stat *stat_from(const char *text)
{
	char path[] = "/tmp/gwt-xfrm-mib-XXXXXX";
	int fd = mkstemp(path);
	struct xfrm_stat *s;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	s = xfrm_stat__read(path);
	unlink(path);
	assert_non_null(s);
	return s;
}

/* A kernel numbering its counters unlike 6.18, in an anonymous enum. */
static void test_by_name_not_position(void **state)
{
	struct btf *btf = btf__new_empty();
	struct xfrm_stat *proc = stat_from("XfrmInError             \t0\n"
					   "XfrmInNoStates          \t5\n"
					   "XfrmOutNoQueueSpace     \t0\n"
					   "XfrmNewOne              \t0\n");
	struct xfrm_mib *m;

	(void)state;
	assert_non_null(btf);
	assert_true(btf__add_enum(btf, "tcp_things", 4) > 0);
	assert_int_equal(btf__add_enum_value(btf, "LINUX_MIB_TCPFOO", 1), 0);
	assert_true(btf__add_enum(btf, NULL, 4) > 0);
	assert_int_equal(btf__add_enum_value(btf, "LINUX_MIB_XFRMNUM", 0), 0);
	assert_int_equal(btf__add_enum_value(btf, "LINUX_MIB_XFRMINNOSTATES", 1), 0);
	assert_int_equal(btf__add_enum_value(btf, "LINUX_MIB_XFRMINERROR", 2), 0);
	assert_int_equal(btf__add_enum_value(btf, "LINUX_MIB_XFRMOUTNOQSPACE", 3), 0);
	assert_int_equal(btf__add_enum_value(btf, "LINUX_MIB_XFRMRENAMED", 4), 0);
	assert_int_equal(btf__add_enum_value(btf, "__LINUX_MIB_XFRMMAX", 5), 0);
	m = xfrm_mib__new(btf, proc);
	assert_non_null(m);
	assert_string_equal(xfrm_mib__name(m, 1), "XfrmInNoStates");
	assert_string_equal(xfrm_mib__name(m, 2), "XfrmInError");
	assert_string_equal(xfrm_mib__name(m, 3), "XfrmOutNoQueueSpace");
	/* its line (the 4th) is unclaimed: taken by position */
	assert_string_equal(xfrm_mib__name(m, 4), "XfrmNewOne");
	assert_null(xfrm_mib__name(m, 5));
	xfrm_mib__free(m);
	xfrm_stat__free(proc);
	btf__free(btf);
}

/* No enum in BTF: the kernel's order, from the file or gwtrace's list. */
static void test_no_enum(void **state)
{
	struct btf *btf = btf__new_empty();
	struct xfrm_mib *m;

	(void)state;
	assert_non_null(btf);
	assert_true(btf__add_int(btf, "int", 4, BTF_INT_SIGNED) > 0);
	m = xfrm_mib__new(btf, NULL);
	assert_non_null(m);
	assert_string_equal(xfrm_mib__name(m, 1), "XfrmInError");
	assert_string_equal(xfrm_mib__name(m, 4), "XfrmInNoStates");
	assert_string_equal(xfrm_mib__name(m, 23), "XfrmOutPolBlock");
	assert_null(xfrm_mib__name(m, 0));
	xfrm_mib__free(m);
	btf__free(btf);
}

/* What packet rendering calls: gw_names from the running system. */
static void test_names_sys(void **state)
{
	struct btf *btf = vmlinux_or_skip();
	long long v = enum_value(btf, "LINUX_MIB_XFRMINNOSTATES");
	struct gw_names n;
	__u8 daddr[16] = { 192, 0, 2, 2 };

	(void)state;
	assert_int_equal(names_sys__init(&n, NAMES_SYS_NO_ROUTE | NAMES_SYS_NO_KSYMS, NULL), 0);
	assert_non_null(n.xfrm_mib);
	assert_string_equal(n.xfrm_mib(n.ctx, (__u32)v), "XfrmInNoStates");
	assert_null(n.xfrm_mib(n.ctx, 0));
	/* no xfrm tables attached: the SA is unknown, nothing written */
	assert_non_null(n.sa_json);
	assert_false(n.sa_json(n.ctx, NULL, 0, htonl(0x1000), 50, daddr));
	names_sys__free(&n);
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_running_kernel),
		cmocka_unit_test(test_every_counter_named),
		cmocka_unit_test(test_by_name_not_position),
		cmocka_unit_test(test_no_enum),
		cmocka_unit_test(test_names_sys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

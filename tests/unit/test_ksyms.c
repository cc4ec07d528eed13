// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ksyms: fixture kallsyms with exact strings, then the running kernel's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "kfeat.h"
#include "ksyms.h"
#include "names_sys.h"

#ifndef FIXTURES
#define FIXTURES "tests/unit/fixtures"
#endif

static const char *fmt(const struct ksyms *k, __u64 addr)
{
	static char buf[128];

	return ksyms__format(k, addr, buf, sizeof(buf));
}

static void test_fixture_format(void **state)
{
	struct ksyms *k = ksyms__load(FIXTURES "/kallsyms.txt");

	(void)state;
	assert_non_null(k);
	/* t/T/w/W only; zero-address weak and data/rodata/bss dropped */
	assert_int_equal(ksyms__count(k), 7);
	assert_false(ksyms__restricted(k));
	/* the global alias wins over the local one at the same address */
	assert_string_equal(fmt(k, 0xffffffff81000110ULL), "alpha_alias+0x10");
	assert_string_equal(fmt(k, 0xffffffff81000100ULL), "alpha_alias+0x0");
	assert_string_equal(fmt(k, 0xffffffff81000250ULL), "beta_func+0x50");
	/* data symbol at 0x300 is not text: still inside beta_func */
	assert_string_equal(fmt(k, 0xffffffff81000350ULL), "beta_func+0x150");
	assert_string_equal(fmt(k, 0xffffffff81000400ULL), "weak_func+0x0");
	assert_string_equal(fmt(k, 0xffffffffc0a01000ULL),
			    "mod_func+0x0 [nf_tables]");
	assert_string_equal(fmt(k, 0xffffffffc0a011a8ULL),
			    "mod_func2+0xa8 [nf_tables]");
	assert_string_equal(fmt(k, 0xffffffffc0b00010ULL),
			    "other_mod_func+0x10 [xfrm_user]");
	ksyms__free(k);
}

static void test_fixture_unknown(void **state)
{
	struct ksyms *k = ksyms__load(FIXTURES "/kallsyms.txt");
	char small[8];

	(void)state;
	assert_non_null(k);
	/* below the first symbol, zero, far past the last one: hex */
	assert_string_equal(fmt(k, 0xffffffff81000000ULL), "0xffffffff81000000");
	assert_string_equal(fmt(k, 0), "0x0");
	assert_string_equal(fmt(k, 0xffffffffc0b00000ULL + 0x200000),
			    "0xffffffffc0d00000");
	/* truncation is safe and NUL-terminated */
	ksyms__format(k, 0xffffffff81000250ULL, small, sizeof(small));
	assert_string_equal(small, "beta_fu");
	/* no table at all: hex */
	assert_string_equal(fmt(NULL, 0xffffffff81000250ULL), "0xffffffff81000250");
	ksyms__free(k);
}

static void test_fixture_find(void **state)
{
	struct ksyms *k = ksyms__load(FIXTURES "/kallsyms.txt");
	__u64 addr = 0;

	(void)state;
	assert_non_null(k);
	assert_int_equal(ksyms__find(k, "mod_func", &addr), 0);
	assert_true(addr == 0xffffffffc0a01000ULL);
	assert_int_equal(ksyms__find(k, "alpha_func", &addr), 0);
	assert_true(addr == 0xffffffff81000100ULL);
	assert_int_equal(ksyms__find(k, "some_data", &addr), -ENOENT);
	assert_int_equal(ksyms__find(k, "nope", &addr), -ENOENT);
	ksyms__free(k);
}

static char seen[256];

/* ksyms__for_each callback: "name[module] " for each symbol. */
static int collect(const char *name, const char *module, void *ctx)
{
	char *s = ctx;
	size_t n = strlen(s);

	snprintf(s + n, sizeof(seen) - n, module[0] ? "%s[%s] " : "%s ", name, module);
	return 0;
}

static int stop_at_text(const char *name, const char *module, void *ctx)
{
	(void)module;
	++*(int *)ctx;
	return strcmp(name, "_text") ? 0 : 42;
}

static void test_restricted(void **state)
{
	struct ksyms *k = ksyms__load(FIXTURES "/kallsyms-restricted.txt");
	int calls = 0;

	(void)state;
	assert_non_null(k);
	assert_true(ksyms__restricted(k));
	assert_int_equal(ksyms__count(k), 0);
	assert_string_equal(fmt(k, 0xffffffff81000250ULL), "0xffffffff81000250");
	/* no addresses, but the functions are still known to exist */
	assert_int_equal(ksyms__find(k, "alpha_func", &(__u64){ 0 }), -ENOENT);
	assert_int_equal(ksyms__for_each(k, collect, &seen), 0);
	/* in table order: same address, so globals first, fewer '_' first */
	assert_string_equal(seen, "beta_func[nf_tables] _text alpha_func ");
	assert_int_equal(ksyms__for_each(k, stop_at_text, &calls), 42);
	assert_int_equal(calls, 2);
	ksyms__free(k);
}

static void test_missing_file(void **state)
{
	(void)state;
	errno = 0;
	assert_null(ksyms__load(FIXTURES "/does-not-exist"));
	assert_int_equal(errno, ENOENT);
}

/* Reads kallsyms independently of ksyms.c: the first "T name" line. */
static int kallsyms_addr(const char *name, unsigned long long *addr)
{
	char type, sym[256], line[512];
	FILE *f = fopen("/proc/kallsyms", "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", addr, &type, sym) == 3 &&
		    !strcmp(sym, name) && *addr)
			found = 1;
	}
	fclose(f);
	return found;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void test_real_kallsyms(void **state)
{
	unsigned long long want;
	struct timespec t0;
	struct ksyms *k;
	char expect[64];
	__u64 addr = 0;
	double ms;

	(void)state;
	if (!kallsyms_addr("nf_hook_slow", &want)) {
		print_message("skip: nf_hook_slow not visible in /proc/kallsyms (not root, kptr_restrict, or no netfilter)\n");
		skip();
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	k = ksyms__load(NULL);
	ms = ms_since(&t0);
	assert_non_null(k);
	print_message("loaded %zu symbols in %.1f ms\n", ksyms__count(k), ms);
	assert_true(ksyms__count(k) > 10000);
	assert_int_equal(ksyms__find(k, "nf_hook_slow", &addr), 0);
	assert_true(addr == want);
	assert_string_equal(fmt(k, want + 0x10), "nf_hook_slow+0x10");
	assert_string_equal(fmt(k, want), "nf_hook_slow+0x0");
	snprintf(expect, sizeof(expect), "0x%llx", 0x1000ULL);
	assert_string_equal(fmt(k, 0x1000), expect);
	ksyms__free(k);
}

/* location() of the system gw_names loads kallsyms on first use. */
static void test_names_sys_location(void **state)
{
	unsigned long long want;
	struct gw_names n;
	char buf[64];

	(void)state;
	if (!kallsyms_addr("nf_hook_slow", &want)) {
		print_message("skip: nf_hook_slow not visible in /proc/kallsyms\n");
		skip();
	}
	assert_int_equal(names_sys__init(&n, NAMES_SYS_NO_ROUTE, NULL), 0);
	assert_string_equal(n.location(n.ctx, want + 0x44, buf, sizeof(buf)),
			    "nf_hook_slow+0x44");
	names_sys__free(&n);
	assert_int_equal(names_sys__init(&n, NAMES_SYS_NO_KSYMS, NULL), 0);
	snprintf(buf, sizeof(buf), "0x%llx", want);
	assert_string_equal(n.location(n.ctx, want, buf + 32, 32), buf);
	names_sys__free(&n);
}

/*
 * With the run's kernel facts, names_sys borrows their kallsyms (one read
 * per run) and names locations as it does on its own; kfeat found the
 * probe targets in the same table.
 */
static void test_names_sys_borrows_kernel(void **state)
{
	unsigned long long want;
	struct gw_kfeat kf;
	struct gw_names n;
	char buf[64];

	(void)state;
	if (geteuid() || !kallsyms_addr("nf_hook_slow", &want)) {
		print_message("skip: needs root and nf_hook_slow in /proc/kallsyms\n");
		skip();
	}
	assert_int_equal(kfeat__probe(&kf), 0);
	assert_non_null(kf.ksyms);
	assert_true(kfeat__has_func(&kf, "nf_hook_slow", false));
	assert_false(kfeat__has_func(&kf, "gwtrace_no_such_function", false));
	assert_int_equal(names_sys__init(&n, NAMES_SYS_NO_ROUTE, &kf), 0);
	assert_string_equal(n.location(n.ctx, want + 0x44, buf, sizeof(buf)),
			    "nf_hook_slow+0x44");
	assert_non_null(n.reason(n.ctx, 0));
	names_sys__free(&n);
	/* still kfeat's: names_sys did not free it */
	assert_int_equal(ksyms__find(kf.ksyms, "nf_hook_slow", &(__u64){ 0 }), 0);
	kfeat__free(&kf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_format),
		cmocka_unit_test(test_fixture_unknown),
		cmocka_unit_test(test_fixture_find),
		cmocka_unit_test(test_restricted),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_real_kallsyms),
		cmocka_unit_test(test_names_sys_location),
		cmocka_unit_test(test_names_sys_borrows_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

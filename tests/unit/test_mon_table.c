// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The monitor's user-space mirror of a counter map: lookups across growth
 * and deletions (open addressing must re-place a cluster on delete). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "mon_table.h"

struct key {
	__u32 a;
	__u32 b;
};

static struct key k(__u32 a)
{
	return (struct key){ .a = a, .b = a * 7 };
}

static size_t count_slots(const struct mon_table *t)
{
	size_t n = 0;

	for (size_t i = 0; i < mon_table__cap(t); i++)
		n += mon_table__at(t, i) != NULL;
	return n;
}

static void test_get_creates_zeroed_and_finds_again(void **state)
{
	struct mon_table *t = mon_table__new(sizeof(struct key));
	struct key key = k(1);
	struct mon_entry *e;

	(void)state;
	assert_non_null(t);
	e = mon_table__get(t, &key);
	assert_non_null(e);
	assert_int_equal(e->last.packets, 0);
	assert_int_equal(e->seen, 0);
	assert_memory_equal(e->key, &key, sizeof(key));
	e->last.packets = 42;
	assert_ptr_equal(mon_table__get(t, &key), e);
	assert_int_equal(mon_table__get(t, &key)->last.packets, 42);
	assert_int_equal(mon_table__count(t), 1);
	mon_table__free(t);
}

/* Thousands of keys: every one still maps to its own entry after the
 * table grew several times. */
static void test_growth_keeps_every_entry(void **state)
{
	struct mon_table *t = mon_table__new(sizeof(struct key));
	const __u32 n = 5000;

	(void)state;
	for (__u32 i = 0; i < n; i++) {
		struct key key = k(i);

		mon_table__get(t, &key)->last.packets = i + 1;
	}
	assert_int_equal(mon_table__count(t), n);
	assert_int_equal(count_slots(t), n);
	for (__u32 i = 0; i < n; i++) {
		struct key key = k(i);

		assert_int_equal(mon_table__get(t, &key)->last.packets, i + 1);
	}
	assert_int_equal(mon_table__count(t), n);
	mon_table__free(t);
}

/* Deleting from the middle of clusters must not hide the keys after the
 * hole: delete every third key, the rest must still be found with their
 * values (a lookup creating a new zeroed entry would show as 0). */
static void test_delete_keeps_clusters_reachable(void **state)
{
	struct mon_table *t = mon_table__new(sizeof(struct key));
	const __u32 n = 3000;

	(void)state;
	for (__u32 i = 0; i < n; i++) {
		struct key key = k(i);

		mon_table__get(t, &key)->last.packets = i + 1;
	}
	for (__u32 i = 0; i < n; i += 3) {
		struct key key = k(i);

		mon_table__del(t, &key);
	}
	assert_int_equal(mon_table__count(t), n - (n + 2) / 3);
	assert_int_equal(count_slots(t), mon_table__count(t));
	for (__u32 i = 0; i < n; i++) {
		struct key key = k(i);

		if (i % 3 == 0)
			continue;
		assert_int_equal(mon_table__get(t, &key)->last.packets, i + 1);
	}
	/* Deleted keys come back new (zeroed), absent keys delete quietly. */
	{
		struct key key = k(3), none = k(n + 10);

		mon_table__del(t, &none);
		assert_int_equal(mon_table__get(t, &key)->last.packets, 0);
	}
	mon_table__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_creates_zeroed_and_finds_again),
		cmocka_unit_test(test_growth_keeps_every_entry),
		cmocka_unit_test(test_delete_keeps_clusters_reachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

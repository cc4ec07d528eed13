// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "mon_table.h"

struct mon_table {
	size_t key_size;
	size_t cap;			/* power of two */
	size_t n;
	struct mon_entry **slots;	/* NULL = empty */
};

struct mon_table *mon_table__new(size_t key_size)
{
	struct mon_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->key_size = key_size;
	t->cap = 64;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void mon_table__free(struct mon_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i]);
	free(t->slots);
	free(t);
}

static size_t find(const struct mon_table *t, const void *key, bool *found)
{
	size_t i = hash__fnv1a(key, t->key_size) & (t->cap - 1);

	while (t->slots[i]) {
		if (!memcmp(t->slots[i]->key, key, t->key_size)) {
			*found = true;
			return i;
		}
		i = (i + 1) & (t->cap - 1);
	}
	*found = false;
	return i;
}

static int grow(struct mon_table *t)
{
	struct mon_entry **old = t->slots;
	size_t old_cap = t->cap;
	bool found;

	t->slots = calloc(old_cap * 2, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -ENOMEM;
	}
	t->cap = old_cap * 2;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			t->slots[find(t, old[i]->key, &found)] = old[i];
	free(old);
	return 0;
}

struct mon_entry *mon_table__get(struct mon_table *t, const void *key)
{
	struct mon_entry *e;
	bool found;
	size_t i;

	if ((t->n + 1) * 2 > t->cap && grow(t))
		return NULL;
	i = find(t, key, &found);
	if (found)
		return t->slots[i];
	e = calloc(1, sizeof(*e) + t->key_size);
	if (!e)
		return NULL;
	memcpy(e->key, key, t->key_size);
	t->slots[i] = e;
	t->n++;
	return e;
}

void mon_table__del(struct mon_table *t, const void *key)
{
	size_t i, j;
	bool found;

	i = find(t, key, &found);
	if (!found)
		return;
	free(t->slots[i]);
	t->slots[i] = NULL;
	t->n--;
	/* Re-place the rest of the cluster so lookups never stop early. */
	for (j = (i + 1) & (t->cap - 1); t->slots[j]; j = (j + 1) & (t->cap - 1)) {
		struct mon_entry *e = t->slots[j];

		t->slots[j] = NULL;
		t->slots[find(t, e->key, &found)] = e;
	}
}

size_t mon_table__count(const struct mon_table *t)
{
	return t->n;
}

size_t mon_table__cap(const struct mon_table *t)
{
	return t->cap;
}

struct mon_entry *mon_table__at(const struct mon_table *t, size_t i)
{
	return i < t->cap ? t->slots[i] : NULL;
}

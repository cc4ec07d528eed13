/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A user-space mirror of a monitor counter map: key bytes -> the per-CPU
 * sums last read, so each harvest knows what grew (and by how much) and
 * which entries went idle. Open addressing, grows at half full.
 */
#ifndef GW_MON_TABLE_H
#define GW_MON_TABLE_H

#include <stddef.h>
#include <linux/types.h>
#include "gwtrace.h"

struct mon_entry {
	struct gw_mon_val last;		/* sums at the previous harvest */
	__u64 seen;			/* harvest number it last grew in */
	__u64 win_packets;		/* growth in the current window */
	unsigned char key[];		/* key_size bytes */
};

struct mon_table;

struct mon_table *mon_table__new(size_t key_size);
void mon_table__free(struct mon_table *t);
/* The entry for key, created zeroed if new; NULL on ENOMEM. */
struct mon_entry *mon_table__get(struct mon_table *t, const void *key);
/* Removes key if present. */
void mon_table__del(struct mon_table *t, const void *key);
size_t mon_table__count(const struct mon_table *t);
/* Iteration: slots 0..cap-1, NULL ones empty. Not across a get/del. */
size_t mon_table__cap(const struct mon_table *t);
struct mon_entry *mon_table__at(const struct mon_table *t, size_t i);

#endif /* GW_MON_TABLE_H */

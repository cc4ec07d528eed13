/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Recordings of the ring buffer (`gwtrace trace --record FILE`): what the
 * consumer received, so it can be replayed without a kernel (bench/replay.c,
 * tests) and the same input run again after a change.
 *
 * File layout, host byte order (a recording does not move between
 * architectures: the version check fails on the other byte order):
 *
 *   struct gw_rec_file                          once
 *   struct gw_rec_hdr + len bytes, padded to 8   per record
 *
 * GW_REC_EVENT carries one ring buffer record (struct gw_chunk: one or
 * more steps of a life) exactly as on_event() got it.
 * GW_REC_TICK carries a __u64: the CLOCK_MONOTONIC ns at which trace called
 * corr__expire(), so a replay finishes idle paths at the same places in
 * the stream as the live run did. Records are 8-aligned, so a payload in
 * a buffer read whole can be used as a struct gw_chunk in place.
 */
#ifndef GW_RECORD_H
#define GW_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define GW_REC_MAGIC	"GWREC\0\0"	/* 8 bytes with the terminating NUL */
#define GW_REC_VERSION	2	/* 2: records are struct gw_chunk */

enum gw_rec_type {
	GW_REC_EVENT = 1,
	GW_REC_TICK = 2,
};

struct gw_rec_file {
	char magic[8];		/* GW_REC_MAGIC */
	__u32 version;		/* GW_REC_VERSION */
	__u32 event_size;	/* sizeof(struct gw_event) of the writer */
	__u64 mono_ns;		/* CLOCK_MONOTONIC (the clock of ts_ns) ... */
	__u64 real_ns;		/* ... and CLOCK_REALTIME, read together */
	/* ts_ns, netns and ifindex numbers and kernel addresses mean
	 * something only in the boot that wrote them. */
	char boot_id[40];	/* /proc/sys/kernel/random/boot_id, "" if unknown */
};

struct gw_rec_hdr {
	__u32 type;		/* enum gw_rec_type */
	__u32 len;		/* payload bytes, without the padding */
};

/* Writing. */
struct gw_recorder;

/*
 * Creates path (mode 0600: the events hold kernel addresses) or truncates
 * an existing regular file with one link; refuses anything else (symbolic
 * link, FIFO, device, directory, a file with other hard links). Writes
 * the file header. NULL and *err = -errno on failure, reported.
 */
struct gw_recorder *recorder__open(const char *path, int *err);
/* Append a ring buffer record / a corr__expire() time. r may be NULL. The
 * first write error is reported and ends the recording; records after it
 * are counted, not written. */
void recorder__event(struct gw_recorder *r, const void *data, size_t size);
void recorder__tick(struct gw_recorder *r, __u64 now_ns);
/* Flushes and closes. 0, or the first write error (-errno) if any record
 * was not written (said on stderr). NULL is fine (returns 0). */
int recorder__close(struct gw_recorder *r);

/* Reading: a whole recording in memory. */
struct gw_recording {
	struct gw_rec_file hdr;
	void *buf;		/* the file; records start after the header */
	size_t len;
};

struct gw_rec_iter {
	const unsigned char *p, *end;
};

/*
 * Reads path whole and checks its header: magic, version and the event
 * size this build uses. 0, or -errno / -EPROTO (not a recording, or
 * another version), reported.
 */
int recording__load(const char *path, struct gw_recording *rec);
/* The same checks on a file already in memory, not reported; buf stays
 * the caller's (do not recording__free() rec). */
int recording__parse(const void *buf, size_t len, struct gw_recording *rec);
/* Frees what recording__load() read. */
void recording__free(struct gw_recording *rec);
/* An iterator over rec's records, from the first. */
void recording__iter(const struct gw_recording *rec, struct gw_rec_iter *it);
/*
 * Next record: 1 with *hdr and *payload set, 0 at the end, -EBADMSG if
 * the rest is truncated or malformed (a recording cut short by a full
 * disk or a kill: the records before it are good).
 */
int recording__next(struct gw_rec_iter *it, const struct gw_rec_hdr **hdr,
		    const void **payload);
/* Whether rec was written during the running boot. */
bool recording__same_boot(const struct gw_recording *rec);

#endif /* GW_RECORD_H */

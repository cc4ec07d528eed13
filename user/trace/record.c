// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Recording writer and reader; see record.h for the format.
 *
 * The writer keeps its own buffer rather than stdio's: trace's signal
 * handlers are installed without SA_RESTART, and a write() cut by a
 * signal must be resumed, not turned into a failed fwrite(). The file is
 * written only when the buffer fills (and at least once a second from
 * the poll loop's ticks), so recording costs a memcpy per event.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "gwtrace.h"
#include "log.h"
#include "record.h"

#define REC_BUF_SIZE	(1u << 20)
#define REC_FLUSH_NS	1000000000ULL	/* ticks flush at most this stale */
#define REC_ALIGN(n)	(((n) + 7) & ~(size_t)7)
#define REC_BOOT_ID	"/proc/sys/kernel/random/boot_id"

_Static_assert(sizeof(struct gw_rec_file) % 8 == 0, "gw_rec_file keeps records 8-aligned");
_Static_assert(sizeof(struct gw_rec_hdr) == 8, "gw_rec_hdr is 8 bytes");
_Static_assert(sizeof(GW_REC_MAGIC) == 8, "magic is 8 bytes");

struct gw_recorder {
	char *path;
	int fd;
	int err;		/* first write error, -errno; 0 = writing */
	unsigned char *buf;
	size_t used;
	size_t records_at;	/* the file header precedes them at first */
	__u64 last_flush_ns;
	__u64 buffered;		/* records in buf */
	__u64 written;		/* records written to the file */
	__u64 failed;		/* records lost to a write error */
};

static void read_boot_id(char *buf, size_t len)
{
	int fd = open(REC_BOOT_ID, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static __u64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Root writes where the user says, often in /tmp: never follow a symbolic
 * link, never open a FIFO or device (opening can block or have effects),
 * never truncate through a hard link to some other file. A refusal sets
 * *why.
 */
static int rec_open_file(const char *path, const char **why)
{
	int flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
	struct stat st, fst;
	int fd;

	fd = open(path, flags | O_CREAT | O_EXCL, 0600);
	if (fd >= 0 || errno != EEXIST)
		return fd >= 0 ? fd : -errno;
	if (lstat(path, &st))
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		*why = "a symbolic link";
		return -ELOOP;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		return -EINVAL;
	}
	if (st.st_nlink != 1) {
		*why = "a file with other hard links";
		return -EMLINK;
	}
	fd = open(path, flags | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	/* The same file we looked at, still alone, now empty and private. */
	if (fstat(fd, &fst) || fst.st_ino != st.st_ino || fst.st_dev != st.st_dev ||
	    fst.st_nlink != 1) {
		close(fd);
		*why = "changed while we opened it";
		return -EAGAIN;
	}
	if (ftruncate(fd, 0) || fchmod(fd, 0600)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* 0, or -errno with *done bytes written before the error. */
static int write_all(int fd, const unsigned char *p, size_t n, size_t *done)
{
	*done = 0;
	while (*done < n) {
		ssize_t w = write(fd, p + *done, n - *done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		*done += (size_t)w;
	}
	return 0;
}

/* Records of buf complete within its first n bytes (a partial write). */
static __u64 rec_complete(const struct gw_recorder *r, size_t n)
{
	size_t off = r->records_at;
	__u64 k = 0;

	while (off + sizeof(struct gw_rec_hdr) <= n) {
		const struct gw_rec_hdr *h = (const void *)(r->buf + off);

		off += sizeof(*h) + REC_ALIGN((size_t)h->len);
		if (off > n)
			break;
		k++;
	}
	return k;
}

static void rec_fail(struct gw_recorder *r, int err)
{
	r->err = err;
	pr_err("writing the recording '%s' failed: %s; recording stops, tracing "
	       "goes on", r->path, strerror(-err));
}

static void rec_flush(struct gw_recorder *r)
{
	size_t done;
	__u64 ok;
	int err;

	if (r->err || !r->used)
		return;
	err = write_all(r->fd, r->buf, r->used, &done);
	ok = err ? rec_complete(r, done) : r->buffered;
	r->written += ok;
	r->failed += r->buffered - ok;
	if (err)
		rec_fail(r, err);
	r->used = 0;
	r->records_at = 0;
	r->buffered = 0;
}

static void rec_append(struct gw_recorder *r, __u32 type, const void *data, size_t len)
{
	struct gw_rec_hdr h = { .type = type, .len = (__u32)len };
	size_t need = sizeof(h) + REC_ALIGN(len);

	if (len > REC_BUF_SIZE - sizeof(h) - 8) {	/* events are 192 bytes: never */
		if (!r->err)
			rec_fail(r, -EMSGSIZE);
		r->failed++;
		return;
	}
	if (!r->err && r->used + need > REC_BUF_SIZE)
		rec_flush(r);
	if (r->err) {
		r->failed++;
		return;
	}
	memcpy(r->buf + r->used, &h, sizeof(h));
	memcpy(r->buf + r->used + sizeof(h), data, len);
	memset(r->buf + r->used + sizeof(h) + len, 0, REC_ALIGN(len) - len);
	r->used += need;
	r->buffered++;
}

struct gw_recorder *recorder__open(const char *path, int *err)
{
	struct gw_rec_file h = {
		.magic = GW_REC_MAGIC,
		.version = GW_REC_VERSION,
		.event_size = sizeof(struct gw_event),
	};
	struct gw_recorder *r = calloc(1, sizeof(*r));
	const char *why = NULL;

	*err = -ENOMEM;
	if (!r || !(r->buf = malloc(REC_BUF_SIZE)) || !(r->path = strdup(path)))
		goto fail;
	r->fd = rec_open_file(path, &why);
	if (r->fd < 0) {
		*err = r->fd;
		if (why)
			pr_err("will not record to '%s': it is %s (a new file or a "
			       "regular file with one link only)", path, why);
		else
			pr_err("cannot record to '%s': %s", path, strerror(-*err));
		goto fail_open;
	}
	read_boot_id(h.boot_id, sizeof(h.boot_id));
	h.mono_ns = clock_ns(CLOCK_MONOTONIC);
	h.real_ns = clock_ns(CLOCK_REALTIME);
	r->last_flush_ns = h.mono_ns;
	memcpy(r->buf, &h, sizeof(h));
	r->used = r->records_at = sizeof(h);
	return r;

fail:
	pr_err("cannot record to '%s': %s", path, strerror(ENOMEM));
fail_open:
	if (r) {
		free(r->buf);
		free(r->path);
	}
	free(r);
	return NULL;
}

void recorder__event(struct gw_recorder *r, const void *data, size_t size)
{
	if (r)
		rec_append(r, GW_REC_EVENT, data, size);
}

void recorder__tick(struct gw_recorder *r, __u64 now_ns)
{
	if (!r)
		return;
	rec_append(r, GW_REC_TICK, &now_ns, sizeof(now_ns));
	/* A killed gwtrace loses at most a second of its recording. */
	if (now_ns - r->last_flush_ns >= REC_FLUSH_NS) {
		rec_flush(r);
		r->last_flush_ns = now_ns;
	}
}

int recorder__close(struct gw_recorder *r)
{
	int err;

	if (!r)
		return 0;
	rec_flush(r);
	/* Errors of delayed writeback (a full disk, NFS) show at close. */
	if (close(r->fd) && !r->err && errno != EINTR)
		rec_fail(r, -errno);
	err = r->err;
	if (err)
		pr_err("the recording '%s' is incomplete: the last %llu of %llu "
		       "records are missing", r->path, (unsigned long long)r->failed,
		       (unsigned long long)(r->written + r->failed));
	free(r->buf);
	free(r->path);
	free(r);
	return err;
}

int recording__parse(const void *buf, size_t len, struct gw_recording *rec)
{
	const struct gw_rec_file *h = buf;

	memset(rec, 0, sizeof(*rec));
	if (len < sizeof(*h) || memcmp(h->magic, GW_REC_MAGIC, sizeof(h->magic)))
		return -EPROTO;
	if (h->version != GW_REC_VERSION || h->event_size != sizeof(struct gw_event))
		return -EPROTO;
	rec->hdr = *h;
	rec->hdr.boot_id[sizeof(rec->hdr.boot_id) - 1] = '\0';
	rec->buf = (void *)buf;
	rec->len = len;
	return 0;
}

int recording__load(const char *path, struct gw_recording *rec)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	unsigned char *buf = NULL;
	size_t got = 0;
	struct stat st;
	ssize_t n;

	memset(rec, 0, sizeof(*rec));
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	/* malloc's alignment keeps the 8-aligned records aligned. */
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			goto out;
		}
		got += (size_t)n;
	}
	err = recording__parse(buf, got, rec);
	if (err == -EPROTO) {
		const struct gw_rec_file *h = (const void *)buf;

		if (got >= sizeof(*h) && !memcmp(h->magic, GW_REC_MAGIC, sizeof(h->magic)))
			pr_err("'%s' is a recording of version %u with %u-byte events; "
			       "this build reads version %u with %zu-byte events", path,
			       h->version, h->event_size, GW_REC_VERSION,
			       sizeof(struct gw_event));
		else
			pr_err("'%s' is not a gwtrace recording", path);
	}
out:
	if (fd >= 0)
		close(fd);
	if (err && err != -EPROTO)
		pr_err("cannot read the recording '%s': %s", path, strerror(-err));
	if (err)
		free(buf);
	return err;
}

void recording__free(struct gw_recording *rec)
{
	free(rec->buf);
	memset(rec, 0, sizeof(*rec));
}

void recording__iter(const struct gw_recording *rec, struct gw_rec_iter *it)
{
	it->p = (const unsigned char *)rec->buf + sizeof(struct gw_rec_file);
	it->end = (const unsigned char *)rec->buf + rec->len;
}

int recording__next(struct gw_rec_iter *it, const struct gw_rec_hdr **hdr,
		    const void **payload)
{
	const struct gw_rec_hdr *h = (const void *)it->p;
	size_t left = (size_t)(it->end - it->p);

	if (!left)
		return 0;
	if (left < sizeof(*h) || REC_ALIGN((size_t)h->len) > left - sizeof(*h)) {
		it->p = it->end;
		return -EBADMSG;
	}
	*hdr = h;
	*payload = h + 1;
	it->p += sizeof(*h) + REC_ALIGN((size_t)h->len);
	return 1;
}

bool recording__same_boot(const struct gw_recording *rec)
{
	char now[sizeof(rec->hdr.boot_id)];

	read_boot_id(now, sizeof(now));
	return now[0] && !strcmp(now, rec->hdr.boot_id);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Recordings (trace --record): what is written reads back the same and
 * correlates the same; which existing paths are overwritten or refused;
 * truncated and foreign files; a write error is reported, not hidden.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "correlate.h"
#include "events_fixture.h"
#include "record.h"

#define T0 1000000000ULL

struct tr {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct tr *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/gwtrace-test-rec.XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/rec", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tr *t = *state;
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd))
		return -1;
	free(t);
	return 0;
}

static __u64 mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A forwarded packet (11 events), a tick, an odd-sized record. */
static size_t write_sample(const char *path, struct gw_event *ev)
{
	struct gw_tuple tu = fx_tuple("10.1.0.2", "172.16.9.9", IPPROTO_UDP, 1234, 53);
	struct gw_recorder *r;
	size_t n = fx_forward_path(ev, 7, T0, &tu), size;
	struct gw_chunk c;
	int err = 0;

	r = recorder__open(path, &err);
	assert_non_null(r);
	/* As the kernel sends them: the first three steps (the record
	 * filled), then the rest with the life's end. */
	size = fx_chunk(&c, ev, 3, 0, 0);
	recorder__event(r, &c, size);
	size = fx_chunk(&c, ev + 3, n - 3, 1, GW_CHF_END);
	recorder__event(r, &c, size);
	recorder__tick(r, T0 + 5000000000ULL);
	recorder__event(r, "short", 5);
	assert_int_equal(recorder__close(r), 0);
	return n;
}

static void test_round_trip(void **state)
{
	struct tr *t = *state;
	struct gw_event ev[16];
	struct gw_recording rec;
	struct gw_rec_iter it;
	const struct gw_rec_hdr *h;
	const void *pl;
	__u64 before = mono_now();
	size_t n = write_sample(t->path, ev), i, k;
	struct stat st;

	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(recording__load(t->path, &rec), 0);
	assert_int_equal(rec.hdr.version, GW_REC_VERSION);
	assert_int_equal(rec.hdr.event_size, sizeof(struct gw_event));
	assert_true(rec.hdr.mono_ns >= before && rec.hdr.mono_ns <= mono_now());
	assert_true(rec.hdr.real_ns > 1600000000ULL * 1000000000ULL);
	assert_true(recording__same_boot(&rec));

	recording__iter(&rec, &it);
	for (i = 0; i < n; i += k) {
		const struct gw_chunk *c;

		k = i ? n - 3 : 3;
		assert_int_equal(recording__next(&it, &h, &pl), 1);
		assert_int_equal(h->type, GW_REC_EVENT);
		assert_int_equal(h->len, sizeof(struct gw_chunk_hdr) + k * sizeof(struct gw_event));
		/* Usable in place as a struct gw_chunk. */
		assert_int_equal((uintptr_t)pl % 8, 0);
		c = pl;
		assert_int_equal(c->hdr.n_steps, k);
		assert_memory_equal(c->steps, &ev[i], k * sizeof(ev[i]));
	}
	assert_int_equal(recording__next(&it, &h, &pl), 1);
	assert_int_equal(h->type, GW_REC_TICK);
	assert_int_equal(h->len, 8);
	assert_true(*(const __u64 *)pl == T0 + 5000000000ULL);
	assert_int_equal(recording__next(&it, &h, &pl), 1);
	assert_int_equal(h->type, GW_REC_EVENT);
	assert_int_equal(h->len, 5);
	assert_memory_equal(pl, "short", 5);
	assert_int_equal(recording__next(&it, &h, &pl), 0);
	assert_int_equal(recording__next(&it, &h, &pl), 0);
	recording__free(&rec);
}

/* Replayed events correlate to the packet the live events made. */
static void test_replay_correlates(void **state)
{
	struct tr *t = *state;
	struct fx_names_ctx nc = { 0 };
	struct gw_names names = fx_names(&nc);
	struct gw_corr_opts co = { .names = &names };
	struct fx_sink *sink = calloc(1, sizeof(*sink));
	struct gw_event ev[16];
	struct gw_recording rec;
	struct gw_rec_iter it;
	const struct gw_rec_hdr *h;
	const void *pl;
	struct gw_corr *c;
	size_t n = write_sample(t->path, ev);

	assert_non_null(sink);
	c = corr__new(&co, fx_collect, sink);
	assert_non_null(c);
	assert_int_equal(recording__load(t->path, &rec), 0);
	recording__iter(&rec, &it);
	while (recording__next(&it, &h, &pl) == 1) {
		if (h->type == GW_REC_EVENT && h->len > 5)
			assert_int_equal(corr__push_record(c, pl, h->len), 0);
		else if (h->type == GW_REC_EVENT)	/* the short one */
			assert_int_equal(corr__push_record(c, pl, h->len), -EBADMSG);
		else if (h->type == GW_REC_TICK)
			corr__expire(c, *(const __u64 *)pl);
	}
	corr__flush(c);
	assert_int_equal(sink->n, 1);
	assert_int_equal(sink->pkts[0].n_steps, n);
	assert_true(sink->pkts[0].complete);
	assert_int_equal(sink->pkts[0].outcome, GW_OUT_FORWARDED);
	corr__free(c);
	recording__free(&rec);
	fx_sink_free(sink);
	free(sink);
}

static void write_file(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static int try_open(const char *path)
{
	struct gw_recorder *r;
	int err = 0;

	r = recorder__open(path, &err);
	if (!r)
		return err;
	assert_int_equal(recorder__close(r), 0);
	return 0;
}

static void test_existing_paths(void **state)
{
	struct tr *t = *state;
	char other[160], lnk[160];
	struct stat st;

	/* A regular file: overwritten and made private. */
	write_file(t->path, "old contents that are longer than a header.........."
		   "......................................", 0644);
	assert_int_equal(try_open(t->path), 0);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, sizeof(struct gw_rec_file));

	/* A symbolic link: refused, its target untouched. */
	snprintf(other, sizeof(other), "%s/other", t->dir);
	snprintf(lnk, sizeof(lnk), "%s/link", t->dir);
	write_file(other, "keep", 0644);
	assert_int_equal(symlink(other, lnk), 0);
	assert_int_equal(try_open(lnk), -ELOOP);
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(st.st_size, 4);
	/* A dangling one too: it would create a file elsewhere. */
	assert_int_equal(unlink(other), 0);
	assert_int_equal(try_open(lnk), -ELOOP);
	assert_int_equal(access(other, F_OK), -1);

	/* A file with another hard link: refused. */
	write_file(other, "keep", 0644);
	assert_int_equal(unlink(lnk), 0);
	assert_int_equal(link(other, lnk), 0);
	assert_int_equal(try_open(lnk), -EMLINK);
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(st.st_size, 4);

	/* A FIFO without a reader: refused at once, never blocks. */
	snprintf(other, sizeof(other), "%s/fifo", t->dir);
	assert_int_equal(mkfifo(other, 0600), 0);
	assert_int_equal(try_open(other), -EINVAL);
	/* A directory, a device, a missing directory. */
	assert_int_equal(try_open(t->dir), -EINVAL);
	assert_int_equal(try_open("/dev/null"), -EINVAL);
	snprintf(other, sizeof(other), "%s/no/such", t->dir);
	assert_int_equal(try_open(other), -ENOENT);
}

static void test_truncated_and_foreign(void **state)
{
	struct tr *t = *state;
	struct gw_event ev[16];
	struct gw_recording rec, cut;
	struct gw_rec_iter it;
	const struct gw_rec_hdr *h;
	const void *pl;
	size_t n = write_sample(t->path, ev), len, good;
	struct gw_rec_file *fh;
	int rc;

	assert_int_equal(recording__load(t->path, &rec), 0);
	/* Cut anywhere inside the records: the complete ones read back, then
	 * -EBADMSG (or a clean end exactly at a record boundary). */
	for (len = sizeof(struct gw_rec_file); len < rec.len; len += 4) {
		assert_int_equal(recording__parse(rec.buf, len, &cut), 0);
		recording__iter(&cut, &it);
		good = 0;
		while ((rc = recording__next(&it, &h, &pl)) == 1)
			good++;
		assert_true(good <= n + 2);
		assert_true(rc == 0 || rc == -EBADMSG);
		assert_int_equal(recording__next(&it, &h, &pl), 0);
	}

	fh = rec.buf;
	assert_int_equal(recording__parse(rec.buf, sizeof(*fh) - 1, &cut), -EPROTO);
	fh->event_size++;
	assert_int_equal(recording__parse(rec.buf, rec.len, &cut), -EPROTO);
	fh->event_size--;
	fh->version = __builtin_bswap32(GW_REC_VERSION); /* other byte order */
	assert_int_equal(recording__parse(rec.buf, rec.len, &cut), -EPROTO);
	fh->version = GW_REC_VERSION;
	fh->magic[0] = 'X';
	assert_int_equal(recording__parse(rec.buf, rec.len, &cut), -EPROTO);
	recording__free(&rec);

	/* Not a recording at all; no file. */
	write_file(t->path, "{\"type\":\"packet\"}\n", 0600);
	assert_int_equal(recording__load(t->path, &rec), -EPROTO);
	assert_int_equal(unlink(t->path), 0);
	assert_int_equal(recording__load(t->path, &rec), -ENOENT);
}

/* A full disk, as a file size limit: reported, counted, non-zero. */
static void test_write_error(void **state)
{
	struct tr *t = *state;
	struct gw_tuple tu = fx_tuple("10.1.0.2", "172.16.9.9", IPPROTO_UDP, 1, 2);
	struct gw_event ev = fx_rx(1, T0, "veth0", &tu);
	struct rlimit old, lim;
	struct gw_recording rec;
	struct gw_recorder *r;
	struct gw_rec_iter it;
	const struct gw_rec_hdr *h;
	const void *pl;
	size_t i, good = 0;
	int err = 0, rc;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 64 * 1024;
	signal(SIGXFSZ, SIG_IGN);
	r = recorder__open(t->path, &err);
	assert_non_null(r);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	/* 2 MB of events: the buffer (1 MB) fills and its write fails. */
	for (i = 0; i < 10000; i++) {
		ev.ts_ns = T0 + i;
		recorder__event(r, &ev, sizeof(ev));
	}
	recorder__tick(r, T0 + 10000000000ULL);
	assert_int_equal(recorder__close(r), -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);

	/* What made it to disk is a readable, truncated recording. */
	assert_int_equal(recording__load(t->path, &rec), 0);
	assert_int_equal(rec.len, 64 * 1024);
	recording__iter(&rec, &it);
	while ((rc = recording__next(&it, &h, &pl)) == 1)
		good++;
	assert_int_equal(rc, -EBADMSG);
	assert_int_equal(good, (64 * 1024 - sizeof(struct gw_rec_file)) /
			       (sizeof(struct gw_rec_hdr) + sizeof(ev)));
	recording__free(&rec);

	/* NULL recorder: no-ops. */
	recorder__event(NULL, &ev, sizeof(ev));
	recorder__tick(NULL, T0);
	assert_int_equal(recorder__close(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_correlates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_and_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

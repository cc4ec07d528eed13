// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * netns inode -> path/fd map. Namespaces have no by-inode lookup in the
 * kernel, so we look where they are reachable from: "ip netns" bind
 * mounts and every process's /proc/<pid>/ns/net.
 *
 * An open netns fd keeps the namespace alive. Cached fds are therefore
 * re-checked against their path every few seconds and dropped once the
 * namespace is no longer reachable any other way: gwtrace must not keep
 * a deleted gateway namespace (and its devices) around.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>
#include "log.h"
#include "netns.h"

#define RESCAN_MIN_NS	(200ULL * 1000 * 1000)
#define RECHECK_NS	(5ULL * 1000 * 1000 * 1000)

struct ns_entry {
	__u32 inum;
	int fd;			/* -1 until someone asks for it */
	char *path;		/* how to reach it again */
	char *name;		/* "ip netns" name, or NULL */
	__u64 checked_ns;	/* when path was last seen to lead here */
};

struct netns_map {
	struct ns_entry *ents;	/* sorted by inum */
	size_t cnt, cap;
	__u64 last_scan_ns;
	dev_t nsfs_dev;		/* st_dev of namespace files */
	bool scanned;
};

static const char *const netns_dirs[] = { "/run/netns", "/var/run/netns" };

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void entry_clear(struct ns_entry *e)
{
	if (e->fd >= 0)
		close(e->fd);
	free(e->path);
	free(e->name);
}

struct netns_map *netns__new(void)
{
	struct netns_map *m = calloc(1, sizeof(*m));
	struct stat st;

	if (!m)
		return NULL;
	/* Only files on nsfs are namespaces: /run/netns may hold leftovers. */
	if (!stat("/proc/self/ns/net", &st))
		m->nsfs_dev = st.st_dev;
	return m;
}

void netns__free(struct netns_map *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->cnt; i++)
		entry_clear(&m->ents[i]);
	free(m->ents);
	free(m);
}

static struct ns_entry *find(struct ns_entry *ents, size_t cnt, __u32 inum)
{
	size_t lo = 0, hi = cnt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ents[mid].inum == inum)
			return &ents[mid];
		if (ents[mid].inum < inum)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A scan in progress: unsorted, duplicates skipped as they come. */
struct scan {
	struct ns_entry *ents;
	size_t cnt, cap;
	dev_t dev;
	__u64 now;
	int err;
};

static bool scan_has(const struct scan *s, __u32 inum)
{
	size_t i;

	for (i = 0; i < s->cnt; i++)
		if (s->ents[i].inum == inum)
			return true;
	return false;
}

static void scan_add(struct scan *s, const char *path, const char *name)
{
	struct ns_entry *e, *tmp;
	struct stat st;

	if (s->err || stat(path, &st) || st.st_dev != s->dev ||
	    scan_has(s, st.st_ino))
		return;
	if (s->cnt == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;

		tmp = realloc(s->ents, cap * sizeof(*tmp));
		if (!tmp) {
			s->err = -ENOMEM;
			return;
		}
		s->ents = tmp;
		s->cap = cap;
	}
	e = &s->ents[s->cnt];
	*e = (struct ns_entry){ .inum = st.st_ino, .fd = -1, .checked_ns = s->now };
	e->path = strdup(path);
	e->name = name ? strdup(name) : NULL;
	if (!e->path || (name && !e->name)) {
		entry_clear(e);
		s->err = -ENOMEM;
		return;
	}
	s->cnt++;
}

static void scan_netns_dir(struct scan *s, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		scan_add(s, path, de->d_name);
	}
	closedir(d);
}

static void scan_procs(struct scan *s)
{
	char path[64];
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/ns/net", de->d_name);
		scan_add(s, path, NULL);
	}
	closedir(d);
}

static int cmp_inum(const void *a, const void *b)
{
	const struct ns_entry *x = a, *y = b;

	return x->inum < y->inum ? -1 : x->inum > y->inum;
}

/* Rebuild the map; fds of namespaces still reachable carry over. */
static int netns__rescan(struct netns_map *m)
{
	struct scan s = { .dev = m->nsfs_dev, .now = now_ns() };
	struct ns_entry *old, *e;
	size_t i;

	m->last_scan_ns = s.now;
	m->scanned = true;
	/* Named ones first: they give the display name and a stable path. */
	for (i = 0; i < sizeof(netns_dirs) / sizeof(netns_dirs[0]); i++)
		scan_netns_dir(&s, netns_dirs[i]);
	scan_add(&s, "/proc/1/ns/net", NULL);	/* init netns */
	scan_procs(&s);
	if (s.err) {
		for (i = 0; i < s.cnt; i++)
			entry_clear(&s.ents[i]);
		free(s.ents);
		return s.err;
	}
	if (s.cnt)
		qsort(s.ents, s.cnt, sizeof(*s.ents), cmp_inum);
	for (i = 0; i < m->cnt; i++) {
		old = &m->ents[i];
		e = find(s.ents, s.cnt, old->inum);

		if (e && old->fd >= 0) {
			e->fd = old->fd;
			old->fd = -1;
		}
		entry_clear(old);
	}
	free(m->ents);
	m->ents = s.ents;
	m->cnt = s.cnt;
	m->cap = s.cap;
	pr_debug("netns: %zu namespaces visible", m->cnt);
	return 0;
}

/* Does e->path still lead to e->inum? Drop the entry's fd if not. */
static bool entry_valid(struct netns_map *m, struct ns_entry *e, __u64 now)
{
	struct stat st;

	if (now - e->checked_ns < RECHECK_NS)
		return true;
	if (stat(e->path, &st) || st.st_ino != e->inum || st.st_dev != m->nsfs_dev) {
		if (e->fd >= 0)
			close(e->fd);
		e->fd = -1;
		return false;
	}
	e->checked_ns = now;
	return true;
}

static struct ns_entry *netns__lookup(struct netns_map *m, __u32 inum)
{
	__u64 now = now_ns();
	struct ns_entry *e;

	if (!m || !inum)
		return NULL;
	e = find(m->ents, m->cnt, inum);
	if (e && entry_valid(m, e, now))
		return e;
	/* Miss or stale: rescan, but not on every event of an unknown netns. */
	if (m->scanned && now - m->last_scan_ns < RESCAN_MIN_NS)
		return NULL;
	if (netns__rescan(m))
		return NULL;
	return find(m->ents, m->cnt, inum);
}

int netns__fd(struct netns_map *m, __u32 inum)
{
	struct ns_entry *e = netns__lookup(m, inum);
	struct stat st;

	if (!e)
		return -1;
	if (e->fd >= 0)
		return e->fd;
	e->fd = open(e->path, O_RDONLY | O_CLOEXEC);
	if (e->fd < 0)
		return -1;
	/* The pid behind the path may have exited and been reused since. */
	if (fstat(e->fd, &st) || st.st_ino != inum || st.st_dev != m->nsfs_dev) {
		close(e->fd);
		e->fd = -1;
		return -1;
	}
	return e->fd;
}

int netns__list(struct netns_map *m, __u32 *inums, size_t max)
{
	int err;

	if (!m->scanned || now_ns() - m->last_scan_ns >= RESCAN_MIN_NS) {
		err = netns__rescan(m);
		if (err)
			return err;
	}
	for (size_t i = 0; i < m->cnt && i < max; i++)
		inums[i] = m->ents[i].inum;
	return m->cnt > INT_MAX ? INT_MAX : (int)m->cnt;
}

const char *netns__name(struct netns_map *m, __u32 inum)
{
	struct ns_entry *e = netns__lookup(m, inum);

	return e ? e->name : NULL;
}

static int resolve_path(const char *arg, char *path, size_t len)
{
	const char *p;
	size_t i;

	if (!arg || !*arg)
		return -EINVAL;
	if (!strncmp(arg, "pid:", 4)) {
		for (p = arg + 4; isdigit((unsigned char)*p); p++)
			;
		if (p == arg + 4 || *p || p - arg > 24)
			return -EINVAL;
		snprintf(path, len, "/proc/%s/ns/net", arg + 4);
		return 0;
	}
	if (arg[0] == '/') {
		snprintf(path, len, "%s", arg);
		return 0;
	}
	if (strchr(arg, '/') || !strcmp(arg, ".") || !strcmp(arg, ".."))
		return -EINVAL;
	for (i = 0; i < sizeof(netns_dirs) / sizeof(netns_dirs[0]); i++) {
		snprintf(path, len, "%s/%s", netns_dirs[i], arg);
		if (!access(path, F_OK))
			return 0;
	}
	return -ENOENT;
}

int netns__inode_of(const char *name_or_path, __u32 *inum)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, type, err;

	err = resolve_path(name_or_path, path, sizeof(path));
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A regular file (an unmounted /run/netns leftover) is no netns. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET || fstat(fd, &st)) {
		err = type < 0 && errno != ENOTTY && errno != EINVAL ? -errno : -EINVAL;
		close(fd);
		return err;
	}
	close(fd);
	*inum = st.st_ino;
	return 0;
}

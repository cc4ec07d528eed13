// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "gwtrace.h"
#include "log.h"
#include "nflink.h"
#include "nfnetns.h"

#define NFNS_LINKS (2 * GW_NF_NUMHOOKS * 2)	/* families x hooks x first/last */

struct nfns {
	__u32 inum;
	bool seen;
	bool v6;
	int n;
	int fds[NFNS_LINKS];
};

struct nfns_set {
	int prog_first, prog_last;	/* prog_first < 0: not attached */
	unsigned int hooks;		/* bit per NF_INET_* hook */
	__u32 only;
	int self_fd;			/* our own netns, to return to */
	struct nfns *v;
	size_t n, cap;
	int prio_first, prio_last;	/* widest used, for display */
	bool warned;
	size_t denied;			/* paths refused in the last scan */
};

struct nfns_set *nfns__new(int prog_first_fd, int prog_last_fd, __u32 only_inum,
			   unsigned int hooks)
{
	struct nfns_set *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->prog_first = prog_first_fd;
	s->prog_last = prog_last_fd;
	s->only = only_inum;
	s->hooks = hooks;
	s->prio_first = INT_MIN;
	s->prio_last = INT_MAX;
	s->self_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (s->self_fd < 0) {
		free(s);
		return NULL;
	}
	return s;
}

static void ns_detach(struct nfns *ns)
{
	for (int i = 0; i < ns->n; i++)
		close(ns->fds[i]);
	ns->n = 0;
}

/* Attaches first/last programs at every hook of one family, in the
 * namespace the process is in now. */
static int attach_family(struct nfns_set *s, struct nfns *ns, int pf)
{
	for (int hook = 0; hook < GW_NF_NUMHOOKS; hook++) {
		/* INT_MIN / INT_MAX are refused: start one inside. */
		int pfirst = INT_MIN + 1, plast = INT_MAX - 1, fd;

		if (!(s->hooks & 1u << hook))
			continue;
		if (s->prog_first >= 0) {
			fd = nflink__attach(s->prog_first, pf, hook, &pfirst, 1);
			if (fd < 0)
				return fd;
			ns->fds[ns->n++] = fd;
		}
		fd = nflink__attach(s->prog_last, pf, hook, &plast, -1);
		if (fd < 0)
			return fd;
		ns->fds[ns->n++] = fd;
		s->prio_first = pfirst > s->prio_first ? pfirst : s->prio_first;
		s->prio_last = plast < s->prio_last ? plast : s->prio_last;
	}
	return 0;
}

static int ns_attach(struct nfns_set *s, struct nfns *ns, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET)) {
		err = -errno;
		close(fd);
		return err;
	}
	close(fd);
	err = attach_family(s, ns, GW_NFPROTO_IPV4);
	/* IPv6 may be disabled in a namespace: IPv4 alone still serves. */
	if (!err && !attach_family(s, ns, GW_NFPROTO_IPV6))
		ns->v6 = true;
	if (setns(s->self_fd, CLONE_NEWNET)) {
		pr_err("cannot return to gwtrace's own network namespace: %s",
		       strerror(errno));
		abort();	/* every later netlink call would be wrong */
	}
	if (err)
		ns_detach(ns);
	return err;
}

static struct nfns *find(struct nfns_set *s, __u32 inum)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].inum == inum)
			return &s->v[i];
	return NULL;
}

static void consider(struct nfns_set *s, const char *path)
{
	struct stat st;
	struct nfns *ns;
	int err;

	if (stat(path, &st)) {
		/* A process's namespace needs ptrace access to that process
		 * (CAP_SYS_PTRACE, or the sandbox's init): counted, shown in
		 * the probe's detail, since its namespace may be one we have. */
		if (errno == EACCES || errno == EPERM) {
			s->denied++;
			pr_debug("nf:hook: cannot open %s: %s", path, strerror(errno));
		}
		return;
	}
	if (s->only && st.st_ino != s->only)
		return;
	ns = find(s, st.st_ino);
	if (ns) {
		ns->seen = true;
		return;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct nfns *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return;
		s->v = v;
		s->cap = cap;
	}
	ns = &s->v[s->n];
	memset(ns, 0, sizeof(*ns));
	ns->inum = st.st_ino;
	err = ns_attach(s, ns, path);
	if (err) {
		if (!s->warned)
			pr_warn("nf:hook: cannot attach in network namespace %s: %s",
				path, strerror(-err));
		s->warned = true;
		return;
	}
	ns->seen = true;
	s->n++;
	pr_debug("nf:hook: attached in netns %u (%s)", ns->inum, path);
}

static void scan_dir(struct nfns_set *s, const char *dir, const char *suffix,
		     bool digits_only)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    (digits_only && (de->d_name[0] < '0' || de->d_name[0] > '9')))
			continue;
		snprintf(path, sizeof(path), "%s/%s%s", dir, de->d_name, suffix);
		consider(s, path);
	}
	closedir(d);
}

int nfns__refresh(struct nfns_set *s)
{
	size_t keep = 0;

	for (size_t i = 0; i < s->n; i++)
		s->v[i].seen = false;
	s->denied = 0;
	consider(s, "/proc/self/ns/net");
	scan_dir(s, "/run/netns", "", false);
	scan_dir(s, "/proc", "/ns/net", true);
	for (size_t i = 0; i < s->n; i++) {
		if (!s->v[i].seen) {
			pr_debug("nf:hook: netns %u is gone, detaching", s->v[i].inum);
			ns_detach(&s->v[i]);
			continue;
		}
		s->v[keep++] = s->v[i];
	}
	s->n = keep;
	return s->n ? (int)s->n : -ENOENT;
}

void nfns__free(struct nfns_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		ns_detach(&s->v[i]);
	close(s->self_fd);
	free(s->v);
	free(s);
}

size_t nfns__count(const struct nfns_set *s)
{
	return s ? s->n : 0;
}

const char *nfns__describe(const struct nfns_set *s, char *buf, size_t len)
{
	bool v6 = s->n > 0;
	char prio[64];

	for (size_t i = 0; i < s->n; i++)
		v6 = v6 && s->v[i].v6;
	if (s->prog_first >= 0)
		snprintf(prio, sizeof(prio), "%d (first) / %d (last)",
			 s->prio_first, s->prio_last);
	else
		snprintf(prio, sizeof(prio), "%d (last)", s->prio_last);
	snprintf(buf, len, "netfilter links: %s, %d hooks, %zu network namespace%s "
		 "(rescanned every second), priorities %s%s",
		 v6 ? "ipv4+ipv6" : "ipv4", __builtin_popcount(s->hooks), s->n,
		 s->n == 1 ? "" : "s", prio,
		 s->denied ? "; some /proc/PID/ns/net not accessible (CAP_SYS_PTRACE)" : "");
	return buf;
}

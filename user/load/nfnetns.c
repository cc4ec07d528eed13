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
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "gwtrace.h"
#include "log.h"
#include "nflink.h"
#include "nfnetns.h"

#define NFNS_FAMILIES 2	/* IPv4, IPv6: gw_nf_census's order */

static const int family_pf[NFNS_FAMILIES] = { GW_NFPROTO_IPV4, GW_NFPROTO_IPV6 };

/*
 * Where a link is worth its cost. A hook with no entry costs a packet
 * nothing (nf_hook() sees an empty list); one link there makes every
 * packet run nf_hook_slow and a program. So, with a census, links go only
 * where the namespace has something that can judge or rewrite a packet --
 * another entry at that hook (a table, conntrack, NAT) or any xfrm policy
 * (IPsec: tracepoint mode sees encryption only through the hooks) -- plus
 * the few every namespace needs, entries or not: leaving INPUT is
 * "delivered" and leaving FORWARD "forwarded" (tracepoint mode has no other
 * sign of either; both also mark a packet waiting on its way out,
 * gw_step_holds), and entering LOCAL_OUT hands a locally made packet the
 * output route looked up before it existed (route.bpf.h). That is also
 * what fentry/kprobe see: nf_hook_slow runs only where hooks are.
 */
#define ALWAYS_FIRST	(1u << GW_NF_LOCAL_OUT)
#define ALWAYS_LAST	((1u << GW_NF_LOCAL_IN) | (1u << GW_NF_FORWARD))

enum { LINK_FIRST, LINK_LAST, LINK_KINDS };

#define NFNS_LINKS (NFNS_FAMILIES * GW_NF_NUMHOOKS * LINK_KINDS)

struct nfns {
	__u32 inum;
	bool seen;
	bool v6;
	int fds[NFNS_LINKS];	/* by ns_fd(); -1: none */
};

/* The slot of one link: family f, hook h, first or last. */
static int *ns_fd(struct nfns *ns, int f, int h, int kind)
{
	return &ns->fds[(f * GW_NF_NUMHOOKS + h) * LINK_KINDS + kind];
}

struct nfns_set {
	int prog_first, prog_last;	/* prog_first < 0: not attached */
	int census_fd;			/* < 0: link every hook of `hooks` */
	volatile struct gw_nf_census *census;	/* where it writes */
	unsigned int hooks;		/* bit per NF_INET_* hook */
	__u32 only;
	int self_fd;			/* our own netns, to return to */
	struct nfns *v;
	size_t n, cap;
	int prio_first, prio_last;	/* widest used, for display */
	bool warned, census_warned;
	size_t denied;			/* paths refused in the last scan */
};

struct nfns_set *nfns__new(int prog_first_fd, int prog_last_fd, __u32 only_inum,
			   unsigned int hooks, int census_fd,
			   volatile struct gw_nf_census *census)
{
	struct nfns_set *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->prog_first = prog_first_fd;
	s->prog_last = prog_last_fd;
	s->census_fd = census ? census_fd : -1;
	s->census = census;
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

static void ns_init(struct nfns *ns, __u32 inum)
{
	memset(ns, 0, sizeof(*ns));
	ns->inum = inum;
	for (int i = 0; i < NFNS_LINKS; i++)
		ns->fds[i] = -1;
}

static void ns_detach(struct nfns *ns)
{
	for (int i = 0; i < NFNS_LINKS; i++) {
		if (ns->fds[i] >= 0)
			close(ns->fds[i]);
		ns->fds[i] = -1;
	}
}

/* The census of the namespace we are in now; false if it cannot be
 * taken (then every hook gets its links, as without one). */
static bool census_take(struct nfns_set *s, struct gw_nf_census *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);
	int err;

	memset((void *)s->census, 0, sizeof(*s->census));
	err = bpf_prog_test_run_opts(s->census_fd, &o);
	if (err || !s->census->done) {
		if (!s->census_warned)
			pr_warn("nf:hook: cannot read the namespaces' hooks (%s): "
				"linking every hook", err ? strerror(-err) : "no result");
		s->census_warned = true;
		return false;
	}
	memcpy(out, (const void *)s->census, sizeof(*out));
	return true;
}

static bool link_wanted(struct nfns *ns, const struct gw_nf_census *c,
			int f, int h, int kind)
{
	int ours = 0, others;

	if (kind == LINK_FIRST ? ALWAYS_FIRST & 1u << h : ALWAYS_LAST & 1u << h)
		return true;
	if (!c || c->xfrm_policies)
		return true;
	for (int k = 0; k < LINK_KINDS; k++)
		ours += *ns_fd(ns, f, h, k) >= 0;
	others = (int)c->hooks[f][h] - ours;
	return others > 0;
}

/* Adds the links the namespace we are in now wants (c NULL: every one)
 * for one family. */
static int attach_family(struct nfns_set *s, struct nfns *ns, int f,
			 const struct gw_nf_census *c)
{
	for (int hook = 0; hook < GW_NF_NUMHOOKS; hook++) {
		/* INT_MIN / INT_MAX are refused: start one inside. */
		int prio[LINK_KINDS] = { INT_MIN + 1, INT_MAX - 1 };
		int prog[LINK_KINDS] = { s->prog_first, s->prog_last };
		bool want[LINK_KINDS];

		if (!(s->hooks & 1u << hook))
			continue;
		/* Decided before either is added: ours do not count. */
		for (int k = 0; k < LINK_KINDS; k++)
			want[k] = prog[k] >= 0 && *ns_fd(ns, f, hook, k) < 0 &&
				link_wanted(ns, c, f, hook, k);
		for (int k = 0; k < LINK_KINDS; k++) {
			int fd;

			if (!want[k])
				continue;
			fd = nflink__attach(prog[k], family_pf[f], hook, &prio[k],
					    k == LINK_FIRST ? 1 : -1);
			if (fd < 0)
				return fd;
			*ns_fd(ns, f, hook, k) = fd;
		}
		s->prio_first = prio[LINK_FIRST] > s->prio_first ? prio[LINK_FIRST] : s->prio_first;
		s->prio_last = prio[LINK_LAST] < s->prio_last ? prio[LINK_LAST] : s->prio_last;
	}
	return 0;
}

/* Enters the namespace at path, takes its census and adds the links it
 * wants; first: a namespace new to us (an IPv4 failure is its failure). */
static int ns_attach(struct nfns_set *s, struct nfns *ns, const char *path, bool first)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	struct gw_nf_census census, *c = NULL;

	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET)) {
		err = -errno;
		close(fd);
		return err;
	}
	close(fd);
	if (s->census_fd >= 0 && census_take(s, &census))
		c = &census;
	err = attach_family(s, ns, 0, c);
	/* IPv6 may be disabled in a namespace: IPv4 alone still serves. */
	if (!err && (first || ns->v6))
		ns->v6 = !attach_family(s, ns, 1, c);
	if (setns(s->self_fd, CLONE_NEWNET)) {
		pr_err("cannot return to gwtrace's own network namespace: %s",
		       strerror(errno));
		abort();	/* every later netlink call would be wrong */
	}
	if (err && first)
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
		/* Once per scan: rules added since the last one get links. */
		if (!ns->seen && s->census_fd >= 0 &&
		    ns_attach(s, ns, path, false) && !s->warned) {
			pr_warn("nf:hook: cannot add links in network namespace %s", path);
			s->warned = true;
		}
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
	ns_init(ns, st.st_ino);
	err = ns_attach(s, ns, path, true);
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
	size_t links = 0;
	char prio[64];

	for (size_t i = 0; i < s->n; i++) {
		v6 = v6 && s->v[i].v6;
		for (int l = 0; l < NFNS_LINKS; l++)
			links += s->v[i].fds[l] >= 0;
	}
	if (s->prog_first >= 0)
		snprintf(prio, sizeof(prio), "%d (first) / %d (last)",
			 s->prio_first, s->prio_last);
	else
		snprintf(prio, sizeof(prio), "%d (last)", s->prio_last);
	snprintf(buf, len, "netfilter links: %s, %d hooks, %zu network namespace%s "
		 "(rescanned every second), %zu link%s%s, priorities %s%s",
		 v6 ? "ipv4+ipv6" : "ipv4", __builtin_popcount(s->hooks), s->n,
		 s->n == 1 ? "" : "s", links, links == 1 ? "" : "s",
		 s->census_fd >= 0 && !s->census_warned ?
		 " (hooks with rules or xfrm policies; elsewhere INPUT and "
		 "FORWARD exits, OUTPUT entry)" : "",
		 prio,
		 s->denied ? "; some /proc/PID/ns/net not accessible (CAP_SYS_PTRACE)" : "");
	return buf;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /proc/net/xfrm_stat snapshots and deltas.
 *
 * The file is "Name<spaces/tab>value" per line (net/xfrm/xfrm_proc.c,
 * "%-24s\t%lu"). The counter set grows with the kernel (the *DirError
 * ones came in 6.10, IP-TFS ones in 6.14), so names are read from the
 * file, never assumed: an unknown counter is still diffed and printed,
 * only without an explanation.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "json_writer.h"
#include "log.h"
#include "xfrm_stat.h"

#define PROC_XFRM_STAT "/proc/net/xfrm_stat"

/* Documentation/networking/xfrm/xfrm_proc.rst, said for a gateway. */
static const struct {
	const char *name;
	const char *meaning;
} meanings[] = {
	{ "XfrmInError", "other inbound xfrm error" },
	{ "XfrmInBufferError", "inbound: no memory, or too many nested transforms" },
	{ "XfrmInHdrError", "ESP/AH header could not be parsed (truncated or malformed packet)" },
	{ "XfrmInNoStates", "no SA for the SPI (SA missing or expired on this side)" },
	{ "XfrmInStateProtoError", "decryption/ICV failed (wrong key?)" },
	{ "XfrmInStateModeError", "decapsulation failed (tunnel/transport mode mismatch?)" },
	{ "XfrmInStateSeqError",
	  "replay window: sequence number replayed or too old (reordering beyond the window?)" },
	{ "XfrmInStateExpired", "SA hard lifetime reached" },
	{ "XfrmInStateMismatch", "SA selector or encapsulation mismatch" },
	{ "XfrmInStateInvalid", "SA found but no longer valid (being deleted or expired)" },
	{ "XfrmInTmplMismatch", "packet did not match the policy template" },
	{ "XfrmInNoPols", "no inbound policy" },
	{ "XfrmInPolBlock", "inbound/forward policy blocks" },
	{ "XfrmInPolError", "inbound policy lookup error" },
	{ "XfrmOutError", "other outbound xfrm error" },
	{ "XfrmOutBundleGenError", "could not build the output bundle (no route to the peer?)" },
	{ "XfrmOutBundleCheckError", "cached output bundle no longer valid" },
	{ "XfrmOutNoStates", "policy has no SA (IKE not done? -> ACQUIRE)" },
	{ "XfrmOutStateProtoError", "encryption failed" },
	{ "XfrmOutStateModeError", "encapsulation failed" },
	{ "XfrmOutStateSeqError", "outbound sequence number overflow (rekey overdue; ESN off?)" },
	{ "XfrmOutStateExpired", "SA hard lifetime reached on output" },
	{ "XfrmOutPolBlock", "outbound policy blocks" },
	{ "XfrmOutPolDead", "policy deleted while in use" },
	{ "XfrmOutPolError", "outbound policy error (template could not be resolved?)" },
	{ "XfrmFwdHdrError", "forwarded packet could not be decoded for the policy lookup" },
	{ "XfrmOutStateInvalid", "SA no longer valid on output (being deleted or expired)" },
	{ "XfrmAcquireError", "SA still being negotiated (larval: IKE not done)" },
	{ "XfrmOutStateDirError", "outbound packet matched an SA marked dir in" },
	{ "XfrmInStateDirError", "inbound packet matched an SA marked dir out" },
	{ "XfrmInIptfsError", "IP-TFS inbound decode error" },
	{ "XfrmOutNoQueueSpace", "IP-TFS output queue full" },
};

const char *xfrm_stat__meaning(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
		if (!strcmp(meanings[i].name, name))
			return meanings[i].meaning;
	return NULL;
}

const char *xfrm_stat__known_name(unsigned int i)
{
	return i < sizeof(meanings) / sizeof(meanings[0]) ? meanings[i].name : NULL;
}

static struct xfrm_stat *stat_parse(FILE *f)
{
	struct xfrm_stat *s = calloc(1, sizeof(*s));
	char line[256], name[XFRM_STAT_NAME_LEN];
	unsigned long long v;

	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	while (s->n < XFRM_STAT_MAX && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %llu", name, &v) != 2)
			continue;
		strcpy(s->c[s->n].name, name);
		s->c[s->n].value = v;
		s->n++;
	}
	if (!s->n) {
		free(s);
		errno = EINVAL;
		return NULL;
	}
	return s;
}

static struct xfrm_stat *stat_from_fd(int fd)
{
	struct xfrm_stat *s;
	FILE *f = fdopen(fd, "r");
	int err;

	if (!f) {
		err = errno;
		close(fd);
		errno = err;
		return NULL;
	}
	s = stat_parse(f);
	err = errno;
	fclose(f);
	errno = err;
	return s;
}

struct xfrm_stat *xfrm_stat__read(const char *path)
{
	int fd = open(path ? path : PROC_XFRM_STAT, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	return stat_from_fd(fd);
}

struct ns_open {
	int netns_fd;
	int fd;		/* result */
	int err;
};

/*
 * Runs in its own thread: setns() moves only this thread, and it exits
 * right after, so no thread of ours is ever left in the other namespace.
 * The proc file stays bound to the netns it was opened in.
 */
static void *ns_open_thread(void *arg)
{
	struct ns_open *o = arg;

	if (setns(o->netns_fd, CLONE_NEWNET)) {
		o->err = errno;
		return NULL;
	}
	o->fd = open("/proc/thread-self/net/xfrm_stat", O_RDONLY | O_CLOEXEC);
	o->err = errno;
	return NULL;
}

struct xfrm_stat *xfrm_stat__read_netns(int netns_fd)
{
	struct ns_open o = { .netns_fd = netns_fd, .fd = -1 };
	pthread_t t;
	int err;

	if (netns_fd < 0)
		return xfrm_stat__read(NULL);
	err = pthread_create(&t, NULL, ns_open_thread, &o);
	if (err) {
		errno = err;
		return NULL;
	}
	pthread_join(t, NULL);
	if (o.fd < 0) {
		pr_debug("xfrm_stat: cannot open in netns: %s", strerror(o.err));
		errno = o.err;
		return NULL;
	}
	return stat_from_fd(o.fd);
}

void xfrm_stat__free(struct xfrm_stat *s)
{
	free(s);
}

int xfrm_stat__value(const struct xfrm_stat *s, const char *name, __u64 *v)
{
	unsigned int i;

	for (i = 0; s && i < s->n; i++) {
		if (!strcmp(s->c[i].name, name)) {
			*v = s->c[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

unsigned int xfrm_stat__delta(const struct xfrm_stat *before, const struct xfrm_stat *after,
			      struct xfrm_stat_delta *d)
{
	const struct xfrm_stat_counter *a;
	unsigned int i;
	__u64 old;

	d->n = 0;
	for (i = 0; after && i < after->n; i++) {
		a = &after->c[i];
		if (xfrm_stat__value(before, a->name, &old) || old > a->value)
			old = 0;
		if (a->value == old)
			continue;
		strcpy(d->c[d->n].name, a->name);
		d->c[d->n].value = a->value - old;
		d->n++;
	}
	return d->n;
}

void xfrm_stat__json(struct jw *w, const struct xfrm_stat_delta *d)
{
	unsigned int i;

	jw_start_object(w);
	for (i = 0; d && i < d->n; i++)
		if (d->c[i].value)
			jw_u64_field(w, d->c[i].name, d->c[i].value);
	jw_end_object(w);
}

void xfrm_stat__text(FILE *f, const struct xfrm_stat_delta *d)
{
	const char *m;
	unsigned int i;

	for (i = 0; d && i < d->n; i++) {
		if (!d->c[i].value)
			continue;
		m = xfrm_stat__meaning(d->c[i].name);
		if (m)
			fprintf(f, "%-24s +%-6llu %s\n", d->c[i].name,
				(unsigned long long)d->c[i].value, m);
		else
			fprintf(f, "%-24s +%llu\n", d->c[i].name,
				(unsigned long long)d->c[i].value);
	}
}

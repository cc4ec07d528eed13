/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A network namespace for the root-only cases of a test binary: made in
 * the group setup, deleted in the group teardown (also when configuring
 * it failed); a case that needs it skips, saying why, if it could not be
 * made. Include after <cmocka.h>. Header-only like sh_fixture.h.
 */
#ifndef GW_NS_FIXTURE_H
#define GW_NS_FIXTURE_H

#include <stdio.h>
#include <unistd.h>
#include "sh_fixture.h"

struct fx_ns {
	char name[64];		/* gwt-<tag>-<pid> */
	char path[128];		/* /run/netns/<name> */
	int state;		/* 0: none, 1: ready, 2: made, not configured */
	const char *skip;	/* why it is not ready */
};

/*
 * Names ns and adds it (root only: not_root is the skip reason otherwise).
 * Returns 0 if the caller should now configure it (its commands take the
 * name as %1$s) and report with fx_ns_configured().
 */
static inline int fx_ns_add(struct fx_ns *ns, const char *tag, const char *not_root)
{
	snprintf(ns->name, sizeof(ns->name), "gwt-%s-%d", tag, (int)getpid());
	snprintf(ns->path, sizeof(ns->path), "/run/netns/%s", ns->name);
	if (geteuid()) {
		ns->skip = not_root;
		return -1;
	}
	if (fx_sh("ip netns add %s", ns->name)) {
		ns->skip = "ip netns add failed";
		return -1;
	}
	ns->state = 2;	/* from here on the teardown must delete it */
	return 0;
}

/* rc: the configuration's status; why: the skip reason if it failed. */
static inline void fx_ns_configured(struct fx_ns *ns, int rc, const char *why)
{
	if (rc)
		ns->skip = why;
	else
		ns->state = 1;
}

static inline void fx_ns_del(const struct fx_ns *ns)
{
	if (ns->state && fx_sh("ip netns del %s", ns->name))
		fprintf(stderr, "warning: could not delete netns %s\n", ns->name);
}

/* In a case: skip unless the namespace is ready. */
static inline void fx_ns_need(const struct fx_ns *ns)
{
	if (ns->state != 1) {
		print_message("skip: %s\n", ns->skip ? ns->skip : "no test netns");
		skip();
	}
}

#endif /* GW_NS_FIXTURE_H */

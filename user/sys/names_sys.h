/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * struct gw_names answered from the running system: kallsyms, kernel BTF,
 * rtnetlink and the namespaces. Unit tests use their own gw_names instead.
 */
#ifndef GW_NAMES_SYS_H
#define GW_NAMES_SYS_H

#include "names.h"

struct dropreason;
struct gw_kfeat;
struct netns_map;
struct route_resolver;
struct xfrm_ctx;

/* Load kallsyms and BTF now (errors show at start-up), not on first use. */
#define NAMES_SYS_EAGER		(1u << 0)
/* Never query routes: prefixlen() answers -1 (no netlink, no setns). */
#define NAMES_SYS_NO_ROUTE	(1u << 1)
/* Do not read kallsyms: locations print as raw addresses. */
#define NAMES_SYS_NO_KSYMS	(1u << 2)

/*
 * Fill n's callbacks. kernel: the run's kernel facts, whose BTF and kallsyms
 * are borrowed (it must outlive n); NULL: read them here, each on first use.
 * Returns 0, or -ENOMEM. A source that cannot be read
 * (no BTF, kptr_restrict) is reported once and its callback degrades:
 * reason() gives NULL, location() a hex address, xfrm_mib() names by
 * position (no BTF) or NULL (no xfrm), sa_json() false (no xfrm tables).
 */
int names_sys__init(struct gw_names *n, unsigned int flags, const struct gw_kfeat *kernel);
void names_sys__free(struct gw_names *n);

/* The drop reason table (loaded now if not yet); NULL without BTF. */
const struct dropreason *names_sys__dropreason(const struct gw_names *n);
/* The netns map shared with the route resolver (made now if not yet). */
struct netns_map *names_sys__netns(const struct gw_names *n);

/*
 * Where sa_json() finds SAs: the tables x keeps current (NULL: none, and
 * sa_json() answers false). x is borrowed: set NULL before closing it.
 */
void names_sys__set_xfrm(struct gw_names *n, struct xfrm_ctx *x);

#endif /* GW_NAMES_SYS_H */

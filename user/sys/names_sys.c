// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gw_names backed by the running system. Each source is opened on first
 * use, once: a missing one is reported once, not per event.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "dropreason.h"
#include "kfeat.h"
#include "ksyms.h"
#include "log.h"
#include "names_sys.h"
#include "netns.h"
#include "route.h"
#include "xfrm_ctx.h"
#include "xfrm_mib.h"

struct names_sys {
	unsigned int flags;
	const struct gw_kfeat *kernel;	/* borrowed BTF and kallsyms, or NULL */
	struct ksyms *ksyms;		/* owned only without kernel */
	struct dropreason *reasons;
	struct netns_map *netns;
	struct route_resolver *route;
	struct xfrm_mib *mibs;
	struct xfrm_ctx *xfrm;		/* borrowed: names_sys__set_xfrm() */
	bool ksyms_tried, reasons_tried, route_tried, mibs_tried;
};

static struct ksyms *sys_ksyms(struct names_sys *s)
{
	if (!s->ksyms_tried && !(s->flags & NAMES_SYS_NO_KSYMS)) {
		s->ksyms_tried = true;
		/* says why if it fails */
		s->ksyms = s->kernel ? s->kernel->ksyms : ksyms__load(NULL);
	}
	return s->ksyms;
}

static struct dropreason *sys_reasons(struct names_sys *s)
{
	if (!s->reasons_tried) {
		s->reasons_tried = true;
		s->reasons = s->kernel ? dropreason__from_btf(s->kernel->btf) :
					 dropreason__load(NULL);
	}
	return s->reasons;
}

static struct xfrm_mib *sys_mibs(struct names_sys *s)
{
	/* NULL only out of memory: without BTF it names by position. */
	if (!s->mibs_tried) {
		s->mibs_tried = true;
		s->mibs = xfrm_mib__new(s->kernel ? s->kernel->btf : NULL, NULL);
	}
	return s->mibs;
}

static struct netns_map *sys_netns(struct names_sys *s)
{
	if (!s->netns)
		s->netns = netns__new();
	return s->netns;
}

static struct route_resolver *sys_route(struct names_sys *s)
{
	if (!s->route_tried && !(s->flags & NAMES_SYS_NO_ROUTE)) {
		s->route_tried = true;
		s->route = route__new(sys_netns(s));
	}
	return s->route;
}

static const char *cb_reason(void *ctx, __u32 reason)
{
	return dropreason__name(sys_reasons(ctx), reason);
}

static const char *cb_location(void *ctx, __u64 addr, char *buf, size_t len)
{
	return ksyms__format(sys_ksyms(ctx), addr, buf, len);
}

static int cb_prefixlen(void *ctx, __u32 netns, int family, const __u8 *daddr,
			__u32 table)
{
	return route__prefixlen(sys_route(ctx), netns, family, daddr, table);
}

static const char *cb_table(void *ctx, __u32 table, char *buf, size_t len)
{
	(void)ctx;
	return route__table_name(table, buf, len);
}

static const char *cb_xfrm_mib(void *ctx, __u32 index)
{
	return xfrm_mib__name(sys_mibs(ctx), index);
}

static bool cb_sa_json(void *ctx, struct jw *w, __u32 netns, __be32 spi, __u8 proto,
		       const __u8 *daddr)
{
	struct names_sys *s = ctx;

	return xfrm_ctx__sa_json(s->xfrm, w, netns, spi, proto, daddr);
}

static bool cb_xfrm_acquired(void *ctx, __u32 netns, unsigned family, const __u8 *saddr,
			     const __u8 *daddr, __u64 ts_ns)
{
	struct names_sys *s = ctx;

	return xfrm_ctx__acquired(s->xfrm, netns, family, saddr, daddr, ts_ns);
}

static const char *cb_netns_name(void *ctx, __u32 inum)
{
	return netns__name(sys_netns(ctx), inum);
}

static bool cb_xfrm_out_policy(void *ctx, __u32 netns, unsigned family, const __u8 *saddr,
			       const __u8 *daddr, unsigned plen[2], char *desc, size_t len)
{
	struct names_sys *s = ctx;

	return xfrm_ctx__out_policy(s->xfrm, netns, family, saddr, daddr, plen, desc, len);
}

int names_sys__init(struct gw_names *n, unsigned int flags, const struct gw_kfeat *kernel)
{
	struct names_sys *s = calloc(1, sizeof(*s));

	memset(n, 0, sizeof(*n));
	if (!s)
		return -ENOMEM;
	s->flags = flags;
	s->kernel = kernel;
	n->ctx = s;
	n->reason = cb_reason;
	n->location = cb_location;
	n->prefixlen = cb_prefixlen;
	n->table = cb_table;
	n->xfrm_mib = cb_xfrm_mib;
	n->sa_json = cb_sa_json;
	n->xfrm_acquired = cb_xfrm_acquired;
	n->xfrm_out_policy = cb_xfrm_out_policy;
	n->netns_name = cb_netns_name;
	if (flags & NAMES_SYS_EAGER) {
		sys_ksyms(s);
		sys_reasons(s);
		sys_mibs(s);
		sys_route(s);
	}
	return 0;
}

void names_sys__free(struct gw_names *n)
{
	struct names_sys *s = n ? n->ctx : NULL;

	if (!s)
		return;
	/* The resolver borrows the netns map: it goes first. */
	route__free(s->route);
	netns__free(s->netns);
	xfrm_mib__free(s->mibs);
	dropreason__free(s->reasons);
	if (!s->kernel)
		ksyms__free(s->ksyms);
	free(s);
	memset(n, 0, sizeof(*n));
}

const struct dropreason *names_sys__dropreason(const struct gw_names *n)
{
	return n && n->ctx ? sys_reasons(n->ctx) : NULL;
}

struct netns_map *names_sys__netns(const struct gw_names *n)
{
	return n && n->ctx ? sys_netns(n->ctx) : NULL;
}

void names_sys__set_xfrm(struct gw_names *n, struct xfrm_ctx *x)
{
	struct names_sys *s = n ? n->ctx : NULL;

	if (s)
		s->xfrm = x;
}

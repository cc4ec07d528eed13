/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Attributing FIB lookups to packets. No fib hook sees the skb, so:
 * - input routes run synchronously on the CPU that just received the packet
 *   (ip_rcv -> PREROUTING -> ip_rcv_finish -> fib): rx and PREROUTING-exit
 *   record "this CPU is about to route skb X to daddr D"; a lookup for D on
 *   that CPU is X's.
 * - output routes are looked up in the sender's syscall before the skb
 *   exists: the lookup is parked per CPU with the task's pid_tgid and
 *   handed to the next skb of that task for the same daddr at LOCAL_OUT.
 */
#ifndef GW_ROUTE_BPF_H
#define GW_ROUTE_BPF_H

#include "core.bpf.h"

/* Older than this and the context belongs to some earlier packet. */
#define GW_ROUTE_CTX_NS 5000000ULL

static __always_inline void route_ctx_set(struct sk_buff *skb, const __u8 *daddr)
{
	__u32 zero = 0;
	struct gw_route_ctx *c = bpf_map_lookup_elem(&gw_route_ctx, &zero);

	if (!c)
		return;
	c->skb = (__u64)skb;
	c->ts = bpf_ktime_get_ns();
	__builtin_memcpy(c->daddr, daddr, GW_ADDR_LEN);
}

static __always_inline void route_ctx_clear(void)
{
	__u32 zero = 0;
	struct gw_route_ctx *c = bpf_map_lookup_elem(&gw_route_ctx, &zero);

	if (c)
		c->skb = 0;
}

/* The next hop of a FIB result (plain reads: nhc may come from a map). */
static __always_inline void route_fill_nhc(struct gw_route *r,
					 const struct fib_nh_common *nhc)
{
	struct net_device *dev;

	if (!nhc)
		return;
	r->scope = BPF_CORE_READ(nhc, nhc_scope);
	r->gw_family = BPF_CORE_READ(nhc, nhc_gw_family);
	if (r->gw_family == GW_AF_INET)
		bpf_probe_read_kernel(r->gw, 4, &nhc->nhc_gw.ipv4);
	else if (r->gw_family == GW_AF_INET6)	/* RFC 5549: v4 via v6 */
		bpf_probe_read_kernel(r->gw, 16, &nhc->nhc_gw.ipv6);
	dev = BPF_CORE_READ(nhc, nhc_dev);
	if (dev) {
		r->oif = BPF_CORE_READ(dev, ifindex);
		bpf_probe_read_kernel_str(r->oif_name, sizeof(r->oif_name), dev->name);
	}
}

/* Emits a ROUTE step for skb if it is tracked; ts 0 = now. */
static __always_inline void route_emit(struct sk_buff *skb, const struct gw_route *r,
				       __u8 strategy, __u64 ts)
{
	struct gw_where w = {
		.skb = skb, .probe = GW_PROBE_FIB, .kind = GW_EV_ROUTE,
		.strategy = strategy, .mode = GW_TM_TRACKED,
		.raw = 1,	/* skb was parked in a map */
	};
	struct gw_step st;
	struct gw_event *e = gw_event_begin(&w, &st);

	if (!e)
		return;
	e->route = *r;
	if (ts)
		e->ts_ns = ts;
	gw_event_submit(&st);
}

/* At LOCAL_OUT: a parked output lookup of this task for this daddr. */
static __always_inline void route_pending_flush(struct sk_buff *skb, const __u8 *daddr,
						__u8 strategy)
{
	__u32 zero = 0;
	struct gw_route_pending *p = bpf_map_lookup_elem(&gw_route_pending, &zero);

	if (!p || !p->pid_tgid || p->pid_tgid != bpf_get_current_pid_tgid() ||
	    bpf_ktime_get_ns() - p->ts > GW_ROUTE_CTX_NS ||
	    __builtin_memcmp(p->route.daddr, daddr, 4))
		return;
	p->pid_tgid = 0;
	/* The fib_info behind nhc is freed only after an RCU grace period
	 * of a route change: microseconds ago it was this lookup's. Filled
	 * in place (the stack has no room for another route). */
	route_fill_nhc(&p->route, (const struct fib_nh_common *)p->nhc);
	/* Stamped with the lookup's time: it happened before LOCAL_OUT. */
	route_emit(skb, &p->route, strategy, p->ts);
}

#endif /* GW_ROUTE_BPF_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * skb life: received, transmitted, dropped, consumed. Tracepoints exist on
 * every supported kernel, so these have one strategy (tp_btf).
 */
#include "core.bpf.h"
#include "route.bpf.h"
#include "nftable.bpf.h"
#include "xfrm_mib.bpf.h"
#include "ike.bpf.h"

static __always_inline void skb_step(struct sk_buff *skb, struct net_device *dev,
				     __u16 probe, __u16 kind, __u8 mode, bool l3_at_data)
{
	struct gw_where w = {
		.skb = skb, .dev = dev, .probe = probe, .kind = kind,
		.strategy = GW_STRAT_TRACEPOINT, .mode = mode,
		.l3_at_data = l3_at_data,
	};
	struct gw_step st;
	struct gw_event *e;

	/* Monitor: a device xmit is a living packet's fate (sent or
	 * forwarded), counted without an event. */
	if (gw_cfg_monitor && kind == GW_EV_TX) {
		__u8 hook, fate = gw_mon_step_fate(kind, skb->skb_iif, 0, false, &hook);

		if (gw_mon_living(&w, fate, hook))
			return;
	}
	e = gw_event_begin(&w, &st);
	if (!e) {
		if (kind == GW_EV_RX)
			route_ctx_clear();
		return;
	}
	if (kind == GW_EV_RX)
		route_ctx_set(skb, e->tuple.daddr);
	if (gw_is_ike(&e->tuple))
		gw_parse_ike(skb, l3_at_data, e, false);
	/* Set on receive, kept through forwarding (and xfrm tunnel mode);
	 * a packet made here has none. */
	if (kind == GW_EV_TX && skb->skb_iif)
		e->flags |= GW_EVF_RECEIVED;
	gw_event_submit(&st);
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(gw_tp_rx, struct sk_buff *skb)
{
	/* eth_type_trans() pulled L2: the IP header is at skb->data. */
	skb_step(skb, NULL, GW_PROBE_RX, GW_EV_RX, GW_TM_START, true);
	return 0;
}

SEC("tp_btf/net_dev_start_xmit")
int BPF_PROG(gw_tp_tx, struct sk_buff *skb, struct net_device *dev)
{
	skb_step(skb, dev, GW_PROBE_TX, GW_EV_TX, GW_TM_START, false);
	return 0;
}

static __always_inline void skb_drop(struct sk_buff *skb, void *location, int reason)
{
	__u32 not_spec = bpf_core_enum_value(enum skb_drop_reason,
					     SKB_DROP_REASON_NOT_SPECIFIED);
	bool consumed = bpf_core_enum_value_exists(enum skb_drop_reason, SKB_CONSUMED) &&
		(__u32)reason == bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED);
	struct gw_where w = {
		.skb = skb, .probe = GW_PROBE_DROP, .kind = GW_EV_DROP,
		.strategy = GW_STRAT_TRACEPOINT, .mode = GW_TM_END_OR_MATCH,
	};
	struct gw_step st;
	struct gw_event *e;
	__u32 xfrm_mib;

	/* An untracked skb freed without a reason is noise, not a drop. */
	if ((__u32)reason == not_spec && !gw_is_tracked(skb))
		return;
	xfrm_mib = xfrm_mib_recorded(skb);
	/*
	 * Monitor mode counts what trace mode calls a drop (user/path/packet.c,
	 * packet__drop_step_is_drop), with no tracking to lean on: a free
	 * without a reason is one only when an xfrm probe recorded its cause
	 * (6.1's xfrm_input fails that way; GSO frees its originals that way
	 * too), or when a function that frees only losses freed it.
	 */
	if (gw_cfg_monitor && (consumed || ((__u32)reason == not_spec && !xfrm_mib &&
					    !gw_mon_lossy((__u64)location))))
		return;
	if (consumed)
		w.mode = GW_TM_END;
	e = gw_event_begin(&w, &st);
	if (!e)
		return;
	/* A root ping's raw socket got a clone of the echo reply; the kernel
	 * then frees the original for want of a ping socket. Not a loss. */
	if (gw_cfg_monitor &&
	    (__u32)reason == bpf_core_enum_value(enum skb_drop_reason,
						 SKB_DROP_REASON_NO_SOCKET) &&
	    ((e->tuple.proto == GW_IPPROTO_ICMP && e->tuple.icmp_type == 0) ||
	     (e->tuple.proto == GW_IPPROTO_ICMPV6 && e->tuple.icmp_type == 129)))
		return;	/* the scratch event: nothing to give back */
	e->drop.reason = reason;
	e->drop.location = (__u64)location;
	nftable_annotate_drop(e, skb);
	e->drop.xfrm_mib = xfrm_mib;
	gw_event_submit(&st);
}

/* 6.1: (skb, location, reason); 6.12+ add rx_sk: declare the first three. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(gw_tp_drop, struct sk_buff *skb, void *location, int reason)
{
	skb_drop(skb, location, reason);
	/* Last: the step above may have looked skb up (and cached it). */
	if (!gw_cfg_monitor)
		gw_nomatch_forget(skb);
	return 0;
}

SEC("tp_btf/consume_skb")
int BPF_PROG(gw_tp_free, struct sk_buff *skb)
{
	struct gw_where w = {
		.skb = skb, .probe = GW_PROBE_FREE, .kind = GW_EV_FREE,
		.strategy = GW_STRAT_TRACEPOINT, .mode = GW_TM_END,
	};
	struct gw_step st;
	struct gw_event *e;

	if (!gw_cfg_monitor)
		gw_nomatch_forget(skb);
	if (!gw_is_tracked(skb))
		return 0;
	e = gw_event_begin(&w, &st);
	if (e)
		gw_event_submit(&st);
	return 0;
}

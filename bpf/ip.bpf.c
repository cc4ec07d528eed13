// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ip:verdict — a tracked packet passed FORWARD (forwarded) or INPUT
 * (delivered locally). The *_finish functions run after those netfilter
 * hooks, so they give the verdicts even where no hook is registered and
 * nf_hook_slow never runs (fentry/kprobe strategies). Static, but not
 * inlined on Debian 6.1 nor on 6.18. Same signature everywhere:
 * (struct net *, struct sock *, struct sk_buff *).
 */
#include "core.bpf.h"

static __always_inline void ip_finish(struct sk_buff *skb, __u16 kind, __u8 strategy)
{
	struct gw_where w = {
		.skb = skb, .probe = GW_PROBE_IP_FINISH, .kind = kind,
		.strategy = strategy, .mode = GW_TM_TRACKED,
	};
	struct gw_step st;
	struct gw_event *e;

	if (gw_cfg_monitor) {
		__u8 hook, fate = gw_mon_step_fate(kind, false, 0, false, &hook);

		if (gw_mon_living(&w, fate, hook))
			return;
	}
	e = gw_event_begin(&w, &st);
	if (e)
		gw_event_submit(&st);
}

#define IP_FINISH_PROBES(name, func, kind)					\
SEC("fentry/" #func)								\
int BPF_PROG(gw_fentry_##name, struct net *net, struct sock *sk,		\
	     struct sk_buff *skb)						\
{										\
	ip_finish(skb, kind, GW_STRAT_FENTRY);					\
	return 0;								\
}										\
SEC("kprobe/" #func)								\
int BPF_KPROBE(gw_kp_##name, struct net *net, struct sock *sk,			\
	       struct sk_buff *skb)						\
{										\
	ip_finish(skb, kind, GW_STRAT_KPROBE);					\
	return 0;								\
}

IP_FINISH_PROBES(fwd4, ip_forward_finish, GW_EV_IP_FORWARD)
IP_FINISH_PROBES(dlv4, ip_local_deliver_finish, GW_EV_IP_DELIVER)
IP_FINISH_PROBES(fwd6, ip6_forward_finish, GW_EV_IP_FORWARD)
IP_FINISH_PROBES(dlv6, ip6_input_finish, GW_EV_IP_DELIVER)

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nf:hook — a packet entering and leaving each netfilter hook.
 *   tracepoint strategy: BPF netfilter links (kernel >= 6.4) at the first and
 *     the last free priority of every hook: "first" sees the packet before
 *     any table, "last" only if every table accepted it. A packet that
 *     entered and never left died in that hook (kfree_skb says why).
 *   fentry / kprobe: nf_hook_slow entry and (accepting) return.
 * nf:table — which table / base chain was running when a packet was
 *   dropped (fentry/kprobe only; annotates the drop, see skb.bpf.c).
 */
#include "core.bpf.h"
#include "route.bpf.h"
#include "stash.bpf.h"
#include "nftable.bpf.h"
#include "xfrm.bpf.h"

#define GW_NF_ACCEPT_RET 1	/* nf_hook_slow: 1 = okfn may run */

static __always_inline void nf_annotate(struct gw_event *e, struct sk_buff *skb)
{
	/* Conntrack NAT bits tell SNAT from DNAT when the tuple changes. */
	e->nf.ct_status = gw_skb_ct_status(skb, false);
	if (e->nf.ct_status & IPS_SRC_NAT)
		e->flags |= GW_EVF_NAT_SRC;
	if (e->nf.ct_status & IPS_DST_NAT)
		e->flags |= GW_EVF_NAT_DST;
	/* IPsec as the netfilter hooks see it: the tracepoint strategy's only
	 * view of encryption and decryption (no xfrm tracepoints exist). */
	if (skb_has_secpath(skb)) {
		struct xfrm_state *x = skb_secpath_state(skb);

		e->flags |= GW_EVF_SECPATH;
		if (x)
			e->nf.xfrm_spi = BPF_CORE_READ(x, id.spi);
	} else {
		struct xfrm_state *x = skb_xfrm_dst_state(skb);

		if (x) {
			e->flags |= GW_EVF_XFRM_DST;
			e->nf.xfrm_spi = BPF_CORE_READ(x, id.spi);
		}
	}
}

static __always_inline void nf_step(struct sk_buff *skb, const struct nf_hook_state *st,
				    bool leaving, int ret, __u8 strategy)
{
	bool direct = gw_strategy_direct(strategy);
	struct net_device *in = GW_RD(direct, st->in, BPF_CORE_READ(st, in));
	struct net_device *out = GW_RD(direct, st->out, BPF_CORE_READ(st, out));
	__u8 hook = GW_RD(direct, st->hook, BPF_CORE_READ(st, hook));
	struct gw_where w = {
		.skb = skb, .dev = in ?: out,
		.netns = GW_RD(direct, st->net->ns.inum, BPF_CORE_READ(st, net, ns.inum)),
		.probe = GW_PROBE_NF_HOOK,
		.kind = leaving ? GW_EV_NF_EXIT : GW_EV_NF_ENTER,
		.strategy = strategy, .mode = GW_TM_START,
	};
	struct gw_step step;
	struct gw_event *e;
	__u8 daddr[GW_ADDR_LEN];

	/* Monitor: leaving INPUT is delivered, every other step is path
	 * context; neither needs an event. */
	if (gw_cfg_monitor) {
		__u8 mhook, fate = GW_FATE_NONE;

		if (leaving)
			fate = gw_mon_step_fate(GW_EV_NF_EXIT, false, hook, false, &mhook);
		if (fate == GW_FATE_NONE || gw_mon_living(&w, fate, mhook))
			return;
	}
	e = gw_event_begin(&w, &step);
	if (!e) {
		if (leaving && hook == GW_NF_PRE_ROUTING)
			route_ctx_clear();
		return;
	}
	e->nf.hook = hook;
	e->nf.pf = BPF_CORE_READ(st, pf);
	e->nf.verdict = leaving ? GW_NF_ACCEPT : GW_NF_NONE;
	e->nf.ret = ret;
	/* NAT and IPsec flags are path context: monitor counts without. */
	if (!gw_cfg_monitor)
		nf_annotate(e, skb);
	__builtin_memcpy(daddr, e->tuple.daddr, GW_ADDR_LEN);
	gw_event_submit(&step);

	if (leaving && hook == GW_NF_PRE_ROUTING)
		route_ctx_set(skb, daddr);	/* after DNAT: what fib will see */
	if (!leaving && hook == GW_NF_LOCAL_OUT)
		route_pending_flush(skb, daddr, strategy);
}

/* libbpf 1.1 does not know this section; the loader sets the program type
 * (BPF_PROG_TYPE_NETFILTER) and attaches it with raw BPF_LINK_CREATE. */
SEC("netfilter")
int gw_nf_first(struct bpf_nf_ctx *ctx)
{
	nf_step(ctx->skb, ctx->state, false, 0, GW_STRAT_TRACEPOINT);
	return 1;	/* NF_ACCEPT: we only watch */
}

SEC("netfilter")
int gw_nf_last(struct bpf_nf_ctx *ctx)
{
	nf_step(ctx->skb, ctx->state, true, 1, GW_STRAT_TRACEPOINT);
	return 1;
}

SEC("fentry/nf_hook_slow")
int BPF_PROG(gw_fentry_nf, struct sk_buff *skb, struct nf_hook_state *state)
{
	nf_step(skb, state, false, 0, GW_STRAT_FENTRY);
	return 0;
}

/* Only accepted packets: on drop/steal the skb is already freed (the drop
 * probe reported it) and its address may belong to a new packet. */
SEC("fexit/nf_hook_slow")
int BPF_PROG(gw_fexit_nf, struct sk_buff *skb, struct nf_hook_state *state,
	     const struct nf_hook_entries *entries, unsigned int s, int ret)
{
	if (ret == GW_NF_ACCEPT_RET)
		nf_step(skb, state, true, ret, GW_STRAT_FENTRY);
	return 0;
}

SEC("kprobe/nf_hook_slow")
int BPF_KPROBE(gw_kp_nf, struct sk_buff *skb, struct nf_hook_state *state)
{
	nf_step(skb, state, false, 0, GW_STRAT_KPROBE);
	stash_push(GW_PROBE_NF_HOOK, (__u64)skb, (__u64)state, 0, 0);
	return 0;
}

SEC("kretprobe/nf_hook_slow")
int BPF_KRETPROBE(gw_krp_nf, int ret)
{
	__u64 a[GW_STASH_ARGS];

	if (stash_pop(GW_PROBE_NF_HOOK, a) && ret == GW_NF_ACCEPT_RET)
		nf_step((struct sk_buff *)a[0], (const struct nf_hook_state *)a[1],
			true, ret, GW_STRAT_KPROBE);
	return 0;
}

/*
 * The census of the namespace of the task that test-runs this (after
 * setns): no hook sees a namespace's hook lists, so the loader asks here
 * before deciding where links are worth their cost. Never attached.
 */
struct gw_nf_census gw_nf_census_out;

static __always_inline __u16 census_entries(struct nf_hook_entries *e)
{
	return e ? BPF_CORE_READ(e, num_hook_entries) : 0;
}

SEC("raw_tp")
int gw_nf_census(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct net *net = BPF_CORE_READ(task, nsproxy, net_ns);
	struct nf_hook_entries *e;

	if (!net)
		return 0;
#pragma unroll
	for (int h = 0; h < GW_NF_NUMHOOKS; h++) {
		e = NULL;
		bpf_core_read(&e, sizeof(e), &net->nf.hooks_ipv4[h]);
		gw_nf_census_out.hooks[0][h] = census_entries(e);
		e = NULL;
		if (bpf_core_field_exists(net->nf.hooks_ipv6))
			bpf_core_read(&e, sizeof(e), &net->nf.hooks_ipv6[h]);
		gw_nf_census_out.hooks[1][h] = census_entries(e);
	}
	gw_nf_census_out.xfrm_policies = 0;
	if (bpf_core_field_exists(net->xfrm.policy_count)) {
#pragma unroll
		for (int d = 0; d < 3; d++) {
			unsigned int n = 0;

			bpf_core_read(&n, sizeof(n), &net->xfrm.policy_count[d]);
			gw_nf_census_out.xfrm_policies += n;
		}
	}
	gw_nf_census_out.done = 1;
	return 0;
}

/* nf:table — remember which table runs for which skb on this task. */
SEC("fentry/nft_do_chain")
int BPF_PROG(gw_fentry_nft, struct nft_pktinfo *pkt, void *priv)
{
	nftable_enter_nft(pkt, priv);
	return 0;
}

SEC("fexit/nft_do_chain")
int BPF_PROG(gw_fexit_nft, struct nft_pktinfo *pkt, void *priv, unsigned int ret)
{
	nftable_exit(ret);
	return 0;
}

SEC("fentry/ipt_do_table")
int BPF_PROG(gw_fentry_ipt, void *priv, struct sk_buff *skb)
{
	nftable_enter_ipt(skb, priv);
	return 0;
}

SEC("fexit/ipt_do_table")
int BPF_PROG(gw_fexit_ipt, void *priv, struct sk_buff *skb,
	     const struct nf_hook_state *state, unsigned int ret)
{
	nftable_exit(ret);
	return 0;
}

SEC("kprobe/nft_do_chain")
int BPF_KPROBE(gw_kp_nft, struct nft_pktinfo *pkt, void *priv)
{
	nftable_enter_nft(pkt, priv);
	return 0;
}

SEC("kretprobe/nft_do_chain")
int BPF_KRETPROBE(gw_krp_nft, unsigned int ret)
{
	nftable_exit(ret);
	return 0;
}

SEC("kprobe/ipt_do_table")
int BPF_KPROBE(gw_kp_ipt, void *priv, struct sk_buff *skb)
{
	nftable_enter_ipt(skb, priv);
	return 0;
}

SEC("kretprobe/ipt_do_table")
int BPF_KRETPROBE(gw_krp_ipt, unsigned int ret)
{
	nftable_exit(ret);
	return 0;
}

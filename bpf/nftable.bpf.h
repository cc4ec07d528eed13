/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nf:table — which netfilter table (and nft base chain) was running for a
 * packet when it was dropped. An nft drop may free the skb inside
 * nft_do_chain and iptables' drop is freed by nf_hook_slow right after
 * ipt_do_table returns, so the table is remembered per task and picked up
 * by the drop probe (skb.bpf.c) rather than reported at function exit.
 */
#ifndef GW_NFTABLE_BPF_H
#define GW_NFTABLE_BPF_H

#include "core.bpf.h"

#define GW_NF_CUR_NS 1000000ULL	/* a drop this soon after is the table's */

struct gw_nf_cur {
	__u64 skb;
	__u64 ts;
	__u32 verdict;
	__u32 _pad;
	char table[GW_IFNAMSIZ];
	char chain[GW_IFNAMSIZ];
};

#define GW_MAP_NF_CUR struct {						\
	__uint(type, BPF_MAP_TYPE_HASH);				\
	__uint(max_entries, 4096);					\
	__type(key, __u64);						\
	__type(value, struct gw_nf_cur);				\
} gw_nf_cur SEC(".maps")

GW_SHARED GW_MAP_NF_CUR;

static __always_inline struct gw_nf_cur *nftable_slot(struct sk_buff *skb)
{
	__u64 task = bpf_get_current_task();
	struct gw_nf_cur init = { .skb = (__u64)skb, .verdict = GW_NF_NONE };

	if (!gw_is_tracked(skb))
		return NULL;
	init.ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&gw_nf_cur, &task, &init, BPF_ANY))
		return NULL;
	return bpf_map_lookup_elem(&gw_nf_cur, &task);
}

static __always_inline void nftable_enter_nft(struct nft_pktinfo *pkt, void *priv)
{
	struct nft_chain *chain = priv;	/* nf_hook_ops.priv of a base chain */
	struct gw_nf_cur *c = nftable_slot(BPF_CORE_READ(pkt, skb));

	if (!c)
		return;
	bpf_probe_read_kernel_str(c->table, sizeof(c->table),
				  BPF_CORE_READ(chain, table, name));
	bpf_probe_read_kernel_str(c->chain, sizeof(c->chain),
				  BPF_CORE_READ(chain, name));
}

static __always_inline void nftable_enter_ipt(struct sk_buff *skb, void *priv)
{
	struct xt_table *table = priv;
	struct gw_nf_cur *c = nftable_slot(skb);

	if (!c)
		return;
	bpf_probe_read_kernel_str(c->table, sizeof(c->table), table->name);
}

static __always_inline void nftable_exit(unsigned int ret)
{
	__u64 task = bpf_get_current_task();
	struct gw_nf_cur *c = bpf_map_lookup_elem(&gw_nf_cur, &task);

	if (c)
		c->verdict = ret & 0xff;	/* NF_VERDICT_MASK */
}

/* Called by the drop probe: copy the table that was running, if any. */
static __always_inline void nftable_annotate_drop(struct gw_event *e,
						  struct sk_buff *skb)
{
	__u64 task = bpf_get_current_task();
	struct gw_nf_cur *c = bpf_map_lookup_elem(&gw_nf_cur, &task);

	if (!c || c->skb != (__u64)skb || e->ts_ns - c->ts > GW_NF_CUR_NS ||
	    c->verdict == GW_NF_ACCEPT)
		return;
	__builtin_memcpy(e->drop.table, c->table, GW_IFNAMSIZ);
	__builtin_memcpy(e->drop.chain, c->chain, GW_IFNAMSIZ);
	bpf_map_delete_elem(&gw_nf_cur, &task);
}

#endif /* GW_NFTABLE_BPF_H */

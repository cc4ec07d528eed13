/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* IPsec state visible on any skb: secpath (decrypted) and xfrm dst (about
 * to be encrypted). Usable from every strategy, netfilter links included. */
#ifndef GW_XFRM_BPF_H
#define GW_XFRM_BPF_H

#include "core.bpf.h"

/* The SA that decapsulated the packet last: secpath->xvec[len - 1]. */
static __always_inline struct xfrm_state *skb_secpath_state(struct sk_buff *skb)
{
	int id = bpf_core_enum_value(enum skb_ext_id, SKB_EXT_SEC_PATH);
	struct skb_ext *ext;
	struct sec_path *sp;
	__u8 off;
	int len;

	if (!skb_has_secpath(skb) || id < 0 || id > 7)
		return NULL;
	ext = BPF_CORE_READ(skb, extensions);
	if (!ext || bpf_probe_read_kernel(&off, 1, &ext->offset[id]) || !off)
		return NULL;
	sp = (void *)ext + ((__u32)off << 3);	/* offsets are in 8-byte chunks */
	len = BPF_CORE_READ(sp, len);
	if (len <= 0 || len > 6)	/* XFRM_MAX_DEPTH */
		return NULL;
	return BPF_CORE_READ(sp, xvec[(len - 1) & 7]);
}

static __always_inline struct xfrm_state *skb_xfrm_dst_state(struct sk_buff *skb)
{
	unsigned long refdst = BPF_CORE_READ(skb, _skb_refdst);
	struct dst_entry *dst = (void *)(refdst & ~1UL);	/* SKB_DST_NOREF */

	if (!dst || !bpf_core_field_exists(dst->xfrm))
		return NULL;
	return BPF_CORE_READ(dst, xfrm);
}

static __always_inline bool skb_has_xfrm_dst(struct sk_buff *skb)
{
	return skb_xfrm_dst_state(skb) != NULL;
}

/* SA identity into the event's xfrm part. */
static __always_inline void xfrm_fill_state(struct gw_xfrm *x, struct xfrm_state *st)
{
	if (!st)
		return;
	x->spi = BPF_CORE_READ(st, id.spi);
	x->proto = BPF_CORE_READ(st, id.proto);
	x->reqid = BPF_CORE_READ(st, props.reqid);
	x->mode = BPF_CORE_READ(st, props.mode);
	x->family = BPF_CORE_READ(st, props.family);
	bpf_probe_read_kernel(x->daddr, GW_ADDR_LEN, &st->id.daddr);
	bpf_probe_read_kernel(x->saddr, GW_ADDR_LEN, &st->props.saddr);
}

#endif /* GW_XFRM_BPF_H */

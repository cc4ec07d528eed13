/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which xfrm counter a failure bumped, per packet. xfrm_input() frees its
 * failures with no specific drop reason and returns 0 either way; what
 * says why is the LINUX_MIB_XFRM* counter it increments (the numbers of
 * /proc/net/xfrm_stat). The counters are per CPU and one packet's xfrm
 * processing runs on one CPU without interleaving, so: snapshot this CPU's
 * counters when a tracked packet enters xfrm_input / __xfrm_policy_check /
 * __xfrm_route_forward, and at its failure (xfrm_rcv_cb err, policy reject,
 * kfree_skb) the counter that moved is the cause.
 *
 * The per-CPU address needs this CPU's percpu offset: x86's this_cpu_off
 * (a percpu variable in BTF). Where it does not exist the attribution is
 * simply absent (weak ksym), and /proc/net/xfrm_stat deltas remain. A
 * kernel without CONFIG_KALLSYMS_ALL cannot resolve it and refuses any
 * program that names it, so only the xfrm function probes do; the drop
 * tracepoint reads the cause they recorded (xfrm_mib_recorded).
 */
#ifndef GW_XFRM_MIB_BPF_H
#define GW_XFRM_MIB_BPF_H

#include "core.bpf.h"

#define GW_XFRM_MIBS 40		/* LINUX_MIB_XFRMMAX is 33 on 6.18 */
#define GW_MIB_INERROR 1	/* LINUX_MIB_XFRMINERROR: the generic one */

struct gw_xfrm_snap {
	__u64 skb;
	__u32 cause;		/* set at the failure, read by the drop probe */
	__u32 _pad;
	unsigned long mibs[GW_XFRM_MIBS];
};

#define GW_MAP_XFRM_SNAP struct {					\
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);			\
	__uint(max_entries, 2);		/* 0: snapshot, 1: scratch */	\
	__type(key, __u32);						\
	__type(value, struct gw_xfrm_snap);				\
} gw_xfrm_snap SEC(".maps")

GW_SHARED GW_MAP_XFRM_SNAP;

extern const unsigned long this_cpu_off __ksym __weak;

/* This CPU's xfrm counters of skb's netns into out; false if unknown. */
static __always_inline bool xfrm_mib_read(struct sk_buff *skb, unsigned long *out)
{
	struct net_device *dev = gw_skb_dev(skb, false);
	struct linux_xfrm_mib *pcpu;
	const unsigned long *off;
	struct net *net;

	if (!bpf_core_type_exists(struct linux_xfrm_mib) || !&this_cpu_off)
		return false;
	net = dev ? BPF_CORE_READ(dev, nd_net.net) : NULL;
	if (!net)
		return false;
	pcpu = BPF_CORE_READ(net, mib.xfrm_statistics);
	off = bpf_this_cpu_ptr(&this_cpu_off);
	if (!pcpu || !off)
		return false;
	return !bpf_probe_read_kernel(out, GW_XFRM_MIBS * sizeof(*out),
				      (void *)pcpu + *off);
}

static __always_inline void xfrm_mib_snap(struct sk_buff *skb)
{
	__u32 zero = 0;
	struct gw_xfrm_snap *s = bpf_map_lookup_elem(&gw_xfrm_snap, &zero);

	if (!s || !gw_is_tracked(skb))
		return;
	s->cause = 0;
	s->skb = xfrm_mib_read(skb, s->mibs) ? (__u64)skb : 0;
}

/* The counter that moved since skb's snapshot: a specific one before the
 * generic XfrmInError. 0 if none or no snapshot. */
static __always_inline __u32 xfrm_mib_cause(struct sk_buff *skb)
{
	__u32 zero = 0, one = 1, n, cause = 0;
	struct gw_xfrm_snap *s = bpf_map_lookup_elem(&gw_xfrm_snap, &zero);
	struct gw_xfrm_snap *cur = bpf_map_lookup_elem(&gw_xfrm_snap, &one);
	unsigned long *now;

	/* The scratch slot keeps 320 bytes off the 512-byte BPF stack. */
	if (!s || !cur || s->skb != (__u64)skb || !xfrm_mib_read(skb, cur->mibs))
		return 0;
	now = cur->mibs;
	n = bpf_core_type_size(struct linux_xfrm_mib) / sizeof(unsigned long);
#pragma unroll
	for (__u32 i = 1; i < GW_XFRM_MIBS; i++) {
		if (i >= n || now[i] == s->mibs[i])
			continue;
		if (!cause || cause == GW_MIB_INERROR)
			cause = i;
	}
	s->cause = cause;
	return cause;
}

/* For the drop probe: the cause an xfrm probe found for skb, or 0. No
 * percpu arithmetic here, so the tracepoint loads on every kernel. */
static __always_inline __u32 xfrm_mib_recorded(struct sk_buff *skb)
{
	__u32 zero = 0;
	struct gw_xfrm_snap *s = bpf_map_lookup_elem(&gw_xfrm_snap, &zero);

	return s && s->skb == (__u64)skb ? s->cause : 0;
}

#endif /* GW_XFRM_MIB_BPF_H */

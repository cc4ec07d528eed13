// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xfrm:output, xfrm:input, xfrm:policy — IPsec verdicts. Function probes
 * only (no xfrm tracepoints exist); in the tracepoint strategy the
 * netfilter probes flag secpath / xfrm dst instead (nf.bpf.c).
 *
 * xfrm_input() always returns 0, even on failure, so the decrypt result is
 * taken from xfrm_rcv_cb(skb, family, proto, err): err 0 after a good
 * decapsulation, -1 on the drop path.
 */
#include "core.bpf.h"
#include "stash.bpf.h"
#include "xfrm.bpf.h"
#include "xfrm_mib.bpf.h"

static __always_inline struct gw_event *xfrm_begin(struct sk_buff *skb, __u16 probe,
						   __u16 kind, __u8 strategy,
						   struct gw_step *st)
{
	unsigned long refdst = BPF_CORE_READ(skb, _skb_refdst);
	struct dst_entry *dst = (void *)(refdst & ~1UL);
	struct gw_where w = {
		.skb = skb, .probe = probe, .kind = kind,
		.strategy = strategy, .mode = GW_TM_START,
	};

	/* Locally generated packets have no skb->dev before output: the
	 * route's device says where (and in which netns) this happens. */
	if (!BPF_CORE_READ(skb, dev) && dst) {
		w.dev = BPF_CORE_READ(dst, dev);
		w.raw = 1;
	}

	return gw_event_begin(&w, st);
}

/* At entry the skb's dst is the bundle whose xfrm is the SA to apply. */
static __always_inline void xfrm_out(struct sk_buff *skb, __u8 strategy)
{
	struct gw_step st;
	struct gw_event *e = xfrm_begin(skb, GW_PROBE_XFRM_OUT, GW_EV_XFRM_OUT, strategy, &st);

	if (!e)
		return;
	e->xfrm.dir = GW_XFRM_OUT;
	xfrm_fill_state(&e->xfrm, skb_xfrm_dst_state(skb));
	gw_event_submit(&st);
}

static __always_inline void xfrm_in(struct sk_buff *skb, int err, __u8 strategy)
{
	struct gw_step st;
	struct gw_event *e = xfrm_begin(skb, GW_PROBE_XFRM_IN, GW_EV_XFRM_IN, strategy, &st);

	if (!e)
		return;
	e->xfrm.dir = GW_XFRM_IN;
	e->xfrm.err = err;
	/* After a good decapsulation the secpath names the SA; on failure
	 * only the ESP header (if still in view) has the SPI. */
	xfrm_fill_state(&e->xfrm, err ? NULL : skb_secpath_state(skb));
	if (!e->xfrm.spi)
		e->xfrm.spi = e->tuple.spi;
	if (err)
		e->xfrm.mib = xfrm_mib_cause(skb);
	gw_event_submit(&st);
}

/* __xfrm_policy_check returns 0 to reject. */
static __always_inline void xfrm_policy(struct sk_buff *skb, int dir, int ret,
					__u8 strategy)
{
	struct gw_step st;
	struct gw_event *e;

	if (ret)
		return;		/* allowed: not worth a step */
	e = xfrm_begin(skb, GW_PROBE_XFRM_POLICY, GW_EV_XFRM_POLICY, strategy, &st);
	if (!e)
		return;
	e->xfrm.dir = dir & 3;	/* XFRM_POLICY_MASK */
	e->xfrm.err = -1;
	e->xfrm.mib = xfrm_mib_cause(skb);
	gw_event_submit(&st);
}

SEC("fentry/xfrm_output")
int BPF_PROG(gw_fentry_xfrm_out, struct sock *sk, struct sk_buff *skb)
{
	xfrm_out(skb, GW_STRAT_FENTRY);
	return 0;
}

SEC("kprobe/xfrm_output")
int BPF_KPROBE(gw_kp_xfrm_out, struct sock *sk, struct sk_buff *skb)
{
	xfrm_out(skb, GW_STRAT_KPROBE);
	return 0;
}

SEC("fentry/xfrm_rcv_cb")
int BPF_PROG(gw_fentry_xfrm_in, struct sk_buff *skb, unsigned int family,
	     __u8 proto, int err)
{
	xfrm_in(skb, err, GW_STRAT_FENTRY);
	return 0;
}

SEC("kprobe/xfrm_rcv_cb")
int BPF_KPROBE(gw_kp_xfrm_in, struct sk_buff *skb, unsigned int family,
	       __u8 proto, int err)
{
	xfrm_in(skb, err, GW_STRAT_KPROBE);
	return 0;
}

/* Counter snapshots before the checks that can fail (xfrm_mib.bpf.h). */
SEC("fentry/xfrm_input")
int BPF_PROG(gw_fentry_xfrm_input, struct sk_buff *skb)
{
	xfrm_mib_snap(skb);
	return 0;
}

SEC("kprobe/xfrm_input")
int BPF_KPROBE(gw_kp_xfrm_input, struct sk_buff *skb)
{
	xfrm_mib_snap(skb);
	return 0;
}

SEC("fentry/__xfrm_policy_check")
int BPF_PROG(gw_fentry_xfrm_pol, struct sock *sk, int dir, struct sk_buff *skb)
{
	xfrm_mib_snap(skb);
	return 0;
}

SEC("fentry/__xfrm_route_forward")
int BPF_PROG(gw_fentry_xfrm_fwd, struct sk_buff *skb)
{
	xfrm_mib_snap(skb);
	return 0;
}

/* Returns 0 when the outbound lookup for a forwarded packet failed (no
 * SA: XfrmOutNoStates, block: XfrmOutPolBlock); ip_forward then drops it
 * with XFRM_POLICY and the drop probe picks the cause up. */
SEC("fexit/__xfrm_route_forward")
int BPF_PROG(gw_fexit_xfrm_fwd, struct sk_buff *skb, unsigned short family, int ret)
{
	if (!ret)
		xfrm_mib_cause(skb);
	return 0;
}

#define GW_STASH_ROUTE_FWD (GW_PROBE_XFRM_POLICY | 0x100)

SEC("kprobe/__xfrm_route_forward")
int BPF_KPROBE(gw_kp_xfrm_fwd, struct sk_buff *skb)
{
	xfrm_mib_snap(skb);
	stash_push(GW_STASH_ROUTE_FWD, (__u64)skb, 0, 0, 0);
	return 0;
}

SEC("kretprobe/__xfrm_route_forward")
int BPF_KRETPROBE(gw_krp_xfrm_fwd, int ret)
{
	__u64 a[GW_STASH_ARGS];

	if (stash_pop(GW_STASH_ROUTE_FWD, a) && !ret)
		xfrm_mib_cause((struct sk_buff *)a[0]);
	return 0;
}

SEC("fexit/__xfrm_policy_check")
int BPF_PROG(gw_fexit_xfrm_pol, struct sock *sk, int dir, struct sk_buff *skb,
	     unsigned short family, int ret)
{
	xfrm_policy(skb, dir, ret, GW_STRAT_FENTRY);
	return 0;
}

SEC("kprobe/__xfrm_policy_check")
int BPF_KPROBE(gw_kp_xfrm_pol, struct sock *sk, int dir, struct sk_buff *skb)
{
	xfrm_mib_snap(skb);
	stash_push(GW_PROBE_XFRM_POLICY, (__u64)skb, (__u64)dir, 0, 0);
	return 0;
}

SEC("kretprobe/__xfrm_policy_check")
int BPF_KRETPROBE(gw_krp_xfrm_pol, int ret)
{
	__u64 a[GW_STASH_ARGS];

	if (stash_pop(GW_PROBE_XFRM_POLICY, a))
		xfrm_policy((struct sk_buff *)a[0], (int)a[1], ret, GW_STRAT_KPROBE);
	return 0;
}

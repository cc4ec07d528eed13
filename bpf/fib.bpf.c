// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fib:lookup — IPv4 FIB lookups: table, error, gateway, output device and,
 * where the strategy can see it, the prefix length of the matching route
 * ("routed to the default gateway" is prefix length 0).
 *
 * fexit/kretprobe fib_table_lookup see struct fib_result (prefixlen).
 * The fib:fib_table_lookup tracepoint carries no fib_result: prefixlen is
 * left GW_PREFIX_UNKNOWN and user space resolves it (RTM_F_FIB_MATCH).
 */
#include "core.bpf.h"
#include "route.bpf.h"
#include "stash.bpf.h"

/*
 * A local output lookup comes before its packet exists, so its route is
 * parked (gw_route_pending) for the packet that follows. Parked only if
 * that packet could be one the filter wants: an unrelated sender's flood
 * then costs a few loads per lookup, not a filled route. What the flow
 * does not say yet (source 0 before source selection, no ports) cannot
 * exclude it.
 */
static __always_inline bool fib_flow_may_match(const struct flowi4 *flp, bool direct)
{
	__u32 fl = gw_cfg_filter.flags & (GW_F_SRC | GW_F_DST | GW_F_HOST | GW_F_PROTO | GW_F_PORT);
	__be32 saddr, daddr;
	__u16 sport, dport;
	__u8 proto, s[16] = {}, d[16] = {};

	if (!fl)
		return true;
	saddr = GW_RD(direct, flp->saddr, BPF_CORE_READ(flp, saddr));
	daddr = GW_RD(direct, flp->daddr, BPF_CORE_READ(flp, daddr));
	proto = GW_RD(direct, flp->__fl_common.flowic_proto,
		      BPF_CORE_READ(flp, __fl_common.flowic_proto));
	__builtin_memcpy(s, &saddr, 4);
	__builtin_memcpy(d, &daddr, 4);
	if ((fl & GW_F_DST) && !gw_prefix_match(&gw_cfg_filter.dst, GW_AF_INET, d))
		return false;
	if ((fl & GW_F_SRC) && saddr && !gw_prefix_match(&gw_cfg_filter.src, GW_AF_INET, s))
		return false;
	if ((fl & GW_F_HOST) && !gw_prefix_match(&gw_cfg_filter.host, GW_AF_INET, d) &&
	    saddr && !gw_prefix_match(&gw_cfg_filter.host, GW_AF_INET, s))
		return false;
	if (!proto)
		return true;
	if ((fl & GW_F_PROTO) && proto != gw_cfg_filter.proto)
		return false;
	if (!(fl & GW_F_PORT))
		return true;
	if (proto != GW_IPPROTO_TCP && proto != GW_IPPROTO_UDP)
		return false;
	sport = bpf_ntohs(GW_RD(direct, flp->uli.ports.sport, BPF_CORE_READ(flp, uli.ports.sport)));
	dport = bpf_ntohs(GW_RD(direct, flp->uli.ports.dport, BPF_CORE_READ(flp, uli.ports.dport)));
	return !sport || !dport || sport == gw_cfg_filter.port || dport == gw_cfg_filter.port;
}

static __always_inline void fib_report(__u32 tb_id, const struct flowi4 *flp,
				       const struct fib_nh_common *nhc, int err,
				       __u8 prefixlen, __u8 type, __u8 strategy)
{
	bool direct = gw_strategy_direct(strategy);
	int iif = GW_RD(direct, flp->__fl_common.flowic_iif,
			BPF_CORE_READ(flp, __fl_common.flowic_iif));
	__be32 daddr = GW_RD(direct, flp->daddr, BPF_CORE_READ(flp, daddr));
	struct gw_route_pending *p = NULL;
	struct gw_route_ctx *c = NULL;
	__u32 zero = 0;
	struct gw_route r = {};

	/* Whose lookup is it? Decided before anything is read of the result:
	 * a forwarded packet causes several lookups, most of them nobody's. */
	if (iif == GW_LOOPBACK_IFINDEX) {
		p = bpf_map_lookup_elem(&gw_route_pending, &zero);
		if (!p)
			return;
		if (!fib_flow_may_match(flp, direct)) {
			p->pid_tgid = 0;	/* as a parked lookup would have */
			return;
		}
	} else {
		c = bpf_map_lookup_elem(&gw_route_ctx, &zero);
		if (!c || !c->skb || bpf_ktime_get_ns() - c->ts > GW_ROUTE_CTX_NS ||
		    __builtin_memcmp(c->daddr, &daddr, 4))
			return;
	}
	r.table = tb_id;
	r.err = err;
	r.prefixlen = prefixlen;
	r.type = type;
	__builtin_memcpy(r.daddr, &daddr, 4);
	if (p) {
		/* The next hop is read at LOCAL_OUT, only for a packet the
		 * filter wants: most parked lookups are nobody's. */
		p->pid_tgid = bpf_get_current_pid_tgid();
		p->ts = bpf_ktime_get_ns();
		p->nhc = err ? 0 : (__u64)nhc;
		p->route = r;
		return;
	}
	if (!err)
		route_fill_nhc(&r, nhc);
	route_emit((struct sk_buff *)c->skb, &r, strategy, 0);
}

SEC("tp_btf/fib_table_lookup")
int BPF_PROG(gw_tp_fib, __u32 tb_id, const struct flowi4 *flp,
	     const struct fib_nh_common *nhc, int err)
{
	fib_report(tb_id, flp, nhc, err, GW_PREFIX_UNKNOWN, 0, GW_STRAT_TRACEPOINT);
	return 0;
}

static __always_inline void fib_result_report(struct fib_table *tb,
					      const struct flowi4 *flp,
					      struct fib_result *res, int ret,
					      __u8 strategy)
{
	const struct fib_nh_common *nhc = NULL;
	__u8 plen = GW_PREFIX_UNKNOWN, type = 0;

	if (!ret) {
		nhc = BPF_CORE_READ(res, nhc);
		plen = BPF_CORE_READ(res, prefixlen);
		type = BPF_CORE_READ(res, type);
	}
	fib_report(BPF_CORE_READ(tb, tb_id), flp, nhc, ret, plen, type, strategy);
}

SEC("fexit/fib_table_lookup")
int BPF_PROG(gw_fexit_fib, struct fib_table *tb, const struct flowi4 *flp,
	     struct fib_result *res, int fib_flags, int ret)
{
	fib_result_report(tb, flp, res, ret, GW_STRAT_FENTRY);
	return 0;
}

SEC("kprobe/fib_table_lookup")
int BPF_KPROBE(gw_kp_fib, struct fib_table *tb, const struct flowi4 *flp,
	       struct fib_result *res)
{
	stash_push(GW_PROBE_FIB, (__u64)tb, (__u64)flp, (__u64)res, 0);
	return 0;
}

SEC("kretprobe/fib_table_lookup")
int BPF_KRETPROBE(gw_krp_fib, int ret)
{
	__u64 a[GW_STASH_ARGS];

	if (!stash_pop(GW_PROBE_FIB, a))
		return 0;
	fib_result_report((struct fib_table *)a[0], (const struct flowi4 *)a[1],
			  (struct fib_result *)a[2], ret, GW_STRAT_KPROBE);
	return 0;
}

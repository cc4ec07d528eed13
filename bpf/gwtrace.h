/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one contract between gwtrace's BPF programs and its loader.
 *
 * Included by the bpf/ programs (after vmlinux.h) and by user/ (after
 * <linux/types.h>). Fixed-width types only, explicit padding, and a size
 * check at the bottom: a field added on one side only must fail to build.
 */
#ifndef GWTRACE_H
#define GWTRACE_H

#define GW_IFNAMSIZ	16
#define GW_ADDR_LEN	16	/* IPv4 uses the first 4 bytes */
#define GW_PREFIX_UNKNOWN 0xff	/* route prefix length not known in kernel */
#define GW_LOSSY_FUNCS	2	/* functions whose reasonless frees are drops */

/* What happened to the packet at this step. Only crosses the ring buffer:
 * JSON output uses names, never these numbers. */
enum gw_event_kind {
	GW_EV_RX = 1,		/* received on a device (netif_receive_skb) */
	GW_EV_TX,		/* handed to a device driver (net_dev_start_xmit) */
	GW_EV_NF_ENTER,		/* entered a netfilter hook */
	GW_EV_NF_EXIT,		/* left a netfilter hook, nf.verdict says how */
	GW_EV_NF_TABLE,		/* one table's / base chain's verdict */
	GW_EV_ROUTE,		/* FIB lookup result for this packet */
	GW_EV_DROP,		/* kfree_skb with a drop reason */
	GW_EV_FREE,		/* consume_skb: end of a normal life */
	GW_EV_XFRM_OUT,		/* xfrm_output: about to be encrypted with an SA */
	GW_EV_XFRM_IN,		/* xfrm_input: decapsulation result */
	GW_EV_XFRM_POLICY,	/* xfrm policy check / lookup result */
	GW_EV_IP_FORWARD,	/* passed FORWARD: ip(6)_forward_finish */
	GW_EV_IP_DELIVER,	/* passed INPUT: ip_local_deliver_finish / ip6_input_finish */
	GW_EV_KIND_MAX,
};

/*
 * Logical probes. Each may be implemented by several strategies; the loader
 * (user/load/attach.c) picks one per probe. Index into the stats map.
 */
enum gw_probe_id {
	GW_PROBE_RX,		/* skb:rx */
	GW_PROBE_TX,		/* skb:tx */
	GW_PROBE_DROP,		/* skb:drop */
	GW_PROBE_FREE,		/* skb:free */
	GW_PROBE_FIB,		/* fib:lookup */
	GW_PROBE_NF_HOOK,	/* nf:hook */
	GW_PROBE_NF_TABLE,	/* nf:table */
	GW_PROBE_XFRM_OUT,	/* xfrm:output */
	GW_PROBE_XFRM_IN,	/* xfrm:input */
	GW_PROBE_XFRM_POLICY,	/* xfrm:policy */
	GW_PROBE_IP_FINISH,	/* ip:verdict */
	GW_PROBE_MAX,
};

enum gw_strategy {
	GW_STRAT_NONE = 0,
	GW_STRAT_FENTRY,	/* fentry/fexit (BPF trampolines) */
	GW_STRAT_KPROBE,	/* kprobe/kretprobe */
	GW_STRAT_TRACEPOINT,	/* tp_btf, raw tracepoints, netfilter links */
};

/* Per-probe counters (per-CPU array, index probe * GW_STAT_MAX + stat). */
enum gw_stat {
	GW_STAT_EVENTS,		/* events written to the ring buffer */
	GW_STAT_LOST_RINGBUF,	/* ring buffer full: event dropped */
	GW_STAT_LOST_TRACK,	/* tracking map full: packet not tracked */
	GW_STAT_LOST_BUSY,	/* ring buffer over half full at the packet's
				 * first sight: not traced (gw_ring_busy) */
	GW_STAT_MON_SUPPRESSED,	/* monitor: drop not streamed (rate limit) */
	GW_STAT_MON_FLOW_FULL,	/* monitor: flow table full, flow not counted */
	GW_STAT_MON_FATE_FULL,	/* monitor: fate table full, step not counted */
	GW_STAT_MAX,
};

/* Kernel NF_* verdict values, plus what gwtrace adds. */
enum gw_nf_verdict {
	GW_NF_DROP = 0,
	GW_NF_ACCEPT = 1,
	GW_NF_STOLEN = 2,
	GW_NF_QUEUE = 3,
	GW_NF_REPEAT = 4,
	GW_NF_STOP = 5,
	GW_NF_NONE = 0xff,	/* NF_ENTER: no verdict yet */
};

/* Netfilter hook numbers (NF_INET_*), same for IPv4 and IPv6. */
enum gw_nf_hook {
	GW_NF_PRE_ROUTING = 0,
	GW_NF_LOCAL_IN = 1,
	GW_NF_FORWARD = 2,
	GW_NF_LOCAL_OUT = 3,
	GW_NF_POST_ROUTING = 4,
	GW_NF_NUMHOOKS = 5,
};

enum gw_xfrm_dir { GW_XFRM_IN = 0, GW_XFRM_OUT = 1, GW_XFRM_FWD = 2 };

/*
 * What can touch a packet in one network namespace, for the tracepoint
 * strategy's netfilter links (user/load/nfnetns.c): the entries registered
 * at each IPv4 / IPv6 hook (tables, conntrack, NAT, other BPF programs,
 * and ours) and the xfrm policies. Filled by gw_nf_census, test-run in
 * that namespace.
 */
struct gw_nf_census {
	__u16 hooks[2][GW_NF_NUMHOOKS];	/* [0] IPv4, [1] IPv6 */
	__u32 xfrm_policies;		/* in + out + fwd, not per-socket */
	__u32 done;			/* 1 once the program ran */
};

/*
 * The tracking map's sweep (bpf/sweep.bpf.c), test-run by trace's poll
 * loop: in, the limits; out, what it found. An entry idle for its limit
 * goes out as a record and leaves the map. now_ns 0 takes every entry,
 * but stops (full) where the ring buffer has no room for one: the caller
 * reads the ring and runs it again, so nothing is lost at exit.
 */
struct gw_sweep {
	__u64 now_ns;		/* ktime; 0 = take all */
	__u64 stale_ns;		/* a life whose end we missed */
	__u64 hold_ns;		/* a held packet (gw_step_holds) */
	__u64 delivered_ns;	/* a delivered one: its read has no tracepoint */
	__u32 seen;		/* out: entries looked at */
	__u32 taken;		/* out: entries that went */
	__u32 full;		/* out: stopped for want of ring buffer room */
	__u32 done;		/* out: 1 once the program ran */
};

/* Event flags. */
#define GW_EVF_NEW	(1u << 0)	/* this event started tracking the packet */
#define GW_EVF_NAT_SRC	(1u << 1)	/* conntrack says source NAT applies */
#define GW_EVF_NAT_DST	(1u << 2)	/* conntrack says destination NAT applies */
#define GW_EVF_SECPATH	(1u << 3)	/* skb carries a secpath (was decrypted) */
#define GW_EVF_XFRM_DST	(1u << 4)	/* skb's dst is an xfrm bundle (will be encrypted) */
#define GW_EVF_RECEIVED	(1u << 5)	/* TX: skb_iif set, the packet came in on a device */

/* The packet's headers as read at one point. */
struct gw_tuple {
	__u8 family;		/* AF_INET (2) / AF_INET6 (10); 0 = not parsed */
	__u8 proto;		/* IPPROTO_* of the (outer) header */
	__u8 icmp_type;
	__u8 icmp_code;
	__be16 sport;		/* TCP/UDP ports; ICMP echo: id in sport */
	__be16 dport;
	__u8 saddr[GW_ADDR_LEN];
	__u8 daddr[GW_ADDR_LEN];
	__be32 spi;		/* ESP SPI (proto 50 or UDP 4500 encap) */
	__u32 _pad;
};

struct gw_nf {
	__u8 hook;		/* enum gw_nf_hook */
	__u8 pf;		/* NFPROTO_IPV4 (2) / NFPROTO_IPV6 (10) */
	__u8 verdict;		/* enum gw_nf_verdict */
	__u8 _pad0;
	__s32 ret;		/* raw return value where one exists */
	__u32 ct_status;	/* conntrack IPS_* bits, 0 = no conntrack */
	__be32 xfrm_spi;	/* SA of the secpath (decrypted) or xfrm dst (to encrypt) */
	char table[GW_IFNAMSIZ];	/* NF_TABLE: table name */
	char chain[GW_IFNAMSIZ];	/* NF_TABLE: base chain name (nft) */
};

struct gw_route {
	__u32 table;		/* FIB table id (254 = main) */
	__s32 err;		/* 0 = hit; -EAGAIN = miss in this table, ... */
	__u32 oif;		/* output ifindex */
	__u8 prefixlen;		/* GW_PREFIX_UNKNOWN if the probe cannot see it */
	__u8 gw_family;		/* 0 = directly connected */
	__u8 type;		/* RTN_UNICAST, RTN_BLACKHOLE, ... 0 = unknown */
	__u8 scope;
	__u8 gw[GW_ADDR_LEN];
	__u8 daddr[GW_ADDR_LEN];	/* the flow's destination as looked up */
	char oif_name[GW_IFNAMSIZ];
};

struct gw_drop {
	__u32 reason;		/* enum skb_drop_reason of the running kernel */
	__u32 xfrm_mib;		/* LINUX_MIB_XFRM* counter the drop bumped, 0 = none */
	__u64 location;		/* kernel text address of the free */
	char table[GW_IFNAMSIZ];	/* netfilter table that dropped it, if seen */
	char chain[GW_IFNAMSIZ];	/* nft base chain, if seen */
};

struct gw_xfrm {
	__be32 spi;
	__u32 reqid;
	__s32 err;		/* 0 = ok, else the function's error */
	__u8 dir;		/* enum gw_xfrm_dir */
	__u8 mode;		/* XFRM_MODE_* (0 transport, 1 tunnel) */
	__u8 proto;		/* IPPROTO_ESP / AH / COMP */
	__u8 family;
	__u8 saddr[GW_ADDR_LEN];	/* SA outer addresses */
	__u8 daddr[GW_ADDR_LEN];
	__u16 encap_sport;	/* NAT-T: UDP encapsulation ports, 0 = none */
	__u16 encap_dport;
	__u32 mib;		/* LINUX_MIB_XFRM* counter a failure bumped, 0 = none */
};

/*
 * RX/TX steps of IKE (UDP 500, or 4500 after the non-ESP marker): the
 * fixed header (IKEv1 ISAKMP and IKEv2 share its layout) and, when the
 * first payload is a notify, its message type -- what an IKE_SA_INIT or
 * main-mode answer says in clear (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD).
 */
struct gw_ike {
	__u8 spi_i[8];		/* initiator's SPI (IKEv1: cookie) */
	__u8 spi_r[8];		/* responder's SPI, 0 in the first request */
	__u8 next_payload;	/* type of the first payload */
	__u8 version;		/* major << 4 | minor: 0x20 IKEv2, 0x10 IKEv1 */
	__u8 exchange;		/* exchange type (34 IKE_SA_INIT, 2 main mode...) */
	__u8 flags;		/* IKEv2: 0x08 initiator, 0x20 response */
	__be32 msg_id;
	__u16 notify;		/* first payload's notify type (host order), 0 = none */
	__u8 present;		/* 1: the header was read */
	__u8 _pad;
};

struct gw_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__u64 skb;		/* skb address: identity within one life */
	__u64 pkt_id;		/* packet life id given at first sight, 0 = none */
	__u16 kind;		/* enum gw_event_kind */
	__u16 probe;		/* enum gw_probe_id */
	__u16 cpu;
	__u8 strategy;		/* enum gw_strategy of the program that wrote it */
	__u8 flags;		/* GW_EVF_* */
	__u32 netns;		/* network namespace inode, 0 = unknown */
	__u32 ifindex;
	char ifname[GW_IFNAMSIZ];
	__u32 len;		/* skb->len */
	__u32 mark;
	struct gw_tuple tuple;
	union {
		struct gw_nf nf;
		struct gw_route route;
		struct gw_drop drop;
		struct gw_xfrm xfrm;
		struct gw_ike ike;	/* RX and TX of IKE */
		__u8 raw[80];
	};
};

/*
 * A ring buffer record: one or more steps of one packet life. A tracked
 * packet's steps are kept with its tracking entry and go out together at
 * the end of its life (GW_CHF_END), or when a step finds GW_CHUNK_STEPS
 * gathered (more follow), or when the entry is found stale or swept
 * (bpf/sweep.bpf.c; a delivered life's end, GW_CHF_END); a step of an
 * untracked packet goes out alone. Issue 8: one record per packet life
 * instead of one per step. The record's size is exactly
 * sizeof(struct gw_chunk_hdr) + n_steps * sizeof(struct gw_event).
 */
#define GW_CHUNK_STEPS	8

#define GW_CHF_END	(1u << 0)	/* the life is over: at the last step, or
					 * after it (gw_delivered_after: its
					 * address reused, its socket read it,
					 * or the sweep found it quiet) */
#define GW_CHF_ALONE	(1u << 1)	/* not assembled: an untracked packet's step */
#define GW_CHF_MORE	(1u << 2)	/* sent because it filled: the tracking
					 * entry lives on and gathers the next steps */

struct gw_chunk_hdr {
	__u16 n_steps;		/* 1 .. GW_CHUNK_STEPS */
	__u16 seq;		/* the life's records so far, from 0 */
	__u8 flags;		/* GW_CHF_* */
	__u8 _pad[3];
};

struct gw_chunk {
	struct gw_chunk_hdr hdr;
	struct gw_event steps[GW_CHUNK_STEPS];
};

/* A step alone (untracked packets, monitor's drop log). */
struct gw_chunk1 {
	struct gw_chunk_hdr hdr;
	struct gw_event step;
};

/*
 * Whether a packet whose latest step is this one may wait in a queue on
 * its way to the device (the neighbour layer resolving the next hop, a
 * qdisc): it is on the output path -- past FORWARD, LOCAL_OUT or
 * POSTROUTING, or entering LOCAL_OUT -- and not yet at a device, so its
 * fate is still to come.
 * Not only POSTROUTING's exit: where a namespace has no POSTROUTING hook,
 * no probe sees that point (nf_hook_slow does not run; tracepoint mode
 * links no empty hook but FORWARD's exit and LOCAL_OUT's entry). Kernel
 * and user space both use it: the kernel keeps such a packet's tracking
 * entry for the hold time, user space reports a path ending there as
 * held, never as forwarded.
 */
static inline int gw_step_holds(__u16 kind, __u8 nf_hook)
{
	if (kind == GW_EV_IP_FORWARD)
		return 1;
	if (kind == GW_EV_NF_EXIT)
		return nf_hook == GW_NF_FORWARD || nf_hook == GW_NF_LOCAL_OUT ||
		       nf_hook == GW_NF_POST_ROUTING;
	/* In a hook, a packet is judged at once; LOCAL_OUT's entry may be
	 * the last link a locally made packet passes. */
	return kind == GW_EV_NF_ENTER && nf_hook == GW_NF_LOCAL_OUT;
}

/*
 * Whether the packet, after this step (was: before it), sits with a local
 * socket: it passed INPUT, and since then at most the socket's xfrm policy
 * check ran. What follows is the socket's business: the application's read
 * frees a UDP datagram (skb_consume_udp) or TCP segment (__kfree_skb,
 * skb_attempt_defer_free) with no tracepoint. So the kernel ends such a
 * life when its skb address next starts a packet (gw_track_reused), and
 * user space counts a path that ends so complete.
 */
static inline int gw_delivered_after(int was, __u16 kind, __u8 nf_hook, __u8 nf_verdict)
{
	if (kind == GW_EV_IP_DELIVER ||
	    (kind == GW_EV_NF_EXIT && nf_hook == GW_NF_LOCAL_IN && nf_verdict == GW_NF_ACCEPT))
		return 1;
	return was && kind == GW_EV_XFRM_POLICY;
}

/*
 * What became of a packet at one step, as `gwtrace monitor` counts it in
 * the kernel. A packet may have several (forwarded, then sent); a drop is
 * its last.
 */
enum gw_fate {
	GW_FATE_NONE = 0,
	GW_FATE_FORWARDED,	/* came in on a device, handed to a device driver */
	GW_FATE_DELIVERED,	/* passed INPUT, to a local socket */
	GW_FATE_SENT,		/* made here, handed to a device driver */
	GW_FATE_ENCRYPTED,	/* entered xfrm_output with an SA */
	GW_FATE_DECRYPTED,	/* xfrm_input decapsulated it */
	GW_FATE_DROPPED,	/* kfree_skb with a drop reason */
	GW_FATE_MAX,
};

#define GW_MON_NO_HOOK	0xff

/* Monitor counters, aggregated (no flow): bounded by fates x hooks x
 * reasons x locations x interfaces, never by traffic. */
struct gw_mon_key {
	__u8 fate;		/* enum gw_fate */
	__u8 hook;		/* enum gw_nf_hook, GW_MON_NO_HOOK = none */
	__u8 family;		/* AF_INET / AF_INET6, 0 = not IP */
	__u8 proto;		/* IPPROTO_* of the (outer) header */
	__u32 reason;		/* drops: enum skb_drop_reason */
	__u32 xfrm_mib;		/* drops: LINUX_MIB_XFRM* cause, 0 = none */
	__u32 netns;		/* inode */
	__u64 location;		/* drops: kernel text address of the free */
	char ifname[GW_IFNAMSIZ];
};

/* Monitor counters per flow: the same, plus the packet's headers. */
struct gw_mon_flow_key {
	struct gw_tuple tuple;
	struct gw_mon_key k;
};

struct gw_mon_val {
	__u64 packets;
	__u64 bytes;
};

/* Value of the tracking map (skb address -> packet life): the life's id
 * and the steps not sent yet. User space sweeps entries whose end was
 * never seen (taking their steps) and drains them all at exit. */
struct gw_track {
	__u64 id;		/* pkt_id of the life */
	__u64 last_ts;		/* ts_ns of its latest step */
	__u8 held;		/* gw_step_holds() of the latest step */
	__u8 delivered;		/* gw_delivered_after() its steps so far */
	__u8 _pad[6];
	struct gw_chunk chunk;	/* steps gathered since the last record */
};

/* An address prefix for the in-kernel filter. */
struct gw_prefix {
	__u8 family;		/* AF_INET / AF_INET6; matches only that family */
	__u8 len;		/* prefix length in bits */
	__u8 _pad[2];
	__u8 addr[GW_ADDR_LEN];
};

#define GW_F_SRC	(1u << 0)
#define GW_F_DST	(1u << 1)
#define GW_F_HOST	(1u << 2)
#define GW_F_PROTO	(1u << 3)
#define GW_F_PORT	(1u << 4)
#define GW_F_IFACE	(1u << 5)
#define GW_F_NETNS	(1u << 6)

/* In-kernel filter, written to .rodata before load. flags = 0: match all. */
struct gw_filter {
	__u32 flags;		/* GW_F_* */
	__u8 proto;
	__u8 _pad0;
	__u16 port;		/* host byte order, matches sport or dport */
	struct gw_prefix src;
	struct gw_prefix dst;
	struct gw_prefix host;	/* matches src or dst */
	char iface[GW_IFNAMSIZ];
	__u32 netns;		/* inode */
	__u32 _pad1;
};

#define GW_STATIC_ASSERT(c, m) _Static_assert(c, m)
GW_STATIC_ASSERT(sizeof(struct gw_tuple) == 48, "gw_tuple ABI");
GW_STATIC_ASSERT(sizeof(struct gw_nf) == 48, "gw_nf ABI");
GW_STATIC_ASSERT(sizeof(struct gw_route) == 64, "gw_route ABI");
GW_STATIC_ASSERT(sizeof(struct gw_xfrm) == 56, "gw_xfrm ABI");
GW_STATIC_ASSERT(sizeof(struct gw_drop) == 48, "gw_drop ABI");
GW_STATIC_ASSERT(sizeof(struct gw_ike) == 28, "gw_ike ABI");
GW_STATIC_ASSERT(sizeof(struct gw_event) == 192, "gw_event ABI");
GW_STATIC_ASSERT(sizeof(struct gw_filter) == 92, "gw_filter ABI");
GW_STATIC_ASSERT(sizeof(struct gw_chunk_hdr) == 8, "gw_chunk_hdr ABI");
GW_STATIC_ASSERT(sizeof(struct gw_chunk) == 8 + GW_CHUNK_STEPS * 192, "gw_chunk ABI");
GW_STATIC_ASSERT(sizeof(struct gw_chunk1) == 200, "gw_chunk1 ABI");
GW_STATIC_ASSERT(sizeof(struct gw_track) == 24 + sizeof(struct gw_chunk), "gw_track ABI");
GW_STATIC_ASSERT(sizeof(struct gw_mon_key) == 40, "gw_mon_key ABI");
GW_STATIC_ASSERT(sizeof(struct gw_mon_flow_key) == 88, "gw_mon_flow_key ABI");
GW_STATIC_ASSERT(sizeof(struct gw_mon_val) == 16, "gw_mon_val ABI");

#endif /* GWTRACE_H */

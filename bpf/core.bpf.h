/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every probe family shares: the maps (defined once in maps.bpf.c),
 * the configuration, packet parsing, the filter, packet tracking and event
 * emission. Kernel memory is read with plain loads where the program has
 * BTF pointers (fentry, tp_btf, netfilter) and with BPF_CORE_READ in
 * kprobes (raw pointers): see GW_RD.
 */
#ifndef GW_CORE_BPF_H
#define GW_CORE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "gwtrace.h"

#define GW_AF_INET	2
#define GW_AF_INET6	10
#define GW_ETH_P_IP	0x0800
#define GW_ETH_P_IPV6	0x86DD
#define GW_ETH_HLEN	14
#define GW_IPPROTO_ICMP	1
#define GW_IPPROTO_TCP	6
#define GW_IPPROTO_UDP	17
#define GW_IPPROTO_ESP	50
#define GW_IPPROTO_ICMPV6 58
#define GW_NAT_T_PORT	4500
#define GW_LOOPBACK_IFINDEX 1

/* Input-route context: the skb this CPU is about to route (see fib.bpf.c). */
struct gw_route_ctx {
	__u64 skb;
	__u64 ts;
	__u8 daddr[GW_ADDR_LEN];
};

/* An output-route lookup waiting for its skb at LOCAL_OUT (see fib.bpf.c). */
struct gw_route_pending {
	__u64 pid_tgid;
	__u64 ts;
	__u64 nhc;		/* struct fib_nh_common *: read at LOCAL_OUT */
	struct gw_route route;	/* all but the next hop's fields */
};

/*
 * Map shapes are macros so the defining object and the extern declarations
 * elsewhere are identical (bpftool's static linker checks that).
 */
#define GW_MAP_EVENTS struct {						\
	__uint(type, BPF_MAP_TYPE_RINGBUF);				\
	__uint(max_entries, 4 << 20);					\
} gw_events SEC(".maps")

/* Hash, not LRU: an LRU would evict live packets silently. Full = counted;
 * stale entries (a free we never saw) age out via gw_cfg_track_timeout_ns
 * and user space's sweep. */
#define GW_MAP_TRACKED struct {						\
	__uint(type, BPF_MAP_TYPE_HASH);				\
	__uint(max_entries, 65536);					\
	__type(key, __u64);						\
	__type(value, struct gw_track);					\
} gw_tracked SEC(".maps")

#define GW_MAP_STATS struct {						\
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);			\
	__uint(max_entries, GW_PROBE_MAX * GW_STAT_MAX);		\
	__type(key, __u32);						\
	__type(value, __u64);						\
} gw_stats SEC(".maps")

#define GW_MAP_SEQ struct {						\
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);			\
	__uint(max_entries, 1);						\
	__type(key, __u32);						\
	__type(value, __u64);						\
} gw_seq SEC(".maps")

#define GW_MAP_ROUTE_CTX struct {					\
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);			\
	__uint(max_entries, 1);						\
	__type(key, __u32);						\
	__type(value, struct gw_route_ctx);				\
} gw_route_ctx SEC(".maps")

#define GW_MAP_ROUTE_PENDING struct {					\
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);			\
	__uint(max_entries, 1);						\
	__type(key, __u32);						\
	__type(value, struct gw_route_pending);				\
} gw_route_pending SEC(".maps")

/*
 * The last packet this CPU's programs parsed and found not wanted, by
 * what would change if its headers did: the same skb, buffer, network
 * header offset and length from it mean the same headers -- unless
 * conntrack has NAT for it, which rewrites addresses in place (checked at
 * use). Encapsulation, decapsulation and ESP move the network header or
 * change the length; pushing or pulling the link-layer header changes
 * neither, so one note lasts a packet's way through veths and namespaces.
 * The device counts only for a filter on it. A packet crosses ~20
 * programs on a gateway; without this each of them parsed it to say "not
 * mine" again (issue 8: decided once).
 */
struct gw_nomatch {
	__u64 skb;
	__u64 head;
	__u64 dev;		/* 0 unless the filter names an interface */
	__u32 l3len;		/* skb->len from the network header on */
	__u16 nh;
	__u16 _pad;
};

#define GW_MAP_NOMATCH struct {						\
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);			\
	__uint(max_entries, 1);						\
	__type(key, __u32);						\
	__type(value, struct gw_nomatch);				\
} gw_nomatch SEC(".maps")

/* A new tracking entry is built here: its value is too big for the stack. */
#define GW_MAP_TRACK_NEW struct {					\
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);			\
	__uint(max_entries, 1);						\
	__type(key, __u32);						\
	__type(value, struct gw_track);					\
} gw_track_new SEC(".maps")

/* maps.bpf.c defines GW_DEFINE_MAPS: it holds the definitions, every
 * other object an extern declaration. */
#ifdef GW_DEFINE_MAPS
#define GW_SHARED
#else
#define GW_SHARED extern
#endif
GW_SHARED GW_MAP_EVENTS;
GW_SHARED GW_MAP_TRACKED;
GW_SHARED GW_MAP_STATS;
GW_SHARED GW_MAP_SEQ;
GW_SHARED GW_MAP_ROUTE_CTX;
GW_SHARED GW_MAP_ROUTE_PENDING;
GW_SHARED GW_MAP_NOMATCH;
GW_SHARED GW_MAP_TRACK_NEW;
/* Configuration, defined with its defaults in maps.bpf.c. */
extern const volatile struct gw_filter gw_cfg_filter;
extern const volatile __u64 gw_cfg_track_timeout_ns;
extern const volatile __u64 gw_cfg_hold_timeout_ns;

/* How an event relates to packet tracking. */
enum gw_track_mode {
	GW_TM_START,		/* filter decides; a match starts tracking */
	GW_TM_TRACKED,		/* only packets already tracked */
	GW_TM_END,		/* tracked only; ends the packet's life */
	GW_TM_END_OR_MATCH,	/* ends a tracked life, or reports an untracked
				 * packet matching the filter (drops) */
};

struct gw_where {
	struct sk_buff *skb;
	struct net_device *dev;	/* NULL: skb->dev */
	__u32 netns;		/* 0: from dev or skb->sk */
	__u16 probe;
	__u16 kind;
	__u8 strategy;
	__u8 mode;		/* enum gw_track_mode */
	__u8 l3_at_data;	/* network header is at skb->data (rx) */
	__u8 raw;		/* skb/dev are plain addresses (from a map, or
				 * read with BPF_CORE_READ): no direct loads */
};

static __always_inline void gw_stat_inc(__u32 probe, __u32 stat)
{
	__u32 key = probe * GW_STAT_MAX + stat;
	__u64 *v = bpf_map_lookup_elem(&gw_stats, &key);

	if (v)
		*v += 1;
}

/* Packet life ids: CPU in the top bits, a per-CPU sequence below. */
static __always_inline __u64 gw_next_id(void)
{
	__u32 zero = 0;
	__u64 *seq = bpf_map_lookup_elem(&gw_seq, &zero);

	if (!seq)
		return 0;
	*seq += 1;
	return ((__u64)(bpf_get_smp_processor_id() + 1) << 48) |
	       (*seq & 0xffffffffffffULL);
}

/*
 * Field reads. fentry, tp_btf and netfilter programs get BTF-typed
 * pointers: a plain load (CO-RE relocated, made fault-safe by the JIT) is
 * a few ns. kprobes get raw addresses and need bpf_probe_read_kernel, a
 * helper call: measured at 20-40 ns each here, that was most of a probe's
 * cost. `direct` is a constant after inlining (the program's strategy),
 * so each program holds only one of the two forms.
 */
#define GW_RD(direct, dexpr, kexpr) ((direct) ? (dexpr) : (kexpr))

/* Whether a program of this strategy gets BTF-typed arguments. */
static __always_inline bool gw_strategy_direct(__u8 strategy)
{
	return strategy != GW_STRAT_KPROBE;
}

static __always_inline bool gw_direct(const struct gw_where *w)
{
	return gw_strategy_direct(w->strategy) && !w->raw;
}

/*
 * skb->dev, or NULL where the field holds something else: a socket's
 * receive queue reuses it (UDP keeps its dev_scratch there), and a load
 * through that non-canonical "pointer" faults. The fault's fixup cost
 * ~8 us per consume_skb of a datagram a socket read, with --all.
 */
static __always_inline struct net_device *gw_skb_dev(struct sk_buff *skb, bool direct)
{
	unsigned long raw = GW_RD(direct, skb->dev_scratch, BPF_CORE_READ(skb, dev_scratch));

	/* Kernel addresses (x86-64, arm64) have the top bit set; UDP's
	 * scratch (truesize, len, two flags at bits 48-49) never does. Not
	 * "the top 16 bits": with 5-level paging (LA57: recent servers, qemu
	 * -cpu max) the direct map is at 0xff11..., and every receive lost
	 * its device. A BTF-typed program needs the typed load; a kprobe has
	 * the value. */
	if (!(raw >> 63))
		return NULL;
	return GW_RD(direct, skb->dev, (struct net_device *)raw);
}

static __always_inline __u32 gw_dev_netns(struct net_device *dev, bool direct)
{
	if (!dev)
		return 0;
	return GW_RD(direct, dev->nd_net.net->ns.inum,
		     BPF_CORE_READ(dev, nd_net.net, ns.inum));
}

static __always_inline __u32 gw_skb_netns(struct sk_buff *skb, struct net_device *dev,
					  bool direct)
{
	struct sock *sk;

	if (dev)
		return gw_dev_netns(dev, direct);
	sk = GW_RD(direct, skb->sk, BPF_CORE_READ(skb, sk));
	if (!sk)
		return 0;
	return GW_RD(direct, sk->__sk_common.skc_net.net->ns.inum,
		     BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum));
}

/* L4 ports / ICMP id / ESP SPI from hdr, the 12 bytes at the L4 header. */
static __always_inline void gw_parse_l4(struct gw_tuple *t, const __u8 *hdr)
{
	switch (t->proto) {
	case GW_IPPROTO_TCP:
	case GW_IPPROTO_UDP:
		__builtin_memcpy(&t->sport, &hdr[0], 2);
		__builtin_memcpy(&t->dport, &hdr[2], 2);
		/* NAT-T: ESP in UDP 4500, a non-zero SPI where the
		 * non-ESP marker (IKE) would be zero. */
		if (t->proto == GW_IPPROTO_UDP &&
		    (t->dport == bpf_htons(GW_NAT_T_PORT) ||
		     t->sport == bpf_htons(GW_NAT_T_PORT)))
			__builtin_memcpy(&t->spi, &hdr[8], 4);
		break;
	case GW_IPPROTO_ICMP:
	case GW_IPPROTO_ICMPV6:
		t->icmp_type = hdr[0];
		t->icmp_code = hdr[1];
		__builtin_memcpy(&t->sport, &hdr[4], 2);	/* echo id */
		break;
	case GW_IPPROTO_ESP:
		__builtin_memcpy(&t->spi, &hdr[0], 4);
		break;
	}
}

static __always_inline void *gw_l3_ptr(struct sk_buff *skb, bool at_data, bool direct)
{
	unsigned char *head = GW_RD(direct, skb->head, BPF_CORE_READ(skb, head));
	__u16 nh, mh;

	if (at_data)
		return GW_RD(direct, skb->data, BPF_CORE_READ(skb, data));
	nh = GW_RD(direct, skb->network_header, BPF_CORE_READ(skb, network_header));
	if (nh != (__u16)~0U && nh != 0)
		return head + nh;
	mh = GW_RD(direct, skb->mac_header, BPF_CORE_READ(skb, mac_header));
	if (mh != (__u16)~0U)
		return head + mh + GW_ETH_HLEN;
	return GW_RD(direct, skb->data, BPF_CORE_READ(skb, data));
}

#define GW_HDR_READ	64	/* IPv6 header + 12 bytes of L4 (+ slack) */

/* Fills t from the packet's IP header; t->family stays 0 if not IP. One
 * read covers the IP header and the L4 bytes we use, except after IPv4
 * options. The head buffer always has room past the headers (tailroom or
 * skb_shared_info), so the read stays inside the allocation. */
static __always_inline void gw_parse_skb(struct sk_buff *skb, bool at_data,
					 struct gw_tuple *t, bool direct)
{
	__u16 proto = bpf_ntohs(GW_RD(direct, skb->protocol, BPF_CORE_READ(skb, protocol)));
	void *l3 = gw_l3_ptr(skb, at_data, direct);
	__u8 buf[GW_HDR_READ];
	struct iphdr *ip = (void *)buf;
	struct ipv6hdr *ip6 = (void *)buf;

	if (proto && proto != GW_ETH_P_IP && proto != GW_ETH_P_IPV6)
		return;
	if (bpf_probe_read_kernel(buf, sizeof(buf), l3))
		return;
	if ((buf[0] >> 4) == 4) {
		__u32 ihl = (buf[0] & 0xf) * 4;

		t->family = GW_AF_INET;
		t->proto = ip->protocol;
		__builtin_memcpy(t->saddr, &ip->saddr, 4);
		__builtin_memcpy(t->daddr, &ip->daddr, 4);
		/* Only the first fragment carries the L4 header. */
		if (ip->frag_off & bpf_htons(0x1fff))
			return;
		if (ihl == 20) {
			gw_parse_l4(t, &buf[20]);
		} else if (ihl > 20) {
			__u8 l4[12];

			if (!bpf_probe_read_kernel(l4, sizeof(l4), l3 + ihl))
				gw_parse_l4(t, l4);
		}
	} else if ((buf[0] >> 4) == 6) {
		t->family = GW_AF_INET6;
		t->proto = ip6->nexthdr;
		__builtin_memcpy(t->saddr, &ip6->saddr, 16);
		__builtin_memcpy(t->daddr, &ip6->daddr, 16);
		gw_parse_l4(t, &buf[40]);
	}
}

/* One 32-bit word of a prefix comparison (i = word index). */
static __always_inline bool gw_word_match(__u32 a, __u32 p, __u32 len, __u32 i)
{
	__u32 bits = len > i * 32 ? len - i * 32 : 0;
	__u32 mask;

	if (!bits)
		return true;
	mask = bits >= 32 ? ~0U : bpf_htonl(~0U << (32 - bits));
	return !((a ^ p) & mask);
}

/* Written without loops over the volatile rodata so clang keeps it flat. */
static __always_inline bool gw_prefix_match(const volatile struct gw_prefix *p,
					    __u8 family, const __u8 *addr)
{
	const volatile __u32 *pw = (const volatile __u32 *)p->addr;
	__u32 a[4], len = p->len;

	if (p->family != family)
		return false;
	__builtin_memcpy(a, addr, sizeof(a));
	return gw_word_match(a[0], pw[0], len, 0) &&
	       gw_word_match(a[1], pw[1], len, 1) &&
	       gw_word_match(a[2], pw[2], len, 2) &&
	       gw_word_match(a[3], pw[3], len, 3);
}

static __always_inline bool gw_iface_match(struct net_device *dev)
{
	/* iface sits at a 4-byte aligned offset of struct gw_filter. */
	const volatile __u32 *want = (const volatile __u32 *)gw_cfg_filter.iface;
	__u32 name[4] = {};

	if (!dev || bpf_probe_read_kernel_str(name, sizeof(name), dev->name) < 0)
		return false;
	return name[0] == want[0] && name[1] == want[1] &&
	       name[2] == want[2] && name[3] == want[3];
}

/* Whether an untracked packet is one the user asked for. */
static __always_inline bool gw_filter_match(const struct gw_tuple *t,
					    struct net_device *dev)
{
	__u32 fl = gw_cfg_filter.flags & ~GW_F_NETNS;

	if (!fl)
		return true;
	if ((fl & (GW_F_SRC | GW_F_DST | GW_F_HOST | GW_F_PROTO | GW_F_PORT)) &&
	    !t->family)
		return false;
	if ((fl & GW_F_SRC) && !gw_prefix_match(&gw_cfg_filter.src, t->family, t->saddr))
		return false;
	if ((fl & GW_F_DST) && !gw_prefix_match(&gw_cfg_filter.dst, t->family, t->daddr))
		return false;
	if ((fl & GW_F_HOST) &&
	    !gw_prefix_match(&gw_cfg_filter.host, t->family, t->saddr) &&
	    !gw_prefix_match(&gw_cfg_filter.host, t->family, t->daddr))
		return false;
	if ((fl & GW_F_PROTO) && t->proto != gw_cfg_filter.proto)
		return false;
	if ((fl & GW_F_PORT) &&
	    bpf_ntohs(t->sport) != gw_cfg_filter.port &&
	    bpf_ntohs(t->dport) != gw_cfg_filter.port)
		return false;
	if ((fl & GW_F_PORT) && t->proto != GW_IPPROTO_TCP &&
	    t->proto != GW_IPPROTO_UDP)
		return false;
	if ((fl & GW_F_IFACE) && !gw_iface_match(dev))
		return false;
	return true;
}

/* Sends an untracked packet's step as a record of its own. Not inlined:
 * one copy for trace mode and monitor's drop log (monitor.bpf.h). */
static __noinline void gw_one_send(struct gw_chunk1 *one)
{
	__u16 kind = one->step.kind;

	one->hdr.n_steps = 1;
	one->hdr.seq = 0;
	one->hdr.flags = GW_CHF_ALONE |
			 (kind == GW_EV_DROP || kind == GW_EV_FREE ? GW_CHF_END : 0);
	one->hdr._pad[0] = one->hdr._pad[1] = one->hdr._pad[2] = 0;
	if (bpf_ringbuf_output(&gw_events, one, sizeof(*one), 0))
		gw_stat_inc(one->step.probe, GW_STAT_LOST_RINGBUF);
	else
		gw_stat_inc(one->step.probe, GW_STAT_EVENTS);
}

#include "monitor.bpf.h"

/* skb's fingerprint for gw_nomatch (see there). */
static __always_inline void gw_nomatch_key(struct gw_nomatch *k, struct sk_buff *skb,
					   struct net_device *dev, bool direct)
{
	/* tail and network_header are offsets from head (64-bit kernels):
	 * their difference is the linear bytes from the network header on. */
	__u32 tail = GW_RD(direct, skb->tail, BPF_CORE_READ(skb, tail));
	__u32 data_len = GW_RD(direct, skb->data_len, BPF_CORE_READ(skb, data_len));

	k->skb = (__u64)skb;
	k->head = (__u64)GW_RD(direct, skb->head, BPF_CORE_READ(skb, head));
	k->nh = GW_RD(direct, skb->network_header, BPF_CORE_READ(skb, network_header));
	k->l3len = tail + data_len - k->nh;
	k->_pad = 0;
	k->dev = 0;
	if (gw_cfg_filter.flags & GW_F_IFACE) {
		/* A branch, not a mask: the verifier refuses & on a pointer. */
		asm volatile("" ::: "memory");
		k->dev = (__u64)dev;
	}
}

/* skb's conntrack status bits (IPS_*), 0 without an entry. */
static __always_inline __u32 gw_skb_ct_status(struct sk_buff *skb, bool direct)
{
	unsigned long nfct;
	struct nf_conn *ct;

	if (!bpf_core_field_exists(skb->_nfct) || !bpf_core_type_exists(struct nf_conn))
		return 0;
	nfct = GW_RD(direct, skb->_nfct, BPF_CORE_READ(skb, _nfct));
	ct = (void *)(nfct & ~7UL);	/* the low bits are ctinfo */
	return ct ? BPF_CORE_READ(ct, status) : 0;
}

/* Whether skb was decrypted (carries a secpath). The extension id moved
 * (1 on 6.18: BRIDGE_NF comes first). */
static __always_inline bool skb_has_secpath(struct sk_buff *skb)
{
	__u8 active;

	if (!bpf_core_field_exists(skb->active_extensions) ||
	    !bpf_core_enum_value_exists(enum skb_ext_id, SKB_EXT_SEC_PATH))
		return false;
	active = BPF_CORE_READ(skb, active_extensions);
	return active & (1 << bpf_core_enum_value(enum skb_ext_id, SKB_EXT_SEC_PATH));
}

/* Whether conntrack may have rewritten skb's addresses (NAT). */
static __always_inline bool gw_skb_nat(struct sk_buff *skb, bool direct)
{
	return gw_skb_ct_status(skb, direct) & (IPS_SRC_NAT | IPS_DST_NAT);
}

/* Whether this untracked skb was already found not wanted, unchanged. */
static __always_inline bool gw_nomatch_hit(struct sk_buff *skb, struct net_device *dev,
					   bool direct)
{
	struct gw_nomatch k, *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&gw_nomatch, &zero);
	if (!c || c->skb != (__u64)skb)
		return false;
	gw_nomatch_key(&k, skb, dev, direct);
	return c->head == k.head && c->dev == k.dev && c->l3len == k.l3len && c->nh == k.nh &&
	       !gw_skb_nat(skb, direct);
}

static __always_inline void gw_nomatch_set(struct sk_buff *skb, struct net_device *dev,
					   bool direct)
{
	struct gw_nomatch *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&gw_nomatch, &zero);
	if (c)
		gw_nomatch_key(c, skb, dev, direct);
}

/* At the end of skb's life: its address may be a new packet's next. */
static __always_inline void gw_nomatch_forget(struct sk_buff *skb)
{
	struct gw_nomatch *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&gw_nomatch, &zero);
	if (c && c->skb == (__u64)skb)
		c->skb = 0;
}

/* dev's name into dst (GW_IFNAMSIZ bytes), as every event and key has it. */
static __always_inline void gw_dev_name(char *dst, struct net_device *dev, bool direct)
{
	if (direct)
		__builtin_memcpy(dst, dev->name, GW_IFNAMSIZ);
	else
		bpf_probe_read_kernel_str(dst, GW_IFNAMSIZ, dev->name);
}

/* The fields every event has. */
static __always_inline void gw_event_fill(struct gw_event *e, const struct gw_where *w,
					  struct net_device *dev, const struct gw_tuple *t,
					  __u64 now, __u32 netns)
{
	struct sk_buff *skb = w->skb;
	bool direct = gw_direct(w);

	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = now;
	e->skb = (__u64)skb;
	e->kind = w->kind;
	e->probe = w->probe;
	e->cpu = bpf_get_smp_processor_id();
	e->strategy = w->strategy;
	e->netns = netns;
	e->len = GW_RD(direct, skb->len, BPF_CORE_READ(skb, len));
	e->mark = GW_RD(direct, skb->mark, BPF_CORE_READ(skb, mark));
	e->tuple = *t;
	if (dev) {
		e->ifindex = GW_RD(direct, dev->ifindex, BPF_CORE_READ(dev, ifindex));
		gw_dev_name(e->ifname, dev, direct);
	}
}

/* Monitor mode: no tracking, every packet the filter matches is counted;
 * the step is filled in a per-CPU scratch event gw_event_submit() counts. */
static __always_inline struct gw_event *gw_mon_begin(const struct gw_where *w)
{
	struct sk_buff *skb = w->skb;
	bool direct = gw_direct(w);
	struct net_device *dev = w->dev ?: gw_skb_dev(skb, direct);
	struct gw_tuple t = {};
	struct gw_chunk1 *rec;
	__u32 zero = 0, netns;

	/* Cheapest test first: other namespaces cost no parsing. */
	netns = w->netns ?: gw_skb_netns(skb, dev, direct);
	if ((gw_cfg_filter.flags & GW_F_NETNS) && netns != gw_cfg_filter.netns)
		return NULL;
	gw_parse_skb(skb, w->l3_at_data, &t, direct);
	if (!gw_filter_match(&t, dev))
		return NULL;
	rec = bpf_map_lookup_elem(&gw_mon_scratch, &zero);
	if (!rec)
		return NULL;
	gw_event_fill(&rec->step, w, dev, &t, bpf_ktime_get_ns(), netns);
	return &rec->step;
}

/*
 * Monitor, a living packet's fate (sent, forwarded, delivered): counted
 * straight from skb, with no scratch event and only the header bytes the
 * key needs (version, protocol): a tenth of what gw_mon_begin() reads for
 * the step every packet pays for. Drops, xfrm steps and filtered monitors
 * keep the full path; false tells the caller to take it.
 */
static __always_inline bool gw_mon_living(const struct gw_where *w, __u8 fate, __u8 hook)
{
	struct sk_buff *skb = w->skb;
	bool direct = gw_direct(w);
	struct gw_mon_key k = {};
	struct net_device *dev;
	__u8 hdr[10];
	__u16 proto;

	if (gw_cfg_filter.flags & ~GW_F_NETNS)
		return false;		/* the filter needs the whole tuple */
	if (fate == GW_FATE_NONE)
		return true;
	dev = w->dev ?: gw_skb_dev(skb, direct);
	k.netns = w->netns ?: gw_skb_netns(skb, dev, direct);
	if ((gw_cfg_filter.flags & GW_F_NETNS) && k.netns != gw_cfg_filter.netns)
		return true;
	k.fate = fate;
	k.hook = hook;
	/* What gw_parse_skb() puts in family and proto, from two bytes. */
	proto = bpf_ntohs(GW_RD(direct, skb->protocol, BPF_CORE_READ(skb, protocol)));
	if ((!proto || proto == GW_ETH_P_IP || proto == GW_ETH_P_IPV6) &&
	    !bpf_probe_read_kernel(hdr, sizeof(hdr), gw_l3_ptr(skb, w->l3_at_data, direct))) {
		if ((hdr[0] >> 4) == 4) {
			k.family = GW_AF_INET;
			k.proto = hdr[9];	/* iphdr.protocol */
		} else if ((hdr[0] >> 4) == 6) {
			k.family = GW_AF_INET6;
			k.proto = hdr[6];	/* ipv6hdr.nexthdr */
		}
	}
	if (dev)
		gw_dev_name(k.ifname, dev, direct);
	gw_mon_count(&gw_mon_fates, &k, GW_RD(direct, skb->len, BPF_CORE_READ(skb, len)),
		     w->probe, GW_STAT_MON_FATE_FULL);
	return true;
}

/*
 * Where gw_event_begin() put the step being filled, for gw_event_submit():
 * in the packet's tracking entry (tr), or in the per-CPU scratch (one:
 * sent alone; monitor's counted step too).
 */
struct gw_step {
	struct gw_event *e;
	struct gw_track *tr;
	struct gw_chunk1 *one;
	bool end;		/* the step ends the life: send, then untrack */
};

/* Sends tr's gathered steps as one record and starts the next one. The
 * per-probe counters count steps, sent or lost, as they did per event.
 * Not inlined: called from four places, and its own stack frame keeps
 * theirs (parse buffer, tuple) under the 512-byte limit. */
static __noinline void gw_chunk_flush(struct gw_track *tr, __u8 flags)
{
	__u32 n = tr->chunk.hdr.n_steps, stat = GW_STAT_EVENTS, i;
	__u64 size;

	if (!n || n > GW_CHUNK_STEPS)
		return;
	/* clang writes hdr + n * step as an OR the verifier cannot bound:
	 * bound the result itself, behind a barrier clang cannot see past. */
	size = sizeof(tr->chunk.hdr) + n * sizeof(struct gw_event);
	asm volatile("" : "+r"(size));
	if (size > sizeof(tr->chunk))
		return;
	tr->chunk.hdr.flags = flags;
	if (bpf_ringbuf_output(&gw_events, &tr->chunk, size, 0))
		stat = GW_STAT_LOST_RINGBUF;
	for (i = 0; i < GW_CHUNK_STEPS; i++) {
		if (i >= n)
			break;
		gw_stat_inc(tr->chunk.steps[i].probe, stat);
	}
	tr->chunk.hdr.n_steps = 0;
	tr->chunk.hdr.seq++;
}

/* Ends tr's life: its last steps go out as a record with flags, then the
 * entry goes. GW_CHF_END tells user space the life is over; without it
 * (an end we missed) user space ends the path when it goes idle. */
static __always_inline void gw_track_end(struct gw_track *tr, __u64 key, __u8 flags)
{
	gw_chunk_flush(tr, flags);
	bpf_map_delete_elem(&gw_tracked, &key);
}

/*
 * Whether tr's packet was last seen handed to a local socket and skb, at a
 * sight that starts packets, is a new packet at its address: the socket's
 * read freed the old one with no tracepoint (gw_delivered_after). Nothing of
 * a delivered packet comes back through rx, tx or netfilter -- except an
 * ESP packet "delivered" to IPsec: xfrm_input's step (the xfrm probes never
 * end a life here) or, where no xfrm probe runs, the decrypted packet's
 * re-injection with a secpath comes next, and the packet is no longer
 * delivered (a veth later scrubs the secpath).
 */
static __always_inline bool gw_track_reused(const struct gw_track *tr, const struct gw_where *w)
{
	if (!tr->delivered || w->mode != GW_TM_START ||
	    (w->kind != GW_EV_RX && w->kind != GW_EV_TX && w->kind != GW_EV_NF_ENTER))
		return false;
	return !skb_has_secpath(w->skb);
}

/* Whether tr is a life whose end we missed: its address is a new packet's
 * now. A held packet waits longer (see gw_step_holds). */
static __always_inline bool gw_track_stale(const struct gw_track *tr, __u64 now)
{
	return now - tr->last_ts > (tr->held ? gw_cfg_hold_timeout_ns : gw_cfg_track_timeout_ns);
}

/*
 * Whether the ring buffer is over half full: user space is behind. A life
 * started now would likely lose steps on its way (a path in fragments,
 * each costing the consumer as much as a whole one), so a new packet is
 * not traced at all then, and counted (GW_STAT_LOST_BUSY); the lives in
 * flight keep the room left. Under a flood, gwtrace then reports some
 * packets whole rather than most of them in pieces.
 */
static __always_inline bool gw_ring_busy(void)
{
	return bpf_ringbuf_query(&gw_events, BPF_RB_AVAIL_DATA) >
	       bpf_ringbuf_query(&gw_events, BPF_RB_RING_SIZE) / 2;
}

/* Starts tracking skb as life id: the entry, or NULL (map full: counted). */
static __always_inline struct gw_track *gw_track_start(__u64 key, __u64 id, __u64 now,
						       __u16 probe)
{
	struct gw_track *nt;
	__u32 zero = 0;

	nt = bpf_map_lookup_elem(&gw_track_new, &zero);
	if (!nt)
		return NULL;
	nt->id = id;
	nt->last_ts = now;
	nt->held = 0;
	nt->delivered = 0;
	nt->chunk.hdr.n_steps = 0;
	nt->chunk.hdr.seq = 0;
	if (bpf_map_update_elem(&gw_tracked, &key, nt, BPF_NOEXIST)) {
		gw_stat_inc(probe, GW_STAT_LOST_TRACK);
		return NULL;
	}
	return bpf_map_lookup_elem(&gw_tracked, &key);
}

/*
 * Decides whether this step is reported and where it is kept (st). Returns
 * the event to fill, or NULL when the packet is not ours, or the step could
 * not be kept (counted). The caller fills the kind-specific part and calls
 * gw_event_submit(st). Filtering happens before anything is reserved.
 */
static __always_inline struct gw_event *gw_event_begin(const struct gw_where *w,
						       struct gw_step *st)
{
	struct sk_buff *skb = w->skb;
	bool direct = gw_direct(w);
	struct net_device *dev;
	__u64 key = (__u64)skb, now, id;
	struct gw_tuple t = {};
	struct gw_track *tr;
	struct gw_event *e;
	__u8 flags = 0;
	__u32 netns, n;

	st->tr = NULL;
	st->one = NULL;
	st->end = false;
	if (gw_cfg_monitor)
		return st->e = gw_mon_begin(w);
	dev = w->dev ?: gw_skb_dev(skb, direct);
	/* Found not wanted and unchanged: never tracked since (tracking
	 * starts at a match), so the hash lookup below can be skipped. */
	if ((w->mode == GW_TM_START || w->mode == GW_TM_END_OR_MATCH) &&
	    gw_nomatch_hit(skb, dev, direct))
		return NULL;
	tr = bpf_map_lookup_elem(&gw_tracked, &key);
	/* The clock only once the packet may be ours: most are not. */
	now = tr ? bpf_ktime_get_ns() : 0;
	if (tr && gw_track_stale(tr, now)) {
		gw_track_end(tr, key, 0);
		tr = NULL;
	} else if (tr && gw_track_reused(tr, w)) {
		gw_track_end(tr, key, GW_CHF_END);
		tr = NULL;
	}
	if (!tr && (w->mode == GW_TM_TRACKED || w->mode == GW_TM_END))
		return NULL;

	gw_parse_skb(skb, w->l3_at_data, &t, direct);
	if (tr) {
		id = tr->id;
		tr->last_ts = now;
	} else {
		if (!gw_filter_match(&t, dev)) {
			gw_nomatch_set(skb, dev, direct);
			return NULL;
		}
		/* Not traced, before a clock read or an id: under overload
		 * most packets end here. Its later programs on this CPU skip
		 * it too (the note). */
		if (w->mode == GW_TM_START && gw_ring_busy()) {
			gw_stat_inc(w->probe, GW_STAT_LOST_BUSY);
			gw_nomatch_set(skb, dev, direct);
			return NULL;
		}
		now = bpf_ktime_get_ns();
		id = gw_next_id();
		flags |= GW_EVF_NEW;
		/* Found not wanted before a NAT made it match: the note
		 * must not outlive the NAT (netns crossings scrub conntrack)
		 * and hide the tracked packet from the check above. */
		gw_nomatch_forget(skb);
		if (w->mode == GW_TM_START)
			tr = gw_track_start(key, id, now, w->probe);
	}
	st->end = tr && (w->mode == GW_TM_END || w->mode == GW_TM_END_OR_MATCH);

	netns = w->netns ?: gw_skb_netns(skb, dev, direct);
	if ((gw_cfg_filter.flags & GW_F_NETNS) && netns != gw_cfg_filter.netns) {
		if (st->end)
			gw_track_end(tr, key, 0);
		return NULL;
	}

	if (tr) {
		/* A full record goes out when the next step comes, not when
		 * it fills: the entry then never ends with no step to carry
		 * the end (GW_CHF_END) to user space. */
		n = tr->chunk.hdr.n_steps;
		if (n >= GW_CHUNK_STEPS) {
			gw_chunk_flush(tr, GW_CHF_MORE);
			n = 0;
		}
		e = &tr->chunk.steps[n];
		st->tr = tr;
	} else {
		/* Copied out at submit, not reserved here: a reservation held
		 * across begin and submit leaks, to 6.1's verifier, on paths
		 * it cannot tell apart. */
		n = 0;
		st->one = bpf_map_lookup_elem(&gw_mon_scratch, &n);
		if (!st->one)
			return NULL;
		e = &st->one->step;
	}
	gw_event_fill(e, w, dev, &t, now, netns);
	e->pkt_id = id;
	e->flags = flags;
	return st->e = e;
}

/* Keeps the filled step: gathers it, sends the record when the life
 * ended; monitor mode counts it instead. */
static __always_inline void gw_event_submit(struct gw_step *st)
{
	struct gw_track *tr = st->tr;
	struct gw_event *e = st->e;
	__u32 n;

	if (gw_cfg_monitor) {
		gw_mon_account(e);
		return;
	}
	if (st->one) {
		gw_one_send(st->one);
		return;
	}
	if (!tr)
		return;
	tr->held = gw_step_holds(e->kind, e->nf.hook);
	tr->delivered = gw_delivered_after(tr->delivered, e->kind, e->nf.hook, e->nf.verdict);
	n = tr->chunk.hdr.n_steps + 1;
	tr->chunk.hdr.n_steps = n;
	if (st->end)
		gw_track_end(tr, e->skb, GW_CHF_END);
}

/* Whether skb is currently tracked (cheap pre-check for hot probes). In
 * monitor mode nothing is tracked and every packet is of interest. */
static __always_inline bool gw_is_tracked(struct sk_buff *skb)
{
	__u64 key = (__u64)skb;

	if (gw_cfg_monitor)
		return true;
	return bpf_map_lookup_elem(&gw_tracked, &key) != NULL;
}

#endif /* GW_CORE_BPF_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <linux/types.h>
#include "probe_table.h"

#define FENTRY GW_STRAT_FENTRY
#define KPROBE GW_STRAT_KPROBE
#define TP GW_STRAT_TRACEPOINT

const struct gw_probe_def gw_probe_defs[GW_PROBE_MAX] = {
	[GW_PROBE_RX] = {
		GW_PROBE_RX, "skb:rx", "packet received on a device",
		{ { TP, "tp_btf/netif_receive_skb",
		    { { "gw_tp_rx", "netif_receive_skb" } } } },
	},
	[GW_PROBE_TX] = {
		GW_PROBE_TX, "skb:tx", "packet handed to a device driver",
		{ { TP, "tp_btf/net_dev_start_xmit",
		    { { "gw_tp_tx", "net_dev_start_xmit" } } } },
	},
	[GW_PROBE_DROP] = {
		GW_PROBE_DROP, "skb:drop", "kernel drop with reason and location",
		{ { TP, "tp_btf/kfree_skb", { { "gw_tp_drop", "kfree_skb" } } } },
	},
	[GW_PROBE_FREE] = {
		GW_PROBE_FREE, "skb:free", "normal end of a packet's life",
		{ { TP, "tp_btf/consume_skb", { { "gw_tp_free", "consume_skb" } } } },
	},
	[GW_PROBE_FIB] = {
		GW_PROBE_FIB, "fib:lookup", "IPv4 route: table, gateway, device, default route",
		{ { FENTRY, "fexit/fib_table_lookup (prefix length from fib_result)",
		    { { "gw_fexit_fib", "fib_table_lookup" } } },
		  { KPROBE, "kprobe+kretprobe/fib_table_lookup (prefix length from fib_result)",
		    { { "gw_kp_fib", "fib_table_lookup" },
		      { "gw_krp_fib", "fib_table_lookup" } } },
		  { TP, "tp_btf/fib_table_lookup (prefix length via netlink RTM_F_FIB_MATCH)",
		    { { "gw_tp_fib", "fib_table_lookup" } } } },
	},
	[GW_PROBE_NF_HOOK] = {
		GW_PROBE_NF_HOOK, "nf:hook", "netfilter hooks entered/left, NAT",
		{ { FENTRY, "fentry+fexit/nf_hook_slow",
		    { { "gw_fentry_nf", "nf_hook_slow" },
		      { "gw_fexit_nf", "nf_hook_slow" } } },
		  { KPROBE, "kprobe+kretprobe/nf_hook_slow",
		    { { "gw_kp_nf", "nf_hook_slow" },
		      { "gw_krp_nf", "nf_hook_slow" } } },
		  { TP, "netfilter links",
		    { { "gw_nf_first", NULL }, { "gw_nf_last", NULL } },
		    .nflink = true } },
	},
	[GW_PROBE_NF_TABLE] = {
		GW_PROBE_NF_TABLE, "nf:table", "table/chain running when netfilter dropped",
		{ { FENTRY, "fentry+fexit/nft_do_chain,ipt_do_table",
		    { { "gw_fentry_nft", "nft_do_chain" },
		      { "gw_fexit_nft", "nft_do_chain" },
		      { "gw_fentry_ipt", "ipt_do_table" },
		      { "gw_fexit_ipt", "ipt_do_table" } }, .any = true },
		  { KPROBE, "kprobe+kretprobe/nft_do_chain,ipt_do_table",
		    { { "gw_kp_nft", "nft_do_chain" },
		      { "gw_krp_nft", "nft_do_chain" },
		      { "gw_kp_ipt", "ipt_do_table" },
		      { "gw_krp_ipt", "ipt_do_table" } }, .any = true } },
		"no tracepoint sees table verdicts; drops still carry reason and location",
	},
	[GW_PROBE_XFRM_OUT] = {
		GW_PROBE_XFRM_OUT, "xfrm:output", "encrypted: SA (SPI, reqid, mode)",
		{ { FENTRY, "fentry/xfrm_output", { { "gw_fentry_xfrm_out", "xfrm_output" } } },
		  { KPROBE, "kprobe/xfrm_output", { { "gw_kp_xfrm_out", "xfrm_output" } } } },
		"no xfrm tracepoint; netfilter steps flag packets routed into an SA",
	},
	[GW_PROBE_XFRM_IN] = {
		GW_PROBE_XFRM_IN, "xfrm:input", "decrypted, or why decryption failed",
		{ { FENTRY, "fentry/xfrm_input,xfrm_rcv_cb (cause: xfrm counter deltas)",
		    { { "gw_fentry_xfrm_in", "xfrm_rcv_cb" },
		      { "gw_fentry_xfrm_input", "xfrm_input" } } },
		  { KPROBE, "kprobe/xfrm_input,xfrm_rcv_cb (cause: xfrm counter deltas)",
		    { { "gw_kp_xfrm_in", "xfrm_rcv_cb" },
		      { "gw_kp_xfrm_input", "xfrm_input" } } } },
		"no xfrm tracepoint; netfilter steps flag decrypted packets (secpath)",
	},
	[GW_PROBE_XFRM_POLICY] = {
		GW_PROBE_XFRM_POLICY, "xfrm:policy", "xfrm policy check rejected the packet",
		{ { FENTRY, "fentry+fexit/__xfrm_policy_check,__xfrm_route_forward",
		    { { "gw_fexit_xfrm_pol", "__xfrm_policy_check" },
		      { "gw_fentry_xfrm_pol", "__xfrm_policy_check" },
		      { "gw_fentry_xfrm_fwd", "__xfrm_route_forward" },
		      { "gw_fexit_xfrm_fwd", "__xfrm_route_forward" } } },
		  { KPROBE, "kprobe+kretprobe/__xfrm_policy_check,__xfrm_route_forward",
		    { { "gw_kp_xfrm_pol", "__xfrm_policy_check" },
		      { "gw_krp_xfrm_pol", "__xfrm_policy_check" },
		      { "gw_kp_xfrm_fwd", "__xfrm_route_forward" },
		      { "gw_krp_xfrm_fwd", "__xfrm_route_forward" } } } },
		"no tracepoint; policy drops still show as XFRM_POLICY drops",
	},
	[GW_PROBE_IP_FINISH] = {
		GW_PROBE_IP_FINISH, "ip:verdict", "forwarded / delivered locally (past FORWARD / INPUT)",
		{ { FENTRY, "fentry/ip_forward_finish,ip_local_deliver_finish,ip6_forward_finish,ip6_input_finish",
		    { { "gw_fentry_fwd4", "ip_forward_finish", .not_monitor = true },
		      { "gw_fentry_dlv4", "ip_local_deliver_finish" },
		      { "gw_fentry_fwd6", "ip6_forward_finish", .not_monitor = true },
		      { "gw_fentry_dlv6", "ip6_input_finish" } }, .any = true },
		  { KPROBE, "kprobe/ip_forward_finish,ip_local_deliver_finish,ip6_forward_finish,ip6_input_finish",
		    { { "gw_kp_fwd4", "ip_forward_finish", .not_monitor = true },
		      { "gw_kp_dlv4", "ip_local_deliver_finish" },
		      { "gw_kp_fwd6", "ip6_forward_finish", .not_monitor = true },
		      { "gw_kp_dlv6", "ip6_input_finish" } }, .any = true } },
		"not needed: netfilter link exits at FORWARD / INPUT give the same verdicts",
	},
};

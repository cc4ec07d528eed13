#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Netfilter drops on the gateway: where (hook) and why (reason, location).
# Run: tests/run.sh -k netfilter, or tests/e2e/test_netfilter.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The checks every netfilter drop at HOOK must pass, on the picked packets.
expect_nf_drop() {
	local hook=$1 netns
	netns=$(ns_inode "$NS_GW")
	expect_eq .outcome dropped
	expect_verdict netfilter_drop
	expect_eq .drop.reason NETFILTER_DROP
	expect_eq .drop.hook "$hook"
	expect_cause firewall_drop "$hook"
	expect_nonempty .drop.location
	expect "any(.steps[]; .kind == \"drop\" and .netns == $netns)" \
		"a drop step in the gateway netns ($netns)" '[.steps[] | select(.kind == "drop") | .netns]'
}

# nft drops client -> remote pings in the gateway's forward chain.
test_forward_drop() {
	require_cmd nft
	topo_standard
	topo_check_reach 10.2.0.2
	nft_apply "$NS_GW" 'table inet gwt_filter {
		chain forward {
			type filter hook forward priority filter; policy accept;
			ip daddr 10.2.0.2 icmp type echo-request drop
		}
	}'
	GWT_FOCUS=$(flow_is 10.1.0.2 10.2.0.2)
	gw_start --host 10.2.0.2
	ping_from "$NS_C" 10.2.0.2 3
	gw_stop
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.2.0.2"
	expect_nf_drop FORWARD
	assert_summary '.dropped >= 1' "dropped >= 1"
}

# nft drops pings to the gateway's own LAN address in its input chain.
test_input_drop() {
	require_cmd nft
	topo_standard
	topo_check_reach 10.1.0.1
	nft_apply "$NS_GW" 'table inet gwt_filter {
		chain input {
			type filter hook input priority filter; policy accept;
			icmp type echo-request drop
		}
	}'
	GWT_FOCUS=$(flow_is 10.1.0.2 10.1.0.1)
	gw_start --host 10.1.0.1
	ping_from "$NS_C" 10.1.0.1 3
	gw_stop
	pick_packets "$(flow_is 10.1.0.2 10.1.0.1) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.1.0.1 (the gateway)"
	expect_nf_drop INPUT
}

# nft drops the gateway's own pings to the client in its output chain.
test_output_drop() {
	require_cmd nft
	topo_standard
	ns_check_reach "$NS_GW" 10.1.0.2
	nft_apply "$NS_GW" 'table inet gwt_filter {
		chain output {
			type filter hook output priority filter; policy accept;
			ip daddr 10.1.0.2 icmp type echo-request drop
		}
	}'
	GWT_FOCUS=$(flow_is 10.1.0.1 10.1.0.2)
	gw_start --netns "$NS_GW" --host 10.1.0.2
	ping_from "$NS_GW" 10.1.0.2 3
	gw_stop
	pick_packets "$(flow_is 10.1.0.1 10.1.0.2) and .flow.proto == \"icmp\"" \
		"ping from the gateway 10.1.0.1 -> 10.1.0.2"
	expect_nf_drop OUTPUT
}

# The same FORWARD drop written with iptables (nft backend, iptables-nft).
test_iptables_forward_drop() {
	local ipt
	ipt=$(command -v iptables-nft || command -v iptables || true)
	[[ -n $ipt ]] || skip "needs iptables"
	topo_standard
	topo_check_reach 10.2.0.2
	ns_exec "$NS_GW" "$ipt" -A FORWARD -p icmp -d 10.2.0.2 -j DROP
	GWT_FOCUS=$(flow_is 10.1.0.2 10.2.0.2)
	gw_start --host 10.2.0.2
	ping_from "$NS_C" 10.2.0.2 3
	gw_stop
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.2.0.2 ($(basename "$ipt") DROP)"
	expect_nf_drop FORWARD
}

# iptables-legacy (x_tables, not nft): the kernel frees at nf_hook_slow.
test_iptables_legacy_forward_drop() {
	require_cmd iptables-legacy
	topo_standard
	topo_check_reach 10.2.0.2
	ns_exec "$NS_GW" iptables-legacy -A FORWARD -p icmp -d 10.2.0.2 -j DROP 2>/dev/null ||
		skip "iptables-legacy cannot load its filter table (kernel without legacy x_tables?)"
	GWT_FOCUS=$(flow_is 10.1.0.2 10.2.0.2)
	gw_start --host 10.2.0.2
	ping_from "$NS_C" 10.2.0.2 3
	gw_stop
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.2.0.2 (iptables-legacy DROP)"
	expect_nf_drop FORWARD
}

# A hook with no entry costs a packet nothing, so trace links none there
# (README, "netfilter links"): the gateway's healthy pings show no
# PREROUTING or POSTROUTING step, only leaving FORWARD. A table made while
# gwtrace runs is linked at the next rescan: pings sent until then end up
# dropped at FORWARD, with the hook and its entry step. IPv4 and IPv6.
test_nf_links_follow_rules() {
	local gw fam dst rc pids=()
	require_cmd nft
	topo_standard6
	gw=$(ns_inode "$NS_GW")
	GWT_FOCUS="$(flow_is 10.1.0.2 10.2.0.2) or $(flow_is fd00:1::2 fd00:2::2)"
	gw_start --netns "$NS_GW" --all
	ping_ok "$NS_C" 10.2.0.2 2
	ping_ok "$NS_C" fd00:2::2 2
	gw_wait_line "($GWT_FOCUS) and .outcome == \"forwarded\"" 10 ||
		fail "no forwarded ping within 10 s"
	nft_apply "$NS_GW" 'table inet gwt_late {
		chain forward {
			type filter hook forward priority filter; policy accept;
			icmp type echo-request drop
			icmpv6 type echo-request drop
		}
	}'
	for dst in 10.2.0.2 fd00:2::2; do
		ip netns exec "$NS_C" ping -n -q -c 100 -i 0.2 -W 1 "$dst" >/dev/null 2>&1 &
		pids+=($!)
	done
	gw_wait_line "($GWT_FOCUS) and .drop.hook == \"FORWARD\" and .flow.family == \"ipv4\"" 15 &&
		gw_wait_line "($GWT_FOCUS) and .drop.hook == \"FORWARD\" and .flow.family == \"ipv6\"" 15
	rc=$?
	kill "${pids[@]}" 2>/dev/null || true
	wait "${pids[@]}" 2>/dev/null || true
	((rc == 0)) || fail "the table made while gwtrace ran was not seen dropping at FORWARD within 15 s"
	gw_stop
	for fam in ipv4 ipv6; do
		pick_packets "($GWT_FOCUS) and .flow.family == \"$fam\" and .outcome == \"forwarded\"" \
			"$fam pings before the table"
		expect "any(.steps[]; .kind == \"nf_exit\" and .hook == \"FORWARD\")" \
			"leaving FORWARD (linked everywhere)" '[.steps[] | [.kind, .hook]]'
		expect "all(.steps[]; (.hook // \"\") != \"PREROUTING\" and (.hook // \"\") != \"POSTROUTING\")" \
			"no PREROUTING or POSTROUTING step (no hook there)" '[.steps[] | [.kind, .hook]]'
		pick_packets "($GWT_FOCUS) and .flow.family == \"$fam\" and .drop.hook == \"FORWARD\"" \
			"$fam pings after the table"
		expect_verdict netfilter_drop
		expect "any(.steps[]; .kind == \"nf_enter\" and .hook == \"FORWARD\" and .netns == $gw)" \
			"entering FORWARD at the gateway (linked with the table)" '[.steps[] | [.kind, .hook]]'
	done
}

gwt_main "$@"

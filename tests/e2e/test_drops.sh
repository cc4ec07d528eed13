#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Drops that are not netfilter's: IPsec policy, sockets.
# Run: tests/run.sh -k drops, or tests/e2e/test_drops.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A forward "block" policy for LAN -> remote subnet: the kernel drops in
# ip_forward (XfrmInPolBlock), before the FORWARD hook.
test_xfrm_block_policy() {
	require_drop_reason XFRM_POLICY
	topo_standard
	topo_check_reach 10.2.0.2
	ip -n "$NS_GW" xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir fwd action block ||
		skip "cannot add an xfrm policy (kernel without CONFIG_XFRM_USER?)"
	GWT_FOCUS=$(flow_is 10.1.0.2 10.2.0.2)
	gw_start --host 10.2.0.2
	ping_from "$NS_C" 10.2.0.2 3
	gw_stop
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.2.0.2 (xfrm fwd block policy)"
	expect_eq .outcome dropped
	expect_verdict policy_drop
	expect_eq .drop.reason XFRM_POLICY
	expect_no_verdict netfilter_drop
	expect_cause policy_block
	expect_nonempty .drop.location
}

# TCP SYN to a port nobody listens on: the server drops it (NO_SOCKET) and
# answers with a reset; also exercises --proto tcp --port.
test_tcp_no_socket() {
	require_drop_reason NO_SOCKET
	topo_standard
	GWT_FOCUS='.flow.proto == "tcp"'
	gw_start --host 10.2.0.2 --proto tcp --port 8080
	tcp_connect_from "$NS_C" 10.2.0.2 8080 2
	gw_stop
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"tcp\" and .flow.dport == 8080" \
		"TCP 10.1.0.2 -> 10.2.0.2:8080 (no listener)"
	expect_eq .outcome dropped
	expect_eq .drop.reason NO_SOCKET
	expect_cause no_socket
	expect_verdict dropped
	expect_no_verdict netfilter_drop
	expect "any(.steps[]; .kind == \"drop\" and .netns == $(ns_inode "$NS_SRV"))" \
		"the drop step in the server netns" '[.steps[] | select(.kind == "drop") | .netns]'
}

gwt_main "$@"

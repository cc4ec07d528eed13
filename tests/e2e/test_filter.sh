#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Filters: only the traffic asked for is reported.
# Run: tests/run.sh -k filter, or tests/e2e/test_filter.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --host A while the client pings A and B: A's packets only.
test_host_filter_excludes_other() {
	topo_standard
	GWT_FOCUS=$(flow_involves 10.3.0.2)
	gw_start --host 10.2.0.2 --all
	ping_ok "$NS_C" 10.2.0.2 3
	ping_ok "$NS_C" 10.3.0.2 3
	gw_stop
	assert_no_packet "$(flow_involves 10.3.0.2)" "packets of 10.3.0.2 despite --host 10.2.0.2"
	assert_no_packet "$(flow_involves 10.2.0.2) | not" "packets not involving 10.2.0.2"
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2)" "ping 10.1.0.2 -> 10.2.0.2"
	pick_packets "$(flow_is 10.2.0.2 10.1.0.2)" "ping reply 10.2.0.2 -> 10.1.0.2"
}

# --proto udp --port 5353: the dropped datagrams to 5353 only; not the pings
# nor the datagrams to 5354 (which reach the server and die there).
test_udp_port_filter() {
	require_cmd nft
	topo_standard
	nft_apply "$NS_GW" 'table inet gwt_filter {
		chain forward {
			type filter hook forward priority filter; policy accept;
			udp dport 5353 drop
		}
	}'
	GWT_FOCUS='.flow.proto == "udp"'
	gw_start --host 10.2.0.2 --proto udp --port 5353 --all
	udp_from "$NS_C" 10.2.0.2 5353 3
	ping_ok "$NS_C" 10.2.0.2 2
	udp_from "$NS_C" 10.2.0.2 5354 2
	gw_stop
	assert_no_packet '.flow.proto != "udp"' "non-UDP packets despite --proto udp"
	assert_no_packet '.flow.sport != 5353 and .flow.dport != 5353' \
		"packets of other ports despite --port 5353"
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"udp\" and .flow.dport == 5353" \
		"UDP 10.1.0.2 -> 10.2.0.2:5353"
	expect_eq .outcome dropped
	expect_verdict netfilter_drop
	expect_eq .drop.hook FORWARD
}

# iface_only SRC DST: the client pings DST through the gateway, traced with
# --iface veth-wan (the gateway's upstream side) only. The filter decides
# where a packet is first seen matching: the requests from their
# transmission on veth-wan on, the replies from their arrival on it. No
# path starts anywhere else.
iface_only() {
	local src=$1 dst=$2
	gw_start --iface veth-wan --all
	ping_ok "$NS_C" "$dst" 3
	gw_stop
	assert_no_packet '.steps[0].dev != "veth-wan"' \
		"paths that do not start on veth-wan despite --iface veth-wan"
	pick_packets "$(flow_is "$src" "$dst")" "echo requests $src -> $dst out of veth-wan"
	expect_eq '.outcome' delivered
	expect_eq '.steps[0].kind' tx
	pick_packets "$(flow_is "$dst" "$src")" "echo replies $dst -> $src in by veth-wan"
	expect_eq '.outcome' delivered
	expect_eq '.steps[0].kind' rx
}

test_iface_filter() {
	topo_standard
	iface_only 10.1.0.2 10.2.0.2
}

test_iface_filter_ipv6() {
	topo_standard6
	iface_only fd00:1::2 fd00:2::2
}

# A name no interface has: a warning that names it, and nothing traced.
test_iface_filter_missing_warns() {
	topo_standard
	gw_start --iface nonexist0 --all
	ping_ok "$NS_C" 10.2.0.2 2
	gw_stop
	jq -e -s 'any(.[]; .type == "warning" and (.message | test("nonexist0")))' "$GW_ERR" \
		>/dev/null || fail "no JSON warning naming nonexist0 on stderr: $(head -c 400 "$GW_ERR")"
	assert_no_packet 'true' "packets despite --iface nonexist0"
}

gwt_main "$@"

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

gwt_main "$@"

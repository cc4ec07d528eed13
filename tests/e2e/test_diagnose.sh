#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Diagnosis: the cause of a death in the operator's words (user/path/diagnose.c),
# for the causes a host without ESP can show; the other scenarios assert
# theirs where they are (netfilter, route, held, xfrm, IPsec lab tests).
# Run: tests/run.sh -k diagnose, or tests/e2e/test_diagnose.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# udp_bytes NS DST PORT PRINTF_FORMAT: one datagram of those bytes.
udp_bytes() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$1" bash -c 'printf "$3" >"/dev/udp/$1/$2"' _ "$2" "$3" "$4" 2>/dev/null || true
}

# IKE to the gateway (UDP 500, and 4500 with the non-ESP marker) dropped by
# its INPUT chain: ike_blocked; ESP in UDP 4500 (an SPI where the marker
# would be): esp_blocked. A healthy ping on the way carries no cause.
test_ike_and_esp_blocked() {
	topo_standard
	topo_check_reach 10.1.0.1
	nft_apply "$NS_GW" 'table inet gwt_filter {
		chain input {
			type filter hook input priority filter; policy accept;
			udp dport { 500, 4500 } drop
		}
	}'
	GWT_FOCUS='.flow.proto == "udp" or .flow.proto == "icmp"'
	gw_start --host 10.1.0.1 --all
	ping_ok "$NS_C" 10.1.0.1 1
	# IKE_SA_INIT-like: initiator SPI, zero responder SPI, header.
	udp_bytes "$NS_C" 10.1.0.1 500 '\x11\x22\x33\x44\x55\x66\x77\x88\x00\x00\x00\x00\x00\x00\x00\x00\x21\x20\x22\x08'
	udp_bytes "$NS_C" 10.1.0.1 4500 '\x00\x00\x00\x00\x11\x22\x33\x44\x55\x66\x77\x88\x00\x00\x00\x00'
	udp_bytes "$NS_C" 10.1.0.1 4500 '\x00\x00\x10\x00\x00\x00\x00\x01payload-of-esp'
	sleep 0.3
	gw_stop
	pick_packets '.flow.proto == "udp" and .flow.dport == 500' "IKE on UDP 500"
	expect_eq .outcome dropped
	expect_cause ike_blocked INPUT
	expect '.diagnosis.evidence | any(test("UDP 500"))' "evidence names UDP 500" .diagnosis.evidence
	expect '.diagnosis.advice | test("UDP 500 and 4500")' "advice about UDP 500/4500" .diagnosis.advice
	pick_packets '.flow.proto == "udp" and .flow.dport == 4500 and .flow.spi == null' "IKE on UDP 4500"
	expect_cause ike_blocked INPUT
	pick_packets '.flow.proto == "udp" and .flow.dport == 4500 and .flow.spi == "0x1000"' \
		"ESP in UDP 4500 (SPI 0x1000)"
	expect_cause esp_blocked INPUT
	pick_packets '.flow.proto == "icmp"' "healthy ping to the gateway"
	expect '.diagnosis == null' "no diagnosis on a healthy path" .diagnosis
}

# The gateway does not forward (ip_forward=0, IPv6 forwarding=0) although
# it has the route: forwarding_disabled, not no_route; IPv4 and IPv6.
test_forwarding_disabled() {
	local dst src
	require_drop_reason IP_INADDRERRORS
	topo_standard6
	topo_check_reach 10.2.0.2
	ns_check_reach "$NS_C" fd00:2::2
	ns_sysctl "$NS_GW" net/ipv4/ip_forward 0
	ns_sysctl "$NS_GW" net/ipv6/conf/all/forwarding 0
	for dst in 10.2.0.2 fd00:2::2; do
		if [[ $dst == *:* ]]; then src=fd00:1::2; else src=10.1.0.2; fi
		GWT_FOCUS=$(flow_is "$src" "$dst")
		gw_start --host "$dst"
		ping_from "$NS_C" "$dst" 2
		gw_stop
		pick_packets "$(flow_is "$src" "$dst") and (.flow.icmp_type == 8 or .flow.icmp_type == 128)" \
			"ping $src -> $dst (gateway with forwarding off)"
		expect_eq .outcome dropped
		expect_cause forwarding_disabled
		expect ".diagnosis.at.netns == $(ns_inode "$NS_GW")" "at the gateway" .diagnosis.at
	done
}

# A source the gateway routes back elsewhere, strict rp_filter: rp_filter.
test_rp_filter() {
	require_drop_reason IP_RPFILTER
	topo_standard
	topo_check_reach 10.2.0.2
	ip -n "$NS_C" addr add 10.77.0.9/32 dev lo
	ns_sysctl "$NS_GW" net/ipv4/conf/all/rp_filter 1
	ns_sysctl "$NS_GW" net/ipv4/conf/veth-lan/rp_filter 1
	GWT_FOCUS=$(flow_is 10.77.0.9 10.2.0.2)
	gw_start --host 10.2.0.2
	ip netns exec "$NS_C" ping -n -q -c 2 -i 0.2 -W 1 -I 10.77.0.9 10.2.0.2 >/dev/null 2>&1 || true
	gw_stop
	pick_packets "$(flow_is 10.77.0.9 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping from 10.77.0.9 (routed back via the WAN) -> 10.2.0.2"
	expect_eq .drop.reason IP_RPFILTER
	expect_cause rp_filter
}

# UDP to a closed port of the server: no_socket, at the server; IPv4, IPv6.
test_udp_no_socket() {
	local dst
	require_drop_reason NO_SOCKET
	topo_standard6
	for dst in 10.2.0.2 fd00:2::2; do
		GWT_FOCUS=".flow.proto == \"udp\""
		gw_start --host "$dst" --proto udp --port 7
		udp_from "$NS_C" "$dst" 7 2
		gw_stop
		pick_packets ".flow.proto == \"udp\" and .flow.dport == 7 and .flow.dst == \"$dst\"" \
			"UDP to $dst:7 (closed)"
		expect_cause no_socket
		expect ".diagnosis.at.netns == $(ns_inode "$NS_SRV")" "at the server" .diagnosis.at
	done
}

# A packet larger than the gateway's WAN MTU, "don't fragment" (IPv4) or
# IPv6 (routers never fragment): mtu_exceeded, at the gateway; v4 and v6.
test_mtu_exceeded() {
	local dst
	require_drop_reason PKT_TOO_BIG
	topo_standard6
	ip -n "$NS_GW" link set veth-wan mtu 1280
	for dst in 10.2.0.2 fd00:2::2; do
		GWT_FOCUS=".flow.dst == \"$dst\""
		gw_start --host "$dst"
		ip netns exec "$NS_C" ping -n -q -c 1 -W 1 -M "do" -s 1400 "$dst" >/dev/null 2>&1 || true
		gw_stop
		pick_packets ".flow.dst == \"$dst\" and (.flow.icmp_type == 8 or .flow.icmp_type == 128)" \
			"1428-byte echo request to $dst through a 1280-byte link"
		expect_eq .drop.reason PKT_TOO_BIG
		expect_cause mtu_exceeded
		expect ".diagnosis.at.netns == $(ns_inode "$NS_GW")" "at the gateway" .diagnosis.at
	done
}

gwt_main "$@"

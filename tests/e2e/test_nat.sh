#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# NAT on the gateway: gwtrace reports the translation, the flow stays pre-NAT.
# Run: tests/run.sh -k nat, or tests/e2e/test_nat.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# MASQUERADE on veth-wan. The upstream router has no route back to the LAN,
# so replies only come back because of the SNAT (the test checks that).
test_snat_masquerade() {
	require_cmd nft
	topo_standard
	ip -n "$NS_UP" route del 10.1.0.0/24
	nft_apply "$NS_GW" 'table ip gwt_nat {
		chain postrouting {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "veth-wan" masquerade
		}
	}'
	GWT_FOCUS=$(flow_is 10.1.0.2 10.2.0.2)
	gw_start --host 10.2.0.2 --all
	ping_ok "$NS_C" 10.2.0.2 3
	gw_stop
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.2.0.2 (masqueraded)"
	expect_verdict nat
	expect_eq .nat.type snat
	expect_eq .nat.hook POSTROUTING
	expect_prefix .nat.from 10.1.0.2
	expect_prefix .nat.to 172.16.9.2
	expect_eq .flow.src 10.1.0.2
}

# A "public" service address 198.51.100.10, port-forwarded by the gateway
# (DNAT in prerouting) to the server 10.2.0.2.
dnat_service() {
	require_cmd nft
	topo_standard
	nft_apply "$NS_GW" 'table ip gwt_nat {
		chain prerouting {
			type nat hook prerouting priority dstnat; policy accept;
			ip daddr 198.51.100.10 dnat to 10.2.0.2
		}
	}'
}

test_dnat_prerouting() {
	dnat_service
	GWT_FOCUS=$(flow_is 10.1.0.2 198.51.100.10)
	gw_start --host 10.1.0.2 --all
	ping_ok "$NS_C" 198.51.100.10 3
	gw_stop
	pick_packets "$(flow_is 10.1.0.2 198.51.100.10) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 198.51.100.10 (DNATed to 10.2.0.2)"
	expect_verdict nat
	expect_eq .nat.type dnat
	expect_eq .nat.hook PREROUTING
	expect_prefix .nat.from 198.51.100.10
	expect_prefix .nat.to 10.2.0.2
	expect_eq .flow.dst 198.51.100.10
}

# The filter names the translated address: the request is not wanted
# while it still goes to 198.51.100.10 and is wanted from the moment DNAT
# rewrote it (PREROUTING's exit). gwtrace remembers "not wanted" per packet
# (bpf/core.bpf.h, gw_nomatch) -- unless conntrack has NAT for it.
test_dnat_filter_on_translated_address() {
	dnat_service
	GWT_FOCUS='.flow.proto == "icmp"'
	gw_start --host 10.2.0.2 --all
	ping_ok "$NS_C" 198.51.100.10 3
	gw_stop
	pick_packets '.flow.proto == "icmp" and .flow.icmp_type == 8 and .flow.src == "10.1.0.2"' \
		"echo request 10.1.0.2 -> 198.51.100.10, DNATed to 10.2.0.2"
	expect "any(.steps[]; .kind == \"nf_exit\" and .hook == \"PREROUTING\" and .dst == \"10.2.0.2\" and .netns == $(ns_inode "$NS_GW"))" \
		"the path from the gateway's PREROUTING exit, where DNAT rewrote it" \
		'[.steps[] | [.kind, .hook, .dst]]'
	expect_eq .outcome delivered
}

# The same on IPv6: fd00:99::10 port-forwarded to the server fd00:2::2.
test_dnat_filter_on_translated_address_ipv6() {
	require_cmd nft
	topo_standard6
	ns_check_reach "$NS_C" fd00:2::2
	nft_apply "$NS_GW" 'table ip6 gwt_nat6 {
		chain prerouting {
			type nat hook prerouting priority dstnat; policy accept;
			ip6 daddr fd00:99::10 dnat to fd00:2::2
		}
	}'
	GWT_FOCUS='.flow.proto == "icmpv6"'
	gw_start --host fd00:2::2 --all
	ping_ok "$NS_C" fd00:99::10 3
	gw_stop
	pick_packets '.flow.proto == "icmpv6" and .flow.icmp_type == 128 and .flow.src == "fd00:1::2"' \
		"echo request fd00:1::2 -> fd00:99::10, DNATed to fd00:2::2"
	expect "any(.steps[]; .kind == \"nf_exit\" and .hook == \"PREROUTING\" and .dst == \"fd00:2::2\" and .netns == $(ns_inode "$NS_GW"))" \
		"the path from the gateway's PREROUTING exit, where DNAT rewrote it" \
		'[.steps[] | [.kind, .hook, .dst]]'
	expect_eq .outcome delivered
}

gwt_main "$@"

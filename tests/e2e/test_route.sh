#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Routing on the gateway and healthy packet paths across namespaces.
# Run: tests/run.sh -k route, or tests/e2e/test_route.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# 10.2.0.2 leaves the gateway through its default route (upstream router
# 172.16.9.1 on veth-wan); 10.3.0.2, the control, through a specific /24.
test_default_route() {
	topo_standard
	GWT_FOCUS='.flow.src == "10.1.0.2"'
	gw_start --netns "$NS_GW" --proto icmp --all
	ping_ok "$NS_C" 10.2.0.2 3
	ping_ok "$NS_C" 10.3.0.2 3
	gw_stop

	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.2.0.2 (via the default route)"
	expect_verdict default_route
	expect_json .route.default true
	expect_eq .route.gateway 172.16.9.1
	expect_eq .route.dev veth-wan

	pick_packets "$(flow_is 10.1.0.2 10.3.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.3.0.2 (via 10.3.0.0/24, control)"
	expect_no_verdict default_route
	expect_json .route.default false
	expect_json .route.prefixlen 24
	expect_eq .route.gateway 172.16.9.1
	expect_eq .route.dev veth-wan
}

# A route-based tunnel that lost its route: the gateway's out policy for
# 10.1.0.0/24 -> 10.2.0.0/24 belongs to an xfrm interface (if_id 0x42),
# so it applies only to packets routed into that interface. Without that
# route the traffic takes the default route and leaves in clear (no SA is
# needed: the policy never matches). IPv4 only: the default route is seen
# by the IPv4 FIB probe (IPv6 has none yet).
test_reply_via_default_route() {
	topo_standard
	ip -n "$NS_GW" xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out if_id 0x42 \
		tmpl src 172.16.9.2 dst 172.16.9.1 proto esp mode tunnel ||
		skip "cannot add an xfrm policy with if_id (no xfrm in this kernel?)"
	GWT_FOCUS='.flow.src == "10.1.0.2"'
	gw_start --proto icmp --all
	ping_ok "$NS_C" 10.2.0.2 2
	ping_ok "$NS_C" 10.3.0.2 2
	gw_stop

	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.icmp_type == 8" \
		"echo request 10.1.0.2 -> 10.2.0.2 (default route, covered by the if_id policy)"
	expect_verdict default_route
	expect_no_verdict encrypted
	expect_eq .outcome delivered
	expect_cause reply_via_default_route
	expect ".diagnosis.at.netns == $(ns_inode "$NS_GW")" "the cause at the gateway" .diagnosis.at
	expect_eq .diagnosis.at.netns_name "$NS_GW"
	expect '(.diagnosis.evidence // []) | any(contains("out policy 10.1.0.0/24 -> 10.2.0.0/24 if_id 0x42"))' \
		"evidence names the policy" .diagnosis.evidence
	expect '(.diagnosis.evidence // []) | any(contains("left unencrypted on veth-wan"))' \
		"evidence: left in clear on veth-wan" .diagnosis.evidence

	pick_packets "$(flow_is 10.1.0.2 10.3.0.2) and .flow.icmp_type == 8" \
		"echo request 10.1.0.2 -> 10.3.0.2 (no policy covers it: control)"
	expect '.diagnosis == null' "no diagnosis" .diagnosis
	pick_packets "$(flow_is 10.2.0.2 10.1.0.2) and .flow.icmp_type == 0" \
		"echo reply 10.2.0.2 -> 10.1.0.2 (the policy is one way: control)"
	expect '.diagnosis == null' "no diagnosis" .diagnosis
}

# Tracing every namespace: the client's own default route is ordinary,
# the gateway forwarding out its default route is what gets flagged, even
# though the upstream router and the server route the packet again.
test_default_route_all_netns() {
	topo_standard
	GWT_FOCUS='.flow.src == "10.1.0.2"'
	gw_start --proto icmp --all
	ping_ok "$NS_C" 10.2.0.2 3
	ping_ok "$NS_C" 10.3.0.2 3
	gw_stop

	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.icmp_type == 8" \
		"echo request 10.1.0.2 -> 10.2.0.2 (gateway: default route)"
	expect_verdict default_route
	expect_json .route.default true
	expect_eq .route.gateway 172.16.9.1
	expect_eq .route.dev veth-wan
	expect_eq .outcome delivered

	pick_packets "$(flow_is 10.1.0.2 10.3.0.2) and .flow.icmp_type == 8" \
		"echo request 10.1.0.2 -> 10.3.0.2 (gateway: specific route, control)"
	expect_no_verdict default_route
	expect_eq .outcome delivered
}

# The gateway has neither a default route nor a route to 10.2.0.0/24.
test_no_route() {
	require_drop_reason IP_INNOROUTES
	topo_standard
	ip -n "$NS_GW" route del default
	[[ -z $(ip -n "$NS_GW" route show default) ]] || fail "default route still present"
	GWT_FOCUS=$(flow_is 10.1.0.2 10.2.0.2)
	gw_start --host 10.2.0.2
	ping_from "$NS_C" 10.2.0.2 3
	gw_stop
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.2.0.2 (no route on the gateway)"
	expect_eq .outcome dropped
	expect_eq .drop.reason IP_INNOROUTES
	expect_cause no_route
	expect_verdict dropped
	expect_no_verdict netfilter_drop
	expect_no_verdict default_route
}

# Seen only in the gateway namespace, a healthy packet is "forwarded".
test_forwarded_in_gateway_netns() {
	local gw
	topo_standard
	gw=$(ns_inode "$NS_GW")
	GWT_FOCUS=$(flow_is 10.1.0.2 10.2.0.2)
	gw_start --netns "$NS_GW" --host 10.2.0.2 --all
	ping_ok "$NS_C" 10.2.0.2 3
	gw_stop
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.2.0.2 (gateway netns only)"
	expect_eq .outcome forwarded
	expect_verdict forwarded
	expect_no_verdict delivered
	expect '.drop == null' "no drop object" .drop
	expect "(.steps | length > 0) and all(.steps[]; .netns == $gw)" \
		"all steps in the gateway netns ($gw)" '[.steps[].netns] | unique'
	expect 'any(.steps[]; .kind == "nf_exit" and .hook == "FORWARD")' \
		"a step leaving the FORWARD hook" '[.steps[] | [.kind, .hook]]'
}

# Seen everywhere, the same packet is one path: client -> gateway ->
# upstream -> server, delivered in the server namespace.
test_delivered_end_to_end() {
	local c gw srv
	topo_standard
	c=$(ns_inode "$NS_C")
	gw=$(ns_inode "$NS_GW")
	srv=$(ns_inode "$NS_SRV")
	GWT_FOCUS=$(flow_is 10.1.0.2 10.2.0.2)
	gw_start --host 10.2.0.2 --all
	ping_ok "$NS_C" 10.2.0.2 3
	gw_stop
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.2.0.2 (all namespaces)"
	expect_eq .outcome delivered
	expect_verdict forwarded
	expect_verdict delivered
	expect '.drop == null' "no drop object" .drop
	expect "any(.steps[]; .netns == $gw) and any(.steps[]; .netns == $srv)" \
		"steps in the gateway ($gw) and server ($srv) netns" '[.steps[].netns] | unique'
	expect "any(.steps[]; .netns == $c)" \
		"steps in the client netns ($c): one path from the sender on" '[.steps[].netns] | unique'
	expect "[.steps[].netns] | index($srv) > index($gw)" \
		"gateway steps before server steps" '[.steps[].netns]'
	expect '.complete == true' "complete == true" .complete
}

# --compact: the same paths with each step's unchanged fields left out.
# Carried forward (as a reader would), every step has its namespace again
# and the path still runs client -> gateway -> server; IPv4 and IPv6.
test_compact_paths() {
	local c gw srv dst fam full
	topo_standard6
	c=$(ns_inode "$NS_C")
	gw=$(ns_inode "$NS_GW")
	srv=$(ns_inode "$NS_SRV")
	# shellcheck disable=SC2016 # jq's own $s
	full='reduce .steps[] as $s ([]; . + [((.[-1] // {}) | with_entries(select(.key | IN("strategy", "cpu", "netns", "dev", "ifindex", "len", "mark", "proto", "src", "dst", "sport", "dport", "spi")))) + $s])'
	for dst in 10.2.0.2 fd00:2::2; do
		if [[ $dst == *:* ]]; then fam=ipv6; else fam=ipv4; fi
		gw_start --host "$dst" --all --compact
		ping_ok "$NS_C" "$dst" 3
		gw_stop
		pick_packets ".flow.dst == \"$dst\" and (.flow.proto | startswith(\"icmp\")) and .flow.icmp_type != 135 and .flow.icmp_type != 136" \
			"$fam echo packets to $dst (--compact)"
		expect '.outcome == "delivered" or .outcome == "sent"' "delivered (requests) or sent (replies)" .outcome
		expect '.complete == true' "complete == true" .complete
		expect "($full | all(.[]; .netns != null and .strategy != null and has(\"dev\")))" \
			"every step's namespace, strategy and device known once carried forward" "$full"
		expect "([.steps[] | select(has(\"strategy\"))] | length) < (.steps | length)" \
			"unchanged fields left out (fewer strategy fields than steps)" '[.steps[] | has("strategy")]'
		expect ".flow.icmp_type != 128 and .flow.icmp_type != 8 or ($full | [.[].netns] | index($srv) > index($gw) and index($gw) > index($c))" \
			"requests: client, then gateway, then server steps" "[$full | .[].netns]"
	done
}

gwt_main "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The IPsec context of a trace: xfrm netlink events printed as they happen
# and the gateway's xfrm counters in the summary. This kernel has no ESP,
# so no SA can be added; policies and ACQUIREs work, and they are what an
# operator meets first (a tunnel that IKE never brought up, a block).
# gwtrace runs with --netns GW so that the gateway's counters are read.
# Run: tests/run.sh -k xfrm, or tests/e2e/test_xfrm.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# xfrm_policy_or_skip NS ARGS...: ip xfrm policy add, or skip the test.
xfrm_policy_or_skip() {
	local ns=$1; shift
	ip -n "$ns" xfrm policy add "$@" ||
		skip "cannot add an xfrm policy (kernel without CONFIG_XFRM_USER?)"
}

# Skip unless the gateway namespace has xfrm counters to read.
require_xfrm_stat() {
	ip netns exec "$NS_GW" test -r /proc/net/xfrm_stat ||
		skip "no /proc/net/xfrm_stat (kernel without CONFIG_XFRM_STATISTICS)"
}

# assert_gw_xfrm_event EVENT JQ_COND DESC: an xfrm_event line of this run with
# .event == EVENT, in the gateway's namespace, satisfies JQ_COND.
assert_gw_xfrm_event() {
	local event=$1 cond=$2 desc=$3 gw all
	gw=$(ns_inode "$NS_GW")
	all=$(jq -c 'select(.type == "xfrm_event")' "$GW_OUT")
	jq -e -s --arg ev "$event" --argjson ns "$gw" \
		"any(.[]; .type == \"xfrm_event\" and .event == \$ev and .netns == \$ns and ($cond))" \
		"$GW_OUT" >/dev/null ||
		fail "no xfrm_event \"$event\" in the gateway's netns for $desc (jq: $cond);" \
			"xfrm_event lines: $(head -c 2000 <<<"${all:-none}")"
}

# An out policy with an ESP template and no SA: the kernel asks IKE
# (ACQUIRE), drops the packet (XfrmOutNoStates) and ip_forward frees it
# with XFRM_POLICY.
test_xfrm_acquire_without_sa() {
	require_drop_reason XFRM_POLICY
	topo_standard
	require_xfrm_stat
	topo_check_reach 10.2.0.2
	xfrm_policy_or_skip "$NS_GW" src 10.1.0.0/24 dst 10.2.0.0/24 dir out \
		tmpl src 172.16.9.2 dst 172.16.9.1 proto esp mode tunnel reqid 42
	GWT_FOCUS=$(flow_is 10.1.0.2 10.2.0.2)
	gw_start --netns "$NS_GW" --host 10.2.0.2
	ping_from "$NS_C" 10.2.0.2 3
	gw_stop
	assert_gw_xfrm_event acquire \
		'.flow.src == "10.1.0.2/32" and .flow.dst == "10.2.0.2/32" and .flow.proto == "icmp"
		 and .sa.proto == "esp" and .sa.dst == "172.16.9.1" and .sa.reqid == 42
		 and .policy.dir == "out"' \
		"ping 10.1.0.2 -> 10.2.0.2 (out policy, no SA)"
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.2.0.2 (out policy, no SA)"
	expect_eq .outcome dropped
	expect_verdict policy_drop
	expect_eq .drop.reason XFRM_POLICY
	expect_cause sa_not_established
	assert_summary '(.xfrm_stat.XfrmOutNoStates // 0) >= 1' \
		'xfrm_stat.XfrmOutNoStates >= 1 (the gateway counted the drops)'
	assert_summary '.xfrm_events_lost == 0' 'no xfrm event lost'
}

# A tunnel configured for everything (0.0.0.0/0 on both sides) swallows
# the gateway's own traffic too: its ping to the upstream router (the
# tunnel's peer here) finds the policy, no SA, and dies. The LAN's
# traffic the policy is for dies the same way (sa_not_established); the
# gateway's own packet is the sign of the selector: selector_too_broad.
test_xfrm_selector_too_broad() {
	topo_standard
	require_xfrm_stat
	xfrm_policy_or_skip "$NS_GW" src 0.0.0.0/0 dst 0.0.0.0/0 dir out \
		tmpl src 172.16.9.2 dst 172.16.9.1 proto esp mode tunnel reqid 43
	GWT_FOCUS=$(flow_is 172.16.9.2 172.16.9.1)
	gw_start --netns "$NS_GW" --proto icmp
	ping_from "$NS_GW" 172.16.9.1 2
	ping_from "$NS_C" 10.2.0.2 2
	gw_stop
	pick_packets "$(flow_is 172.16.9.2 172.16.9.1)" \
		"the gateway's own ping 172.16.9.2 -> 172.16.9.1 (0/0 out policy, no SA)"
	expect_eq .outcome dropped
	expect_cause selector_too_broad
	expect ".diagnosis.at.netns == $(ns_inode "$NS_GW")" "the cause at the gateway" .diagnosis.at
	expect '(.diagnosis.evidence // []) | any(contains("out policy 0.0.0.0/0 -> 0.0.0.0/0"))' \
		"evidence names the policy" .diagnosis.evidence
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2)" "the LAN's ping 10.1.0.2 -> 10.2.0.2 (forwarded)"
	expect_eq .outcome dropped
	expect_cause sa_not_established
}

# The same with ::/0: the gateway's own ping to its upstream router.
test_xfrm_selector_too_broad_ipv6() {
	topo_standard6
	require_xfrm_stat
	xfrm_policy_or_skip "$NS_GW" src ::/0 dst ::/0 dir out \
		tmpl src fd00:9::2 dst fd00:9::1 proto esp mode tunnel reqid 44
	GWT_FOCUS=$(flow_is fd00:9::2 fd00:9::1)
	gw_start --netns "$NS_GW" --proto icmpv6
	ping_from "$NS_GW" fd00:9::1 2
	gw_stop
	pick_packets "$(flow_is fd00:9::2 fd00:9::1) and .flow.icmp_type == 128" \
		"the gateway's own ping fd00:9::2 -> fd00:9::1 (::/0 out policy, no SA)"
	expect_eq .outcome dropped
	expect_cause selector_too_broad
	expect '(.diagnosis.evidence // []) | any(contains("out policy ::/0 -> ::/0"))' \
		"evidence names the policy" .diagnosis.evidence
}

# A forward block policy: the kernel counts XfrmInPolBlock (the forward
# check is an inbound one) and drops with XFRM_POLICY.
test_xfrm_fwd_block_counter() {
	require_drop_reason XFRM_POLICY
	topo_standard
	require_xfrm_stat
	topo_check_reach 10.2.0.2
	xfrm_policy_or_skip "$NS_GW" src 10.1.0.0/24 dst 10.2.0.0/24 dir fwd action block
	GWT_FOCUS=$(flow_is 10.1.0.2 10.2.0.2)
	gw_start --netns "$NS_GW" --host 10.2.0.2
	ping_from "$NS_C" 10.2.0.2 3
	gw_stop
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.2.0.2 (fwd block policy)"
	expect_verdict policy_drop
	expect_cause policy_block
	assert_summary '(.xfrm_stat.XfrmInPolBlock // 0) >= 1' \
		'xfrm_stat.XfrmInPolBlock >= 1 (the fwd block counted)'
	assert_summary '(.xfrm_stat.XfrmOutNoStates // 0) == 0' \
		'no XfrmOutNoStates (the counters are of this run, not since boot)'
}

# A policy added, then deleted, while gwtrace runs: both are printed.
test_xfrm_policy_events() {
	topo_standard
	gw_start --netns "$NS_GW"
	xfrm_policy_or_skip "$NS_GW" src 10.1.0.0/24 dst 10.9.0.0/24 proto tcp dport 443 \
		dir out priority 77 action block
	ip -n "$NS_GW" xfrm policy delete src 10.1.0.0/24 dst 10.9.0.0/24 proto tcp \
		dport 443 dir out
	sleep 0.3
	gw_stop
	assert_gw_xfrm_event new_policy \
		'.policy.dir == "out" and .policy.action == "block" and .policy.src == "10.1.0.0/24"
		 and .policy.dst == "10.9.0.0/24" and .policy.proto == "tcp" and .policy.dport == 443
		 and .policy.priority == 77' \
		"ip xfrm policy add ... dir out action block"
	assert_gw_xfrm_event del_policy '.policy.dst == "10.9.0.0/24"' "ip xfrm policy delete"
	# events come as they happen: before the summary, in order
	jq -e -s '[.[] | select(.type == "xfrm_event") | .event]
		| index("new_policy") < index("del_policy")' "$GW_OUT" >/dev/null ||
		fail "new_policy is not printed before del_policy"
}

# Text mode: the event line as it happens and the counters in the summary.
test_xfrm_text_output() {
	local ready=$GWT_TMP/ready.text t0
	require_drop_reason XFRM_POLICY
	topo_standard
	require_xfrm_stat
	xfrm_policy_or_skip "$NS_GW" src 10.1.0.0/24 dst 10.2.0.0/24 dir out \
		tmpl src 172.16.9.2 dst 172.16.9.1 proto esp mode tunnel reqid 42
	GW_OUT=$GWT_TMP/text.out GW_ERR=$GWT_TMP/text.err GW_ARGS=(--netns "$NS_GW" --duration 3)
	GW_RUN=1 GW_RC=""
	env --default-signal=INT,QUIT "$GWTRACE" --ready-file "$ready" "${GW_ARGS[@]}" \
		>"$GW_OUT" 2>"$GW_ERR" </dev/null &
	GW_PID=$!
	t0=$EPOCHREALTIME
	until [[ -e $ready ]]; do
		kill -0 "$GW_PID" 2>/dev/null || fail "gwtrace exited before its ready file"
		gwt__ms_since "$t0"
		((GWT_MS < GWT_READY_TIMEOUT * 1000)) ||
			fail "gwtrace did not write its ready file within ${GWT_READY_TIMEOUT}s"
		gwt_nap 0.05
	done
	ping_from "$NS_C" 10.2.0.2 2
	gw_wait_exit 20 || fail "gwtrace --duration 3 still running after 20 s"
	[[ $GW_RC == 0 ]] || fail "gwtrace exited with status $GW_RC (want 0)"
	grep -Eq '^xfrm  ACQUIRE( \[netns [0-9]+\])? 10\.1\.0\.2/32 -> 10\.2\.0\.2/32 icmp .* wants esp tunnel 172\.16\.9\.2 -> 172\.16\.9\.1 reqid 42 ' "$GW_OUT" ||
		fail "no text line 'xfrm  ACQUIRE 10.1.0.2/32 -> 10.2.0.2/32 icmp ... wants esp tunnel ...'"
	grep -q '^xfrm counters that moved:$' "$GW_OUT" ||
		fail "no 'xfrm counters that moved:' block in the text summary"
	grep -Eq '^XfrmOutNoStates +\+[0-9]+ +policy has no SA' "$GW_OUT" ||
		fail "no 'XfrmOutNoStates +N  policy has no SA ...' line in the text summary"
}

# xfrm_event_in NS_INODE JQ_COND: some xfrm_event line of this run in that
# namespace satisfies JQ_COND.
xfrm_event_in() {
	jq -e -s --argjson ns "$1" \
		"any(.[]; .type == \"xfrm_event\" and .netns == \$ns and ($2))" "$GW_OUT" >/dev/null
}

# Without --netns every namespace is watched: a policy added in one that
# existed before gwtrace started, and in one made while it runs (as an IKE
# daemon in a container makes its SAs), both show as xfrm_event lines of
# their namespace; IPv4 and IPv6 selectors. The new namespace is watched
# from gwtrace's next rescan: policies are added until one shows.
test_xfrm_events_every_netns() {
	local a=$GWT_ID-xa b=$GWT_ID-xb ina inb i limit
	ns_add "$a"
	ina=$(ns_inode "$a")
	gw_start
	xfrm_policy_or_skip "$a" src 10.1.0.0/24 dst 10.2.0.0/24 dir out \
		tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel
	ns_add "$b"
	inb=$(ns_inode "$b")
	gwt_scale 10
	limit=$((REPLY * 4))
	for ((i = 1; i <= limit; i++)); do
		ip -n "$b" xfrm policy add src 10.9.$i.0/24 dst 10.8.0.0/24 dir out \
			tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel
		gwt_nap 0.25
		xfrm_event_in "$inb" '.event == "new_policy"' && break
	done
	((i <= limit)) || fail "no xfrm_event from the namespace made after the start in $((limit / 4)) s"
	ip -n "$b" xfrm policy add src fd00:1::/64 dst fd00:2::/64 dir out \
		tmpl src fd00:9::1 dst fd00:9::2 proto esp mode tunnel
	gw_wait_line "(.type == \"xfrm_event\" and .netns == $inb and .policy.src == \"fd00:1::/64\")" 10 ||
		log "no IPv6 policy event within 10 s"
	gw_stop
	xfrm_event_in "$ina" '.event == "new_policy" and .policy.src == "10.1.0.0/24"
		and .policy.dst == "10.2.0.0/24" and .policy.dir == "out"' ||
		fail "no new_policy event from the namespace that existed at the start"
	xfrm_event_in "$inb" '.event == "new_policy" and .policy.src == "fd00:1::/64"
		and .policy.dst == "fd00:2::/64"' ||
		fail "no new_policy event for the IPv6 policy in the namespace made after the start"
}

# A watch's socket holds its namespace. Deleted while gwtrace runs, the
# namespace must go as it would without gwtrace: its end of a veth pair
# takes the other end with it.
test_xfrm_watch_lets_deleted_netns_go() {
	local a=$GWT_ID-xa b=$GWT_ID-xb i limit
	ns_add "$a"
	ns_add "$b"
	veth_pair "$a" xa0 - "$b" xb0 -
	gw_start
	ip netns del "$a"
	gwt_scale 10
	limit=$((REPLY * 5))
	for ((i = 0; i < limit; i++)); do
		ip -n "$b" link show xb0 >/dev/null 2>&1 || break
		gwt_nap 0.2
	done
	((i < limit)) || fail "namespace $a still alive $((limit / 5)) s after ip netns del (its veth xb0 remains)"
	log "the deleted namespace went after $((i * 200)) ms"
	gw_stop
}

gwt_main "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Packets the kernel holds on their way out: the gateway's next hop does
# not answer ARP / neighbour solicitation, so the neighbour layer queues
# the packet after POSTROUTING and, ~3 s later, drops it (NEIGH_FAILED).
# gwtrace must show one path that ends with that drop -- not a
# "forwarded" path after its 1 s idle timeout plus a context-less drop --
# and, if it stops before the drop, a held path of unknown outcome, never
# a fate the packet did not have.
# Run: tests/run.sh -k held, or tests/e2e/test_held.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The standard topology, but the gateway's default route points at an
# address on the WAN link that nobody has (172.16.9.99, fd00:9::99).
topo_dead_next_hop() {
	topo_standard
	ip -n "$NS_GW" route replace default via 172.16.9.99 dev veth-wan
}

# IPv6 on client and gateway (the test namespaces start with it off):
# fd00:1::/64 on the LAN, fd00:9::/64 on the WAN, the same dead next hop.
topo_dead_next_hop6() {
	topo_dead_next_hop
	ns_enable_ipv6 "$NS_C"
	ns_enable_ipv6 "$NS_GW"
	ns_sysctl "$NS_GW" net/ipv6/conf/all/forwarding 1
	ip -n "$NS_C" addr add fd00:1::2/64 dev veth-lan-c nodad
	ip -n "$NS_GW" addr add fd00:1::1/64 dev veth-lan nodad
	ip -n "$NS_GW" addr add fd00:9::2/64 dev veth-wan nodad
	ip -n "$NS_C" -6 route add default via fd00:1::1
	ip -n "$NS_GW" -6 route add default via fd00:9::99 dev veth-wan
}

# held_one_path SRC DST JQ_DROP: one ping SRC -> DST, wait for the
# neighbour layer to give up, and check that the ping is one path that
# ends dropped at the gateway (JQ_DROP holds for its drop), with its
# forwarding steps before.
held_one_path() {
	local src=$1 dst=$2 drop=$3 flow
	require_drop_reason NEIGH_FAILED
	flow=$(flow_is "$src" "$dst")
	GWT_FOCUS=$flow
	gw_start --host "$dst"
	ping_from "$NS_C" "$dst" 1
	gw_wait_line ".type == \"packet\" and ($flow) and .complete" 15 ||
		fail "no end of the ping's life within 15 s"
	gw_stop
	pick_packets "$flow" "ping $src -> $dst (next hop never answers)"
	expect_eq .outcome dropped
	expect_json .complete true
	expect "$drop" "its drop: $drop" .drop
	expect_cause neigh_failed
	# (Not asserting the "forwarded" verdict: on 6.1 with function probes
	# the IPv6 FORWARD step is not visible -- no hook entry there, and
	# ip6_forward_finish is not traceable.)
	# Its gateway steps on the same path: leaving FORWARD (tracepoint mode
	# links that exit everywhere), or POSTROUTING where a hook is
	# registered there (fentry and kprobe see no empty hook).
	expect "any(.steps[]; .kind == \"nf_exit\" and (.hook == \"POSTROUTING\" or .hook == \"FORWARD\") and .netns == $(ns_inode "$NS_GW"))" \
		"its FORWARD or POSTROUTING exit at the gateway on the same path" '[.steps[] | [.kind, .hook]]'
	[[ $(gw_our_packets | jq -c "select($flow)" | wc -l) == 1 ]] ||
		fail "the ping is $(gw_our_packets | jq -c "select($flow)" | wc -l) paths, want 1: $(gw_our_packets | jq -c "select($flow) | [.id, .outcome, .complete]" | tr '\n' ' ')"
}

test_neigh_failed_one_path() {
	topo_dead_next_hop
	held_one_path 10.1.0.2 10.2.0.2 '.drop.reason == "NEIGH_FAILED"'
}

test_neigh_failed_one_path_ipv6() {
	topo_dead_next_hop6
	# IPv6 neighbour discovery frees its queue without a reason (6.18):
	# gwtrace knows that place as a loss.
	held_one_path fd00:1::2 fd00:2::2 \
		'.drop.reason == "NEIGH_FAILED" or (.drop.location // "" | test("^(neigh_invalidate|ndisc_error_report)\\+"))'
}

# gwtrace stops while the packet still waits for the next hop: the path is
# reported held, of unknown outcome -- not "forwarded".
test_held_at_exit_unknown() {
	local flow
	flow=$(flow_is 10.1.0.2 10.2.0.2)
	topo_dead_next_hop
	GWT_FOCUS=$flow
	gw_start --host 10.2.0.2
	ping_from "$NS_C" 10.2.0.2 1	# -W 1: back well before the ~3 s ARP failure
	gw_stop
	pick_packets "$flow" "ping 10.1.0.2 -> 10.2.0.2, still waiting for ARP"
	expect_eq .outcome unknown
	expect_json .held true
	expect_json .complete false
	expect_verdict forwarded
	[[ -z $(gw_our_packets | jq -c "select($flow and .outcome == \"forwarded\")") ]] ||
		fail "a held packet reported as forwarded"
}

# queued_one_path SRC DST TMPL_SRC TMPL_DST PLEN: the gateway's out
# policy SRC/PLEN -> DST/PLEN wants ESP in tunnel mode to TMPL_DST, and no
# SA exists. With xfrm_larval_drop 0 the kernel queues the packet on the
# policy while IKE would negotiate (an ACQUIRE goes out; nobody answers
# here), retrying for up to a minute; deleting the policy purges the
# queue. One ping must be one path: held while it waits -- never reported
# "forwarded" after the idle timeout -- and ending with the purge's drop.
queued_one_path() {
	local src=$1 dst=$2 tsrc=$3 tdst=$4 plen=$5 flow pol
	require_drop_reason QUEUE_PURGE
	flow=$(flow_is "$src" "$dst")
	GWT_FOCUS=$flow
	ns_sysctl "$NS_GW" net/core/xfrm_larval_drop 0
	pol=(src "${src%::*}::/$plen" dst "${dst%::*}::/$plen")
	[[ $src == *.* ]] && pol=(src "${src%.*}.0/$plen" dst "${dst%.*}.0/$plen")
	ip -n "$NS_GW" xfrm policy add "${pol[@]}" dir out \
		tmpl src "$tsrc" dst "$tdst" proto esp reqid 7 mode tunnel ||
		skip "cannot add an xfrm policy (no xfrm in this kernel?)"
	gw_start --host "$dst"
	ping_from "$NS_C" "$dst" 1
	# Past the 1 s idle timeout: the path must still be open (held).
	gwt_nap 2.5
	[[ -z $(gw_our_packets | jq -c "select($flow)") ]] ||
		fail "the queued ping was reported while still queued: $(gw_our_packets | jq -c "select($flow) | [.outcome, .complete, .held]")"
	ip -n "$NS_GW" xfrm policy delete "${pol[@]}" dir out
	gw_wait_line ".type == \"packet\" and ($flow) and .complete" 10 ||
		fail "no end of the ping's life within 10 s of deleting the policy"
	gw_stop
	pick_packets "$flow" "ping $src -> $dst (queued on the xfrm policy, then purged)"
	expect_eq .outcome dropped
	expect_json .complete true
	expect '.drop.reason == "QUEUE_PURGE"' "its drop: the policy queue purged" .drop
	# gwtrace saw the kernel's ACQUIRE for the flow: IKE had no SA.
	expect_cause sa_not_established
	expect "any(.steps[]; .kind == \"nf_exit\" and .hook == \"FORWARD\" and .netns == $(ns_inode "$NS_GW"))" \
		"its FORWARD exit at the gateway on the same path" '[.steps[] | [.kind, .hook]]'
	[[ $(gw_our_packets | jq -c "select($flow)" | wc -l) == 1 ]] ||
		fail "the ping is $(gw_our_packets | jq -c "select($flow)" | wc -l) paths, want 1"
}

test_xfrm_queue_one_path() {
	topo_standard
	queued_one_path 10.1.0.2 10.2.0.2 172.16.9.2 172.16.9.1 24
}

test_xfrm_queue_one_path_ipv6() {
	topo_standard6
	queued_one_path fd00:1::2 fd00:2::2 fd00:9::2 fd00:9::1 64
}

gwt_main "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Tracing everything: a few thousand packets through the gateway give
# exactly one complete path each -- as many delivered paths as the server
# received -- and no event is lost. The kernel sends each packet's steps
# as one record per life (or a few, for long lives), so this is a count
# check of that assembly, not a timing check: the flood is paced well
# below what the consumer can take.
# Run: tests/run.sh -k test_all, or tests/e2e/test_all.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# every_path_once JQ_FLOW SENT DELIVERED: the packets of JQ_FLOW are SENT
# paths, all complete, with distinct ids, DELIVERED of them delivered;
# nothing was lost.
every_path_once() {
	local flow=$1 sent=$2 delivered=$3 got
	GWT_FOCUS=$flow
	assert_summary '.lost_events == 0 and .lost_track == 0 and .evicted == 0' \
		"no event lost, no packet untracked or evicted"
	got=$(gw_our_packets | jq -c "select($flow)" |
		jq -s -c '{paths: length, complete: map(select(.complete)) | length,
			  delivered: map(select(.outcome == "delivered")) | length,
			  ids: map(.id) | unique | length,
			  outcomes: group_by(.outcome) | map({(.[0].outcome): length}) | add}')
	log "flow paths: $got (sent $sent, delivered $delivered)"
	jq -e --argjson s "$sent" --argjson d "$delivered" \
		'.paths == $s and .complete == $s and .ids == $s and .delivered == $d' \
		<<<"$got" >/dev/null ||
		fail "want $sent complete paths (one per packet sent, distinct ids), $delivered delivered; got $got"
}

# udp_noports NS: the kernel's count of datagrams NS had no socket for.
udp_noports() {
	ip netns exec "$1" nstat -az UdpNoPorts | awk '$1 == "UdpNoPorts" { print $2 }'
}

# 3000 UDP datagrams client -> server, traced with no filter at all. No
# socket listens: each dies at the server (NO_SOCKET), which counts them
# (UdpNoPorts).
test_all_udp_one_path_each() {
	local n=3000 before after
	build_udpflood
	require_cmd nstat
	topo_standard
	topo_check_reach 10.2.0.2
	before=$(udp_noports "$NS_SRV")
	gw_start --all
	flood "$NS_C" "$n" -d 10.2.0.2 -p 9000 -r 3000
	gw_stop
	after=$(udp_noports "$NS_SRV")
	log "server UdpNoPorts: $before -> $after"
	((after - before == FLOOD_SENT)) ||
		fail "the server counted $((after - before)) datagrams without a socket, want $FLOOD_SENT"
	every_path_once "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"udp\" and .flow.dport == 9000" \
		"$FLOOD_SENT" 0
	gw_our_packets | jq -e -s "map(select($(flow_is 10.1.0.2 10.2.0.2) and .flow.dport == 9000))
		| all(.[]; .outcome == \"dropped\" and .drop.reason == \"NO_SOCKET\")" >/dev/null ||
		fail "every datagram's path should end dropped, NO_SOCKET"
}

# read_one_path_each SRC DST: 3000 UDP datagrams SRC -> DST:9001, where
# udpsink reads every one, traced with no filter: one complete, delivered
# path per datagram. The read frees each with no tracepoint, and the
# kernel hands its skb to a later datagram: without ending the life there,
# later datagrams joined earlier paths (3000 datagrams gave ~300 paths).
read_one_path_each() {
	local src=$1 dst=$2 n=3000
	build_udpflood
	build_udpsink
	sink_start "$NS_SRV" "$dst" 9001
	gw_start --all
	flood "$NS_C" "$n" -d "$dst" -p 9001 -r 3000
	gwt_nap 1
	sink_stop
	gw_stop
	log "udpsink read $SINK_RECEIVED of $FLOOD_SENT"
	((SINK_RECEIVED == FLOOD_SENT)) ||
		fail "udpsink read $SINK_RECEIVED of $FLOOD_SENT datagrams (paced: none should be lost)"
	every_path_once "$(flow_is "$src" "$dst") and .flow.proto == \"udp\" and .flow.dport == 9001" \
		"$FLOOD_SENT" "$FLOOD_SENT"
}

test_all_udp_read_one_path_each() {
	topo_standard
	topo_check_reach 10.2.0.2
	read_one_path_each 10.1.0.2 10.2.0.2
}

test_all_udp_read_one_path_each_ipv6() {
	topo_standard6
	read_one_path_each fd00:1::2 fd00:2::2
}

# IPv6: 1000 echo requests client -> server, and their replies.
test_all_ipv6_one_path_each() {
	topo_standard6
	gw_start --all
	fast_ping "$NS_C" fd00:2::2 1000
	gw_stop
	((PING_RECEIVED > 0)) || fail "no echo reply came back"
	# Each request is delivered at the server; each reply the client got
	# was delivered to it.
	every_path_once "$(flow_is fd00:1::2 fd00:2::2) and .flow.icmp_type == 128" \
		"$PING_SENT" "$PING_SENT"
	every_path_once "$(flow_is fd00:2::2 fd00:1::2) and .flow.icmp_type == 129" \
		"$PING_RECEIVED" "$PING_RECEIVED"
}

gwt_main "$@"

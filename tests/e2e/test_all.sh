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

# read_one_path_each SRC DST [OPTION...]: 3000 UDP datagrams SRC -> DST:9001, where
# udpsink reads every one, traced with no filter: one complete, delivered
# path per datagram. The read frees each with no tracepoint, and the
# kernel hands its skb to a later datagram: without ending the life there,
# later datagrams joined earlier paths (3000 datagrams gave ~300 paths).
read_one_path_each() {	# SRC DST [gwtrace options]
	local src=$1 dst=$2 n=3000
	shift 2
	build_udpflood
	build_udpsink
	sink_start "$NS_SRV" "$dst" 9001
	gw_start --all "$@"
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

# rcvbuf_errors NS MIB: the kernel's count of datagrams NS dropped for a
# full socket receive buffer (MIB: UdpRcvbufErrors or Udp6RcvbufErrors).
rcvbuf_errors() {
	ip netns exec "$1" nstat -az "$2" | awk -v m="$2" '$1 == m { print $2 }'
}

# stalled_reader SRC DST MIB: 2400 UDP datagrams SRC -> DST:9001 at 600/s
# to a socket whose application has stopped (SIGSTOP), traced with --all
# and a small tracking map (--track-max 1024). The socket's queue (500 KB
# asked, ~1200 datagrams) takes what fits (delivered) and the kernel drops
# the rest (SOCKET_RCVBUFF,
# counted in MIB). A queued datagram lives on with nothing more to show,
# and its read will have no tracepoint: unless the sweep ends its quiet
# delivered life, its tracking entry stays, the map fills, and later
# datagrams go untraced (lost_track).
stalled_reader() {
	local src=$1 dst=$2 mib=$3 n=2400 before after dropped flow
	build_udpflood
	build_udpsink
	require_cmd nstat
	sink_start "$NS_SRV" "$dst" 9001 500000
	kill -STOP "$SINK_PID"
	before=$(rcvbuf_errors "$NS_SRV" "$mib")
	gw_start --all --track-max 1024
	flood "$NS_C" "$n" -d "$dst" -p 9001 -r 600
	gwt_nap 0.5
	after=$(rcvbuf_errors "$NS_SRV" "$mib")
	kill -CONT "$SINK_PID"
	gwt_nap 0.5
	sink_stop
	gw_stop
	dropped=$((after - before))
	log "the stopped reader's queue took $SINK_RECEIVED; $dropped dropped ($mib)"
	((SINK_RECEIVED + dropped == FLOOD_SENT)) ||
		fail "udpsink read $SINK_RECEIVED and the kernel dropped $dropped: want $FLOOD_SENT in all"
	((SINK_RECEIVED > 1024 && dropped > 0)) ||
		fail "the socket queue should take more datagrams than --track-max (1024) and overflow; took $SINK_RECEIVED, dropped $dropped"
	flow="$(flow_is "$src" "$dst") and .flow.proto == \"udp\" and .flow.dport == 9001"
	every_path_once "$flow" "$FLOOD_SENT" "$SINK_RECEIVED"
	gw_our_packets | jq -e -s --argjson d "$dropped" "map(select($flow and .outcome == \"dropped\"))
		| length == \$d and all(.[]; .drop.reason == \"SOCKET_RCVBUFF\")" >/dev/null ||
		fail "want $dropped paths dropped SOCKET_RCVBUFF"
}

test_all_udp_stalled_reader() {
	topo_standard
	topo_check_reach 10.2.0.2
	stalled_reader 10.1.0.2 10.2.0.2 UdpRcvbufErrors
}

test_all_udp_stalled_reader_ipv6() {
	topo_standard6
	stalled_reader fd00:1::2 fd00:2::2 Udp6RcvbufErrors
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

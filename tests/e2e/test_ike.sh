#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# IKE as gwtrace sees it without a daemon: hand-made IKEv2 datagrams
# (bash's /dev/udp) between the client (initiator) and the server
# (responder) through the gateway. gwtrace names each datagram's exchange
# and flags, diagnoses an answer that refuses every proposal, and reports
# a request retransmitted with no answer -- the failures of an IKE
# negotiation in which no packet need die. Real daemons (strongSwan,
# libreswan) are the VM lab's.
# Run: tests/run.sh -k ike, or tests/e2e/test_ike.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SPI_I=0102030405060708

# ike_send NS DST PORT HEX: one datagram with these bytes.
ike_send() {
	local hex=${4// /} esc="" i
	for ((i = 0; i < ${#hex}; i += 2)); do
		esc+="\\x${hex:i:2}"
	done
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$1" bash -c 'printf "$3" >"/dev/udp/$1/$2"' _ "$2" "$3" "$esc" ||
		fail "cannot send an IKE datagram from $1 to $2:$3"
}

# IKEv2 IKE_SA_INIT request (initiator, message id 0): header (36 bytes in
# all) and an empty SA payload's header. Fields: SPIi, SPIr, next payload,
# version, exchange, flags, message id, length; then the payload.
IKE_REQ="${SPI_I} 0000000000000000 21 20 22 08 00000000 00000024 00000008 00000000"
# Its answer: response flag, the first payload a notify NO_PROPOSAL_CHOSEN (14).
IKE_NOPROP="${SPI_I} 0000000000000000 29 20 22 20 00000000 00000024 00000008 0000000e"

# IKE_SA_INIT request, retransmitted once, answered with NO_PROPOSAL_CHOSEN.
ike_no_proposal() {
	local cli=$1 srv=$2 first
	build_udpsink
	sink_start "$NS_SRV" "$srv" 500
	first=$SINK_PID
	sink_start "$NS_C" "$cli" 500
	GWT_FOCUS="$(flow_involves "$cli")"
	gw_start --proto udp --port 500 --all
	ike_send "$NS_C" "$srv" 500 "$IKE_REQ"
	gwt_nap 0.2
	ike_send "$NS_C" "$srv" 500 "$IKE_REQ"
	gwt_nap 0.2
	ike_send "$NS_SRV" "$cli" 500 "$IKE_NOPROP"
	gwt_nap 0.5
	gw_stop
	kill -TERM "$first" 2>/dev/null || true

	pick_packets "$(flow_is "$cli" "$srv")" "IKE_SA_INIT request $cli -> $srv"
	expect_eq .ike.exchange IKE_SA_INIT
	expect_json .ike.version 2
	expect_json .ike.initiator true
	expect_json .ike.response false
	expect_json .ike.msg_id 0
	expect_eq .ike.spi_i "0x$SPI_I"
	expect_json .ike.notify null
	expect '.diagnosis == null' "a request carries no cause" .diagnosis
	expect '[.steps[] | select(.kind == "tx")] | length >= 2' "forwarded by the gateway"

	pick_packets "$(flow_is "$srv" "$cli")" "IKE_SA_INIT answer $srv -> $cli"
	expect_json .ike.response true
	expect_eq .ike.notify NO_PROPOSAL_CHOSEN
	expect_eq .outcome delivered
	expect_cause ike_no_proposal
	expect '(.diagnosis.evidence // []) | any(contains("NO_PROPOSAL_CHOSEN"))' \
		"evidence names the notify" .diagnosis.evidence

	# Retransmitted, but answered: no unanswered finding.
	[[ $(jq -c 'select(.type == "diagnosis")' "$GW_OUT" | wc -l) -eq 0 ]] ||
		gwt__check_failed "a diagnosis line for an answered request: $(jq -c 'select(.type == "diagnosis")' "$GW_OUT")"
}

test_ike_no_proposal() {
	topo_standard
	ike_no_proposal 10.1.0.2 10.2.0.2
}

test_ike_no_proposal_ipv6() {
	topo_standard6
	ike_no_proposal fd00:1::2 fd00:2::2
}

# The gateway drops UDP 500 in FORWARD; the client retransmits its request
# twice. Each copy dies ike_blocked; the exchange is ike_unanswered, last
# seen dropped at the gateway's FORWARD.
ike_unanswered() {
	local cli=$1 srv=$2 fam=$3 d
	nft_apply "$NS_GW" "table $fam gwt_ike {
		chain forward {
			type filter hook forward priority 0; policy accept;
			udp dport 500 drop
		}
	}"
	GWT_FOCUS="$(flow_involves "$cli")"
	gw_start --proto udp --port 500 --all
	for _ in 1 2 3; do
		ike_send "$NS_C" "$srv" 500 "$IKE_REQ"
		gwt_nap 0.2
	done
	gw_stop

	pick_packets "$(flow_is "$cli" "$srv")" "IKE_SA_INIT requests $cli -> $srv (dropped)"
	expect_cause ike_blocked FORWARD
	[[ $(wc -l <"$GWT_PICKED") -eq 3 ]] ||
		gwt__check_failed "want the 3 copies of the request, got $(wc -l <"$GWT_PICKED")"
	d=$(jq -c 'select(.type == "diagnosis")' "$GW_OUT")
	[[ $(wc -l <<<"$d") -eq 1 && -n $d ]] ||
		fail "want one diagnosis line, got: ${d:-none}"
	jq -e --arg ns "$(ns_inode "$NS_GW")" --arg src "$cli" --arg spi "0x$SPI_I" '
		.cause == "ike_unanswered" and .sent == 3 and .flow.src == $src
		and .ike.exchange == "IKE_SA_INIT" and .ike.spi_i == $spi
		and (.at.netns | tostring) == $ns and .at.hook == "FORWARD"
		and (.evidence | any(contains("3 IKE_SA_INIT requests")))' <<<"$d" >/dev/null ||
		gwt__check_failed "diagnosis line: want ike_unanswered, sent 3, at the gateway's FORWARD; got $d"
}

test_ike_unanswered() {
	require_cmd nft
	topo_standard
	ike_unanswered 10.1.0.2 10.2.0.2 ip
}

test_ike_unanswered_ipv6() {
	require_cmd nft
	topo_standard6
	ike_unanswered fd00:1::2 fd00:2::2 ip6
}

gwt_main "$@"

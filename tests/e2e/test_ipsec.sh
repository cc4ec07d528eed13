#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Real IPsec, broken in the ways that break production tunnels, and what
# `gwtrace trace` says (the lab: tests/e2e/ipsec_lib.sh). Run here:
# tests/run.sh -k ipsec (skips: no ESP); in the VM lab: tests/run.sh -k test_vm.
# The checks follow what the strategy sees (ipsec_lib.sh, ipsec_view):
# fentry/kprobe have xfrm steps (xfrm_out, xfrm_in) with their SPI and, on
# failure, the xfrm counter that names the cause; the tracepoint strategy
# (Debian's 6.12 in the VM lab) sees IPsec on netfilter steps only -- the
# xfrm dst and the secpath with their SPI -- and each test says in a note
# what it could not check there.

# shellcheck source=tests/e2e/ipsec_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/ipsec_lib.sh"

# healthy_leg req|rep FORM WIRE: queue (want*) what every healthy tunnel
# shows of the picked echo requests (A -> B) or replies (B -> A): delivered,
# encrypted with the sender's SA, the wire form WIRE (jq, called FORM in
# messages) leaving the sender, decrypted by the receiver, delivered to
# its LAN. The caller adds its own checks and runs expect_wanted.
healthy_leg() {
	local dir=$1 form=$2 wire=$3 tx=$NS_GA rx=$NS_GB lan=$NS_LB
	local spi=$SPI_AB src=192.0.2.1 dst=192.0.2.2 name="A->B" from=A at=LAN-B
	if [[ $dir == rep ]]; then
		tx=$NS_GB rx=$NS_GA lan=$NS_LA spi=$SPI_BA src=192.0.2.2 dst=192.0.2.1
		name="B->A" from=B at=LAN-A
	fi
	want_eq .outcome delivered
	want_verdict encrypted
	want_verdict decrypted
	want_no_verdict dropped
	want_no_verdict default_route
	want_sa_out "$tx" "$spi" "$name"
	want_step "$tx" "$wire and .src == \"$src\" and .dst == \"$dst\"" \
		"the $form form $src -> $dst leaving $from"
	want_sa_in "$rx" "$spi" "$name"
	want_step "$lan" '.kind == "deliver" or (.kind == "nf_exit" and .hook == "INPUT" and .verdict == "accept")' \
		"delivered at $at"
}

# A healthy tunnel: each echo request is encrypted at A (SA A->B), decrypted
# at B and delivered to LAN-B, the reply encrypted at B and decrypted at A.
# Each packet is one path across encryption: the flow stays the plain tuple
# and the steps show the ESP form in between.
test_ipsec_tunnel_healthy() {
	local counts
	ipsec_tunnel
	ping_ok "$NS_LA" 10.2.0.2 1
	GWT_FOCUS=$(flow_involves 10.2.0.2)
	gw_start --all --host 10.2.0.2
	ping_ok "$NS_LA" 10.2.0.2 2
	gw_stop

	pick_packets "$REQ" "echo request 10.1.0.2 -> 10.2.0.2 through the tunnel"
	healthy_leg req ESP '.proto == "esp"'
	want_verdict delivered
	want_no_verdict nat
	want '.xfrm.spi == "'"$SPI_AB"'" and (.xfrm | has("error") | not)' \
		"a packet xfrm object with the A->B SPI and no error" .xfrm
	if [[ -n ${GWT_MODE:-} && $IPSEC_VIEW == xfrm ]]; then
		want_step "$NS_GA" ".kind == \"xfrm_out\" and .strategy == \"$GWT_MODE\"" \
			"xfrm_out by the forced strategy $GWT_MODE"
	elif [[ -n ${GWT_MODE:-} ]]; then
		want_step "$NS_GA" "((.flags // []) | index(\"xfrm_dst\")) and .strategy == \"$GWT_MODE\"" \
			"the xfrm dst seen by the forced strategy $GWT_MODE"
		ipsec_unseen "xfrm_out/xfrm_in steps (no xfrm:output, xfrm:input probes); encrypted, decrypted and the SPIs came from netfilter steps (xfrm dst, secpath)"
	fi
	expect_wanted

	pick_packets "$REP" "echo reply 10.2.0.2 -> 10.1.0.2 through the tunnel"
	healthy_leg rep ESP '.proto == "esp"'
	expect_wanted

	# One path per packet: two pings, two requests and two replies, none
	# split at encryption into a plain half and an ESP half.
	counts=$(gw_our_packets | jq -s -r "[map(select($REQ)), map(select($REP)),
		map(select(.flow.proto == \"esp\"))] | map(length) | join(\" \")")
	[[ $counts == "2 2 0" ]] ||
		gwt__check_failed "want 2 echo request paths, 2 echo reply paths and no path whose flow is ESP (one path per packet across encryption); got $counts"
}

# NAT-T: the healthy tunnel with both SAs encapsulated in UDP 4500 (encap
# espinudp 4500 4500), as IKE sets them up when it finds a NAT on the path.
# Linux decapsulates ESP in UDP only on a UDP socket with UDP_ENCAP set
# (IKE's port 4500 socket); without one, B's kernel hands the datagram to
# no socket and frees it (NO_SOCKET). A python3 helper in each gateway
# holds such a socket, as the IKE daemon would. Each echo request is
# encrypted at A, leaves A as UDP 192.0.2.1:4500 -> 192.0.2.2:4500, is
# decrypted at B and delivered; the flow stays the plain ICMP tuple.
IPSEC_NATT_SOCK='import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_UDP, 100, 2)	# UDP_ENCAP, UDP_ENCAP_ESPINUDP
s.bind(("0.0.0.0", 4500))
open(sys.argv[1], "w").close()
time.sleep(120)'

# ipsec_natt_sock NS: start the helper in NS, wait for its socket; appends
# its PID to IPSEC_NATT_PIDS. (lib.sh's clean-up also kills whatever still
# runs in the test's namespaces.)
IPSEC_NATT_PIDS=()
ipsec_natt_sock() {
	local ns=$1 ready=$GWT_TMP/natt.${1#"$GWT_ID"-} i
	ip netns exec "$ns" python3 -c "$IPSEC_NATT_SOCK" "$ready" </dev/null >/dev/null 2>&1 &
	IPSEC_NATT_PIDS+=($!)
	for ((i = 0; i < 100; i++)); do
		[[ ! -e $ready ]] || return 0
		kill -0 "${IPSEC_NATT_PIDS[-1]}" 2>/dev/null ||
			fail "the UDP_ENCAP socket helper in ${ns#"$GWT_ID"-} exited"
		gwt_nap 0.05
	done
	fail "the UDP_ENCAP socket helper in ${ns#"$GWT_ID"-} not ready after 5 s"
}

test_ipsec_nat_t_healthy() {
	local counts natt pid
	require_cmd python3
	ipsec_tunnel
	# Both SAs on both gateways, again with NAT-T encapsulation (an update
	# cannot add encap to an SA: delete and re-add, same SPI, key, reqid).
	{
		echo "xfrm state delete src 192.0.2.1 dst 192.0.2.2 proto esp spi $SPI_AB"
		echo "xfrm state delete src 192.0.2.2 dst 192.0.2.1 proto esp spi $SPI_BA"
		ipsec_sa 192.0.2.1 192.0.2.2 "$SPI_AB" 1 "$KEY_AB" "encap espinudp 4500 4500 0.0.0.0"
		ipsec_sa 192.0.2.2 192.0.2.1 "$SPI_BA" 2 "$KEY_BA" "encap espinudp 4500 4500 0.0.0.0"
	} >"$GWT_TMP/natt.batch"
	ip -n "$NS_GA" -batch "$GWT_TMP/natt.batch"
	ip -n "$NS_GB" -batch "$GWT_TMP/natt.batch"
	ipsec_natt_sock "$NS_GA"
	ipsec_natt_sock "$NS_GB"
	ping_ok "$NS_LA" 10.2.0.2 1
	GWT_FOCUS=$(flow_involves 10.2.0.2)
	gw_start --all --host 10.2.0.2
	ping_ok "$NS_LA" 10.2.0.2 2
	gw_stop
	for pid in "${IPSEC_NATT_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	IPSEC_NATT_PIDS=()

	# The ESP-in-UDP form of a packet: outer addresses, UDP 4500 both ways.
	natt='.proto == "udp" and .sport == 4500 and .dport == 4500'
	pick_packets "$REQ" "echo request 10.1.0.2 -> 10.2.0.2 through the NAT-T tunnel"
	healthy_leg req "ESP-in-UDP (4500 -> 4500)" "$natt"
	want_verdict delivered
	want_no_verdict nat
	want_step "$NS_GB" "$natt and .src == \"192.0.2.1\" and .dst == \"192.0.2.2\"" \
		"the ESP-in-UDP form arriving at B"
	want '[.steps[] | select(.proto == "esp")] | length == 0' \
		"no plain ESP step (NAT-T carries ESP in UDP)" '[.steps[] | select(.proto == "esp") | .kind]'
	want '.xfrm.spi == "'"$SPI_AB"'" and (.xfrm | has("error") | not)' \
		"a packet xfrm object with the A->B SPI and no error" .xfrm
	expect_wanted

	pick_packets "$REP" "echo reply 10.2.0.2 -> 10.1.0.2 through the NAT-T tunnel"
	healthy_leg rep "ESP-in-UDP (4500 -> 4500)" "$natt"
	expect_wanted

	# One path per packet across encryption, as in the ESP tunnel: no path
	# whose flow is the UDP 4500 form.
	counts=$(gw_our_packets | jq -s -r "[map(select($REQ)), map(select($REP)),
		map(select(.flow.proto == \"udp\" and .flow.dport == 4500))] | map(length) | join(\" \")")
	[[ $counts == "2 2 0" ]] ||
		gwt__check_failed "want 2 echo request paths, 2 echo reply paths and no path whose flow is UDP 4500 (one path per packet across NAT-T encryption); got $counts"
}

# B's firewall drops ESP in its INPUT chain: encrypted at A, then a
# netfilter drop at B's INPUT hook, with the SPI in the trace.
test_ipsec_esp_input_drop() {
	ipsec_tunnel
	ping_ok "$NS_LA" 10.2.0.2 1
	nft_apply "$NS_GB" 'table ip gwt_fw {
		chain input {
			type filter hook input priority filter; policy accept;
			ip protocol esp drop
		}
	}'
	GWT_FOCUS=$REQ
	gw_start --all --host 10.2.0.2
	ping_from "$NS_LA" 10.2.0.2 2
	gw_stop

	pick_packets "$REQ" "echo request 10.1.0.2 -> 10.2.0.2 (ESP dropped at B's INPUT)"
	want_eq .outcome dropped
	want_verdict encrypted
	want_verdict netfilter_drop
	want_no_verdict decrypted
	want_no_verdict delivered
	want_eq .drop.hook INPUT
	want_eq .drop.reason NETFILTER_DROP
	want_eq .diagnosis.cause esp_blocked
	want_eq .diagnosis.at.hook INPUT
	# The rule's table and chain come from the nf:table probe (fentry/kprobe).
	if jq -e -s 'any(.[] | select(.type == "summary") | .probes[];
			.name == "nf:table" and .attached)' "$GW_OUT" >/dev/null; then
		want_eq .drop.table gwt_fw
		want_eq .drop.chain input
	fi
	want_sa_out "$NS_GA" "$SPI_AB" "A->B"
	[[ $IPSEC_VIEW == xfrm ]] || ipsec_unseen "the rule's table and chain (no nf:table probe)"
	want_step "$NS_GB" '.kind == "nf_enter" and .hook == "INPUT" and .proto == "esp"' \
		"the ESP packet entering INPUT"
	want_step "$NS_GB" '.kind == "drop" and .reason == "NETFILTER_DROP" and .proto == "esp"' \
		"the drop of the ESP form"
	want_eq .xfrm.spi "$SPI_AB"
	expect_wanted
}

# B decrypts the request, then its FORWARD chain drops the inner packet:
# the firewall after decryption (the rule forgot the tunnelled subnet).
test_ipsec_forward_drop_after_decrypt() {
	ipsec_tunnel
	ping_ok "$NS_LA" 10.2.0.2 1
	nft_apply "$NS_GB" 'table ip gwt_fw {
		chain forward {
			type filter hook forward priority filter; policy accept;
			ip saddr 10.1.0.0/24 ip daddr 10.2.0.2 icmp type echo-request drop
		}
	}'
	GWT_FOCUS=$REQ
	gw_start --all --host 10.2.0.2
	ping_from "$NS_LA" 10.2.0.2 2
	gw_stop

	pick_packets "$REQ" "echo request 10.1.0.2 -> 10.2.0.2 (dropped at B's FORWARD after decryption)"
	want_eq .outcome dropped
	want_verdict encrypted
	want_verdict decrypted
	want_verdict netfilter_drop
	want_eq .drop.hook FORWARD
	want_eq .diagnosis.cause firewall_after_decrypt
	want_eq .diagnosis.at.hook FORWARD
	want ".diagnosis.at.netns == $(ns_inode "$NS_GB")" "the cause at B" .diagnosis.at
	expect_wanted
}

# B holds the A->B SA with another key: decryption fails (ICV), B drops.
test_ipsec_wrong_key() {
	ipsec_tunnel --b-in-key "$KEY_BAD"
	GWT_FOCUS=$REQ
	gw_start --all --host 10.2.0.2
	ping_from "$NS_LA" 10.2.0.2 2
	gw_stop

	pick_packets "$REQ" "echo request 10.1.0.2 -> 10.2.0.2 (wrong key at B)"
	ipsec_view
	if [[ $IPSEC_VIEW != xfrm ]]; then
		ipsec_died_in_xfrm_input XfrmInStateProtoError
		return
	fi
	want_eq .outcome dropped
	want_verdict encrypted
	want_verdict dropped
	want_no_verdict decrypted
	want_no_verdict delivered
	want_step "$NS_GB" ".kind == \"xfrm_in\" and .spi == \"$SPI_AB\" and .err != 0" \
		"a failed xfrm_in with the A->B SPI"
	want_eq .xfrm.dir in
	want_eq .xfrm.spi "$SPI_AB"
	want_eq .xfrm.error XfrmInStateProtoError
	want_eq .drop.xfrm_error XfrmInStateProtoError
	want_eq .diagnosis.cause sa_mismatch
	expect_wanted
}

# ipsec_died_in_xfrm_input COUNTER: the tracepoint view of an A->B request
# that B's xfrm_input threw away (COUNTER is what fentry/kprobe name):
# encrypted at A, its ESP form accepted by B's INPUT hook -- the way into
# IPsec -- and the life ending there, freed inside xfrm_input, never
# decrypted, never at LAN-B: dropped, though without the counter that
# would say why. What is not there is said in a note.
ipsec_died_in_xfrm_input() {
	want_eq .outcome dropped
	want_eq .diagnosis.cause kernel_drop
	want '(.diagnosis.evidence // []) | any(startswith("IPsec refused it"))' \
		"evidence: IPsec refused it" .diagnosis.evidence
	want_verdict encrypted
	want_no_verdict decrypted
	want_sa_out "$NS_GA" "$SPI_AB" "A->B"
	want_step "$NS_GB" ".kind == \"nf_exit\" and .hook == \"INPUT\" and .proto == \"esp\" and .spi == \"$SPI_AB\"" \
		"the ESP form (A->B SPI) accepted by INPUT, on its way to IPsec"
	want_step "$NS_GB" '.kind == "drop" and .reason == "NOT_SPECIFIED" and (.location // "" | startswith("xfrm_input"))' \
		"the packet freed in xfrm_input without a drop reason"
	want "all(.steps[]; .netns != $(ns_inode "$NS_LB"))" "no step at LAN-B" \
		'[.steps[] | .netns] | unique'
	want '.xfrm.spi == "'"$SPI_AB"'"' "a packet xfrm object with the A->B SPI" .xfrm
	expect_wanted
	ipsec_unseen "why B's xfrm_input dropped it ($1; no xfrm:input probe, and the kernel frees it without a drop reason): the cause is kernel_drop at xfrm_input, the summary's xfrm_stat names the counter"
}

# B has no SA for the SPI A uses (B lost it, or never had it).
test_ipsec_no_sa_at_peer() {
	ipsec_tunnel --b-no-in-sa
	GWT_FOCUS=$REQ
	gw_start --all --host 10.2.0.2
	ping_from "$NS_LA" 10.2.0.2 2
	gw_stop

	pick_packets "$REQ" "echo request 10.1.0.2 -> 10.2.0.2 (no SA at B)"
	ipsec_view
	if [[ $IPSEC_VIEW != xfrm ]]; then
		ipsec_died_in_xfrm_input XfrmInNoStates
		return
	fi
	want_eq .outcome dropped
	want_verdict encrypted
	want_verdict dropped
	want_no_verdict decrypted
	want_step "$NS_GB" '.kind == "xfrm_in" and .err != 0' "a failed xfrm_in"
	want_eq .xfrm.dir in
	want_eq .xfrm.spi "$SPI_AB"
	want_eq .xfrm.error XfrmInNoStates
	want_eq .drop.xfrm_error XfrmInNoStates
	want_eq .diagnosis.cause sa_missing
	expect_wanted
}

# IKE never finished: A has its policies but no A->B SA. The kernel drops
# the packet in ip_forward (XFRM_POLICY, XfrmOutNoStates) and asks the key
# manager for an SA (ACQUIRE). gwtrace watches A, as an operator would run
# it there (--netns): xfrm events and counters are read in that namespace.
test_ipsec_no_sa_acquire() {
	ipsec_require_drop_reason XFRM_POLICY
	ipsec_tunnel --a-no-out-sa
	GWT_FOCUS=$REQ
	gw_start --all --netns "$NS_GA" --host 10.2.0.2
	ping_from "$NS_LA" 10.2.0.2 2
	gw_stop

	pick_packets "$REQ" "echo request 10.1.0.2 -> 10.2.0.2 (no SA at A)"
	want_eq .outcome dropped
	want_verdict policy_drop
	want_no_verdict encrypted
	want_eq .drop.reason XFRM_POLICY
	want_step "$NS_GA" '.kind == "drop"' "the drop at A"
	ipsec_view
	if [[ $IPSEC_VIEW == xfrm ]]; then
		want_eq .xfrm.dir out
		want_eq .xfrm.error XfrmOutNoStates
		want_eq .drop.xfrm_error XfrmOutNoStates
	else
		ipsec_unseen "the xfrm counter of each drop (xfrm.error, drop.xfrm_error: no xfrm:policy probe); A's XfrmOutNoStates delta and the ACQUIRE stand in"
	fi
	want_eq .diagnosis.cause sa_not_established
	expect_wanted
	want_xfrm_event "$NS_GA" '.event == "acquire" and .flow.src == "10.1.0.2/32"
		and .flow.dst == "10.2.0.2/32" and .sa.dst == "192.0.2.2" and .sa.reqid == 1' \
		'event "acquire" for 10.1.0.2 -> 10.2.0.2, SA towards 192.0.2.2 reqid 1'
	assert_summary '(.xfrm_stat.XfrmOutNoStates // 0) >= 1' \
		'xfrm_stat.XfrmOutNoStates >= 1 (A counted the drops)'
}

# The classic "NAT before IPsec" leak. A has no route of its own for
# 10.2.0.0/24: the default route (to the internet router) is enough, since
# the out policy 10.1.0.0/24 -> 10.2.0.0/24 catches the traffic and the
# bundle routes the ESP packet over wan-a (the test checks that the ping
# goes through before the NAT rule). Then the LAN is masqueraded on wan-a.
# In POSTROUTING the plain packet's output device is the bundle's (wan-a),
# so the masquerade rewrites 10.1.0.2 to 192.0.2.1; nf_nat_ipv4_out sees
# the changed source and calls nf_xfrm_me_harder, whose new policy lookup
# (src 192.0.2.1) matches nothing: the skb gets the bundle's plain route
# back -- the default route -- and __xfrm4_output sends it unencrypted out
# of up-a to the internet router (which has no route for 10.2.0.2 and
# drops it). Seen so on Debian's 6.1.
test_ipsec_masquerade_leak() {
	ipsec_tunnel --a-no-lan-route
	ping_ok "$NS_LA" 10.2.0.2 1
	nft_apply "$NS_GA" 'table ip gwt_nat {
		chain postrouting {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "wan-a" ip saddr 10.1.0.0/24 masquerade
		}
	}'
	GWT_FOCUS=$REQ
	gw_start --all --host 10.2.0.2
	ping_from "$NS_LA" 10.2.0.2 2
	gw_stop

	pick_packets "$REQ" "echo request 10.1.0.2 -> 10.2.0.2 (masqueraded before IPsec)"
	want_verdict nat
	want_verdict default_route
	want_no_verdict encrypted
	want_no_verdict decrypted
	want_eq .nat.type snat
	want_eq .nat.hook POSTROUTING
	want_eq .nat.to 192.0.2.1:0
	want_default_route "$NS_GA" up-a "a /0 route lookup at A, out of up-a"
	want_step "$NS_GA" '.kind == "tx" and .dev == "up-a"' "leaving A by the default route's up-a"
	ipsec_view
	[[ $IPSEC_VIEW == xfrm ]] ||
		want_step "$NS_GA" "$(ipsec__nf_flag xfrm_dst "$SPI_AB") and .hook == \"FORWARD\"" \
			"routed into the A->B SA at FORWARD, before the masquerade"
	want_step "$NS_INET" '.proto == "icmp" and .src == "192.0.2.1" and .dst == "10.2.0.2"' \
		"the plain (not ESP) packet at the internet router"
	want '[.steps[] | select(.kind == "xfrm_out")] | length == 0' "no xfrm_out step" \
		'[.steps[] | select(.kind == "xfrm_out") | .spi]'
	want '.xfrm == null' "no xfrm object: routed into the SA, never encrypted" '.xfrm'
	# The cause is A's NAT, not the drop at the internet router.
	want_eq .diagnosis.cause nat_before_ipsec
	want ".diagnosis.at.netns == $(ns_inode "$NS_GA") and .diagnosis.at.hook == \"POSTROUTING\"" \
		"the cause at A's POSTROUTING" .diagnosis
	want '(.diagnosis.evidence // []) | any(startswith("SNAT 10.1.0.2 -> 192.0.2.1"))' \
		"evidence names the SNAT" .diagnosis.evidence
	expect_wanted
}

# B is route-based (xfrm interface ipsec-b) and loses its route for
# 10.1.0.0/24 into it: the request is still decrypted and delivered, but
# the reply follows B's default route and leaves in plain text to the
# internet router. (A policy-based B cannot leak so: its out policy catches
# the reply whatever the route says.)
test_ipsec_reply_default_route() {
	ipsec_tunnel --b-xfrmi
	ping_ok "$NS_LA" 10.2.0.2 1	# both ways through the tunnel with the route
	ip -n "$NS_GB" route del 10.1.0.0/24 dev ipsec-b
	GWT_FOCUS=$(flow_involves 10.2.0.2)
	gw_start --all --host 10.2.0.2
	ping_from "$NS_LA" 10.2.0.2 2
	gw_stop

	pick_packets "$REQ" "echo request 10.1.0.2 -> 10.2.0.2 (decrypted on B's xfrm interface)"
	want_eq .outcome delivered
	want_verdict encrypted
	want_verdict decrypted
	want_step "$NS_GB" '.kind == "rx" and .dev == "ipsec-b"' "decrypted, received on ipsec-b"
	expect_wanted

	pick_packets "$REP" "echo reply 10.2.0.2 -> 10.1.0.2 (no route into B's tunnel)"
	want_verdict default_route
	want_no_verdict encrypted
	want_default_route "$NS_GB" up-b "B's /0 route lookup, out of up-b"
	want_step "$NS_INET" '.proto == "icmp" and .src == "10.2.0.2" and .dst == "10.1.0.2"' \
		"the plain reply at the internet router"
	# B's out policy (if_id 0x42) covers the reply: its route is the cause.
	want_eq .diagnosis.cause reply_via_default_route
	want ".diagnosis.at.netns == $(ns_inode "$NS_GB")" "the cause at B" .diagnosis
	want '(.diagnosis.evidence // []) | any(contains("if_id 0x42"))' \
		"evidence names B's out policy" .diagnosis.evidence
	expect_wanted
}

# A's out SA has a 3 s hard lifetime and nothing renews it: the kernel
# expires it (netlink EXPIRE, hard), then the next packets find the policy
# without an SA (XfrmOutNoStates, ACQUIRE) and die at A. gwtrace watches A.
test_ipsec_sa_hard_expire() {
	local t_exp
	ipsec_require_drop_reason XFRM_POLICY
	ipsec_tunnel --a-no-out-sa
	GWT_FOCUS=$REQ
	gw_start --all --netns "$NS_GA" --host 10.2.0.2
	# Added once gwtrace runs: the 3 s start now.
	ipsec_sa 192.0.2.1 192.0.2.2 "$SPI_AB" 1 "$KEY_AB" "limit time-hard 3" |
		ip -n "$NS_GA" -batch -
	ping_ok "$NS_LA" 10.2.0.2 1
	gw_wait_line '.type == "xfrm_event" and .event == "expire"' 15 ||
		log "no expire event within 15 s; pinging anyway"
	ping_from "$NS_LA" 10.2.0.2 2
	gw_stop

	want_xfrm_event "$NS_GA" ".event == \"expire\" and .hard == true and .sa.spi == \"$SPI_AB\"" \
		"event \"expire\", hard, for SPI $SPI_AB"
	# The 3 s lifetime is the finding: one diagnosis line for the SA.
	jq -e -s --arg spi "$SPI_AB" --argjson ns "$(ns_inode "$NS_GA")" '
		[.[] | select(.type == "diagnosis" and .cause == "lifetime_mismatch"
			and .sa.spi == $spi and .at.netns == $ns)] | length == 1' "$GW_OUT" >/dev/null ||
		gwt__check_failed "want one lifetime_mismatch diagnosis line for SA $SPI_AB at A; got: $(jq -c 'select(.type == "diagnosis")' "$GW_OUT" | head -n 3)"
	t_exp=$(gw_xfrm_events | jq -s 'map(select(.event == "expire" and .hard)) | .[0].t_ns // 0')
	want_xfrm_event "$NS_GA" ".event == \"acquire\" and .t_ns > $t_exp" \
		'event "acquire" after the expire'
	pick_packets "$REQ and (.verdicts | index(\"encrypted\"))" \
		"echo request 10.1.0.2 -> 10.2.0.2 while the SA lived"
	want_sa_out "$NS_GA" "$SPI_AB" "expiring"
	expect_wanted
	pick_packets "$REQ and .ts_ns > $t_exp" "echo request 10.1.0.2 -> 10.2.0.2 after the hard expire"
	want_eq .outcome dropped
	want_verdict policy_drop
	want_no_verdict encrypted
	if [[ $IPSEC_VIEW == xfrm ]]; then
		want_eq .xfrm.error XfrmOutNoStates
	else
		ipsec_unseen "the xfrm counter of each drop after the expire (xfrm.error: no xfrm:policy probe); A's XfrmOutNoStates delta stands in"
		assert_summary '(.xfrm_stat.XfrmOutNoStates // 0) >= 1' \
			'xfrm_stat.XfrmOutNoStates >= 1 (A counted the drops after the expire)'
	fi
	want '[.steps[] | select(.spi == "'"$SPI_AB"'")] | length == 0' \
		"no step with the expired SPI" '[.steps[] | .spi // empty]'
	expect_wanted
}

gwt_main "$@"

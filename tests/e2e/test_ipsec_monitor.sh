#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# `gwtrace monitor` on real IPsec (the lab: tests/e2e/ipsec_lib.sh): the
# kernel-side counters see every packet encrypted at one gateway and
# decrypted at the other, and a broken SA as drops with the xfrm counter
# that names the cause, logged at most --drop-limit times per flow.
# Runs in the VM lab (tests/run.sh -k test_vm); skips here (no ESP).

# shellcheck source=tests/e2e/ipsec_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/ipsec_lib.sh"

# mon_summary JQ: the value of JQ on the monitor_summary line.
mon_summary() {
	jq -r "select(.type == \"monitor_summary\") | $1" "$GW_OUT"
}

# N echo requests and N replies: each encrypted once and decrypted once
# (requests at A then B, replies at B then A), nothing dropped.
test_ipsec_monitor_healthy() {
	local n=20 enc dec drop
	ipsec_tunnel
	ping_ok "$NS_LA" 10.2.0.2 1
	GW_SUMMARY_TYPE=monitor_summary gw_start monitor --netns "$NS_GA" --interval 60
	ip netns exec "$NS_LA" ping -n -q -c "$n" -i 0.05 -W 1 10.2.0.2 >/dev/null 2>&1 ||
		fail "ping through the tunnel failed"
	GW_SUMMARY_TYPE=monitor_summary gw_stop
	enc=$(mon_summary .packets.encrypted)
	dec=$(mon_summary .packets.decrypted)
	drop=$(mon_summary .packets.dropped)
	log "gateway A: encrypted $enc, decrypted $dec, dropped $drop"
	# --netns A: A encrypts the n requests and decrypts the n replies.
	[[ $enc == "$n" && $dec == "$n" ]] ||
		fail "gateway A: want encrypted $n and decrypted $n (requests out, replies in); got encrypted $enc, decrypted $dec"
	[[ $drop == 0 ]] || fail "gateway A: want no drop in a healthy tunnel, got $drop"
	[[ $(gw_packets | wc -l) == 0 ]] || fail "drop log not empty for a healthy tunnel"
}

# B's copy of the A->B SA has another key: every request dies at B's
# xfrm_input with XfrmInStateProtoError; the counters have them all, the
# drop log only the first --drop-limit of the flow.
test_ipsec_monitor_wrong_key() {
	local n=30 limit=3 drop logged
	ipsec_tunnel --b-in-key "$KEY_BAD"
	GW_SUMMARY_TYPE=monitor_summary gw_start monitor --netns "$NS_GB" \
		--drop-limit "$limit" --interval 60
	ip netns exec "$NS_LA" ping -n -q -c "$n" -i 0.05 -W 0.2 10.2.0.2 >/dev/null 2>&1 || true
	GW_SUMMARY_TYPE=monitor_summary gw_stop
	drop=$(mon_summary .packets.dropped)
	logged=$(gw_packets | jq -s 'map(select(.drop.xfrm_error == "XfrmInStateProtoError")) | length')
	log "gateway B: dropped $drop, logged $logged with XfrmInStateProtoError"
	[[ $drop == "$n" ]] || fail "gateway B: want $n drops (each request), got $drop"
	[[ $(mon_summary .packets.decrypted) == 0 ]] || fail "gateway B decrypted something with a wrong key"
	[[ $logged == "$limit" ]] ||
		fail "want exactly --drop-limit $limit drop lines with xfrm_error XfrmInStateProtoError, got $logged: $(gw_packets | jq -c '.drop' | head -n 5)"
	[[ $(mon_summary .drop_log_suppressed) == $((n - limit)) ]] ||
		fail "want drop_log_suppressed $((n - limit)), got $(mon_summary .drop_log_suppressed)"
}

gwt_main "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Process lifecycle: command line errors, privileges, clean exits, and no
# BPF program, link or map left behind however gwtrace ends.
# Run: tests/run.sh -k lifecycle, or tests/e2e/test_lifecycle.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# shellcheck source=tests/e2e/lib_bpf.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib_bpf.sh"

# ----------------------------------------------------------------------------

test_detach_after_sigint() {
	topo_standard
	bpf_before
	gw_start --host 10.2.0.2
	bpf_record_ours
	ping_ok "$NS_C" 10.2.0.2 2
	gw_stop
	bpf_expect_gone "SIGINT"
}

test_detach_after_sigterm() {
	bpf_before
	gw_start --host 10.2.0.2
	bpf_record_ours
	gw_stop_sig TERM
	bpf_expect_gone "SIGTERM"
}

test_detach_after_duration() {
	bpf_before
	gw_start --host 10.2.0.2 --duration 2
	bpf_record_ours
	gw_wait_exit 15 || fail "gwtrace still running 15s after its --duration 2 started"
	[[ $GW_RC == 0 ]] || fail "gwtrace --duration 2 exited with status $GW_RC (want 0)"
	gw_check_output
	bpf_expect_gone "--duration"
}

test_detach_after_sigkill() {
	bpf_before
	gw_start --host 10.2.0.2
	bpf_record_ours
	kill -KILL "$GW_PID"
	wait "$GW_PID" 2>/dev/null || true
	GW_PID="" GW_RC=killed
	bpf_expect_gone "SIGKILL"
}

# ----------------------------------------------------------------------------

# Bad usage exits 2 with a message, before touching the kernel. Each bad
# case comes with --duration 1 so that a wrongly accepted one ends fast.
test_bad_usage_exit_2() {
	local args out rc bad=()
	local -a cases=(
		"--duration 1 --bogus-flag"
		"--duration 1 --host 10.1.0.300"
		"--duration 1 --host 10.1.0.0/33"
		"--duration 1 --src not-an-address"
		"--duration 1 --port 70000"
		"--duration 1 --port 0"
		"--duration 1 --proto bogus"
		"--duration 1 --mode bogus"
		"--duration abc"
		"--duration 1 --host"
	)
	for args in "${cases[@]}"; do
		rc=0
		# shellcheck disable=SC2086 # split the case into its arguments
		out=$(timeout 15 "$GWTRACE" $args 2>&1 >/dev/null) || rc=$?
		if ((rc != 2)); then
			bad+=("'gwtrace $args' exited $rc (want 2)${out:+: ${out:0:200}}")
		elif [[ -z $out ]]; then
			bad+=("'gwtrace $args' exited 2 but printed nothing on stderr")
		fi
	done
	if ((${#bad[@]} > 0)); then
		printf '  %s\n' "${bad[@]}" >&2
		fail "${#bad[@]} of ${#cases[@]} bad command lines did not exit 2, e.g. ${bad[0]}"
	fi
}

# As an unprivileged user: exit 1 and say what is missing (CAP_BPF).
test_unprivileged_exit_1() {
	local -a as_nobody
	if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
		as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	elif command -v runuser >/dev/null && runuser -u nobody -- true 2>/dev/null; then
		as_nobody=(runuser -u nobody --)
	else
		skip "cannot run as an unprivileged user (neither setpriv nor runuser works)"
	fi
	"${as_nobody[@]}" test -x "$GWTRACE" ||
		skip "user nobody cannot execute $GWTRACE (directory permissions)"
	local out rc=0
	out=$(cd / && timeout 15 "${as_nobody[@]}" "$GWTRACE" --duration 1 2>&1) || rc=$?
	((rc == 1)) || fail "unprivileged gwtrace exited $rc (want 1): ${out:0:500}"
	[[ $out == *CAP_BPF* ]] || fail "unprivileged gwtrace's message does not name CAP_BPF: ${out:0:500}"
}

# --duration 1 ends by itself, exit 0, with a summary that counts lost events.
test_duration_summary() {
	local out rc=0 t0
	gw_start --duration 1 --host 10.2.0.2
	gw_wait_exit 15 || fail "gwtrace still running 15s after its --duration 1 started"
	[[ $GW_RC == 0 ]] || fail "gwtrace --json --duration 1 exited with status $GW_RC (want 0)"
	gw_check_output
	assert_summary '(.lost_events | type) == "number"' "a numeric lost_events"
	assert_summary '(.packets | type) == "number"' "a numeric packets count"
	# Text mode: same exit, and a human summary that mentions lost events.
	t0=$EPOCHREALTIME
	out=$(timeout 20 "$GWTRACE" --duration 1 --host 10.2.0.2 2>&1) || rc=$?
	((rc == 0)) || fail "gwtrace --duration 1 (text) exited $rc (want 0): ${out:0:500}"
	grep -qi 'lost' <<<"$out" || fail "text summary does not mention lost events: ${out:0:500}"
	log "text run took $(gwt__elapsed_ms "$t0") ms"
}

# Nothing lost silently: with the consumer stopped (SIGSTOP) and a tiny
# ring buffer, a burst of traffic fills it. Once it is over half full, new
# packets are not traced (lost_busy: the room left goes to the lives in
# flight), and what still does not fit is lost (lost_ringbuf). Every packet
# or event the kernel could not deliver is counted per probe and reported
# in the summary; the paths that are reported are whole.
test_lost_events_counted() {
	local echoes
	topo_standard
	gw_start --ringbuf-size 64 --all --host 10.2.0.2
	kill -STOP "$GW_PID"
	ip netns exec "$NS_C" ping -q -c 300 -i 0.002 -W 1 10.2.0.2 >/dev/null 2>&1 || true
	kill -CONT "$GW_PID"
	gw_stop
	assert_summary '.lost_busy > 0' "lost_busy > 0 after filling a stopped 64 KiB ring"
	assert_summary '.lost_events == .lost_ringbuf + .lost_track + .lost_busy' \
		"lost_events = lost_ringbuf + lost_track + lost_busy"
	assert_summary '([.probes[].lost_ringbuf] | add) == .lost_ringbuf and
		([.probes[].lost_busy] | add) == .lost_busy' "per-probe losses add up"
	assert_summary '.packets > 0' "the events that fitted still make packets"
	# The echo requests that were traced were traced from the client's
	# OUTPUT to the server's free, never joined half-way.
	echoes=$(gw_our_packets | jq -s -c "map(select($(flow_is 10.1.0.2 10.2.0.2) and
		.flow.icmp_type == 8)) | {n: length, whole: map(select(.complete and
		.outcome == \"delivered\" and .steps[0].netns != .steps[-1].netns)) | length}")
	log "echo requests traced: $echoes"
	jq -e '.n > 0 and .whole == .n' <<<"$echoes" >/dev/null ||
		fail "every echo request traced should be whole (client to server, delivered): $echoes"
}

# `gwtrace probes --json` lists the logical probes and how they attach.
test_probes_command() {
	local out rc=0 p
	out=$(timeout 20 "$GWTRACE" probes --json 2>"$GWT_TMP/probes.err") || rc=$?
	((rc == 0)) || fail "gwtrace probes --json exited $rc: $(head -c 500 "$GWT_TMP/probes.err")"
	jq empty <<<"$out" 2>/dev/null || fail "gwtrace probes --json is not JSON: ${out:0:300}"
	for p in skb:drop nf:hook fib:lookup; do
		[[ $out == *"\"$p\""* ]] || fail "gwtrace probes --json does not list \"$p\": ${out:0:500}"
	done
}

gwt_main "$@"

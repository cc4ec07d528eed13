#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# trace --record FILE: the recording is written, private, and replays to
# the JSON the live run printed; paths it must not write are refused.
# Run: tests/run.sh -k record, or tests/e2e/test_record.sh TEST.
#
# The replay part needs bench/replay next to the gwtrace binary ($OUTPUT/
# bench/replay, built by `make unit` for the ASan build); without it that
# part is left out, not failed.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Packet lines without what a replay cannot know: route prefix lengths
# are asked of the namespaces (gone by then), and they decide which lookup
# is the packet's "route" and whether it is a default route. Sorted.
normalize() {
	jq -c 'select(.type == "packet") | del(.route) | .verdicts -= ["default_route"] |
		.steps |= map(del(.prefixlen))' "$1" | sort
}

test_record_replays() {
	local rec=$GWT_TMP/trace.rec replay n mode
	topo_standard
	gw_start --all --host 10.2.0.2 --record "$rec"
	ping_ok "$NS_C" 10.2.0.2 3
	udp_from "$NS_C" 10.2.0.2 9 2
	gw_stop
	[[ -s $rec ]] || fail "no recording written to $rec"
	mode=$(stat -c %a "$rec")
	[[ $mode == 600 ]] || fail "recording has mode $mode (want 600: it holds kernel addresses)"
	[[ $(head -c 5 "$rec") == GWREC ]] || fail "recording does not start with GWREC"
	n=$(jq -r 'select(.type == "summary") | .events' "$GW_OUT")
	((n > 0)) || fail "gwtrace saw no events while recording"
	assert_packet "$(flow_is 10.1.0.2 10.2.0.2)" "the recorded pings"

	replay=$(dirname "$GWTRACE")/bench/replay
	if [[ ! -x $replay ]]; then
		log "no $replay: replay comparison left out"
		return 0
	fi
	# -o gets the measured pass only (the warm-up's output is counted).
	"$replay" -n 1 -r 1 -o "$GWT_TMP/replay.json" "$rec" >"$GWT_TMP/replay.out" \
		2>"$GWT_TMP/replay.err" || fail "replay failed: $(tail -n 3 "$GWT_TMP/replay.err")"
	jq -e --argjson n "$n" '.type == "replay" and .events == $n and (.truncated | not)' \
		<(tail -n 1 "$GWT_TMP/replay.out") >/dev/null ||
		fail "replay read $(tail -n 1 "$GWT_TMP/replay.out") (want $n events, not truncated)"
	diff <(normalize "$GW_OUT") <(normalize "$GWT_TMP/replay.json") \
		>"$GWT_TMP/replay.diff" ||
		fail "replayed JSON differs from the live run: $(head -c 600 "$GWT_TMP/replay.diff")"
}

# Nothing is written through a symlink, to a FIFO or a hard-linked file;
# gwtrace says why and exits 1 before attaching anything.
test_record_refuses() {
	local target=$GWT_TMP/target path rc
	printf 'keep\n' >"$target"
	ln -s "$target" "$GWT_TMP/link"
	mkfifo "$GWT_TMP/fifo"
	ln "$target" "$GWT_TMP/hardlink"
	for path in "$GWT_TMP/link" "$GWT_TMP/fifo" "$GWT_TMP/hardlink"; do
		rc=0
		timeout 20 "$GWTRACE" trace --json --duration 1 --record "$path" \
			>"$GWT_TMP/out" 2>"$GWT_TMP/err" </dev/null || rc=$?
		((rc == 1)) || fail "--record $path: exit status $rc (want 1)"
		grep -q 'will not record' "$GWT_TMP/err" ||
			fail "--record $path: no reason given: $(head -c 300 "$GWT_TMP/err")"
	done
	[[ $(cat "$target") == keep ]] || fail "the symlink's target was written"
}

gwt_main "$@"

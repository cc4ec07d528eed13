#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Inside the VM lab guest: measure how fast this guest starts gwtrace, scale
# the end-to-end suite's waits from it, then run the suite.
#
# Usage: tests/vm_guest.sh --mode MODE [--probes] -- [tests/run.sh args]
#   --mode MODE    the strategy the suite forces (fentry, kprobe, tracepoint)
#   --probes       also write `gwtrace probes --json --mode MODE` to
#                  $VMLAB_OUT/probes.json
#
# A fixed wait cannot serve every machine: under TCG the guest's speed
# depends on the host's CPU and on what else runs there (gwtrace's start-up
# in the guest was 22 s on one machine and under 10 s on another). So the
# waits follow one measured figure: the time from starting
# `gwtrace --json --mode MODE --ready-file F` to its ready file, the very
# thing the tests wait for. The suite's waits assume gwtrace starts within
# REF_START_MS; GWT_SLOWDOWN (percent, see tests/e2e/lib.sh) is the measured
# start-up against it, at least 100 and at most MAX_SLOWDOWN. From it:
# GWT_READY_TIMEOUT (20 s at 100 %), GWT_STOP_TIMEOUT (10 s), each test's
# waits, and GWT_TEST_TIMEOUT (BASE_TEST_S at 100 %).
#
# The first line of output says what was measured and chosen:
#   # guest: Linux 6.1.0-57-amd64 (linux-image-6.1.0-57-amd64 6.1.192-3), ...
set -uo pipefail

REF_START_MS=5000
MAX_SLOWDOWN=1000
BASE_TEST_S=75
# The measurement itself may take this long before the suite is given up.
CALIBRATE_LIMIT_S=300

mode="" probes=""
while (($#)); do
	case $1 in
	--mode) mode=${2:-}; shift 2 ;;
	--probes) probes=${VMLAB_OUT:-.}/probes.json; shift ;;
	--) shift; break ;;
	*) printf 'vm_guest.sh: unknown argument: %s\n' "$1" >&2; exit 2 ;;
	esac
done
[[ -n $mode ]] || { printf 'vm_guest.sh: --mode is required\n' >&2; exit 2; }
: "${GWTRACE:?GWTRACE must name the gwtrace binary}"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# A timer without a process start (each costs 0.1-0.25 s of the guest's
# only CPU under TCG, taken from the gwtrace being measured).
mkfifo "$tmp/nap" && exec {nap}<>"$tmp/nap" || exit 1

ms_since() {
	local now=${EPOCHREALTIME/./} then=${1/./}
	MS=$(((10#$now - 10#$then) / 1000))
}

start_ms() {	# START_MS = time to the ready file of one gwtrace start
	local t0=$EPOCHREALTIME pid rc
	"$GWTRACE" --json --mode "$mode" --ready-file "$tmp/ready" --duration 0.1 \
		>"$tmp/out" 2>"$tmp/err" </dev/null &
	pid=$!
	while [[ ! -e $tmp/ready ]]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rc=0
			wait "$pid" || rc=$?
			printf 'vm_guest.sh: gwtrace --mode %s exited (status %d) before its ready file:\n' \
				"$mode" "$rc" >&2
			tail -n 20 "$tmp/err" >&2
			return 1
		fi
		ms_since "$t0"
		if ((MS > CALIBRATE_LIMIT_S * 1000)); then
			kill -KILL "$pid" 2>/dev/null
			printf 'vm_guest.sh: gwtrace --mode %s not ready after %d s\n' \
				"$mode" "$CALIBRATE_LIMIT_S" >&2
			return 1
		fi
		read -r -t 0.05 -u "$nap" _
	done
	ms_since "$t0"
	START_MS=$MS
	wait "$pid"
}

start_ms || exit 1
slowdown=$(((START_MS * 100 + REF_START_MS - 1) / REF_START_MS))
((slowdown >= 100)) || slowdown=100
((slowdown <= MAX_SLOWDOWN)) || slowdown=$MAX_SLOWDOWN
scale() { REPLY=$((($1 * slowdown + 99) / 100)); }
scale 20; ready=$REPLY
scale 10; stop=$REPLY
scale "$BASE_TEST_S"; per_test=$REPLY
export GWT_SLOWDOWN=$slowdown GWT_READY_TIMEOUT=$ready GWT_STOP_TIMEOUT=$stop
export GWT_TEST_TIMEOUT=$per_test

ncpu=$(grep -c '^processor' /proc/cpuinfo)
build="plain build"
! grep -qa 'libasan\.so' "$GWTRACE" || build="ASan build"
printf '# guest: Linux %s (%s %s), %d vCPU; gwtrace start-up %d.%d s (--mode %s, %s) -> slowdown %d %%: ready wait %d s, stop wait %d s, per-test limit %d s\n' \
	"$(uname -r)" "${VMLAB_KPKG:-?}" "${VMLAB_KDEBVER:-?}" "$ncpu" \
	$((START_MS / 1000)) $((START_MS % 1000 / 100)) "$mode" "$build" \
	"$slowdown" "$ready" "$stop" "$per_test"

if [[ -n $probes ]]; then
	"$GWTRACE" probes --json --mode "$mode" >"$probes" ||
		printf 'vm_guest.sh: gwtrace probes --json --mode %s failed\n' "$mode" >&2
fi
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" --e2e-only "$@"

# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# The VM lab suites' common part (tests/e2e/test_vm*.sh): boot the guest
# kernel under qemu (scripts/vmlab), run a selection of the end-to-end
# suite there with the strategy forced (tests/vm_guest.sh measures the
# guest's speed first and scales the waits), and require every selected
# test to pass. Sourced after lib.sh.

# The whole guest run, bounded: each test inside has its own limit, scaled
# to the guest's measured speed, so this only catches a hung guest.
: "${GWT_VM_RUN_TIMEOUT:=3000}"

VM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VM_LOG=""

# vm_suite_run MODE PATTERN WANT_N [--probes]: run the tests matching
# PATTERN in the guest in --mode MODE; fail unless exactly WANT_N pass, none
# fails or skips. --probes: also keep the guest's `gwtrace probes --json`
# in $GWT_TMP/vmout/probes.json. Notes the guest's kernel, its measured
# speed and the wall time.
vm_suite_run() {
	local mode=$1 pattern=$2 want=$3 probes=${4:-} rc=0 line t0 guest
	[[ -z ${VMLAB:-} ]] || skip "already inside the VM lab"
	[[ -z ${GWT_NO_VM:-} ]] || skip "GWT_NO_VM is set"
	"$VM_ROOT/scripts/vmlab/prepare.sh" --quiet >"$GWT_TMP/prepare.log" 2>&1 ||
		skip "VM lab unavailable: $(tail -n 1 "$GWT_TMP/prepare.log")"
	vm__note_pin
	VM_LOG=$GWT_TMP/vm-$mode.log
	log "booting the VM lab: $want tests matching $pattern in --mode $mode"
	t0=$EPOCHREALTIME
	(cd "$VM_ROOT" && scripts/vmlab/run.sh --timeout "$GWT_VM_RUN_TIMEOUT" \
		--out "$GWT_TMP/vmout" -- \
		env GWTRACE="$GWTRACE" GWT_MODE="$mode" \
		tests/vm_guest.sh --mode "$mode" ${probes:+"$probes"} -- -k "$pattern") \
		>"$VM_LOG" 2>&1 || rc=$?
	guest=$(grep -m 1 '^# guest: ' "$VM_LOG") || true
	[[ -z $guest ]] || note "${guest#\# }"
	gwt__ms_since "$t0"
	note "VM wall time $((GWT_MS / 1000)).$((GWT_MS % 1000 / 100)) s (run.sh exit $rc)"
	grep -E '^(PASS|FAIL|SKIP) ' "$VM_LOG" >&2 || true
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$VM_LOG" | tail -n 1) || true
	if [[ -z $line ]]; then
		tail -n 40 "$VM_LOG" >&2
		fail "no suite result from the VM (run.sh exit $rc)"
	fi
	if [[ $line != "$want passed, 0 failed, 0 skipped" ]]; then
		# The failing tests' logs (run.sh indents them under FAIL).
		grep -vE '^(PASS|SKIP) ' "$VM_LOG" | tail -n 150 >&2
		fail "VM suite in --mode $mode: $line (want $want passed, 0 failed, 0 skipped)"
	fi
}

# A pinned kernel that left the archive: the suite ran on another one.
vm__note_pin() {
	local missed
	missed=$(sed -n 's/^VMLAB_PIN_MISSED=//p' "${GWTRACE_VMLAB_CACHE:-/var/cache/gwtrace-vmlab}/lab.env" 2>/dev/null) || true
	missed=${missed//[\"\']/}	# lab.env quotes its values: '' is none
	[[ -z $missed ]] ||
		note "warning: the pinned guest kernel $missed is not available from apt; the newest was used (scripts/vmlab/prepare.sh)"
}

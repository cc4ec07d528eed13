# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# The VM lab suites' common part (tests/e2e/test_vm*.sh): boot a guest
# kernel under qemu (scripts/vmlab: Debian 12's 6.1 or 6.12), run a
# selection of the end-to-end suite there with the strategy forced
# (tests/vm_guest.sh measures the guest's speed first and scales the
# waits), and require every selected test to pass. Sourced after lib.sh.

# The whole guest run, bounded: each test inside has its own limit, scaled
# to the guest's measured speed, so this only catches a hung guest.
: "${GWT_VM_RUN_TIMEOUT:=3000}"

VM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VM_LOG=""
# shellcheck source=scripts/vmlab/kernels.sh
. "$VM_ROOT/scripts/vmlab/kernels.sh"

# The lab kernel the next vm_suite_run boots: 6.1 or 6.12 (scripts/vmlab/
# kernels.sh). GWTRACE_VMLAB_KVER (`make test KVER=...`) applies to the lab
# kernel it belongs to: KVER=6.1.0-56 changes the 6.1 runs only.
VM_KERNEL=6.1

# vm__env: the environment of prepare.sh and run.sh for VM_KERNEL.
vm__env() {
	local kver=${GWTRACE_VMLAB_KVER:-${GWTRACE_VMLAB_KPKG:-}}
	vmlab_kernel_of "$kver"
	[[ $REPLY == "$VM_KERNEL" ]] || kver=""
	VM_ENV=(GWTRACE_VMLAB_KERNEL="$VM_KERNEL" GWTRACE_VMLAB_KVER="$kver" GWTRACE_VMLAB_KPKG=)
}

# vm_suite_run MODE PATTERN WANT_N [--probes]: run the tests matching
# PATTERN in the guest (VM_KERNEL) in --mode MODE; fail unless exactly
# WANT_N pass, none fails or skips. --probes: also keep the guest's
# `gwtrace probes --json` in $GWT_TMP/vmout/probes.json. Notes the guest's
# kernel, its measured speed, the wall time and the guest tests' own notes
# (what a strategy could not check, ...).
vm_suite_run() {
	local mode=$1 pattern=$2 want=$3 probes=${4:-} rc=0 line t0 guest
	[[ -z ${VMLAB:-} ]] || skip "already inside the VM lab"
	[[ -z ${GWT_NO_VM:-} ]] || skip "GWT_NO_VM is set"
	vm__env
	env "${VM_ENV[@]}" "$VM_ROOT/scripts/vmlab/prepare.sh" --quiet >"$GWT_TMP/prepare.log" 2>&1 ||
		skip "VM lab ($VM_KERNEL) unavailable: $(tail -n 1 "$GWT_TMP/prepare.log")"
	vm__note_pin
	VM_LOG=$GWT_TMP/vm-$VM_KERNEL-$mode.log
	log "booting the VM lab ($VM_KERNEL): $want tests matching $pattern in --mode $mode"
	t0=$EPOCHREALTIME
	(cd "$VM_ROOT" && env "${VM_ENV[@]}" scripts/vmlab/run.sh --kernel "$VM_KERNEL" \
		--timeout "$GWT_VM_RUN_TIMEOUT" --out "$GWT_TMP/vmout" -- \
		env GWTRACE="$GWTRACE" GWT_MODE="$mode" \
		tests/vm_guest.sh --mode "$mode" ${probes:+"$probes"} -- -k "$pattern") \
		>"$VM_LOG" 2>&1 || rc=$?
	guest=$(grep -m 1 '^# guest: ' "$VM_LOG") || true
	[[ -z $guest ]] || note "${guest#\# }"
	gwt__ms_since "$t0"
	note "VM wall time $((GWT_MS / 1000)).$((GWT_MS % 1000 / 100)) s (run.sh exit $rc)"
	vm__guest_notes
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

# The notes of the guest's passing tests (tests/run.sh prints them under a
# test's line as "    # ..."), each as "guest test_x: ...".
vm__guest_notes() {
	local line name=""
	while IFS= read -r line; do
		case $line in
		"PASS "*) name=${line#PASS }; name=${name%% *} ;;
		"    # "*) [[ -z $name ]] || note "guest $name: ${line#    \# }" ;;
		*) name="" ;;
		esac
	done <"$VM_LOG"
}

# A pinned kernel that left the archive: the suite ran on another one.
vm__note_pin() {
	local missed
	vmlab_kernel "$VM_KERNEL" || return 0
	missed=$(sed -n 's/^VMLAB_PIN_MISSED=//p' "$LAB_ENV" 2>/dev/null) || true
	missed=${missed//[\"\']/}	# lab.env quotes its values: '' is none
	[[ -z $missed ]] ||
		note "warning: the pinned guest kernel $missed is not available from apt; the newest was used (scripts/vmlab/prepare.sh)"
}

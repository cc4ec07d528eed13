#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The IPsec scenarios (tests/e2e/test_ipsec*.sh: trace and monitor) on a
# kernel with ESP:
# Debian 12's 6.1, booted under qemu by the VM lab (scripts/vmlab). This
# machine's kernel has no ESP, no fentry and no kprobes, so the suite skips
# here; in the guest it runs once with the strategy forced to fentry and
# once to kprobe, and every scenario must pass (none may skip).
# Run: tests/run.sh -k vm_ipsec, or tests/e2e/test_vm_ipsec.sh TEST.
# GWT_NO_VM=1 skips.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VM_IPSEC_TESTS='^test_ipsec_'

vm_ipsec_suite() {
	local mode=$1 root log rc=0 line n t0
	[[ -z ${VMLAB:-} ]] || skip "already inside the VM lab"
	[[ -z ${GWT_NO_VM:-} ]] || skip "GWT_NO_VM is set"

	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	n=$(for f in "$root"/tests/e2e/test_ipsec*.sh; do bash "$f" --list; done |
		grep -cE "$VM_IPSEC_TESTS") || true
	((n > 0)) || fail "no $VM_IPSEC_TESTS tests in tests/e2e/test_ipsec*.sh"
	"$root/scripts/vmlab/prepare.sh" --quiet >"$GWT_TMP/prepare.log" 2>&1 ||
		skip "VM lab unavailable: $(tail -n 1 "$GWT_TMP/prepare.log")"
	log=$GWT_TMP/vm-ipsec-$mode.log
	log "booting Debian 6.1 in the VM lab: $n IPsec scenarios in --mode $mode"
	t0=$EPOCHREALTIME
	(cd "$root" && scripts/vmlab/run.sh --timeout 600 -- \
		env GWTRACE="$GWTRACE" GWT_MODE="$mode" GWT_TEST_TIMEOUT=120 \
		tests/run.sh --e2e-only -k "$VM_IPSEC_TESTS") >"$log" 2>&1 || rc=$?
	log "VM run: $(gwt__elapsed_ms "$t0") ms, run.sh exit $rc"
	grep -E '^(PASS|FAIL|SKIP) ' "$log" >&2 || true
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1) || true
	[[ -n $line ]] || { tail -n 30 "$log" >&2; fail "no suite result from the VM (run.sh exit $rc)"; }
	if [[ $line != "$n passed, 0 failed, 0 skipped" ]]; then
		# The failing scenarios' logs (run.sh indents them under FAIL).
		grep -vE '^(PASS|SKIP) ' "$log" | tail -n 150 >&2
		fail "IPsec scenarios in the VM, --mode $mode: $line (want $n passed, 0 failed, 0 skipped)"
	fi
}

test_vm_ipsec_fentry() { vm_ipsec_suite fentry; }
test_vm_ipsec_kprobe() { vm_ipsec_suite kprobe; }

gwt_main "$@"

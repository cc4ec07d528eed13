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
# shellcheck source=tests/e2e/vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

VM_IPSEC_TESTS='^test_ipsec_'

vm_ipsec_suite() {
	local n
	n=$(for f in "$VM_ROOT"/tests/e2e/test_ipsec*.sh; do bash "$f" --list; done |
		grep -cE "$VM_IPSEC_TESTS") || true
	((n > 0)) || fail "no $VM_IPSEC_TESTS tests in tests/e2e/test_ipsec*.sh"
	vm_suite_run "$1" "$VM_IPSEC_TESTS" "$n"
}

test_vm_ipsec_fentry() { vm_ipsec_suite fentry; }
test_vm_ipsec_kprobe() { vm_ipsec_suite kprobe; }

gwt_main "$@"

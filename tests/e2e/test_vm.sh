#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The same binary and BPF object on a second kernel: Debian 12's 6.1,
# booted under qemu by the VM lab (scripts/vmlab), where fentry and kprobes
# work (this machine's kernel refuses both). Inside the guest a subset of
# the end-to-end suite runs with the strategy forced to fentry, then to
# kprobe, and `gwtrace probes --json` must show the function probes on
# that strategy. This is the proof that one CO-RE object serves 6.1 and
# 6.18 and that every strategy of the fallback chain works.
# Run: tests/run.sh -k vm, or tests/e2e/test_vm.sh TEST. GWT_NO_VM=1 skips.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

VM_TESTS='^test_(forward_drop|input_drop|snat_masquerade|default_route|xfrm_block_policy|detach_after_sigint|monitor_drop_storm_bounded|monitor_forwarded_counts|monitor_flow_table_bounded|neigh_failed_one_path|neigh_failed_one_path_ipv6)$'
VM_NTESTS=11
# Probes that have an implementation of the forced strategy on 6.1.
VM_FUNC_PROBES='["fib:lookup","nf:hook","nf:table","xfrm:output","xfrm:input","xfrm:policy","ip:verdict"]'

vm_suite() {
	local mode=$1 probes
	vm_suite_run "$mode" "$VM_TESTS" "$VM_NTESTS" --probes
	probes=$GWT_TMP/vmout/probes.json
	[[ -s $probes ]] || fail "no probes listing from the VM"
	jq -e --arg m "$mode" --argjson want "$VM_FUNC_PROBES" '
		[.probes[] | select(.name as $n | $want | index($n))] as $fp
		| ($fp | length) == ($want | length)
		  and all($fp[]; .attached and .strategy == $m)
		  and all(.probes[] | select(.name | startswith("skb:")); .attached and .strategy == "tracepoint")' \
		"$probes" >/dev/null ||
		fail "probes in the VM are not all on $mode: $(jq -c '[.probes[]|[.name,.strategy,.attached]]' "$probes")"
}

test_vm_fentry() { vm_suite fentry; }
test_vm_kprobe() { vm_suite kprobe; }

gwt_main "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The same binary and BPF object on more kernels: Debian 12's 6.1 and
# 6.12, booted under qemu by the VM lab (scripts/vmlab), where ESP works
# (this machine's kernel refuses fentry and kprobes and has no ESP). One
# boot per kernel and strategy: inside the guest a selection of the
# end-to-end suite runs with the strategy forced -- the forwarding, drop,
# NAT, route and monitor tests and the IPsec scenarios
# (tests/e2e/test_ipsec*.sh) on real tunnels -- and `gwtrace probes --json`
# must show the probes on that strategy. This is the proof that one CO-RE
# object serves 6.1, 6.12 and 6.18 and that every strategy of the fallback
# chain works.
#
# 6.1 (no BPF netfilter links, they came in 6.4) runs fentry and kprobe.
# 6.12 runs the tracepoint strategy -- tp_btf and netfilter links, what
# this machine's 6.18 runs, but here on real ESP: the IPsec scenarios of
# test_ipsec.sh, whose checks follow what that strategy sees (netfilter
# steps' xfrm dst and secpath with their SPI) and whose notes say what it
# cannot (no xfrm probes: no xfrm steps, no xfrm counter per packet, a
# failure inside xfrm_input unseen). The IPsec monitor tests count
# encryptions, decryptions and xfrm drops with the xfrm probes, so they run
# on 6.1 (and on 6.12 with fentry/kprobe, below).
#
# fentry and kprobe on 6.12 (every IPsec scenario, monitor included) take
# two more boots, ~6 minutes of CI: the function strategies on a second,
# newer kernel (struct layouts and inlining change between 6.1 and 6.12).
# GWT_VM_612_ALL=0 (`make vmtest VM612_ALL=0`) leaves them out, saying so.
#
# fentry runs the whole selection. kprobe runs every IPsec scenario and,
# of the rest, the part that exercises each kprobe program at least once
# (every probe, NAT, the held path, IPv6, monitor, detaching); the rest
# checks logic that does not depend on the strategy, already run under
# fentry, and each TCG start of gwtrace costs ~10 s.
# Run: tests/run.sh -k vm, or tests/e2e/test_vm.sh TEST. GWT_NO_VM=1 skips.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

VM_BASE='forward_drop|input_drop|snat_masquerade|default_route|reply_via_default_route|ike_no_proposal|ike_unanswered|xfrm_block_policy|detach_after_sigint|monitor_drop_storm_bounded|monitor_forwarded_counts|monitor_flow_table_bounded|neigh_failed_one_path|neigh_failed_one_path_ipv6'
VM_IPSEC='ipsec_[a-z0-9_]+'
VM_KPROBE_BASE='forward_drop|snat_masquerade|default_route|xfrm_block_policy|detach_after_sigint|monitor_forwarded_counts|neigh_failed_one_path_ipv6'
VM_KPROBE_IPSEC=$VM_IPSEC	# every IPsec scenario, in every strategy
# Probes that have an implementation of the forced strategy on 6.1.
VM_FUNC_PROBES='["fib:lookup","nf:hook","nf:table","xfrm:output","xfrm:input","xfrm:policy","ip:verdict"]'
# The tracepoint strategy's probes, and those it has no implementation of.
VM_TP_PROBES='["skb:rx","skb:tx","skb:drop","skb:free","fib:lookup","nf:hook"]'
VM_TP_NONE='["nf:table","xfrm:output","xfrm:input","xfrm:policy"]'

# vm__count PATTERN: REPLY = how many tests of the e2e suite match it.
vm__count() {
	local f
	REPLY=$(for f in "$VM_ROOT"/tests/e2e/test_*.sh; do
		[[ $f == */test_vm*.sh ]] || bash "$f" --list
	done | grep -cE "$1") || true
}

vm_suite() {
	local mode=$1 pattern=$2 probes
	vm__count "$pattern"
	((REPLY > 0)) || fail "no tests match $pattern"
	vm_suite_run "$mode" "$pattern" "$REPLY" --probes
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

test_vm_fentry() { vm_suite fentry "^test_(($VM_BASE)|$VM_IPSEC)\$"; }

test_vm_kprobe() {
	local all
	vm__count "^test_(($VM_BASE)|$VM_IPSEC)\$"
	all=$REPLY
	vm_suite kprobe "^test_(($VM_KPROBE_BASE)|$VM_KPROBE_IPSEC)\$"
	note "kprobe ran every IPsec scenario and the tests that exercise every kprobe program; fentry ran all $all"
}

# 6.12, tracepoint strategy: every IPsec scenario of test_ipsec.sh.
test_vm_612_tracepoint() {
	local names probes
	names=$(bash "$VM_ROOT/tests/e2e/test_ipsec.sh" --list | paste -sd '|') ||
		fail "cannot list tests/e2e/test_ipsec.sh"
	[[ -n $names ]] || fail "no tests in tests/e2e/test_ipsec.sh"
	VM_KERNEL=6.12
	vm_suite_run tracepoint "^($names)\$" "$(tr '|' '\n' <<<"$names" | wc -l)" --probes
	probes=$GWT_TMP/vmout/probes.json
	[[ -s $probes ]] || fail "no probes listing from the VM"
	jq -e --argjson tp "$VM_TP_PROBES" --argjson none "$VM_TP_NONE" '
		all(.probes[] | select(.name as $n | $tp | index($n)); .attached and .strategy == "tracepoint")
		and ([.probes[] | select(.name as $n | $tp | index($n))] | length) == ($tp | length)
		and any(.probes[]; .name == "nf:hook" and (.detail | test("^netfilter links")))
		and all(.probes[] | select(.name as $n | $none | index($n)); .attached | not)' \
		"$probes" >/dev/null ||
		fail "probes on 6.12 in --mode tracepoint: want $VM_TP_PROBES on tracepoint (nf:hook on netfilter links), $VM_TP_NONE unattached; got $(jq -c '[.probes[]|[.name,.strategy,.attached]]' "$probes")"
	note "6.12 tracepoint: netfilter links attached; no xfrm:output/xfrm:input/xfrm:policy or nf:table probe (no such tracepoints): IPsec checked through netfilter steps (xfrm dst, secpath, SPI) and drop reasons; the IPsec monitor tests need xfrm probes: they run with fentry/kprobe (6.1 and 6.12)"
}


# 6.12 with a function strategy: every IPsec scenario.
vm_612_func() {
	[[ ${GWT_VM_612_ALL:-} != 0 ]] ||
		skip "6.12 in --mode $1 left out: GWT_VM_612_ALL=0 (make vmtest VM612_ALL=0)"
	VM_KERNEL=6.12
	vm_suite "$1" "^test_($VM_IPSEC)\$"
}
test_vm_612_fentry() { vm_612_func fentry; }
test_vm_612_kprobe() { vm_612_func kprobe; }

gwt_main "$@"

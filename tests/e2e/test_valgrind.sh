#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# gwtrace under valgrind: a full trace (attach in every namespace, events,
# correlation, netlink prefix lookups, JSON, detach) with no memory error
# and no leak. Needs the plain build (valgrind cannot run an ASan binary):
# `make test` passes it as GWTRACE_PLAIN. tests/valgrind.supp silences
# valgrind's incomplete model of union bpf_attr, nothing of ours.
# Run: tests/run.sh -k valgrind, or tests/e2e/test_valgrind.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_valgrind_clean() {
	local supp wrap log
	[[ -n ${GWTRACE_PLAIN:-} && -x ${GWTRACE_PLAIN:-} ]] ||
		skip "GWTRACE_PLAIN (a build without ASan) not set; make test sets it"
	require_cmd valgrind nft
	supp=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/valgrind.supp
	topo_standard
	nft_apply "$NS_GW" 'table inet gwt_filter {
		chain forward {
			type filter hook forward priority filter; policy accept;
			ip daddr 10.2.0.2 icmp type echo-request drop
		}
	}'
	wrap=$GWT_TMP/valgrind-gwtrace
	log=$GWT_TMP/valgrind.log
	printf '#!/bin/sh\nexec valgrind --quiet --suppressions=%s --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=%s %s "$@"\n' \
		"$supp" "$log" "$GWTRACE_PLAIN" >"$wrap"
	chmod +x "$wrap"
	GWTRACE=$wrap GWT_READY_TIMEOUT=90 GWT_STOP_TIMEOUT=90
	GWT_FOCUS=$(flow_is 10.1.0.2 10.2.0.2)
	gw_start --host 10.2.0.2
	ping_from "$NS_C" 10.2.0.2 3
	gw_stop
	# "==PID==" lines are valgrind's reports; "--PID--" ones its own notes
	# (e.g. "unhandled eBPF command": it does not model every bpf() cmd).
	if grep -Eq '^==[0-9]+== +[^ ]' "$log"; then
		fail "valgrind reported errors: $(grep -E '^==[0-9]+==' "$log" | head -c 3000)"
	fi
	pick_packets "$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"icmp\"" \
		"ping 10.1.0.2 -> 10.2.0.2 (traced under valgrind)"
	expect_verdict netfilter_drop
	expect_eq .drop.hook FORWARD
}

gwt_main "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Run gwtrace's tests: the cmocka unit test binaries, then the end-to-end
# tests (tests/e2e/test_*.sh, one test_* function each; they need root).
#
# Usage: tests/run.sh [--e2e-only] [--unit-only] [-k PATTERN] [--list]
#   -k PATTERN   only tests whose name or file matches the extended regex
#   --list       print the test names and exit
#
# Environment:
#   GWTRACE            gwtrace binary for the e2e tests (default ./gwtrace)
#   UNIT_DIR           directory of unit test binaries (default build/san/tests)
#   FUZZ_DIR           where `make fuzz-build` put the fuzz targets (default
#                      build/fuzz): each replays its corpora, then fuzzes for
#                      FUZZ_TEST_SECONDS (default 10); part of the unit tests
#                      (defaults are in the repository; tests run from there)
#   GWT_TEST_TIMEOUT   seconds per e2e test before it is killed (default 60)
#   GWT_VM_TIMEOUT     the same for tests/e2e/test_vm*.sh (default 3100: each
#                      test in the guest has its own limit, scaled to the
#                      guest's measured speed; see tests/vm_guest.sh)
#   GWT_NO_VM=1        skip the VM lab tests (Debian 6.1 and 6.12 under qemu)
#   GWT_KEEP=1         keep each e2e test's temporary directory
#
# One line per test: "PASS name (1.2s)", "FAIL name: reason" (followed by
# the test's log: gwtrace's stderr and the relevant JSON), "SKIP name:
# reason"; unit binaries count their cmocka cases. A test's notes (lib.sh
# `note`: what it measured, e.g. the VM lab's kernel and speed) follow its
# line as "    # ...". The last line is always
# "N passed, N failed, N skipped"; the exit status is 1 if anything failed.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_DIR=$HERE/e2e

run_unit=1
run_e2e=1
pattern=""
list_only=0

usage() {
	sed -n '7,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while (($#)); do
	case $1 in
	--e2e-only) run_unit=0 ;;
	--unit-only) run_e2e=0 ;;
	-k)
		(($# >= 2)) || usage
		pattern=$2
		shift
		;;
	-k?*) pattern=${1#-k} ;;
	--list) list_only=1 ;;
	-h | --help) usage ;;
	*)
		printf 'run.sh: unknown argument: %s\n' "$1" >&2
		usage
		;;
	esac
	shift
done

ROOT=$(cd "$HERE/.." && pwd)

# A path given relative to the caller's directory, made absolute: the tests
# run from the repository root (unit tests read tests/unit/fixtures).
abspath() {
	case $1 in
	/*) printf '%s' "$1" ;;
	*) printf '%s/%s' "$PWD" "$1" ;;
	esac
}
GWTRACE=$(abspath "${GWTRACE:-$ROOT/gwtrace}")
export GWTRACE
UNIT_DIR=$(abspath "${UNIT_DIR:-$ROOT/build/san/tests}")
TEST_TIMEOUT=${GWT_TEST_TIMEOUT:-60}
cd "$ROOT" || exit 1

passed=0
failed=0
skipped=0

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gwt-run.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# Ctrl-C / SIGTERM: stop the running e2e test (its own trap removes its
# namespaces), report, and end with the usual last line.
child=""
interrupted=""
on_signal() {
	interrupted=$1
	[[ -z $child ]] || kill -TERM "$child" 2>/dev/null
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM

selected() {	# name [file]
	[[ -z $pattern ]] && return 0
	[[ $1 =~ $pattern ]] && return 0
	[[ -n ${2:-} && $2 =~ $pattern ]]
}

elapsed() {	# since an $EPOCHREALTIME value, as seconds with one decimal
	local now=${EPOCHREALTIME/./} then=${1/./} ms
	ms=$(((10#$now - 10#$then) / 1000))
	printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100))
}

# Indent a log and keep it readable: at most 80 lines of 2000 characters.
show_log() {
	awk 'NR > 80 { more++; next }
	     { if (length($0) > 2000) $0 = substr($0, 1, 2000) "..."; print "    " $0 }
	     END { if (more) print "    ... (" more " more lines)" }' "$1"
}

# ---------------------------------------------------------------------------
# Unit tests: each binary is a cmocka suite.

sum_cmocka() {	# file "PASSED"|"FAILED"|"SKIPPED": sum of the "[  X  ] N test(s)" lines
	awk -v w="$2" '$0 ~ "^\\[ *" w " *\\] [0-9]+ test" {
		sub("^\\[ *" w " *\\] ", ""); n += $1 } END { print n + 0 }' "$1"
}

run_unit_bin() {
	local bin=$1 name out rc t0 p f s ok
	name=unit/$(basename "$bin")
	selected "$name" || return 0
	if ((list_only)); then
		printf '%s\n' "$name"
		return 0
	fi
	out=$TMP/unit.log
	t0=$EPOCHREALTIME
	rc=0
	# (the braces keep bash's "Segmentation fault" notice out of the report)
	{ CMOCKA_MESSAGE_OUTPUT=stdout timeout -k 5 120 "$bin" >"$out" 2>&1 </dev/null; } 2>/dev/null || rc=$?
	p=$(sum_cmocka "$out" PASSED)
	f=$(sum_cmocka "$out" FAILED)
	s=$(sum_cmocka "$out" SKIPPED)
	passed=$((passed + p))
	skipped=$((skipped + s))
	local why=""
	if ((f > 0)); then
		why="$f of $((p + f)) cases failed"
	fi
	if ((rc != 0 && f == 0)); then
		# Crashed, timed out or a sanitizer failed it: count one failure,
		# and the cases that had finished if no summary was printed.
		if ((p == 0)); then
			ok=$(grep -c '^\[ *OK *\]' "$out")
			passed=$((passed + ok))
		fi
		f=1
		case $rc in
		124) why="timed out after 120s" ;;
		13[0-9] | 1[4-9][0-9]) why="killed by signal $((rc - 128))" ;;
		*) why="exit status $rc" ;;
		esac
		why+=" (crash or sanitizer report)"
	elif ((rc == 0 && p + f + s == 0)); then
		f=1
		why="no cmocka summary in its output"
	fi
	failed=$((failed + f))
	if ((f > 0)); then
		printf 'FAIL %s: %s\n' "$name" "$why"
		show_log "$out"
	else
		printf 'PASS %s (%d cases, %s)\n' "$name" "$p" "$(elapsed "$t0")"
	fi
}

run_units() {
	local bins=() b
	if [[ -d $UNIT_DIR ]]; then
		for b in "$UNIT_DIR"/test_*; do
			[[ -f $b && -x $b ]] && bins+=("$b")
		done
	fi
	if ((${#bins[@]} == 0)); then
		selected unit || return 0
		((list_only)) && return 0
		printf 'SKIP unit: no unit test binaries in %s (build them: make unit)\n' "$UNIT_DIR"
		skipped=$((skipped + 1))
		return 0
	fi
	for b in "${bins[@]}"; do
		run_unit_bin "$b"
	done
}

# ---------------------------------------------------------------------------
# Fuzz targets (tests/fuzz): corpora replayed, then a short run each.

run_fuzz() {
	local dir=${FUZZ_DIR:-build/fuzz} b name out
	if ! compgen -G "$dir/fuzzers/fuzz_*" >/dev/null; then
		selected fuzz || return 0
		((list_only)) && return 0
		printf 'SKIP fuzz: no fuzz targets in %s/fuzzers (build them: make fuzz-build)\n' "$dir"
		skipped=$((skipped + 1))
		return 0
	fi
	for b in "$dir"/fuzzers/fuzz_*; do
		[[ -f $b && -x $b && $b != *.d ]] || continue
		name=$(basename "$b")
		selected "fuzz/$name" || continue
		if ((list_only)); then
			printf 'fuzz/%s\n' "$name"
			continue
		fi
		out=$(FUZZ_DIR=$dir "$HERE/fuzz/run.sh" "$name" "${FUZZ_TEST_SECONDS:-10}")
		printf '%s\n' "$out"
		if [[ $out == PASS* ]]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
}

# ---------------------------------------------------------------------------
# End-to-end tests: `bash FILE --list` names them, `bash FILE NAME` runs one
# in its own process (own namespaces, own clean-up trap).

# Namespaces of runs that died without cleaning up (SIGKILL, machine crash):
# gwt-<pid>-* whose pid is gone.
remove_stale_namespaces() {
	local ns pid
	while read -r ns _; do
		[[ $ns =~ ^gwt-([0-9]+)- ]] || continue
		pid=${BASH_REMATCH[1]}
		kill -0 "$pid" 2>/dev/null && continue
		ip netns del "$ns" 2>/dev/null && printf '# removed stale namespace %s\n' "$ns"
	done < <(ip netns list 2>/dev/null)
}

run_e2e_test() {
	local file=$1 name=$2 rc t0 reason log notes
	reason=$TMP/reason
	log=$TMP/e2e.log
	notes=$TMP/notes
	: >"$reason"
	: >"$notes"
	t0=$EPOCHREALTIME
	rc=0
	local tmo=$TEST_TIMEOUT
	# The VM lab boots a kernel under TCG and runs a suite inside it.
	[[ $file == */test_vm*.sh ]] && tmo=${GWT_VM_TIMEOUT:-3100}
	GWT_REASON_FILE=$reason GWT_NOTE_FILE=$notes timeout -k 10 "$tmo" \
		bash "$file" "$name" >"$log" 2>&1 </dev/null &
	child=$!
	# wait returns early when a trapped signal arrives: wait again for the
	# test to finish its clean-up.
	while :; do
		rc=0
		wait "$child" || rc=$?
		kill -0 "$child" 2>/dev/null || break
	done
	child=""
	if [[ -n $interrupted ]]; then
		failed=$((failed + 1))
		printf 'FAIL %s: interrupted by SIG%s\n' "$name" "$interrupted"
		return
	fi
	case $rc in
	0)
		passed=$((passed + 1))
		printf 'PASS %s (%s)\n' "$name" "$(elapsed "$t0")"
		;;
	77)
		skipped=$((skipped + 1))
		local why="no reason given"
		[[ ! -s $reason ]] || why=$(head -n 1 "$reason")
		printf 'SKIP %s: %s\n' "$name" "$why"
		;;
	*)
		failed=$((failed + 1))
		local why
		if [[ $rc == 124 || $rc == 137 ]]; then
			why="timed out after ${tmo}s (killed)"
		elif [[ -s $reason ]]; then
			why=$(head -n 1 "$reason")
		else
			why="exit status $rc"
		fi
		printf 'FAIL %s: %s\n' "$name" "$why"
		show_log "$log"
		;;
	esac
	sed 's/^/    # /' "$notes"
}

run_e2e() {
	local file base names name
	local -a files=("$E2E_DIR"/test_*.sh)
	[[ -e ${files[0]} ]] || return 0
	if ((!list_only)) && [[ $EUID -eq 0 ]]; then
		remove_stale_namespaces
	fi
	for file in "${files[@]}"; do
		base=$(basename "$file" .sh)
		if ! names=$(bash "$file" --list); then
			failed=$((failed + 1))
			printf 'FAIL %s: cannot list its tests\n' "$base"
			continue
		fi
		for name in $names; do
			selected "$name" "$base" || continue
			if ((list_only)); then
				printf '%s\n' "$name"
			elif [[ -n $interrupted ]]; then
				break 2
			elif [[ $EUID -ne 0 ]]; then
				skipped=$((skipped + 1))
				printf 'SKIP %s: end-to-end tests need root (uid %d)\n' "$name" "$EUID"
			else
				run_e2e_test "$file" "$name"
			fi
		done
	done
}

t_start=$EPOCHREALTIME
if ((run_unit)); then
	run_units
	run_fuzz
fi
if ((run_e2e)); then
	run_e2e
fi
((list_only)) && exit 0
printf '# total time %s\n' "$(elapsed "$t_start")"
printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
case $interrupted in
INT) exit 130 ;;
TERM) exit 143 ;;
esac
((failed == 0))

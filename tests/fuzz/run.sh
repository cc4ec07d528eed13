#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Runs one fuzz target: first every input of its corpora once (the seeds
# generated for this build in $FUZZ_DIR/seeds/NAME, the checked-in
# tests/fuzz/corpus/NAME: regression inputs), then SECONDS of fuzzing
# that adds what it finds to $FUZZ_DIR/corpus/NAME (never to the
# checked-in corpus). A crash, leak or sanitizer report fails it; the
# input that did it is saved as $FUZZ_DIR/findings-NAME-* (add it to
# tests/fuzz/corpus/NAME once fixed).
# Usage: FUZZ_DIR=build/fuzz tests/fuzz/run.sh NAME SECONDS
set -u

name=$1 seconds=$2
dir=${FUZZ_DIR:-build/fuzz}
bin=$dir/fuzzers/$name
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log=$dir/$name.log
if [[ ! -x $bin ]]; then
	printf 'FAIL fuzz/%s: %s not built (make fuzz-build)\n' "$name" "$bin"
	exit 1
fi
corpora=()
for c in "$dir/seeds/$name" "$root/corpus/$name"; do
	[[ -d $c ]] && corpora+=("$c")
done
mkdir -p "$dir/corpus/$name"
# -close_fd_mask=3: the targets' own output (usage messages) is noise.
opts=(-close_fd_mask=3 -artifact_prefix="$dir/findings-$name-" -print_final_stats=1)
t0=$SECONDS
if ! "$bin" "${opts[@]}" -runs=0 "${corpora[@]}" >"$log" 2>&1; then
	printf 'FAIL fuzz/%s: an input of its corpora fails\n' "$name"
	tail -n 30 "$log" | sed 's/^/    /'
	exit 1
fi
if ! timeout -k 10 $((seconds + 60)) "$bin" "${opts[@]}" -max_total_time="$seconds" \
	-timeout=10 -rss_limit_mb=1024 "$dir/corpus/$name" "${corpora[@]}" >"$log" 2>&1; then
	printf 'FAIL fuzz/%s: a finding in %d s (input: %s)\n' "$name" "$seconds" \
		"$(find "$dir" -maxdepth 1 -name "findings-$name-*" | head -n 1)"
	grep -E -A25 '^==[0-9]+==ERROR|runtime error|ERROR: libFuzzer' "$log" | head -n 40 | sed 's/^/    /'
	exit 1
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
printf 'PASS fuzz/%s (%s executions in %d s, corpus %d inputs)\n' "$name" "${execs:-?}" \
	$((SECONDS - t0)) "$(find "$dir/corpus/$name" "${corpora[@]}" -type f | wc -l)"

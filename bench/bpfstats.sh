# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Sourced by bench/run.sh: how many of gwtrace's BPF programs a flood
# packet runs, and their time, per configuration (kernel.bpf_stats_enabled).
# A diagnostic, not a score: the statistics cost two clock reads per
# program run, so this pass runs after the timed rounds, once per gwtrace
# configuration, and its forwarding rate is not reported. What it answers
# is where the cost of a configuration goes: how many program runs a packet
# pays for, and which programs they are.
#
# Programs are gwtrace's by name (gw_*): nothing else may load such
# programs while the bench runs.

declare -A PROGS_PP NS_PP NS_RUN TOP_PP

bpfstats__snapshot() {	# FILE: "name run_cnt run_time_ns" per gw_* program
	bpftool prog show --json 2>/dev/null | jq -r '.[] | select(.name | startswith("gw_"))
		| "\(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"' | sort >"$1"
}

# bpfstats_run CONFIG: one flood of BENCH_STATS_SECONDS (1) under CONFIG
# with statistics on; fills PROGS_PP (program runs per packet delivered to
# the server), NS_PP (BPF ns per packet), NS_RUN (ns per program run) and
# TOP_PP (the programs with the most runs per packet, as NAME RUNS@NS:
# runs per packet at ns per run).
bpfstats_run() {
	local cfg=$1 run="stats.$1" a b pa pb flood old secs=${BENCH_STATS_SECONDS:-1}
	command -v bpftool >/dev/null || { add FAILS "$cfg" "bpf_stats: no bpftool"; return 1; }
	tracer_start "$cfg" "$run" || { tracer_stop KILL; return 1; }
	old=$(cat /proc/sys/kernel/bpf_stats_enabled)
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	ip netns exec "$NS_C" taskset -c "$CPU" "$TOOLS/udpflood" -d "$ADDR_S" -p "$PORT_S" \
		-s "$PORTS" -t "$(awk -v s="$secs" 'BEGIN { print s + 0.6 }')" >"$TMP/flood.$run" &
	flood=$!
	PIDS+=("$flood")
	sleep 0.3
	bpfstats__snapshot "$TMP/bpfstats.a"
	a=$(rx_packets)
	sleep "$secs"
	b=$(rx_packets)
	bpfstats__snapshot "$TMP/bpfstats.b"
	echo "$old" >/proc/sys/kernel/bpf_stats_enabled
	wait "$flood"
	tracer_stop TERM || true
	pa=${a%% *} pb=${b%% *}
	((pb > pa)) || { add FAILS "$cfg" "bpf_stats: no packet reached the server"; return 1; }
	# Per program: runs and ns in the window; then the totals per packet.
	join "$TMP/bpfstats.a" "$TMP/bpfstats.b" |
		awk -v n="$((pb - pa))" '
			{ r = $4 - $2; t = $5 - $3; runs += r; ns += t
			  if (r > 0) printf "%s %.2f %.0f\n", $1, r / n, t / r > "/dev/stderr" }
			END { printf "%.2f %.0f %.0f\n", runs / n, ns / n, runs ? ns / runs : 0 }' \
		>"$TMP/bpfstats.sum" 2>"$TMP/bpfstats.per"
	read -r "PROGS_PP[$cfg]" "NS_PP[$cfg]" "NS_RUN[$cfg]" <"$TMP/bpfstats.sum"
	TOP_PP[$cfg]=$(sort -k2,2nr "$TMP/bpfstats.per" | head -n 6 |
		awk '{ printf "%s%s %s@%sns", sep, $1, $2, $3; sep = ", " }')
	log "bpf_stats $cfg: ${PROGS_PP[$cfg]} program runs per packet, ${NS_PP[$cfg]} ns/packet (${TOP_PP[$cfg]})"
}

bpfstats_report() {	# CONFIG...: the table, for the configurations measured
	local cfg
	printf '\nprograms run per packet (bpf_stats diagnostic pass, %s s flood each; per packet delivered):\n' \
		"${BENCH_STATS_SECONDS:-1}"
	for cfg in "$@"; do
		[[ -n ${PROGS_PP[$cfg]:-} ]] || continue
		printf '%-30s %6s runs/packet  %6s ns/packet  %4s ns/run  top: %s\n' "${LABEL[$cfg]}:" \
			"${PROGS_PP[$cfg]}" "${NS_PP[$cfg]}" "${NS_RUN[$cfg]}" "${TOP_PP[$cfg]}"
	done
}

bpfstats_json() {	# CONFIG: ,"programs_per_packet":..,"bpf_ns_per_packet":.. or nothing
	[[ -n ${PROGS_PP[$1]:-} ]] || return 0
	printf ',"programs_per_packet":%s,"bpf_ns_per_packet":%s' "${PROGS_PP[$1]}" "${NS_PP[$1]}"
}

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# What does tracing cost a forwarding gateway? Interleaved A/B rounds of a
# UDP flood through a namespaced gateway, with and without tracers.
#
#   bench/run.sh GWTRACE [TOOLS_DIR]     (root; `make bench` runs it)
#
#  client (gwb-$$-c)          gateway (gwb-$$-gw, ip_forward=1)         server (gwb-$$-s)
#  198.18.1.2 gwb-$$-c ---- gwb-$$-gl 198.18.1.1 | 198.19.1.1 gwb-$$-gw ---- gwb-$$-s 198.19.1.2
#
# 198.18.0.0/15 is the benchmarking range (RFC 2544): no other test on the
# machine uses it, so the tracers see only our flood.
#
# Configurations, each run once per round, the order rotated every round:
#   baseline          no tracer
#   gwtrace-nomatch   gwtrace --host 198.18.99.99 (no flood packet matches)
#   gwtrace-all       gwtrace --host <server> --all: every flood packet traced
#   gwtrace-monitor   gwtrace monitor: always-on fate counters, every namespace
#                     (client, gateway and server all count each packet)
#   gwtrace-monitor-gw  gwtrace monitor --netns <gateway>: what a gateway
#                     with one namespace runs (the flood ends elsewhere)
#
# Then the consumer alone: gwtrace --all --record FILE during a short flood
# paced at BENCH_CONSUMER_PPS, slow enough that no event is lost (so the
# recording holds complete packet paths, not fragments), and bench/replay
# on FILE: complete paths/s (and events/s) that user space decodes,
# correlates and renders as JSON on one core, with no kernel involved.
# Last, a diagnostic pass per gwtrace configuration with
# kernel.bpf_stats_enabled: program runs and BPF time per packet
# (bench/bpfstats.sh); not timed, so not a ratio.
#   bpftrace          the same five tracepoints, counting only
# Measured: packets/s arriving at the server's interface (rx_packets of its
# veth) over the middle BENCH_SECONDS of each flood.
#
# Environment:
#   BENCH_ROUNDS=5      rounds
#   BENCH_SECONDS=3     measured seconds per run
#   BENCH_CPU=0         CPU the sender is pinned to (its softirq work too)
#   BENCH_PORTS=10000-10015  sender source ports (one flow per port)
#   BENCH_BPFTRACE=0    leave bpftrace out; BENCH_NO_INSTALL=1: don't apt-get it
#   BENCH_DIAG=1        add gwtrace-nomatch-idlens: gwtrace --netns on an idle
#                       namespace (netfilter links there only; tracepoint
#                       programs still run on every flood packet)
#   BENCH_CONSUMER_SECONDS=1  flood recorded for the replay; 0 skips it
#   BENCH_CONSUMER_PPS=20000  its pace (datagrams/s)
#   BENCH_CONFIGS="gwtrace-monitor ..."  only these (and baseline)
#   BENCH_STATS=1       the bpf_stats pass; 0 skips it
#   BENCH_STATS_SECONDS=1     its flood per configuration
#   BENCH_RECORDING=FILE      keep that recording (bench/replay FILE again)

set -uo pipefail

# shellcheck source=bench/bpfstats.sh
. "$(dirname "${BASH_SOURCE[0]}")/bpfstats.sh"

GWTRACE=${1:?usage: bench/run.sh GWTRACE [TOOLS_DIR]}
TOOLS=${2:-$(dirname "$GWTRACE")/bench}
ROUNDS=${BENCH_ROUNDS:-5}
SECONDS_RUN=${BENCH_SECONDS:-3}
CPU=${BENCH_CPU:-0}
PORTS=${BENCH_PORTS:-10000-10015}
CONSUMER_SECONDS=${BENCH_CONSUMER_SECONDS:-1}

ID="gwb-$$"
NS_C="$ID-c" NS_GW="$ID-gw" NS_S="$ID-s" NS_IDLE="$ID-idle"
IF_C="$ID-c" IF_GL="$ID-gl" IF_GW="$ID-gw" IF_S="$ID-s"
ADDR_S=198.19.1.2 PORT_S=9000
NOMATCH=198.18.99.99
NSES=()
PIDS=()		# every background process of ours, killed at exit
TMP=""

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
log() { printf '# %s\n' "$*" >&2; }

cleanup() {
	local rc=$? pid ns i
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for ((i = ${#NSES[@]} - 1; i >= 0; i--)); do
		ns=${NSES[i]}
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	[[ -z $TMP ]] || rm -rf "$TMP"
	exit "$rc"
}

# ----------------------------------------------------------------------------
# Topology

ns_add() {
	NSES+=("$1")
	ip netns add "$1" || die "ip netns add $1 failed"
	ip -n "$1" link set lo up
	ns_sysctl "$1" net/ipv6/conf/all/disable_ipv6 1
	ns_sysctl "$1" net/ipv6/conf/default/disable_ipv6 1
	ns_sysctl "$1" net/ipv4/conf/all/rp_filter 0
	ns_sysctl "$1" net/ipv4/conf/default/rp_filter 0
}

ns_sysctl() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$1" bash -c 'printf "%s\n" "$2" >"/proc/sys/$1"' _ "$2" "$3"
}

veth_pair() {	# NS_A IF_A ADDR_A NS_B IF_B ADDR_B
	ip -n "$1" link add "$2" type veth peer name "$5" netns "$4" || die "veth $2 failed"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

topo_setup() {
	ns_add "$NS_C"
	ns_add "$NS_GW"
	ns_add "$NS_S"
	veth_pair "$NS_C" "$IF_C" 198.18.1.2/24 "$NS_GW" "$IF_GL" 198.18.1.1/24
	veth_pair "$NS_GW" "$IF_GW" 198.19.1.1/24 "$NS_S" "$IF_S" "$ADDR_S/24"
	ns_sysctl "$NS_GW" net/ipv4/ip_forward 1
	ip -n "$NS_C" route add default via 198.18.1.1
	ip -n "$NS_S" route add default via 198.19.1.1
	ip netns exec "$NS_C" ping -n -q -c 1 -W 2 "$ADDR_S" >/dev/null ||
		die "topology broken: client cannot ping $ADDR_S"
}

rx_packets() {	# the server veth's counter and the time it was read
	local n
	n=$(ip netns exec "$NS_S" cat "/sys/class/net/$IF_S/statistics/rx_packets")
	printf '%s %s\n' "$n" "$EPOCHREALTIME"
}

# ----------------------------------------------------------------------------
# Tracers: start (wait until attached) and stop (collect numbers)

TR_PID="" TR_AUX="" TR_OUT="" TR_ERR="" TR_HWM=0 TR_RC=0
BPFTRACE_SCRIPT='
BEGIN { printf("ready\n"); }
tracepoint:skb:kfree_skb, tracepoint:skb:consume_skb,
tracepoint:net:netif_receive_skb, tracepoint:net:net_dev_start_xmit,
tracepoint:fib:fib_table_lookup { @[probe] = count(); }'

wait_ready() {	# FILE_OR_PATTERN_CHECK... : wait up to 30 s for "$@" to succeed
	local i
	for ((i = 0; i < 600; i++)); do
		"$@" && return 0
		kill -0 "$TR_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

tracer_start() {	# CONFIG RUN_ID
	local cfg=$1 run=$2 ready=$TMP/ready.$2
	TR_OUT=$TMP/out.$run TR_ERR=$TMP/err.$run TR_PID="" TR_AUX="" TR_HWM=0
	case $cfg in
	baseline) return 0 ;;
	gwtrace-*)
		local args=(--json --ready-file "$ready")
		case $cfg in
		gwtrace-nomatch) args+=(--host "$NOMATCH") ;;
		# Diagnostic: netfilter links only in an idle namespace, so the
		# flood pays for the tracepoint programs alone.
		gwtrace-nomatch-idlens) args+=(--host "$NOMATCH" --netns "$NS_IDLE") ;;
		gwtrace-all) args+=(--host "$ADDR_S" --all) ;;
		gwtrace-monitor) args+=(monitor) ;;
		gwtrace-monitor-gw) args+=(monitor --netns "$NS_GW") ;;
		gwtrace-record) args+=(--host "$ADDR_S" --all --record "$TMP/consumer.rec") ;;
		esac
		# The JSON goes through a pipe to tail, which keeps the summary
		# line: a consumer as cheap as /dev/null, but we need the summary.
		mkfifo "$TMP/fifo.$run"
		tail -n 1 <"$TMP/fifo.$run" >"$TR_OUT" &
		TR_AUX=$!
		PIDS+=("$TR_AUX")
		"$GWTRACE" "${args[@]}" >"$TMP/fifo.$run" 2>"$TR_ERR" </dev/null &
		TR_PID=$!
		PIDS+=("$TR_PID")
		wait_ready test -e "$ready" || return 1
		# A program the verifier refused leaves its probe out: the run
		# would measure a cheaper, blinder gwtrace. Not a result.
		if grep -q 'failed to load' "$TR_ERR"; then
			add FAILS "$cfg" "$(grep -m1 'failed to load' "$TR_ERR")"
			return 1
		fi
		;;
	bpftrace)
		# Debian's bpftrace reads tracepoint formats from tracefs; mount
		# it in a private mount namespace if the host has none.
		# shellcheck disable=SC2016 # expanded by the inner sh
		env --default-signal=INT unshare -m sh -c '
			[ -e /sys/kernel/tracing/events ] ||
				mount -t tracefs nodev /sys/kernel/tracing || exit 1
			exec bpftrace -e "$1"' _ "$BPFTRACE_SCRIPT" >"$TR_OUT" 2>"$TR_ERR" </dev/null &
		TR_PID=$!
		PIDS+=("$TR_PID")
		wait_ready grep -qs '^ready' "$TR_OUT"
		;;
	esac
}

hwm_kb() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# Stop the tracer with SIG; its peak RSS is read until it is gone (flushing
# at exit may raise it). Sets TR_RC to its exit status (137: killed after
# 20 s); returns non-zero unless it was 0.
tracer_stop() {
	local sig=$1 i h
	TR_RC=0
	[[ -n $TR_PID ]] || return 0
	h=$(hwm_kb "$TR_PID")
	TR_HWM=${h:-0}
	kill -"$sig" "$TR_PID" 2>/dev/null
	for ((i = 0; i < 400; i++)); do
		h=$(hwm_kb "$TR_PID")	# empty once it is a zombie or reaped
		[[ -n $h ]] || break
		TR_HWM=$h
		sleep 0.05
	done
	[[ -z $h ]] || kill -KILL "$TR_PID" 2>/dev/null
	wait "$TR_PID" 2>/dev/null
	TR_RC=$?
	[[ -z $TR_AUX ]] || wait "$TR_AUX" 2>/dev/null
	return "$TR_RC"
}

# ----------------------------------------------------------------------------
# One run: start the tracer, flood, measure the middle, stop.

declare -A PPS SENT EVENTS LOST EVPS EVPP HWM FAILS COUNTED WHOLE FRAG BUSY WHOLEPP

add() {	# ARRAY KEY VALUE: append to a space-separated list
	local -n arr=$1
	arr[$2]="${arr[$2]:-}${arr[$2]:+ }$3"
}

run_one() {	# CONFIG ROUND
	local cfg=$1 round=$2 run="$1.$2" flood a b pps sent extra=""
	if ! tracer_start "$cfg" "$run"; then
		tracer_stop KILL
		add FAILS "$cfg" "round $round: did not start: $(tail -n 3 "$TR_ERR" | tr '\n' ' ')"
		printf 'round %d  %-16s  FAILED to start\n' "$round" "$cfg"
		return 1
	fi
	# 0.3 s of flood before and after the measured window: start-up and
	# exit of the sender are not measured.
	ip netns exec "$NS_C" taskset -c "$CPU" "$TOOLS/udpflood" -d "$ADDR_S" -p "$PORT_S" \
		-s "$PORTS" -t "$(awk -v s="$SECONDS_RUN" 'BEGIN { print s + 0.6 }')" \
		>"$TMP/flood.$run" &
	flood=$!
	PIDS+=("$flood")
	sleep 0.3
	a=$(rx_packets)
	sleep "$SECONDS_RUN"
	b=$(rx_packets)
	wait "$flood" || die "udpflood failed: $(cat "$TMP/flood.$run")"
	pps=$(awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
		printf "%.0f", (y[1] - x[1]) / (y[2] - x[2]) }')
	sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$TMP/flood.$run")
	add PPS "$cfg" "$pps"
	add SENT "$cfg" "$(sed -n 's/.* pps=\([0-9]*\).*/\1/p' "$TMP/flood.$run")"

	case $cfg in
	gwtrace-*)
		if ! tracer_stop TERM; then
			add FAILS "$cfg" "round $round: gwtrace exited with status $TR_RC after SIGTERM"
		fi
		if jq -e '.type == "monitor_summary"' "$TR_OUT" >/dev/null 2>&1; then
			local counted lost
			read -r counted lost < <(jq -r '"\(.packets | add) \(.lost_events)"' "$TR_OUT")
			add LOST "$cfg" "$lost"
			add COUNTED "$cfg" "$counted"
			extra="steps counted $counted lost $lost"
		elif ! jq -e '.type == "summary"' "$TR_OUT" >/dev/null 2>&1; then
			add FAILS "$cfg" "round $round: no summary: $(tail -n 3 "$TR_ERR" | tr '\n' ' ')"
		else
			local ev lost dur whole paths busy
			read -r ev lost dur whole paths busy < <(jq -r \
				'"\(.events) \(.lost_events) \(.duration_s) \(.delivered) \(.packets) \(.lost_busy // 0)"' \
				"$TR_OUT")
			# Every flood packet's fate is delivered (udpsink): a
			# delivered path is a whole one, any other a fragment.
			if ((paths > 0)); then
				add WHOLE "$cfg" "$whole"
				add FRAG "$cfg" "$((paths - whole))"
				add BUSY "$cfg" "$busy"
				add WHOLEPP "$cfg" "$(awk -v w="$whole" -v n="$sent" \
					'BEGIN { printf "%.2f", n ? w / n : 0 }')"
			fi
			add EVENTS "$cfg" "$ev"
			add LOST "$cfg" "$lost"
			add EVPS "$cfg" "$(awk -v e="$ev" -v d="$dur" 'BEGIN { printf "%.0f", e / d }')"
			add EVPP "$cfg" "$(awk -v e="$((ev + lost))" -v n="$sent" \
				'BEGIN { printf "%.2f", n ? e / n : 0 }')"
			extra="events $ev (${dur}s) lost $lost"
		fi
		add HWM "$cfg" "$TR_HWM"
		extra+=" rss ${TR_HWM}kB"
		;;
	bpftrace)
		tracer_stop INT ||
			add FAILS "$cfg" "round $round: bpftrace exited with status $TR_RC after SIGINT"
		local ev
		ev=$(awk -F': ' '/^@\[/ { n += $2 } END { print n + 0 }' "$TR_OUT")
		add EVENTS "$cfg" "$ev"
		add EVPP "$cfg" "$(awk -v e="$ev" -v n="$sent" 'BEGIN { printf "%.2f", n ? e / n : 0 }')"
		add HWM "$cfg" "$TR_HWM"
		extra="events $ev rss ${TR_HWM}kB"
		;;
	esac
	printf 'round %d  %-16s %9d pps at server  (sender %s pps)  %s\n' "$round" "$cfg" "$pps" \
		"$(sed -n 's/.* pps=\([0-9]*\).*/\1/p' "$TMP/flood.$run")" "$extra"
}

# ----------------------------------------------------------------------------
# Consumer: what gwtrace --all received during a flood, replayed on one core.
# Sets CONSUMER_JSON (replay's JSON line) and CONSUMER_LIVE, or CONSUMER_WHY.

CONSUMER_JSON="" CONSUMER_COMPACT_JSON="" CONSUMER_LIVE="" CONSUMER_WHY=""

consumer_run() {
	local rec=$TMP/consumer.rec flood ev lost dur
	if [[ $CONSUMER_SECONDS == 0 ]]; then
		CONSUMER_WHY="BENCH_CONSUMER_SECONDS=0"
		return 0
	fi
	[[ -x $TOOLS/replay ]] || { CONSUMER_WHY="no $TOOLS/replay"; return 1; }
	if ! tracer_start gwtrace-record consumer; then
		tracer_stop KILL
		CONSUMER_WHY="gwtrace --record did not start: $(tail -n 3 "$TR_ERR" | tr '\n' ' ')"
		return 1
	fi
	ip netns exec "$NS_C" taskset -c "$CPU" "$TOOLS/udpflood" -d "$ADDR_S" -p "$PORT_S" \
		-s "$PORTS" -t "$CONSUMER_SECONDS" -b 16 -r "${BENCH_CONSUMER_PPS:-20000}" \
		>"$TMP/flood.consumer" &
	flood=$!
	PIDS+=("$flood")
	wait "$flood" || die "udpflood failed: $(cat "$TMP/flood.consumer")"
	if ! tracer_stop TERM; then
		CONSUMER_WHY="gwtrace --record exited with status $TR_RC: $(tail -n 3 "$TR_ERR" | tr '\n' ' ')"
		return 1
	fi
	read -r ev lost dur < <(jq -r '"\(.events) \(.lost_events) \(.duration_s)"' "$TR_OUT")
	CONSUMER_LIVE="recorded $ev events ($lost lost) in ${dur}s of gwtrace --all --record at ${BENCH_CONSUMER_PPS:-20000} datagrams/s, $(du -h "$rec" | cut -f1)"
	((lost == 0)) || CONSUMER_LIVE+="; events were lost: the paths are partly fragments (lower BENCH_CONSUMER_PPS)"
	log "consumer: $CONSUMER_LIVE; replaying on CPU $CPU"
	# The sender's CPU: idle now that the flood is over.
	if ! "$TOOLS/replay" -c "$CPU" "$rec" >"$TMP/replay.out" 2>"$TMP/replay.err"; then
		CONSUMER_WHY="replay failed: $(tail -n 3 "$TMP/replay.err" | tr '\n' ' ')"
		return 1
	fi
	sed -n 's/^/# /; /^# \(replay\|run\) /p' "$TMP/replay.out" >&2
	CONSUMER_JSON=$(tail -n 1 "$TMP/replay.out")
	# The same recording as trace --compact renders it.
	if "$TOOLS/replay" -C -c "$CPU" "$rec" >"$TMP/replay-c.out" 2>"$TMP/replay-c.err"; then
		CONSUMER_COMPACT_JSON=$(tail -n 1 "$TMP/replay-c.out")
	else
		log "consumer --compact: replay failed: $(tail -n 3 "$TMP/replay-c.err" | tr '\n' ' ')"
	fi
	if [[ -n ${BENCH_RECORDING:-} ]]; then
		mv "$rec" "$BENCH_RECORDING" && log "consumer: recording kept in $BENCH_RECORDING"
	fi
}

# ----------------------------------------------------------------------------
# Report

stats() {	# "v1 v2 ..." -> "median min max"
	tr ' ' '\n' <<<"$1" | sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.0f %s %s\n", m, v[1], v[NR] }'
}

sum() { tr ' ' '\n' <<<"$1" | awk '{ n += $1 } END { printf "%.0f", n }'; }
max() { tr ' ' '\n' <<<"$1" | sort -n | tail -n 1; }
json_list() { printf '[%s]' "$(tr ' ' ',' <<<"$1")"; }

declare -A LABEL=(
	[baseline]="baseline (no tracer)"
	[gwtrace-nomatch]="gwtrace trace (no match)"
	[gwtrace-nomatch-idlens]="gwtrace no match, --netns idle"
	[gwtrace-all]="gwtrace --all (every packet)"
	[gwtrace-monitor]="gwtrace monitor"
	[gwtrace-monitor-gw]="gwtrace monitor --netns gw"
	[bpftrace]="bpftrace (count only)"
)

report() {
	local cfg label med lo hi base ratio
	read -r base _ < <(stats "${PPS[baseline]}")
	printf '\n=== %d rounds x %s s, sender on CPU %s, %s CPUs, kernel %s ===\n' \
		"$ROUNDS" "$SECONDS_RUN" "$CPU" "$(nproc)" "$(uname -r)"
	for cfg in "${CONFIGS[@]}"; do
		label=${LABEL[$cfg]}
		if [[ -z ${PPS[$cfg]:-} ]]; then
			printf '%-30s no result: %s\n' "$label:" "${FAILS[$cfg]:-}"
			continue
		fi
		read -r med lo hi < <(stats "${PPS[$cfg]}")
		ratio=$(awk -v m="$med" -v b="$base" 'BEGIN { printf "%.2f", m / b }')
		printf '%-30s %s x baseline   median %d pps  (min %d, max %d)\n' \
			"$label:" "$ratio" "$med" "$lo" "$hi"
		if [[ -n ${EVPP[$cfg]:-} ]]; then
			printf '%30s events per sent packet (median, incl. lost): %s' "" \
				"$(tr ' ' '\n' <<<"${EVPP[$cfg]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
			[[ -z ${EVPS[$cfg]:-} ]] ||
				printf ', events/s (median, over the whole tracer run): %s' "$(stats "${EVPS[$cfg]}" | cut -d' ' -f1)"
			printf '\n'
		fi
		[[ -z ${LOST[$cfg]:-} ]] ||
			printf '%30s lost events: %s in total (per run: %s)%s\n' "" \
				"$(sum "${LOST[$cfg]}")" "${LOST[$cfg]}" \
				"${EVENTS[$cfg]:+ of $(sum "${EVENTS[$cfg]}") events}"
		[[ -z ${WHOLE[$cfg]:-} ]] ||
			printf '%30s paths per run: whole %s; fragments %s; packets not traced (ring buffer over half full) %s; whole paths per sent packet (median) %s\n' "" \
				"${WHOLE[$cfg]}" "${FRAG[$cfg]}" "${BUSY[$cfg]}" \
				"$(tr ' ' '\n' <<<"${WHOLEPP[$cfg]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
		[[ -z ${COUNTED[$cfg]:-} ]] ||
			printf '%30s fate steps counted in the kernel: %s per run (no events streamed)\n' "" \
				"${COUNTED[$cfg]}"
		[[ -z ${HWM[$cfg]:-} ]] ||
			printf '%30s peak RSS (VmHWM): %s kB (max over runs)\n' "" "$(max "${HWM[$cfg]}")"
		[[ -z ${FAILS[$cfg]:-} ]] || printf '%30s problems: %s\n' "" "${FAILS[$cfg]}"
	done
	[[ -z $BPFTRACE_WHY ]] || printf '%-30s unavailable (%s)\n' "bpftrace:" "$BPFTRACE_WHY"
	if [[ -n $CONSUMER_JSON ]]; then
		jq -r '"consumer: \(.complete_packets_per_s | round) complete paths/s of \(.events_per_packet) events (one core, decode+correlate+JSON)"' \
			<<<"$CONSUMER_JSON"
		jq -r --arg live "$CONSUMER_LIVE" '"\(" " * 30) \(.events_per_s | round) events/s, \(.packets_per_s | round) paths/s in all, \(.json_bytes_per_packet | round) B of JSON per packet; \(.events_per_cpu_s | round) events per CPU-second\n\(" " * 30) median of \(.runs) runs of \(.reps) x \(.events / .reps | round) events on CPU \(.cpu)\n\(" " * 30) \($live)"' \
			<<<"$CONSUMER_JSON"
	else
		printf 'consumer: no result (%s)\n' "$CONSUMER_WHY"
	fi
	[[ -z $CONSUMER_COMPACT_JSON ]] ||
		jq -r '"consumer --compact: \(.complete_packets_per_s | round) complete paths/s, \(.json_bytes_per_packet | round) B of JSON per packet"' \
			<<<"$CONSUMER_COMPACT_JSON"
	bpfstats_report "${CONFIGS[@]}"
	printf '\n'
	for cfg in "${CONFIGS[@]}"; do
		[[ -n ${PPS[$cfg]:-} ]] || continue
		read -r med lo hi < <(stats "${PPS[$cfg]}")
		printf '{"type":"bench","config":"%s","rounds":%d,"seconds":%s,"median_pps":%d,"min_pps":%d,"max_pps":%d,"ratio":%s,"pps":%s,"sender_pps":%s' \
			"$cfg" "$ROUNDS" "$SECONDS_RUN" "$med" "$lo" "$hi" \
			"$(awk -v m="$med" -v b="$base" 'BEGIN { printf "%.3f", m / b }')" \
			"$(json_list "${PPS[$cfg]}")" "$(json_list "${SENT[$cfg]}")"
		[[ -z ${EVENTS[$cfg]:-} ]] || printf ',"events":%s' "$(json_list "${EVENTS[$cfg]}")"
		[[ -z ${EVPS[$cfg]:-} ]] || printf ',"events_per_s":%s' "$(json_list "${EVPS[$cfg]}")"
		[[ -z ${LOST[$cfg]:-} ]] || printf ',"lost_events":%s' "$(json_list "${LOST[$cfg]}")"
		[[ -z ${WHOLE[$cfg]:-} ]] ||
			printf ',"whole_paths":%s,"fragments":%s,"not_traced_busy":%s' \
				"$(json_list "${WHOLE[$cfg]}")" "$(json_list "${FRAG[$cfg]}")" \
				"$(json_list "${BUSY[$cfg]}")"
		[[ -z ${HWM[$cfg]:-} ]] || printf ',"peak_rss_kb":%s' "$(max "${HWM[$cfg]}")"
		bpfstats_json "$cfg"
		printf '}\n'
	done
	[[ -z $BPFTRACE_WHY ]] ||
		printf '{"type":"bench","config":"bpftrace","unavailable":%s}\n' \
			"$(jq -Rn --arg w "$BPFTRACE_WHY" '$w')"
	if [[ -n $CONSUMER_JSON ]]; then
		jq -c '{type: "bench", config: "consumer"} + del(.type, .file)' <<<"$CONSUMER_JSON"
		[[ -z $CONSUMER_COMPACT_JSON ]] ||
			jq -c '{type: "bench", config: "consumer-compact"} + del(.type, .file)' <<<"$CONSUMER_COMPACT_JSON"
	else
		jq -cn --arg w "$CONSUMER_WHY" '{type: "bench", config: "consumer", unavailable: $w}'
	fi
}

# ----------------------------------------------------------------------------

bpftrace_check() {	# sets BPFTRACE_WHY if bpftrace cannot run here
	BPFTRACE_WHY=""
	if [[ ${BENCH_BPFTRACE:-1} == 0 ]]; then
		BPFTRACE_WHY="BENCH_BPFTRACE=0"
		return
	fi
	if ! command -v bpftrace >/dev/null && [[ ${BENCH_NO_INSTALL:-0} != 1 ]] &&
		command -v apt-get >/dev/null; then
		log "installing bpftrace (apt-get)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >/dev/null 2>&1
	fi
	if ! command -v bpftrace >/dev/null; then
		BPFTRACE_WHY="not installed and apt-get install bpftrace failed"
		return
	fi
	# A trial run, so a refusal is reported once rather than per round.
	if tracer_start bpftrace check; then
		tracer_stop INT || true
		return
	fi
	tracer_stop KILL
	BPFTRACE_WHY=$(grep -v RLIMIT_MEMLOCK "$TR_ERR" | grep . | head -n 2 | tr '\n' ' ')
	BPFTRACE_WHY=${BPFTRACE_WHY:-did not attach within 30 s}
}

main() {
	local r i n
	[[ $EUID -eq 0 ]] || die "needs root"
	[[ -x $GWTRACE ]] || die "gwtrace binary not found: $GWTRACE"
	[[ -x $TOOLS/udpflood && -x $TOOLS/udpsink ]] || die "udpflood/udpsink not in $TOOLS"
	for i in ip jq taskset unshare mkfifo; do
		command -v "$i" >/dev/null || die "needs '$i'"
	done
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/$ID.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	topo_setup
	# The sink on another CPU than the sender (whose CPU does all the
	# forwarding work in softirq), when there is one.
	n=$(nproc)
	local sink_cpu=$(((CPU + 1) % n))
	ip netns exec "$NS_S" taskset -c "$sink_cpu" "$TOOLS/udpsink" "$ADDR_S" "$PORT_S" \
		>"$TMP/sink" &
	SINK_PID=$!
	PIDS+=("$SINK_PID")

	CONFIGS=(baseline gwtrace-monitor gwtrace-monitor-gw gwtrace-nomatch gwtrace-all)
	if [[ ${BENCH_DIAG:-0} == 1 ]]; then
		ns_add "$NS_IDLE"
		CONFIGS+=(gwtrace-nomatch-idlens)
	fi
	if [[ -n ${BENCH_CONFIGS:-} ]]; then	# a subset, for one question at a time
		read -ra CONFIGS <<<"baseline ${BENCH_CONFIGS//baseline/}"
		BPFTRACE_WHY="not in BENCH_CONFIGS"
		if [[ " ${CONFIGS[*]} " == *" bpftrace "* ]]; then
			bpftrace_check
			[[ -z $BPFTRACE_WHY ]] || read -ra CONFIGS <<<"${CONFIGS[*]/bpftrace/}"
		fi
	else
		bpftrace_check
		[[ -n $BPFTRACE_WHY ]] || CONFIGS+=(bpftrace)
		[[ -z $BPFTRACE_WHY ]] || log "bpftrace: unavailable ($BPFTRACE_WHY)"
	fi
	log "$ROUNDS rounds x ${#CONFIGS[@]} configurations x ${SECONDS_RUN}s; gwtrace $GWTRACE"

	n=${#CONFIGS[@]}
	for ((r = 1; r <= ROUNDS; r++)); do
		for ((i = 0; i < n; i++)); do
			run_one "${CONFIGS[(i + r - 1) % n]}" "$r"
		done
	done
	consumer_run
	if [[ ${BENCH_STATS:-1} != 0 ]]; then
		for i in "${CONFIGS[@]}"; do
			[[ $i != gwtrace-* ]] || bpfstats_run "$i"
		done
	fi
	kill -TERM "$SINK_PID"
	wait "$SINK_PID"
	# shellcheck disable=SC2016 # awk's own $2, $6
	log "udpsink: $(tail -n 1 "$TMP/sink") (all runs); server UDP: $(ip netns exec "$NS_S" \
		awk '/^Udp:/ && ++n == 2 { print "InDatagrams=" $2 " RcvbufErrors=" $6 }' /proc/net/snmp)"
	report
}

main "$@"

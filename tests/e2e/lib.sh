# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# End-to-end test library for gwtrace: namespaced topologies, traffic,
# gwtrace start/stop, and assertions on its JSON lines.
#
# A test file sources this library, defines test_<behaviour> functions and
# ends with `gwt_main "$@"`:
#
#   tests/e2e/test_foo.sh --list        print the file's tests, in file order
#   tests/e2e/test_foo.sh test_bar      run one test in this process
#
# Exit codes of one test: 0 pass, 1 fail, 77 skip (the kernel or the machine
# lacks something). The reason of a fail/skip is printed on stderr and, when
# GWT_REASON_FILE is set (tests/run.sh sets it), written there.
#
# Every namespace, temporary file and gwtrace process a test creates is
# removed by an EXIT trap, also when the test fails or is interrupted.
# Namespaces are named gwt-<pid>-<role>, so parallel or aborted runs never
# collide (tests/run.sh removes leftovers of dead pids).
#
# Environment:
#   GWTRACE          gwtrace binary (default: ./gwtrace)
#   GWT_KEEP=1       keep the temporary directory (its path is printed)
#   GWT_SLOWDOWN     how much slower than the reference this machine is, in
#                    percent (default 100): every wait below, and those the
#                    tests pass to gw_wait_exit / gw_wait_line, is scaled by
#                    it. The VM lab measures it in the guest (tests/vm_guest.sh).
#   GWT_READY_TIMEOUT seconds to wait for --ready-file (default 20, scaled)
#   GWT_STOP_TIMEOUT  seconds to wait for exit after SIGINT (default 10, scaled)
#   GWT_SETTLE        seconds between the last packet and SIGINT (default 0.5)
#   GW_SUMMARY_TYPE   "type" of gwtrace's last JSON line: summary (default),
#                     monitor_summary for `gwtrace monitor`

: "${GWTRACE:=./gwtrace}"
: "${GWT_SLOWDOWN:=100}"
[[ $GWT_SLOWDOWN =~ ^[1-9][0-9]*$ ]] || GWT_SLOWDOWN=100

# gwt_scale SECONDS: REPLY = SECONDS scaled by GWT_SLOWDOWN, rounded up.
gwt_scale() {
	REPLY=$((($1 * GWT_SLOWDOWN + 99) / 100))
}
gwt_scale 20
: "${GWT_READY_TIMEOUT:=$REPLY}"
gwt_scale 10
: "${GWT_STOP_TIMEOUT:=$REPLY}"
: "${GWT_SETTLE:=0.5}"

GWT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)	# the source tree
GWT_ID="gwt-$$"
GWT_TMP=""
GWT_NETNS=()		# namespaces created, deleted by the cleanup

# Standard topology: names of its namespaces (set by topo_standard).
NS_C="$GWT_ID-c"	# client     10.1.0.2/24
NS_GW="$GWT_ID-gw"	# gateway    10.1.0.1/24 (veth-lan), 172.16.9.2/24 (veth-wan)
NS_UP="$GWT_ID-up"	# upstream   172.16.9.1/24, 10.2.0.1/24, 10.3.0.1/24
NS_SRV="$GWT_ID-srv"	# server     10.2.0.2/24, 10.3.0.2/24

# The current gwtrace run (gw_start / gw_stop).
GW_PID=""
GW_RUN=0
GW_OUT=""
GW_ERR=""
GW_RC=""
GW_ARGS=()
GW_READY=""		# its --ready-file
GWT_PIDS=()		# other background processes of the test (gwt_track_pid)

# Assertion state: the packets currently under examination.
GWT_PICKED=""
GWT_PICK_DESC=""
GWT_FOCUS=""		# jq condition for "relevant" packets in failure dumps

# ----------------------------------------------------------------------------
# Results

gwt__reason() {
	local word=$1; shift
	printf '%s: %s\n' "$word" "$*" >&2
	if [[ -n ${GWT_REASON_FILE:-} && ! -s $GWT_REASON_FILE ]]; then
		printf '%s\n' "$*" >"$GWT_REASON_FILE"
	fi
}

# fail MESSAGE: end the test as failed, with gwtrace's stderr and output.
fail() {
	trap - ERR
	set +e
	gwt__reason FAIL "$*"
	# Only the test's main shell dumps: a failing $(...) exits its subshell.
	if ((BASH_SUBSHELL == 0)); then
		gwt__interrupt_gwtrace
		gwt_dump_gwtrace >&2
	fi
	exit 1
}

# A test failing while gwtrace runs: stop it so that its output is complete.
gwt__interrupt_gwtrace() {
	local i rc=0 st=0
	[[ -n $GW_PID ]] || return 0
	kill -INT "$GW_PID" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$GW_PID" 2>/dev/null || break
		gwt_nap 0.1
	done
	if kill -0 "$GW_PID" 2>/dev/null; then
		kill -KILL "$GW_PID" 2>/dev/null
		rc=killed
	fi
	wait "$GW_PID" 2>/dev/null || st=$?
	[[ $rc == killed ]] || rc=$st
	GW_RC="$rc (stopped by the failing test)" GW_PID=""
}

# skip MESSAGE: end the test as skipped.
skip() {
	trap - ERR
	set +e
	gwt__reason SKIP "$*"
	exit 77
}

log() { printf '# %s\n' "$*" >&2; }

# note MESSAGE: a fact the test measured that belongs in the suite's output
# even when it passes (tests/run.sh prints it under the test's line).
note() {
	log "$*"
	[[ -z ${GWT_NOTE_FILE:-} ]] || printf '%s\n' "$*" >>"$GWT_NOTE_FILE"
}

# Number of non-empty lines in $1. Never fails: safe inside $(...), where
# the ERR trap would otherwise end the subshell as a failed test.
count_lines() {
	local n
	n=$(grep -c . <<<"$1") || true
	printf '%d' "${n:-0}"
}

gwt__on_err() {
	local rc=$1 cmd=$2 src=$3 line=$4
	# In $(...) and <(...) a failing command is the caller's business: its
	# status reaches the main shell, whose own ERR trap reports it.
	((BASH_SUBSHELL == 0)) || return 0
	fail "command failed (exit $rc) at ${src##*/}:$line: $cmd"
}

# Truncate each line of stdin to $1 characters and keep at most $2 lines.
gwt__trunc() {
	local width=$1 lines=$2
	awk -v w="$width" -v n="$lines" '
		NR > n { more++; next }
		{ if (length($0) > w) print substr($0, 1, w) "...(" length($0) " chars)"; else print }
		END { if (more) print "... (" more " more lines)" }'
}

# A packet line made readable: steps as "kind hook dev @netns reason".
# Namespace inodes of ours are shown by role (c, gw, up, srv).
GWT_NS_LABELS='{}'
gwt__brief() {
	jq -c --argjson ns "$GWT_NS_LABELS" '
		def step: [.kind, (.hook // empty), (.dev // "-"),
			"@" + ($ns[.netns | tostring] // (.netns | tostring)),
			(.reason // empty), (.verdict // empty | tostring),
			(if .kind == "route" then "gw=\(.gateway) oif=\(.oif) /\(.prefixlen)" else empty end)]
			| join(" ");
		if .type == "packet" then
			{id, outcome, complete, verdicts, steps: [.steps[]? | step]}
			+ del(.type, .id, .outcome, .complete, .verdicts, .steps, .ts_ns)
		else . end'
}

# Show what gwtrace printed: stderr, the summary, relevant packets.
gwt_dump_gwtrace() {
	[[ -n $GW_OUT ]] || return 0
	printf -- '--- gwtrace %s (run %d, exit %s)\n' "${GW_ARGS[*]}" "$GW_RUN" "${GW_RC:-running}"
	if [[ -s $GW_ERR ]]; then
		printf -- '--- gwtrace stderr (last 40 lines):\n'
		tail -n 40 "$GW_ERR" | gwt__trunc 300 40
	else
		printf -- '--- gwtrace stderr: empty\n'
	fi
	if [[ ! -s $GW_OUT ]]; then
		printf -- '--- gwtrace stdout: empty\n'
		return 0
	fi
	if ! jq empty "$GW_OUT" >/dev/null 2>&1; then
		printf -- '--- gwtrace stdout is not JSON lines (first 20 lines):\n'
		gwt__trunc 300 20 <"$GW_OUT"
		return 0
	fi
	local n
	n=$(jq -c 'select(.type == "packet")' "$GW_OUT" | wc -l)
	printf -- '--- gwtrace stdout: %d packet lines; summary:\n' "$n"
	jq -c --arg t "${GW_SUMMARY_TYPE:-summary}" 'select(.type == $t)' "$GW_OUT" |
		gwt__trunc 800 2
	if [[ -n $GWT_PICKED && -s $GWT_PICKED ]]; then
		printf -- '--- packets matching %s (at most 4):\n' "$GWT_PICK_DESC"
		gwt__brief <"$GWT_PICKED" | gwt__trunc 2000 4
	elif [[ -n $GWT_FOCUS ]]; then
		printf -- '--- packets where %s (at most 4):\n' "$GWT_FOCUS"
		jq -c "select(.type == \"packet\") | select($GWT_FOCUS)" "$GW_OUT" 2>&1 |
			gwt__brief | gwt__trunc 2000 4
		printf -- '--- other packets (at most 3):\n'
		jq -c "select(.type == \"packet\") | select(($GWT_FOCUS) | not)" "$GW_OUT" 2>&1 |
			gwt__brief | gwt__trunc 800 3
	else
		printf -- '--- packets (at most 5):\n'
		jq -c 'select(.type == "packet")' "$GW_OUT" | gwt__brief | gwt__trunc 2000 5
	fi
}

# ----------------------------------------------------------------------------
# Set-up and clean-up

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs '$c' (not installed)"
	done
}

gwt_cleanup() {
	local rc=$? i ns pid
	trap - ERR EXIT INT TERM
	set +e
	gwt__interrupt_gwtrace
	gwt__kill_tracked
	for ((i = ${#GWT_NETNS[@]} - 1; i >= 0; i--)); do
		ns=${GWT_NETNS[i]}
		# Anything still running inside is ours: these namespaces are ours.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	if [[ -n $GWT_TMP ]]; then
		if [[ ${GWT_KEEP:-0} == 1 ]]; then
			printf '# kept %s\n' "$GWT_TMP" >&2
		else
			rm -rf "$GWT_TMP"
		fi
	fi
	exit "$rc"
}

# gwt_track_pid PID: a background process of the test (a server, a
# scraper) that the clean-up ends, also when the test fails.
gwt_track_pid() {
	GWT_PIDS+=("$1")
}

# SIGTERM to each tracked process still alive, SIGKILL after 5 s.
gwt__kill_tracked() {
	local pid i
	((${#GWT_PIDS[@]} > 0)) || return 0
	for pid in "${GWT_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${GWT_PIDS[@]}"; do
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			gwt_nap 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	GWT_PIDS=()
}

gwt__setup() {
	GWT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$GWT_ID.XXXXXX")
	trap gwt_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	set -Eeuo pipefail
	trap 'gwt__on_err "$?" "$BASH_COMMAND" "${BASH_SOURCE[0]}" "$LINENO"' ERR
}

# The binary as an absolute path, checked.
gwt__find_gwtrace() {
	if [[ $GWTRACE != */* ]]; then
		GWTRACE=$(command -v "$GWTRACE" || printf '%s' "$GWTRACE")
	fi
	[[ -f $GWTRACE ]] || fail "gwtrace binary not found: $GWTRACE (build it, or set GWTRACE=path)"
	[[ -x $GWTRACE ]] || fail "gwtrace binary not executable: $GWTRACE"
	GWTRACE=$(cd "$(dirname "$GWTRACE")" && pwd)/$(basename "$GWTRACE")
}

gwt_main() {
	local file=${BASH_SOURCE[1]}
	case ${1:-} in
	--list)
		sed -nE 's/^(test_[A-Za-z0-9_]+)[[:space:]]*\(\)[[:space:]]*\{?.*/\1/p' "$file"
		;;
	test_*)
		declare -F "$1" >/dev/null || { echo "no test $1 in $file" >&2; exit 2; }
		[[ $EUID -eq 0 ]] || skip "needs root (running as uid $EUID)"
		require_cmd ip jq ping
		gwt__setup
		gwt__find_gwtrace
		"$1"
		gwt__end_checks
		exit 0
		;;
	*)
		printf 'usage: %s --list | TEST\n(run all tests: tests/run.sh -k PATTERN)\n' "$file" >&2
		exit 2
		;;
	esac
}

# ----------------------------------------------------------------------------
# Namespaces and topologies

ns_add() {
	local ns=$1
	GWT_NETNS+=("$ns")
	ip netns add "$ns"
	GWT_NS_LABELS=$(jq -c --arg k "$(ns_inode "$ns")" --arg v "${ns#"$GWT_ID"-}" \
		'. + {($k): $v}' <<<"$GWT_NS_LABELS")
	ip -n "$ns" link set lo up
	# No IPv6 chatter (router solicitations, DAD) in the traces.
	ns_sysctl "$ns" net/ipv6/conf/all/disable_ipv6 1
	ns_sysctl "$ns" net/ipv6/conf/default/disable_ipv6 1
	ns_sysctl "$ns" net/ipv4/conf/all/rp_filter 0
	ns_sysctl "$ns" net/ipv4/conf/default/rp_filter 0
}

# ns_sysctl NS KEY VALUE, KEY as a path under /proc/sys (no procps needed).
ns_sysctl() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$1" bash -c 'printf "%s\n" "$2" >"/proc/sys/$1"' _ "$2" "$3"
}

ns_exec() {
	local ns=$1; shift
	ip netns exec "$ns" "$@"
}

# The namespace inode, as gwtrace reports it in steps[].netns.
ns_inode() {
	stat -L -c %i "/run/netns/$1"
}

# veth_pair NS_A IF_A ADDR_A NS_B IF_B ADDR_B (addresses with /len, or "-")
veth_pair() {
	local na=$1 ia=$2 aa=$3 nb=$4 ib=$5 ab=$6
	ip -n "$na" link add "$ia" type veth peer name "$ib" netns "$nb"
	[[ $aa == - ]] || ip -n "$na" addr add "$aa" dev "$ia"
	[[ $ab == - ]] || ip -n "$nb" addr add "$ab" dev "$ib"
	ip -n "$na" link set "$ia" up
	ip -n "$nb" link set "$ib" up
}

# The standard gateway topology:
#
#  client            gateway                 upstream router         server
#  10.1.0.2 ------- 10.1.0.1 | 172.16.9.2 ---- 172.16.9.1 | 10.2.0.1 --- 10.2.0.2
#  veth-lan-c   veth-lan      veth-wan         veth-up-gw   veth-up-srv  veth-srv
#                                                          | 10.3.0.1     10.3.0.2
#
# client: default via 10.1.0.1. gateway: ip_forward, default via 172.16.9.1
# (the upstream router), plus a specific route 10.3.0.0/24 via 172.16.9.1.
# upstream: ip_forward, 10.1.0.0/24 via 172.16.9.2. server: default via
# 10.2.0.1. So 10.2.0.2 is reached from the gateway through its default
# route, 10.3.0.2 through a specific /24 route.
topo_standard() {
	local ns
	for ns in "$NS_C" "$NS_GW" "$NS_UP" "$NS_SRV"; do
		ns_add "$ns"
	done
	veth_pair "$NS_C" veth-lan-c 10.1.0.2/24 "$NS_GW" veth-lan 10.1.0.1/24
	veth_pair "$NS_GW" veth-wan 172.16.9.2/24 "$NS_UP" veth-up-gw 172.16.9.1/24
	veth_pair "$NS_UP" veth-up-srv 10.2.0.1/24 "$NS_SRV" veth-srv 10.2.0.2/24
	ip -n "$NS_UP" addr add 10.3.0.1/24 dev veth-up-srv
	ip -n "$NS_SRV" addr add 10.3.0.2/24 dev veth-srv
	ns_sysctl "$NS_GW" net/ipv4/ip_forward 1
	ns_sysctl "$NS_UP" net/ipv4/ip_forward 1
	ip -n "$NS_C" route add default via 10.1.0.1
	ip -n "$NS_GW" route add default via 172.16.9.1 dev veth-wan
	ip -n "$NS_GW" route add 10.3.0.0/24 via 172.16.9.1 dev veth-wan
	ip -n "$NS_UP" route add 10.1.0.0/24 via 172.16.9.2
	ip -n "$NS_SRV" route add default via 10.2.0.1
}

# ns_enable_ipv6 NS: IPv6 on in NS (ns_add turns it off), for NS's
# existing devices and new ones. No duplicate address detection: a
# link-local address still in DAD delays neighbour discovery by a second
# per hop, longer than the tests' first pings wait.
ns_enable_ipv6() {
	local ns=$1 dev devs
	devs=$(ip -n "$ns" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }')
	for dev in all default $devs; do
		ns_sysctl "$ns" "net/ipv6/conf/$dev/accept_dad" 0
		ns_sysctl "$ns" "net/ipv6/conf/$dev/disable_ipv6" 0
	done
}

# The standard topology with IPv6 too: fd00:1::/64 LAN (client ::2,
# gateway ::1), fd00:9::/64 WAN (gateway ::2, upstream ::1), fd00:2::/64
# server side (upstream ::1, server ::2); addresses without DAD.
topo_standard6() {
	local ns
	topo_standard
	for ns in "$NS_C" "$NS_GW" "$NS_UP" "$NS_SRV"; do
		ns_enable_ipv6 "$ns"
	done
	ns_sysctl "$NS_GW" net/ipv6/conf/all/forwarding 1
	ns_sysctl "$NS_UP" net/ipv6/conf/all/forwarding 1
	ip -n "$NS_C" addr add fd00:1::2/64 dev veth-lan-c nodad
	ip -n "$NS_GW" addr add fd00:1::1/64 dev veth-lan nodad
	ip -n "$NS_GW" addr add fd00:9::2/64 dev veth-wan nodad
	ip -n "$NS_UP" addr add fd00:9::1/64 dev veth-up-gw nodad
	ip -n "$NS_UP" addr add fd00:2::1/64 dev veth-up-srv nodad
	ip -n "$NS_SRV" addr add fd00:2::2/64 dev veth-srv nodad
	ip -n "$NS_C" -6 route add default via fd00:1::1
	ip -n "$NS_GW" -6 route add default via fd00:9::1 dev veth-wan
	ip -n "$NS_UP" -6 route add fd00:1::/64 via fd00:9::2
	ip -n "$NS_SRV" -6 route add default via fd00:2::1
	# The first packet through waits about a second for neighbour
	# discovery at each hop (measured on 6.18): let one pass now.
	ip netns exec "$NS_C" ping -n -q -c 1 -W 5 fd00:2::2 >/dev/null 2>&1 || true
}

# Fail unless the client can reach DST now (before the broken thing is added).
topo_check_reach() {
	ns_check_reach "$NS_C" "$@"
}

# ns_check_reach NS DST...: fail unless NS can ping each DST now.
ns_check_reach() {
	local ns=$1 dst; shift
	for dst in "$@"; do
		ip netns exec "$ns" ping -n -c 1 -W 2 -q "$dst" >/dev/null 2>&1 ||
			fail "topology broken: $ns cannot ping $dst"
	done
}

# Skip unless the running kernel knows SKB_DROP_REASON_<NAME> (BTF).
require_drop_reason() {
	command -v bpftool >/dev/null 2>&1 || return 0
	[[ -r /sys/kernel/btf/vmlinux ]] || return 0
	bpftool btf dump file /sys/kernel/btf/vmlinux format raw 2>/dev/null |
		grep "'SKB_DROP_REASON_$1' val=" >/dev/null ||
		skip "kernel has no drop reason SKB_DROP_REASON_$1"
}

# nft_apply NS RULESET (nft -f syntax on stdin-like string)
nft_apply() {
	require_cmd nft
	printf '%s\n' "$2" | ip netns exec "$1" nft -f - ||
		fail "nft rejected the ruleset in $1"
}

# ----------------------------------------------------------------------------
# Traffic (real packets between the namespaces)

# ping_from NS DST [COUNT]: never fails (the tests drop packets on purpose).
ping_from() {
	local ns=$1 dst=$2 count=${3:-3}
	ip netns exec "$ns" ping -n -q -c "$count" -i 0.2 -W 1 "$dst" >/dev/null 2>&1 || true
}

# udp_from NS DST PORT [COUNT]: one datagram per COUNT, via bash's /dev/udp.
udp_from() {
	local ns=$1 dst=$2 port=$3 count=${4:-3}
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$ns" bash -c '
		for ((i = 0; i < $3; i++)); do
			printf "gwtrace-e2e %d\n" "$i" >"/dev/udp/$1/$2" 2>/dev/null
			sleep 0.1
		done; true' _ "$dst" "$port" "$count" || true
}

# ping_ok NS DST [COUNT]: healthy traffic; fail if no reply came back.
ping_ok() {
	local ns=$1 dst=$2 count=${3:-3}
	ip netns exec "$ns" ping -n -q -c "$count" -i 0.2 -W 1 "$dst" >/dev/null 2>&1 ||
		fail "$ns: ping $dst got no reply (topology or rules broken)"
}

# tcp_connect_from NS DST PORT [COUNT]: connection attempts via /dev/tcp.
tcp_connect_from() {
	local ns=$1 dst=$2 port=$3 count=${4:-3}
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 10 ip netns exec "$ns" bash -c '
		for ((i = 0; i < $3; i++)); do
			timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
			sleep 0.1
		done; true' _ "$dst" "$port" "$count" || true
}

# UDPFLOOD: bench/udpflood.c, built for this test (skip without a compiler).
build_udpflood() {
	gwt__build_bench udpflood
	UDPFLOOD=$REPLY
}

# UDPSINK: bench/udpsink.c (a server that reads every datagram), the same way.
build_udpsink() {
	gwt__build_bench udpsink
	UDPSINK=$REPLY
}

gwt__build_bench() {	# REPLY = bench/$1.c built in this test's directory
	command -v cc >/dev/null 2>&1 || skip "needs a C compiler (cc) to build bench/$1.c"
	REPLY=$GWT_TMP/$1
	cc -O2 -std=gnu11 -D_GNU_SOURCE -o "$REPLY" "$GWT_ROOT/bench/$1.c" ||
		fail "cannot build bench/$1.c"
}

# sink_start NS ADDR PORT [RCVBUF]: udpsink reading ADDR:PORT in NS, in
# the background until sink_stop (the clean-up ends it if the test fails).
sink_start() {
	local i
	SINK_OUT=$GWT_TMP/sink.out
	ip netns exec "$1" "$UDPSINK" "$2" "$3" ${4:+"$4"} >"$SINK_OUT" 2>&1 &
	SINK_PID=$!
	gwt_track_pid "$SINK_PID"
	for ((i = 0; i < 100; i++)); do
		grep -q '^ready' "$SINK_OUT" && return 0
		kill -0 "$SINK_PID" 2>/dev/null || fail "udpsink $2 $3 failed: $(cat "$SINK_OUT")"
		gwt_nap 0.1
	done
	fail "udpsink $2 $3 not ready after 10 s"
}

# sink_stop: end udpsink; SINK_RECEIVED = the datagrams it read.
sink_stop() {
	kill -TERM "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null || true
	[[ $(<"$SINK_OUT") =~ received=([0-9]+) ]] || fail "udpsink printed no received=N: $(cat "$SINK_OUT")"
	# shellcheck disable=SC2034 # for the tests
	SINK_RECEIVED=${BASH_REMATCH[1]}
}

# flood NS COUNT udpflood-args...: COUNT datagrams; FLOOD_SENT = its count.
flood() {
	local ns=$1 count=$2 out; shift 2
	out=$(ip netns exec "$ns" timeout 60 "$UDPFLOOD" -n "$count" -t 50 "$@") ||
		fail "udpflood -n $count $* failed: $out"
	log "udpflood -n $count $*: $out"
	[[ $out =~ sent=([0-9]+) ]] || fail "udpflood printed no sent=N: $out"
	FLOOD_SENT=${BASH_REMATCH[1]}
	((FLOOD_SENT == count)) || fail "udpflood sent $FLOOD_SENT of $count datagrams in 50 s"
}

# fast_ping NS DST COUNT: PING_SENT = echo requests sent (ping's count).
fast_ping() {
	local out
	out=$(ip netns exec "$1" ping -n -q -c "$3" -i 0.002 -l 20 -W 0.3 "$2" 2>&1) || true
	[[ $out =~ ([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]] ||
		fail "ping $2: no statistics line: $out"
	# shellcheck disable=SC2034 # for the tests
	PING_SENT=${BASH_REMATCH[1]} PING_RECEIVED=${BASH_REMATCH[2]}
}

# ----------------------------------------------------------------------------
# gwtrace runs

# gw_start [gwtrace args...]: start gwtrace --json --ready-file in the
# background and wait until all its probes are attached.
gw_start() {
	local ready t0 rc
	[[ -z $GW_PID ]] || fail "gw_start: gwtrace already running (test bug)"
	GW_RUN=$((GW_RUN + 1))
	GW_OUT=$GWT_TMP/gwtrace.$GW_RUN.json
	GW_ERR=$GWT_TMP/gwtrace.$GW_RUN.err
	GW_RC=""
	GWT_PICKED=""
	ready=$GWT_TMP/ready.$GW_RUN
	# shellcheck disable=SC2034 # for the tests (a monitor's "port N")
	GW_READY=$ready
	# GWT_MODE forces a strategy (the VM lab runs the suite per mode).
	GW_ARGS=(--json --ready-file "$ready" ${GWT_MODE:+--mode "$GWT_MODE"} "$@")
	log "gwtrace ${GW_ARGS[*]}"
	# bash starts background jobs with SIGINT ignored; give gwtrace the
	# default disposition, as an operator's terminal would.
	env --default-signal=INT,QUIT "$GWTRACE" "${GW_ARGS[@]}" \
		>"$GW_OUT" 2>"$GW_ERR" </dev/null &
	GW_PID=$!
	t0=$EPOCHREALTIME
	while [[ ! -e $ready ]]; do
		if ! kill -0 "$GW_PID" 2>/dev/null; then
			rc=0
			wait "$GW_PID" || rc=$?
			GW_RC=$rc GW_PID=""
			fail "gwtrace exited (status $rc) before writing its ready file"
		fi
		gwt__ms_since "$t0"
		if ((GWT_MS > GWT_READY_TIMEOUT * 1000)); then
			fail "gwtrace did not write its ready file within ${GWT_READY_TIMEOUT}s"
		fi
		gwt_nap 0.05
	done
	gwt__ms_since "$t0"
	log "gwtrace ready after $GWT_MS ms"
}

gwt__elapsed_ms() {	# since an $EPOCHREALTIME value
	gwt__ms_since "$1"
	printf '%d' "$GWT_MS"
}

# gwt__ms_since T0: GWT_MS = milliseconds since an $EPOCHREALTIME value,
# without a subshell (for wait loops: see gwt_nap).
gwt__ms_since() {
	local now=${EPOCHREALTIME/./} then=${1/./}
	GWT_MS=$(((10#$now - 10#$then) / 1000))
}

# gwt_nap SECONDS: sleep without starting a process. Under the VM lab's TCG
# every process start costs 0.1-0.25 s of the guest's only CPU: a wait loop
# running `sleep 0.05` and a $(...) per turn took half that CPU from the
# gwtrace it was waiting for (start-up measured at 18-20 s instead of
# 9.5-10 s). read -t on a FIFO that nobody writes is a timer inside bash.
GWT_NAP_FD=""
gwt_nap() {
	if [[ -z $GWT_NAP_FD ]]; then
		if [[ -z $GWT_TMP ]] || ! mkfifo "$GWT_TMP/nap.fifo" 2>/dev/null ||
			! exec {GWT_NAP_FD}<>"$GWT_TMP/nap.fifo"; then
			GWT_NAP_FD=""
			sleep "$1"
			return 0
		fi
	fi
	read -r -t "$1" -u "$GWT_NAP_FD" _ || true
}

# gw_wait_exit TIMEOUT_S: wait for gwtrace to end by itself; sets GW_RC.
# Returns 1 (gwtrace still running) on timeout (TIMEOUT_S scaled by
# GWT_SLOWDOWN).
gw_wait_exit() {
	gwt_scale "$1"
	gw__wait_exit_s "$REPLY"
}

gw__wait_exit_s() {	# the same, SECONDS as given
	local limit_ms=$(($1 * 1000)) t0=$EPOCHREALTIME rc
	while kill -0 "$GW_PID" 2>/dev/null; do
		gwt__ms_since "$t0"
		((GWT_MS <= limit_ms)) || return 1
		gwt_nap 0.05
	done
	rc=0
	wait "$GW_PID" || rc=$?
	GW_RC=$rc GW_PID=""
}

# gw_wait_line JQ_COND SECONDS: wait until gwtrace has printed a line
# satisfying JQ_COND; 1 on timeout (SECONDS scaled by GWT_SLOWDOWN).
gw_wait_line() {
	local cond=$1 limit_ms t0=$EPOCHREALTIME
	gwt_scale "$2"
	limit_ms=$((REPLY * 1000))
	until jq -e -n "any(inputs; $cond)" "$GW_OUT" >/dev/null 2>&1; do
		gwt__ms_since "$t0"
		((GWT_MS <= limit_ms)) || return 1
		gwt_nap 0.25
	done
}

# gw_stop: SIGINT, wait, check a clean exit and well-formed output.
gw_stop() {
	gw_stop_sig INT
}

# gw_stop_sig SIG: the same with another signal (TERM).
gw_stop_sig() {
	local sig=$1
	[[ -n $GW_PID ]] || fail "gw_stop: gwtrace not running (test bug)"
	sleep "$GWT_SETTLE"	# let the ring buffer drain
	kill -"$sig" "$GW_PID" 2>/dev/null || true
	if ! gw__wait_exit_s "$GWT_STOP_TIMEOUT"; then
		kill -KILL "$GW_PID" 2>/dev/null || true
		wait "$GW_PID" 2>/dev/null || true
		GW_RC=killed GW_PID=""
		fail "gwtrace still running ${GWT_STOP_TIMEOUT}s after SIG$sig (killed)"
	fi
	[[ $GW_RC == 0 ]] || fail "gwtrace exited with status $GW_RC after SIG$sig (want 0)"
	gw_check_output
}

# The output is JSON lines with exactly one summary at the end (of type
# $GW_SUMMARY_TYPE: "summary", or "monitor_summary" for gwtrace monitor).
gw_check_output() {
	local n t=${GW_SUMMARY_TYPE:-summary}
	[[ -s $GW_OUT ]] || fail "gwtrace --json printed nothing on stdout (want at least a $t)"
	jq empty "$GW_OUT" >/dev/null 2>&1 || fail "gwtrace --json stdout is not JSON lines"
	n=$(jq -c --arg t "$t" 'select(.type == $t)' "$GW_OUT" | wc -l)
	((n == 1)) || fail "gwtrace --json printed $n $t lines (want 1)"
	jq -e -s --arg t "$t" '.[-1].type == $t' "$GW_OUT" >/dev/null ||
		fail "the $t is not the last line of gwtrace's output"
}

# ----------------------------------------------------------------------------
# Assertions on gwtrace's JSON (after gw_stop)

gw_packets() {		# all packet lines
	jq -c 'select(.type == "packet")' "$GW_OUT"
}

# The packet lines of this test: with a step in one of its namespaces.
# Other runs on the machine (the same addresses in other namespaces) can
# show up in a global trace; they must not make a test pass or fail.
gw_our_packets() {
	jq -c --argjson ns "$GWT_NS_LABELS" 'select(.type == "packet")
		| select(($ns | length) == 0
			or any(.steps[]?; $ns[.netns | tostring] != null))' "$GW_OUT"
}

# pick_packets JQ_COND DESC: the packets under examination are those where
# JQ_COND holds; fail if there is none. Later expect_* narrow this set, so
# that all conditions must hold on the same packet(s).
pick_packets() {
	local cond=$1 desc=$2
	GWT_PICKED=""
	GWT_PICK_DESC="$desc"
	local f=$GWT_TMP/picked.$GW_RUN
	gw_our_packets | jq -c "select($cond)" >"$f" ||
		fail "pick_packets: jq error on: $cond (test bug?)"
	if [[ ! -s $f ]]; then
		local n all
		n=$(gw_our_packets | wc -l)
		all=$(gw_packets | jq -c "select($cond)" | wc -l)
		((all == 0)) ||
			fail "$all packet(s) for $desc, but none with a step in this test's namespaces (steps[].netns)"
		fail "no packet for $desc among $n packets (jq: $cond)"
	fi
	GWT_PICKED=$f
	log "$(wc -l <"$f") packet(s) for $desc"
}

# expect JQ_COND DESC [JQ_SHOW]: some picked packet satisfies JQ_COND.
# On failure, show the distinct values of JQ_SHOW among picked packets.
expect() {
	local cond=$1 desc=$2 show=${3:-.}
	local f=$GWT_PICKED.next
	[[ -n $GWT_PICKED ]] || fail "expect before pick_packets (test bug)"
	jq -c "select($cond)" "$GWT_PICKED" >"$f" ||
		fail "expect: jq error on: $cond (test bug?)"
	if [[ ! -s $f ]]; then
		local got
		# Distinct values, most frequent first: 'null (x3), "FORWARD" (x1)'.
		got=$(jq -c "$show" "$GWT_PICKED" 2>&1 | sort | uniq -c | sort -rn |
			awk '{ n = $1; sub(/^ *[0-9]+ /, "");
			       printf "%s%s (x%d)", sep, $0, n; sep = ", " }' | cut -c1-600)
		gwt__check_failed "$GWT_PICK_DESC: expected $desc; got $show = $got"
		return 0
	fi
	mv "$f" "$GWT_PICKED"
}

# A failed expect does not end the test: the next checks still run on the
# same packets, so one run shows everything that is missing. The test fails
# when it ends (gwt_main) with the first message as its reason.
GWT_CHECK_FAILS=()
gwt__check_failed() {
	GWT_CHECK_FAILS+=("$1")
	printf 'CHECK FAILED: %s\n' "$1" >&2
}

gwt__end_checks() {
	local n=${#GWT_CHECK_FAILS[@]}
	((n > 0)) || return 0
	if ((n == 1)); then
		fail "${GWT_CHECK_FAILS[0]}"
	fi
	fail "${GWT_CHECK_FAILS[0]} [+$((n - 1)) more failed checks in the log]"
}

# expect_eq PATH VALUE: string equality (jq path like .drop.hook).
expect_eq() {
	expect "$1 == \"$2\"" "$1 == \"$2\"" "$1"
}

# expect_cause ID [HOOK]: the packet's diagnosis names cause ID (at HOOK).
expect_cause() {
	expect ".diagnosis.cause == \"$1\"" "diagnosis.cause == \"$1\"" '.diagnosis.cause'
	[[ -z ${2:-} ]] ||
		expect ".diagnosis.at.hook == \"$2\"" "diagnosis.at.hook == \"$2\"" '.diagnosis.at'
}

# expect_json PATH JSON: equality with a JSON value (true, 24, null).
expect_json() {
	expect "$1 == $2" "$1 == $2" "$1"
}

# expect_prefix PATH PREFIX: string starting with PREFIX.
expect_prefix() {
	expect "($1 | type == \"string\") and ($1 | startswith(\"$2\"))" \
		"$1 starting with \"$2\"" "$1"
}

expect_nonempty() {
	expect "($1 | type == \"string\") and ($1 | length > 0)" "$1 non-empty" "$1"
}

expect_verdict() {
	expect "(.verdicts // []) | index(\"$1\") != null" "verdicts containing \"$1\"" .verdicts
}

expect_no_verdict() {
	expect "(.verdicts // []) | index(\"$1\") == null" "verdicts without \"$1\"" .verdicts
}

# assert_packet JQ_COND DESC: some packet satisfies JQ_COND.
assert_packet() {
	pick_packets "$1" "${2:-$1}"
}

# assert_no_packet JQ_COND DESC: no packet satisfies JQ_COND.
assert_no_packet() {
	local cond=$1 desc=${2:-$1} f=$GWT_TMP/unwanted.$GW_RUN
	gw_our_packets | jq -c "select($cond)" >"$f" ||
		fail "assert_no_packet: jq error on: $cond (test bug?)"
	if [[ -s $f ]]; then
		GWT_PICKED=$f GWT_PICK_DESC="$desc"
		fail "$(wc -l <"$f") unexpected packet(s): $desc (jq: $cond)"
	fi
}

# assert_summary JQ_COND DESC: the summary line (of type $GW_SUMMARY_TYPE)
# satisfies JQ_COND.
assert_summary() {
	local cond=$1 desc=${2:-$1} t=${GW_SUMMARY_TYPE:-summary}
	jq -e -s --arg t "$t" "map(select(.type == \$t)) | length == 1 and (.[0] | $cond)" \
		"$GW_OUT" >/dev/null ||
		fail "$t: expected $desc (jq: $cond)"
}

# jq condition: the packet's flow is FROM -> TO (echo requests, datagrams).
flow_is() {
	printf '.flow.src == "%s" and .flow.dst == "%s"' "$1" "$2"
}

# jq condition: the packet's flow involves ADDR.
flow_involves() {
	printf '(.flow.src == "%s" or .flow.dst == "%s")' "$1" "$1"
}

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# `gwtrace monitor` (always on): exact kernel-side counts by fate, a drop
# log bounded by --drop-limit per flow and window, a bounded flow table,
# and Prometheus metrics at --listen, read with curl and scraped by a real
# Prometheus server.
# Run: tests/run.sh -k monitor, or tests/e2e/test_monitor.sh TEST.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_bpf.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib_bpf.sh"

GW_SUMMARY_TYPE=monitor_summary	# gw_stop checks the monitor's last line

# The gateway's forward chain drops what RULE matches (nft syntax).
gw_forward_drop() {
	nft_apply "$NS_GW" "table inet gwt_filter {
		chain forward {
			type filter hook forward priority filter; policy accept;
			$1
		}
	}"
}

# ping in NS... uses ICMP datagram sockets, as an unprivileged ping does.
# (A raw-socket ping, root's, gets its echo replies as a clone while the
# kernel frees the original with NO_SOCKET in ping_rcv; gwtrace does not
# count that as a drop: test_monitor_raw_ping_replies_not_drops.)
ping_dgram() {
	local ns
	for ns in "$@"; do
		ns_sysctl "$ns" net/ipv4/ping_group_range "0 2147483647"
	done
}

# ----------------------------------------------------------------------------
# The monitor's output

# mon_summary [JQ]: the monitor_summary line (after gw_stop), or JQ of it.
mon_summary() {
	jq -c "select(.type == \"monitor_summary\") | ${1:-.}" "$GW_OUT"
}

# mon_expect JQ_COND DESC: a check on the monitor_summary. A failure does
# not end the test: all checks run, the test fails at its end (lib.sh).
mon_expect() {
	jq -e -s "map(select(.type == \"monitor_summary\")) | length == 1 and (.[0] | $1)" \
		"$GW_OUT" >/dev/null ||
		gwt__check_failed "monitor_summary: expected $2; got $(mon_summary)"
}

# drop_lines JQ_COND: the drop-log packet lines where JQ_COND holds.
drop_lines() {
	gw_packets | jq -c "select(.outcome == \"dropped\") | select($1)"
}

# mon_port: MON_PORT = the --listen port from the ready file ("port N").
mon_port() {
	local i
	MON_PORT=""
	for ((i = 0; i < 50; i++)); do
		MON_PORT=$(sed -n 's/^port \([0-9][0-9]*\)$/\1/p' "$GW_READY")
		[[ -z $MON_PORT ]] || return 0
		gwt_nap 0.1
	done
	fail "no 'port N' line in the ready file of gwtrace monitor --listen: $(head -c 200 "$GW_READY")"
}

# http_get PATH [curl args]: HTTP_CODE, HTTP_TYPE; the body in $GWT_TMP/body.
http_get() {
	local meta path=$1; shift
	meta=$(curl -sS -m 5 -o "$GWT_TMP/body" -w '%{http_code} %{content_type}' "$@" \
		"http://127.0.0.1:$MON_PORT$path") || fail "curl http://127.0.0.1:$MON_PORT$path failed"
	HTTP_CODE=${meta%% *} HTTP_TYPE=${meta#* }
}

# ----------------------------------------------------------------------------
# Traffic

# ----------------------------------------------------------------------------
# Prometheus (Debian's package): PROM_PORT, its API through prom_query.

# A TCP port nobody listens on, below the ephemeral range.
free_port() {
	local p
	while :; do
		p=$((20000 + SRANDOM % 12000))
		[[ -z $(ss -Hltn "sport = :$p") ]] && break
	done
	printf '%d' "$p"
}

# prom_start TARGET_PORT: Prometheus on 127.0.0.1, scraping
# 127.0.0.1:TARGET_PORT/metrics every second; ended by the clean-up.
prom_start() {
	local dir=$GWT_TMP/prom try pid i
	require_cmd prometheus curl
	mkdir -p "$dir/data"
	cat >"$dir/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  scrape_timeout: 1s
		  evaluation_interval: 1s
		scrape_configs:
		  - job_name: gwtrace
		    static_configs:
		      - targets: ['127.0.0.1:$1']
	EOF
	for try in 1 2 3; do	# a port taken between free_port and the bind
		PROM_PORT=$(free_port)
		prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
			--web.listen-address="127.0.0.1:$PROM_PORT" >"$dir/log" 2>&1 </dev/null &
		pid=$!
		gwt_track_pid "$pid"
		for ((i = 0; i < 300; i++)); do
			curl -sf -m 1 -o /dev/null "http://127.0.0.1:$PROM_PORT/-/ready" && return 0
			kill -0 "$pid" 2>/dev/null || break
			gwt_nap 0.1
		done
		grep -q 'address already in use' "$dir/log" || break
		log "Prometheus: port $PROM_PORT taken (try $try)"
	done
	fail "Prometheus did not become ready on 127.0.0.1:$PROM_PORT: $(tail -n 5 "$dir/log")"
}

# prom_query EXPR: PROM_ANSWER = the API's JSON, PROM_VALUE = the value of
# the first series ("none" if the result is empty).
prom_query() {
	PROM_ANSWER=$(curl -sS -m 5 -G --data-urlencode "query=$1" \
		"http://127.0.0.1:$PROM_PORT/api/v1/query" 2>&1) || true
	PROM_VALUE=$(jq -r '.data.result[0].value[1] // "none"' <<<"$PROM_ANSWER" 2>/dev/null) ||
		PROM_VALUE="none"
}

# prom_wait EXPR WANT: poll (30 s) until EXPR reaches WANT; it must equal it.
prom_wait() {
	local t0=$EPOCHREALTIME
	while :; do
		prom_query "$1"
		[[ $PROM_VALUE =~ ^[0-9]+$ ]] && ((PROM_VALUE >= $2)) && break
		gwt__ms_since "$t0"
		if ((GWT_MS > 30000)); then
			curl -sS -m 5 "http://127.0.0.1:$MON_PORT/metrics" 2>&1 |
				grep -v '^#' | gwt__trunc 300 40 >&2 || true
			fail "Prometheus: $1 = $PROM_VALUE after 30 s (want $2); last answer: ${PROM_ANSWER:0:800}"
		fi
		gwt_nap 0.5
	done
	log "Prometheus: $1 = $PROM_VALUE after $(gwt__elapsed_ms "$t0") ms"
	((PROM_VALUE == $2)) || fail "Prometheus: $1 = $PROM_VALUE, want exactly $2: ${PROM_ANSWER:0:800}"
}

# prom_expect EXPR WANT DESC: EXPR's value is WANT now.
prom_expect() {
	prom_query "$1"
	[[ $PROM_VALUE == "$2" ]] ||
		gwt__check_failed "Prometheus: $3: $1 = $PROM_VALUE (want $2): ${PROM_ANSWER:0:600}"
}

# ----------------------------------------------------------------------------

# 100000 datagrams into an nft drop: all counted, 5 logged. The kernel's
# windows are ts_ns / --interval (aligned to boot, not to gwtrace's start):
# a flood can straddle two, each with its own --drop-limit.
test_monitor_drop_storm_bounded() {
	local n=100000 limit=5 flow lines dropped logged windows
	build_udpflood
	topo_standard
	topo_check_reach 10.2.0.2
	gw_forward_drop 'ip daddr 10.2.0.2 udp dport 9 drop'
	gw_start monitor --host 10.2.0.2 --drop-limit "$limit" --interval 60
	flood "$NS_C" "$n" -d 10.2.0.2 -p 9
	gw_stop
	flow="$(flow_is 10.1.0.2 10.2.0.2) and .flow.proto == \"udp\" and .flow.dport == 9"
	GWT_FOCUS=$flow
	lines=$(drop_lines "$flow and .drop.reason == \"NETFILTER_DROP\"")
	windows=$(jq -s -c 'group_by(.ts_ns / 60e9 | floor) | map(length)' <<<"$lines")
	log "NETFILTER_DROP lines per kernel window: $windows; all drop lines by reason:" \
		"$(drop_lines true | jq -s -c 'group_by(.drop.reason) | map({(.[0].drop.reason): length}) | add')"
	jq -e --argjson l "$limit" '.[0] == $l and all(.[]; . <= $l) and length <= 2' \
		<<<"$windows" >/dev/null ||
		gwt__check_failed "want exactly --drop-limit $limit NETFILTER_DROP lines for the flow per kernel window (one or two windows); got $windows"
	jq -e -s 'length > 0 and all(.[]; .diagnosis.cause == "firewall_drop")' <<<"$lines" >/dev/null ||
		gwt__check_failed "drop-log lines of the nft drop should carry diagnosis.cause firewall_drop: $(jq -c -s 'map(.diagnosis.cause) | unique' <<<"$lines")"
	dropped=$(mon_summary .packets.dropped)
	logged=$(gw_packets | wc -l)
	log "flood sent $FLOOD_SENT; summary: $(mon_summary)"
	# Every datagram dies at the gateway: in nft, or earlier in a full backlog.
	mon_expect ".packets.dropped == $FLOOD_SENT" "packets.dropped == $FLOOD_SENT (every datagram sent)"
	mon_expect ".drop_log_lines == $logged" "drop_log_lines == $logged (the packet lines printed)"
	mon_expect ".drop_log_suppressed == $dropped - .drop_log_lines" \
		"drop_log_suppressed == dropped - drop_log_lines"
	mon_expect '.lost_events == 0' "lost_events == 0"
	# Handed to a driver once each, by the client's veth; nothing reaches
	# the gateway's WAN side.
	mon_expect ".packets.sent == $FLOOD_SENT" "packets.sent == $FLOOD_SENT (the client's veth)"
	mon_expect '.packets.forwarded == 0 and .packets.delivered == 0' "nothing forwarded or delivered"
}

# A real Prometheus scrapes --listen every second: the drops it sees are
# exactly the pings nft dropped, labelled with the gateway's netns name.
test_monitor_prometheus_scrape() {
	local name names meta bad want_families loc
	require_cmd prometheus curl
	topo_standard
	topo_check_reach 10.2.0.2
	ns_check_reach "$NS_SRV" 10.1.0.2
	ping_dgram "$NS_C" "$NS_SRV"
	gw_forward_drop 'ip daddr 10.2.0.2 icmp type echo-request drop'
	gw_start monitor --host 10.2.0.2 --listen 127.0.0.1:0
	mon_port
	prom_start "$MON_PORT"
	# Accepted first: the server pings the client (both ways forwarded by
	# the gateway: 3 requests, 3 replies). Then the drops.
	fast_ping "$NS_SRV" 10.1.0.2 3
	((PING_RECEIVED == 3)) || fail "server -> client: $PING_RECEIVED of 3 replies"
	fast_ping "$NS_C" 10.2.0.2 300
	((PING_RECEIVED == 0)) || fail "$PING_RECEIVED pings got through the nft drop"
	prom_wait 'sum(gwtrace_packets_total{fate="dropped",reason="NETFILTER_DROP"})' "$PING_SENT"
	prom_query 'gwtrace_packets_total{fate="dropped",reason="NETFILTER_DROP"}'
	bad=$(jq -c --arg ns "$NS_GW" '[.data.result[].metric | select(.netns != $ns)]' <<<"$PROM_ANSWER")
	[[ $bad == "[]" ]] || gwt__check_failed "drop series not labelled netns=\"$NS_GW\": $bad"
	# location: the function of the drop log's "func+0xoff", without offset.
	loc=$(drop_lines "$(flow_is 10.1.0.2 10.2.0.2)" | jq -r '.drop.location | sub("\\+.*"; "")' | sort -u)
	bad=$(jq -c --arg loc "$loc" '[.data.result[].metric | select(.location != $loc)]' <<<"$PROM_ANSWER")
	[[ -n $loc && $bad == "[]" ]] ||
		gwt__check_failed "drop series' location label is not \"$loc\" (the drop log's function): $bad"
	bad=$(jq -c '[.data.result[].metric | select(.cause != "firewall_drop")]' <<<"$PROM_ANSWER")
	[[ $bad == "[]" ]] || gwt__check_failed "nft drop series not labelled cause=\"firewall_drop\": $bad"
	prom_expect "sum(gwtrace_packets_total{fate=\"forwarded\",netns=\"$NS_GW\"})" 6 \
		"the gateway forwarded the 3 accepted requests and their 3 replies"
	prom_expect 'up{job="gwtrace"}' 1 "the scrape target is up"
	prom_expect 'gwtrace_build_info' 1 "gwtrace_build_info"
	prom_query 'gwtrace_build_info'
	jq -e '.data.result[0].metric.version | length > 0' <<<"$PROM_ANSWER" >/dev/null ||
		gwt__check_failed "gwtrace_build_info has no version label: ${PROM_ANSWER:0:300}"
	# Every family Prometheus stored: present, and _total iff a counter
	# (as Prometheus typed it and as /metrics declares it).
	names=$(curl -sS -m 5 "http://127.0.0.1:$PROM_PORT/api/v1/label/__name__/values" |
		jq -r '.data[] | select(startswith("gwtrace_"))')
	want_families="gwtrace_packets_total gwtrace_bytes_total gwtrace_flows gwtrace_flow_table_size
		gwtrace_flows_evicted_total gwtrace_drop_log_lines_total gwtrace_drop_log_suppressed_total
		gwtrace_events_lost_total gwtrace_probe_info gwtrace_build_info"
	for name in $want_families; do
		grep -qx "$name" <<<"$names" || gwt__check_failed "Prometheus has no series of $name"
	done
	meta=$(curl -sS -m 5 "http://127.0.0.1:$PROM_PORT/api/v1/metadata")
	bad=$(jq -r '.data | to_entries[] | select(.key | startswith("gwtrace_"))
		| select((.value[0].type == "counter") != (.key | endswith("_total")))
		| "\(.key) (\(.value[0].type))"' <<<"$meta")
	[[ -z $bad ]] || gwt__check_failed "Prometheus metadata: _total iff counter broken by: $bad"
	http_get /metrics
	bad=$(awk '$1 == "#" && $2 == "TYPE" && (($4 == "counter") != ($3 ~ /_total$/)) { print $3, $4 }' \
		"$GWT_TMP/body")
	[[ -z $bad ]] || gwt__check_failed "/metrics: # TYPE lines with _total iff counter broken by: $bad"
	gw_stop
	mon_expect ".packets.dropped == $PING_SENT" "packets.dropped == $PING_SENT (as Prometheus saw)"
}

# The HTTP endpoint by itself, --listen errors, and a clean exit.
test_monitor_metrics_endpoint() {
	local out rc bad=() args port ready
	require_cmd curl
	bpf_before
	gw_start monitor --host 10.2.0.2 --listen 127.0.0.1:0
	bpf_record_ours
	mon_port
	port=$MON_PORT
	http_get /metrics
	[[ $HTTP_CODE == 200 ]] || fail "GET /metrics: status $HTTP_CODE (want 200)"
	[[ $HTTP_TYPE == "text/plain; version=0.0.4"* ]] ||
		fail "GET /metrics: Content-Type '$HTTP_TYPE' (want text/plain; version=0.0.4)"
	grep -q '^# TYPE gwtrace_packets_total counter$' "$GWT_TMP/body" ||
		fail "/metrics has no '# TYPE gwtrace_packets_total counter': $(head -c 400 "$GWT_TMP/body")"
	grep -q '^gwtrace_build_info{version="[^"]\+"} 1$' "$GWT_TMP/body" ||
		fail "/metrics has no gwtrace_build_info{version=...} 1"
	grep -q '^gwtrace_flow_table_size 16384$' "$GWT_TMP/body" ||
		fail "/metrics: gwtrace_flow_table_size is not the default 16384"
	http_get /nothing-here
	[[ $HTTP_CODE == 404 ]] || fail "GET /nothing-here: status $HTTP_CODE (want 404)"
	http_get /metrics -X POST
	[[ $HTTP_CODE == 405 ]] || fail "POST /metrics: status $HTTP_CODE (want 405)"
	# The port is taken: a second monitor says so, exits 1, never ready.
	ready=$GWT_TMP/ready.second
	rc=0
	out=$(timeout 20 "$GWTRACE" monitor --host 10.2.0.2 --duration 5 --ready-file "$ready" \
		--listen "127.0.0.1:$port" 2>&1 >/dev/null) || rc=$?
	((rc == 1)) || fail "--listen 127.0.0.1:$port (in use) exited $rc (want 1): ${out:0:300}"
	[[ $out == *"127.0.0.1:$port"* && ${out,,} == *"in use"* ]] ||
		fail "--listen on a port in use: the message does not name 127.0.0.1:$port and 'in use': ${out:0:300}"
	[[ ! -e $ready ]] || fail "gwtrace wrote its ready file although --listen failed"
	gw_stop
	bpf_expect_gone "SIGINT (gwtrace monitor --listen)"
	[[ -z $(ss -Hltn "sport = :$port") ]] || fail "port $port still listening after gwtrace exited"
	# Bad --listen values: usage errors (2), before anything is loaded.
	for args in 1.2.3.4 host:80 127.0.0.1:65536 127.0.0.1: '[::1:80' ''; do
		rc=0
		out=$(timeout 15 "$GWTRACE" monitor --duration 1 --listen "$args" 2>&1 >/dev/null) || rc=$?
		if ((rc != 2)); then
			bad+=("--listen '$args' exited $rc (want 2)${out:+: ${out:0:200}}")
		elif [[ $out != *"$args"* || $out != *listen* ]]; then
			bad+=("--listen '$args' exited 2, the message does not name --listen and the value: ${out:0:200}")
		fi
	done
	((${#bad[@]} == 0)) || fail "${#bad[@]} bad --listen values: $(printf '%s; ' "${bad[@]}")"
}

# Healthy pings client -> server, counted at every hop of both ways.
test_monitor_forwarded_counts() {
	local n=50
	topo_standard
	topo_check_reach 10.2.0.2
	ping_dgram "$NS_C"
	gw_start monitor --host 10.2.0.2
	fast_ping "$NS_C" 10.3.0.2 20	# not --host 10.2.0.2: counted nowhere
	fast_ping "$NS_C" 10.2.0.2 "$n"
	((PING_RECEIVED == PING_SENT)) || fail "healthy path: $PING_RECEIVED of $PING_SENT replies"
	gw_stop
	n=$PING_SENT
	# Requests: the client sends, the gateway and the upstream router
	# forward (each hands the packet on to a veth once), the server
	# delivers; replies the same way back.
	mon_expect ".packets.forwarded == 4 * $n" "packets.forwarded == $((4 * n)) (2 routers x $n requests + $n replies)"
	mon_expect ".packets.delivered == 2 * $n" "packets.delivered == $((2 * n)) (server + client)"
	mon_expect ".packets.sent == 2 * $n" "packets.sent == $((2 * n)) (made here: the client's requests, the server's replies)"
	mon_expect '.packets.dropped == 0' "packets.dropped == 0"
	mon_expect '.lost_events == 0 and .drop_log_lines == 0' "no loss, no drop-log line"
	[[ $(gw_packets | wc -l) == 0 ]] || fail "drop log not empty on a healthy path: $(gw_packets | head -n 2)"
}

# A 0/0 out policy without an SA: the gateway's own pings get the
# blackhole route the kernel hands out while IKE negotiates, whose output
# (dst_discard_out) frees them without a drop reason. trace calls that a
# drop (test_xfrm_selector_too_broad); monitor counts it the same way.
test_monitor_blackhole_drops() {
	local n=3
	topo_standard
	ip -n "$NS_GW" xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir out \
		tmpl src 172.16.9.2 dst 172.16.9.1 proto esp mode tunnel reqid 45 ||
		skip "cannot add an xfrm policy (kernel without CONFIG_XFRM_USER?)"
	gw_start monitor --netns "$NS_GW" --host 172.16.9.1
	ping_from "$NS_GW" 172.16.9.1 "$n"
	gw_stop
	mon_expect ".packets.dropped == $n" "packets.dropped == $n (each ping of the gateway's own)"
	[[ -n $(drop_lines '(.drop.location // "" | startswith("dst_discard_out")) and .diagnosis.cause != null') ]] ||
		gwt__check_failed "no drop-log line at dst_discard_out: $(gw_packets | head -n 2)"
}

# metric_sum NAME SELECTOR...: the sum of NAME's series in $GWT_TMP/body
# whose labels contain every SELECTOR (label="value").
metric_sum() {
	local name=$1; shift
	awk -v name="$name" -v sels="$*" '
		BEGIN { n = split(sels, want, " ") }
		index($0, name "{") == 1 {
			ok = 1
			for (i = 1; i <= n; i++) if (index($0, want[i]) == 0) ok = 0
			if (ok) sum += $NF
		}
		END { print sum + 0 }' "$GWT_TMP/body"
}

# Without an address filter (only --netns), living packets take the
# counting fast path (bpf/core.bpf.h, gw_mon_living): the same exact
# packets, bytes, interface and protocol labels as every other count, on
# IPv4 and IPv6. Echo requests are 98 bytes at xmit (Ethernet + IPv4 84),
# IPv6 118 (Ethernet + 40 + 8 + 56).
test_monitor_fast_path_counts() {
	local n=40 fam proto bytes got dev
	topo_standard6
	topo_check_reach 10.2.0.2
	ns_check_reach "$NS_C" fd00:2::2
	ping_dgram "$NS_C"
	gw_start monitor --netns "$NS_GW" --listen 127.0.0.1:0
	mon_port
	fast_ping "$NS_C" 10.2.0.2 "$n"
	((PING_RECEIVED == PING_SENT && PING_SENT == n)) ||
		fail "IPv4 path: $PING_RECEIVED of $PING_SENT replies"
	fast_ping "$NS_C" fd00:2::2 "$n"
	((PING_RECEIVED == PING_SENT && PING_SENT == n)) ||
		fail "IPv6 path: $PING_RECEIVED of $PING_SENT replies"
	sleep 1.5	# one harvest
	http_get /metrics
	for fam in 4 6; do
		if ((fam == 4)); then proto=icmp bytes=98; else proto=icmpv6 bytes=118; fi
		for dev in veth-wan veth-lan; do	# requests out of wan, replies out of lan
			got=$(metric_sum gwtrace_packets_total 'fate="forwarded"' "proto=\"$proto\"" "interface=\"$dev\"")
			((got == n)) || gwt__check_failed "IPv$fam forwarded out of $dev: $got packets, want $n: $(grep 'fate="forwarded"' "$GWT_TMP/body" | head -n 6)"
			got=$(metric_sum gwtrace_bytes_total 'fate="forwarded"' "proto=\"$proto\"" "interface=\"$dev\"")
			((got == n * bytes)) || gwt__check_failed "IPv$fam forwarded bytes out of $dev: $got, want $((n * bytes))"
		done
	done
	got=$(metric_sum gwtrace_packets_total 'fate="forwarded"' "netns=\"$NS_GW\"")
	((got >= 4 * n)) || gwt__check_failed "forwarded series not labelled netns=\"$NS_GW\" ($got)"
	gw_stop
	mon_expect ".packets.forwarded == $((4 * n))" "packets.forwarded == $((4 * n)) (IPv4 and IPv6 requests and replies)"
	mon_expect '.packets.dropped == 0 and .lost_events == 0' "nothing dropped, nothing lost"
}

# 500 dropping flows into a 64-entry flow table (it holds the flows that
# lose packets): the flows that do not fit are counted (flow_table_full);
# the totals are still exact. The gateway's view (--netns): every datagram
# is forwarded (the quarter the firewall lets through) or dropped there.
test_monitor_flow_table_bounded() {
	local n=64000
	build_udpflood
	topo_standard
	topo_check_reach 10.2.0.2
	gw_forward_drop 'ip daddr 10.2.0.2 udp sport != 20000-20124 drop'
	gw_start monitor --netns "$NS_GW" --host 10.2.0.2 --proto udp --flows 64 \
		--listen 127.0.0.1:0
	mon_port
	flood "$NS_C" "$n" -d 10.2.0.2 -p 9 -s 20000-20499
	http_get /metrics
	gw_stop
	log "flood sent $FLOOD_SENT; summary: $(mon_summary)"
	grep -q '^gwtrace_flow_table_size 64$' "$GWT_TMP/body" ||
		gwt__check_failed "/metrics: gwtrace_flow_table_size is not 64 ($(grep '^gwtrace_flow' "$GWT_TMP/body"))"
	awk '$1 == "gwtrace_flows" && $2 <= 64 { ok = 1 } END { exit !ok }' "$GWT_TMP/body" ||
		gwt__check_failed "/metrics: gwtrace_flows not <= 64 ($(grep '^gwtrace_flows ' "$GWT_TMP/body"))"
	mon_expect '.flow_table_full > 0' "flow_table_full > 0 (375 dropping flows, 64 entries)"
	# Only a drop looks for a flow entry: the 125 living flows take none
	# (before, their datagrams made most of flow_table_full).
	mon_expect '.flow_table_full <= .packets.dropped' \
		"flow_table_full <= packets.dropped (living packets are counted in the aggregate only)"
	mon_expect ".packets.forwarded + .packets.dropped == $FLOOD_SENT" \
		"packets.forwarded + packets.dropped == $FLOOD_SENT (each datagram at the gateway)"
	mon_expect '.packets.forwarded > 0 and .packets.dropped > .packets.forwarded' \
		"both forwarded (125 flows) and dropped (375 flows) datagrams"
	mon_expect '.packets.sent == 0' "packets.sent == 0 (the gateway makes none of them)"
	mon_expect '.packets.delivered == 0' "packets.delivered == 0"
	mon_expect '.lost_events == 0' "lost_events == 0 (a full flow table loses no total)"
}


# Root's ping (raw socket): the kernel frees each echo reply's original
# with NO_SOCKET after the raw socket got a clone. Received, not dropped.
test_monitor_raw_ping_replies_not_drops() {
	topo_standard
	topo_check_reach 10.2.0.2
	gw_start monitor --host 10.2.0.2
	fast_ping "$NS_C" 10.2.0.2 30
	((PING_RECEIVED == PING_SENT)) || fail "healthy path: $PING_RECEIVED of $PING_SENT replies"
	gw_stop
	mon_expect ".packets.delivered == 2 * $PING_SENT" "packets.delivered == $((2 * PING_SENT))"
	mon_expect '.packets.dropped == 0 and .drop_log_lines == 0' \
		"no drop: the echo replies' NO_SOCKET frees are not losses"
}

# xfrm_counter NS NAME: that /proc/net/xfrm_stat counter of NS.
xfrm_counter() {
	# shellcheck disable=SC2016 # awk's own $1, $2
	ip netns exec "$1" awk -v n="$2" '$1 == n { print $2 }' /proc/net/xfrm_stat
}

# The kernel's IPsec counters of the monitored namespace, also where no
# xfrm probe attaches (this kernel): a forward policy with action block
# makes the gateway's policy check count XfrmInPolBlock per packet.
test_monitor_xfrm_stat_metrics() {
	local before after name=XfrmInPolBlock
	[[ -r /proc/net/xfrm_stat ]] || skip "kernel without CONFIG_XFRM_STATISTICS"
	topo_standard
	topo_check_reach 10.2.0.2
	ip -n "$NS_GW" xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir fwd action block ||
		skip "cannot add an xfrm policy (kernel without CONFIG_XFRM_USER?)"
	ping_dgram "$NS_C"
	gw_start monitor --netns "$NS_GW" --listen 127.0.0.1:0
	mon_port
	before=$(xfrm_counter "$NS_GW" "$name")
	fast_ping "$NS_C" 10.2.0.2 25
	after=$(xfrm_counter "$NS_GW" "$name")
	((after - before == PING_SENT)) ||
		fail "test premise: $name moved by $((after - before)), not $PING_SENT: $(ip netns exec "$NS_GW" grep -v ' 0$' /proc/net/xfrm_stat)"
	sleep 1.5	# one harvest
	http_get /metrics
	grep -qx "gwtrace_xfrm_stat_total{counter=\"$name\"} $after" "$GWT_TMP/body" ||
		fail "want gwtrace_xfrm_stat_total{counter=\"$name\"} $after; got: $(grep xfrm_stat_total "$GWT_TMP/body" | grep -v ' 0$')"
	grep -q '^gwtrace_xfrm_stat_total{counter="XfrmInNoStates"} 0$' "$GWT_TMP/body" ||
		fail "counters that never moved should be series at 0 (XfrmInNoStates)"
	gw_stop
	mon_expect ".packets.dropped == $PING_SENT" "packets.dropped == $PING_SENT (XFRM_POLICY drops at the gateway)"
}

gwt_main "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# gwtrace demo: a small Linux gateway in network namespaces with three
# broken flows, traced by gwtrace.
#
#   client 10.1.0.2 --- gateway 10.1.0.1 | 172.16.9.2 --- upstream 172.16.9.1 --- server 10.2.0.2
#                       (NAT, firewall, IPsec policy)      (the "internet")        branch 10.3.0.2
#
#   1) firewall drop: client pings server 10.2.0.2, nft drops it in FORWARD
#   2) NAT before IPsec: the gateway masquerades traffic to the branch office
#      10.3.0.0/24, and the NATed packet then matches an IPsec policy that
#      has no SA: dropped after POSTROUTING
#   3) leak via the default route: traffic for the partner network
#      10.4.0.0/24 should go through a VPN, but the gateway has no policy or
#      route for it, so it leaves unencrypted through the default route (and
#      the upstream router, which has no route for it either, answers with
#      "network unreachable")
#
# gwtrace watches the gateway namespace (--netns), as an operator would run
# it on the gateway itself, with --all so the leaked packets show up too.
#
# Usage: scripts/demo.sh [GWTRACE]     (root; default GWTRACE: ./gwtrace)
# Everything it creates (namespaces gwdemo-<pid>-*, temp files, gwtrace) is
# removed on exit, also on failure or Ctrl-C. Traffic stays inside the
# namespaces (private and TEST-NET addresses only).
set -euo pipefail

GWTRACE=${1:-./gwtrace}
ID="gwdemo-$$"
NS_C=$ID-client
NS_GW=$ID-gateway
NS_UP=$ID-upstream
NS_SRV=$ID-servers
NETNS=()
TMP=""
GW_PID=""

say() { printf '%s\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

cleanup() {
	local rc=$? ns pid i
	trap - EXIT INT TERM
	set +e
	if [[ -n $GW_PID ]]; then
		kill -INT "$GW_PID" 2>/dev/null
		for ((i = 0; i < 30; i++)); do
			kill -0 "$GW_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$GW_PID" 2>/dev/null
		wait "$GW_PID" 2>/dev/null
	fi
	for ns in "${NETNS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	[[ -z $TMP ]] || rm -rf "$TMP"
	exit "$rc"
}

ns_add() {
	NETNS+=("$1")
	ip netns add "$1"
	ip -n "$1" link set lo up
	ns_sysctl "$1" net/ipv6/conf/all/disable_ipv6 1
	ns_sysctl "$1" net/ipv6/conf/default/disable_ipv6 1
}

ns_sysctl() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$1" bash -c 'printf "%s\n" "$2" >"/proc/sys/$1"' _ "$2" "$3"
}

# veth NS_A IF_A ADDR_A NS_B IF_B ADDR_B
veth() {
	ip -n "$1" link add "$2" type veth peer name "$5" netns "$4"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

build_gateway() {
	local ns
	for ns in "$NS_C" "$NS_GW" "$NS_UP" "$NS_SRV"; do
		ns_add "$ns"
	done
	veth "$NS_C" veth-lan-c 10.1.0.2/24 "$NS_GW" veth-lan 10.1.0.1/24
	veth "$NS_GW" veth-wan 172.16.9.2/24 "$NS_UP" veth-up-gw 172.16.9.1/24
	veth "$NS_UP" veth-up-srv 10.2.0.1/24 "$NS_SRV" veth-srv 10.2.0.2/24
	ip -n "$NS_UP" addr add 10.3.0.1/24 dev veth-up-srv
	ip -n "$NS_SRV" addr add 10.3.0.2/24 dev veth-srv
	ns_sysctl "$NS_GW" net/ipv4/ip_forward 1
	ns_sysctl "$NS_UP" net/ipv4/ip_forward 1
	ip -n "$NS_C" route add default via 10.1.0.1
	ip -n "$NS_GW" route add default via 172.16.9.1 dev veth-wan
	ip -n "$NS_UP" route add 10.1.0.0/24 via 172.16.9.2
	ip -n "$NS_SRV" route add default via 10.2.0.1
	# Healthy before we break it.
	ip netns exec "$NS_C" ping -n -q -c 1 -W 2 10.2.0.2 >/dev/null ||
		die "the demo gateway does not forward (client cannot ping 10.2.0.2)"
}

break_gateway() {
	# 1) the firewall: a forward rule dropping pings to the server.
	# 2) masquerade everything leaving on the WAN side...
	ip netns exec "$NS_GW" nft -f - <<-'EOF'
		table inet demo_filter {
			chain forward {
				type filter hook forward priority filter; policy accept;
				ip daddr 10.2.0.2 icmp type echo-request drop
			}
		}
		table ip demo_nat {
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "veth-wan" masquerade
			}
		}
	EOF
	# 2) ...while the branch-office tunnel policy was written for the
	# gateway's public address, and the tunnel (its SA) is not up.
	ip -n "$NS_GW" xfrm policy add src 172.16.9.2/32 dst 10.3.0.0/24 dir out \
		tmpl src 172.16.9.2 dst 172.16.9.1 proto esp mode tunnel ||
		die "cannot add an IPsec policy (kernel without CONFIG_XFRM_USER?)"
	# 3) nothing for the partner network 10.4.0.0/24: default route it is.
}

ping_from_client() {
	ip netns exec "$NS_C" ping -n -q -c "$2" -i 0.3 -W 1 "$1" >/dev/null 2>&1 || true
}

udp_from_client() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$NS_C" bash -c 'for i in 1 2; do
		printf "demo %s\n" "$i" >"/dev/udp/$1/$2" 2>/dev/null; sleep 0.2; done; true' _ "$1" "$2" || true
}

start_gwtrace() {
	local ready=$TMP/ready i
	env --default-signal=INT "$GWTRACE" --netns "$NS_GW" --host 10.1.0.2 --all --ready-file "$ready" \
		>"$TMP/gwtrace.out" 2>"$TMP/gwtrace.err" </dev/null &
	GW_PID=$!
	for ((i = 0; i < 200; i++)); do
		[[ -e $ready ]] && return 0
		if ! kill -0 "$GW_PID" 2>/dev/null; then
			GW_PID=""
			cat "$TMP/gwtrace.err" >&2
			die "gwtrace exited before attaching its probes"
		fi
		sleep 0.1
	done
	cat "$TMP/gwtrace.err" >&2
	die "gwtrace did not attach its probes within 20 s"
}

stop_gwtrace() {
	local i rc=0
	sleep 1	# let the last events arrive
	kill -INT "$GW_PID"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$GW_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$GW_PID" 2>/dev/null; then
		kill -KILL "$GW_PID" 2>/dev/null || true
		wait "$GW_PID" 2>/dev/null || true
		GW_PID=""
		die "gwtrace did not stop within 10 s of Ctrl-C"
	fi
	wait "$GW_PID" || rc=$?
	GW_PID=""
	return "$rc"
}

main() {
	[[ $GWTRACE == */* ]] || GWTRACE=$(command -v "$GWTRACE" || printf '%s' "$GWTRACE")
	[[ -x $GWTRACE ]] || die "gwtrace not found at $GWTRACE (build it: make)"
	[[ $EUID -eq 0 ]] || die "the demo needs root (namespaces, nft, BPF): sudo $0 $*"
	local c
	for c in ip nft ping; do
		command -v "$c" >/dev/null || die "'$c' is missing (make deps)"
	done

	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/$ID.XXXXXX")

	say "== Building a gateway in namespaces $ID-*"
	say "   client 10.1.0.2 -- gateway 10.1.0.1 | 172.16.9.2 -- upstream router 172.16.9.1 -- servers 10.2.0.2, 10.3.0.2"
	build_gateway
	break_gateway
	say "== Starting: gwtrace --netns $NS_GW --host 10.1.0.2 --all"
	start_gwtrace

	say "1) firewall drop: client pings server 10.2.0.2, nft drops it in FORWARD"
	ping_from_client 10.2.0.2 2
	say "2) NAT before IPsec: client pings branch 10.3.0.2, MASQUERADE makes it match a tunnel policy with no SA"
	ping_from_client 10.3.0.2 2
	say "3) leak via default route: client sends syslog (UDP 514) and pings to partner 10.4.0.2, which has no VPN policy"
	udp_from_client 10.4.0.2 514
	ping_from_client 10.4.0.2 1

	local rc=0
	stop_gwtrace || rc=$?
	say ""
	say "== gwtrace output"
	cat "$TMP/gwtrace.out"
	if [[ -s $TMP/gwtrace.err ]]; then
		say "== gwtrace messages (stderr)"
		cat "$TMP/gwtrace.err"
	fi
	((rc == 0)) || die "gwtrace exited with status $rc"
	[[ -s $TMP/gwtrace.out ]] || die "gwtrace printed nothing"
	say ""
	say "== What to look for"
	say "1) icmp 10.1.0.2 -> 10.2.0.2: NETFILTER_DROP at nft_do_chain, in the gateway's FORWARD hook"
	say "2) icmp 10.1.0.2 -> 10.3.0.2: SNAT to 172.16.9.2 in POSTROUTING, then dropped there: the NATed"
	say "   packet matched the IPsec policy, whose SA does not exist (XfrmOutNoStates in /proc/net/xfrm_stat)"
	say "3) udp/icmp 10.1.0.2 -> 10.4.0.2: FORWARDED through the gateway's DEFAULT ROUTE (via 172.16.9.1,"
	say "   veth-wan), NATed and unencrypted: a leak; the ICMP 'net unreachable' is the upstream's answer"
	say ""
	say "== Done; removing the namespaces."
}

main "$@"

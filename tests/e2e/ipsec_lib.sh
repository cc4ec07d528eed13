# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash disable=SC2034 # constants for the test files that source it
#
# The IPsec lab of tests/e2e/test_ipsec*.sh: two gateways joined by an ESP
# tunnel (tunnel mode, static keys), and checks on gwtrace's JSON.
# Needs a kernel with ESP: this machine's has none, so the suites run in
# the VM lab under qemu -- Debian 12's 6.1 with the fentry and kprobe
# strategies, its 6.12 with the tracepoint strategy (netfilter links):
# tests/run.sh -k test_vm.
#
#  LAN-A host        gateway A                          gateway B          LAN-B host
#  10.1.0.2 ---- 10.1.0.1 | 192.0.2.1 ==== ESP ==== 192.0.2.2 | 10.2.0.1 ---- 10.2.0.2
#  eth-la        lan-a      wan-a                      wan-b     lan-b        eth-lb
#                           up-a 198.51.100.2     198.51.100.6 up-b
#                                  \                    /
#                           inet-a 198.51.100.1  198.51.100.5 inet-b
#                                       "internet" router
#
# Each gateway's default route points at the internet router, which knows
# no 10.0.0.0/8 route: a packet that escapes the tunnel through a default
# route dies there, in plain text, where gwtrace sees it.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NS_LA="$GWT_ID-la"	# LAN-A host
NS_GA="$GWT_ID-ga"	# gateway A
NS_GB="$GWT_ID-gb"	# gateway B
NS_LB="$GWT_ID-lb"	# LAN-B host
NS_INET="$GWT_ID-inet"	# the internet router behind both default routes

# Static SAs. SPIs use all 8 hex digits, so that they read the same in
# packet lines ("0x%x") and in xfrm event lines ("0x%08x").
SPI_AB=0xc0de1001	# A -> B, reqid 1
SPI_BA=0xc0de2002	# B -> A, reqid 2
KEY_AB=0x0123456789abcdef0123456789abcdef01234567
KEY_BA=0x89abcdef0123456789abcdef0123456789abcdef
KEY_BAD=0x1111111111111111111111111111111111111111
AEAD='rfc4106(gcm(aes))'

# ----------------------------------------------------------------------------
# Set-up

# Skip unless the kernel can hold an ESP SA: this machine's kernel cannot
# (no CONFIG_INET_ESP); Debian's 6.1 in the VM lab can.
require_esp() {
	local ns=$GWT_ID-espcheck why="" err
	require_cmd nft
	if [[ ! -r /proc/net/xfrm_stat ]]; then
		why="no /proc/net/xfrm_stat"
	else
		GWT_NETNS+=("$ns")
		ip netns add "$ns"
		err=$(ip -n "$ns" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp \
			spi 0x1 reqid 1 mode tunnel aead "$AEAD" "$KEY_AB" 128 2>&1) ||
			why="ip xfrm state add: ${err:-failed}"
		ip netns del "$ns"
	fi
	[[ -z $why ]] ||
		skip "kernel has no ESP (runs in the VM lab: tests/run.sh -k test_vm): $why"
}

# lib.sh's require_drop_reason, reading the name from the BTF string table
# with one grep: bpftool's raw dump of the whole BTF takes ~6 s in the VM lab.
ipsec_require_drop_reason() {
	local rc=0
	[[ -r /sys/kernel/btf/vmlinux ]] || return 0
	grep -qaP "\\x00SKB_DROP_REASON_$1\\x00" /sys/kernel/btf/vmlinux || rc=$?
	case $rc in
	0) ;;
	1) skip "kernel has no drop reason SKB_DROP_REASON_$1" ;;
	*) require_drop_reason "$1" ;;	# a grep without -P
	esac
}

# ipsec_ns_add NS...: lib.sh's ns_add for several namespaces at once, with
# the same names, labels (GWT_NS_LABELS) and clean-up (GWT_NETNS), in three
# process starts instead of eight per namespace: each one costs 0.1-0.25 s
# in the VM lab, where this suite runs. ipsec_topo sets ns_add's sysctls
# (one process per namespace) and brings loopback up.
ipsec_ns_add() {
	local i inodes=() add=""
	GWT_NETNS+=("$@")
	printf 'netns add %s\n' "$@" | ip -batch -
	mapfile -t inodes < <(stat -L -c %i "${@/#//run/netns/}")
	for ((i = 1; i <= $#; i++)); do
		add+="${add:+,}\"${inodes[i - 1]}\":\"${!i#"$GWT_ID"-}\""
	done
	GWT_NS_LABELS=$(jq -c --argjson add "{$add}" '. + $add' <<<"$GWT_NS_LABELS")
}

# ipsec_sysctl NS KEY=VALUE...: KEYs as paths under /proc/sys, one process.
ipsec_sysctl() {
	local ns=$1; shift
	# shellcheck disable=SC2016 # expanded by the inner shell
	ip netns exec "$ns" sh -c 'for kv do printf "%s\n" "${kv#*=}" >"/proc/sys/${kv%%=*}" || exit; done' _ "$@"
}

# What lib.sh's ns_add sets in every namespace: no IPv6 chatter (router
# solicitations, DAD) in the traces, no reverse-path filter.
IPSEC_NS_SYSCTLS=(net/ipv6/conf/all/disable_ipv6=1 net/ipv6/conf/default/disable_ipv6=1
	net/ipv4/conf/all/rp_filter=0 net/ipv4/conf/default/rp_filter=0)

# The five namespaces, links, addresses and routes of the picture above.
# One `ip -batch` per namespace (lib.sh's veth_pair would take 25 process
# starts); the gateways' batches come from ipsec_tunnel.
ipsec_topo() {
	local ns
	require_esp
	ipsec_ns_add "$NS_LA" "$NS_GA" "$NS_GB" "$NS_LB" "$NS_INET"
	# LAN-A pings through an ICMP socket, as unprivileged ping does on a
	# systemd distribution (ping_group_range "0 2147483647"): with a raw
	# socket, 6.1 frees every echo reply with NO_SOCKET in ping_rcv (the
	# raw socket got a clone) and the healthy reply would read "dropped".
	ipsec_sysctl "$NS_LA" "${IPSEC_NS_SYSCTLS[@]}" "net/ipv4/ping_group_range=0 2147483647"
	for ns in "$NS_GA" "$NS_GB" "$NS_INET"; do
		ipsec_sysctl "$ns" "${IPSEC_NS_SYSCTLS[@]}" net/ipv4/ip_forward=1
	done
	ipsec_sysctl "$NS_LB" "${IPSEC_NS_SYSCTLS[@]}"
	ip -batch - <<-EOF
		link add eth-la netns $NS_LA type veth peer name lan-a netns $NS_GA
		link add wan-a netns $NS_GA type veth peer name wan-b netns $NS_GB
		link add up-a netns $NS_GA type veth peer name inet-a netns $NS_INET
		link add up-b netns $NS_GB type veth peer name inet-b netns $NS_INET
		link add lan-b netns $NS_GB type veth peer name eth-lb netns $NS_LB
	EOF
	ip -n "$NS_LA" -batch - <<-EOF
		link set lo up
		addr add 10.1.0.2/24 dev eth-la
		link set eth-la up
		route add default via 10.1.0.1
	EOF
	ip -n "$NS_LB" -batch - <<-EOF
		link set lo up
		addr add 10.2.0.2/24 dev eth-lb
		link set eth-lb up
		route add default via 10.2.0.1
	EOF
	ip -n "$NS_INET" -batch - <<-EOF
		link set lo up
		addr add 198.51.100.1/30 dev inet-a
		addr add 198.51.100.5/30 dev inet-b
		link set inet-a up
		link set inet-b up
	EOF
}

# The gateways' interfaces and default routes (batch lines, prepended to
# their IPsec configuration).
ipsec_gw_links() {
	local me=$1 lan=$2 wan=$3 up=$4 gw=$5
	cat <<-EOF
		link set lo up
		addr add $lan dev lan-$me
		addr add $wan dev wan-$me
		addr add $up dev up-$me
		link set lan-$me up
		link set wan-$me up
		link set up-$me up
		route add default via $gw dev up-$me
	EOF
}

# ipsec_sa SRC DST SPI REQID KEY [MORE]: an `ip xfrm state add` batch line.
ipsec_sa() {
	printf 'xfrm state add src %s dst %s proto esp spi %s reqid %s mode tunnel aead %s %s 128%s\n' \
		"$1" "$2" "$3" "$4" "$AEAD" "$5" "${6:+ $6}"
}

# ipsec_pol DIR SRC_NET DST_NET TUN_SRC TUN_DST REQID [MORE]: a policy line.
ipsec_pol() {
	printf 'xfrm policy add src %s dst %s dir %s%s tmpl src %s dst %s proto esp reqid %s mode tunnel\n' \
		"$2" "$3" "$1" "${7:+ $7}" "$4" "$5" "$6"
}

# The policies of gateway A (LAN 10.1.0.0/24, tunnel end 192.0.2.1) or B:
# out with the gateway's own reqid, in and fwd with the peer's.
ipsec_policies() {
	local gw=$1 more=${2:-}
	if [[ $gw == a ]]; then
		ipsec_pol out 10.1.0.0/24 10.2.0.0/24 192.0.2.1 192.0.2.2 1 "$more"
		ipsec_pol in 10.2.0.0/24 10.1.0.0/24 192.0.2.2 192.0.2.1 2 "$more"
		ipsec_pol fwd 10.2.0.0/24 10.1.0.0/24 192.0.2.2 192.0.2.1 2 "$more"
	else
		ipsec_pol out 10.2.0.0/24 10.1.0.0/24 192.0.2.2 192.0.2.1 2 "$more"
		ipsec_pol in 10.1.0.0/24 10.2.0.0/24 192.0.2.1 192.0.2.2 1 "$more"
		ipsec_pol fwd 10.1.0.0/24 10.2.0.0/24 192.0.2.1 192.0.2.2 1 "$more"
	fi
}

# ipsec_tunnel: topology + a healthy policy-based tunnel between A and B:
# routes to the peer's LAN over the WAN link, both SAs on both gateways,
# out/in/fwd policies. Options change one thing:
#   --a-no-out-sa     A has its policies but no A->B SA (IKE never finished)
#   --a-no-lan-route  A reaches 10.2.0.0/24 through its default route (the
#                     out policy still catches the traffic)
#   --b-no-in-sa      B lacks the A->B SA
#   --b-in-key KEY    B's copy of the A->B SA has another key
#   --b-xfrmi         B is route-based: xfrm interface ipsec-b (if_id 0x42),
#                     SAs and policies with that if_id, 10.1.0.0/24 routed
#                     into ipsec-b
ipsec_tunnel() {
	local a_out_sa=1 a_route=1 b_in_sa=1 b_key=$KEY_AB ifid=""
	while (($#)); do
		case $1 in
		--a-no-out-sa) a_out_sa=0 ;;
		--a-no-lan-route) a_route=0 ;;
		--b-no-in-sa) b_in_sa=0 ;;
		--b-in-key) b_key=$2; shift ;;
		--b-xfrmi) ifid="if_id 0x42" ;;
		*) fail "ipsec_tunnel: unknown option $1 (test bug)" ;;
		esac
		shift
	done
	ipsec_topo
	{
		ipsec_gw_links a 10.1.0.1/24 192.0.2.1/24 198.51.100.2/30 198.51.100.1
		((!a_route)) || echo "route add 10.2.0.0/24 via 192.0.2.2 dev wan-a"
		((!a_out_sa)) || ipsec_sa 192.0.2.1 192.0.2.2 "$SPI_AB" 1 "$KEY_AB"
		ipsec_sa 192.0.2.2 192.0.2.1 "$SPI_BA" 2 "$KEY_BA"
		ipsec_policies a
	} | ip -n "$NS_GA" -batch -
	{
		ipsec_gw_links b 10.2.0.1/24 192.0.2.2/24 198.51.100.6/30 198.51.100.5
		if [[ -n $ifid ]]; then
			echo "link add ipsec-b type xfrm dev wan-b $ifid"
			echo "link set ipsec-b up"
			echo "route add 10.1.0.0/24 dev ipsec-b"
		else
			echo "route add 10.1.0.0/24 via 192.0.2.1 dev wan-b"
		fi
		((!b_in_sa)) || ipsec_sa 192.0.2.1 192.0.2.2 "$SPI_AB" 1 "$b_key" "$ifid"
		ipsec_sa 192.0.2.2 192.0.2.1 "$SPI_BA" 2 "$KEY_BA" "$ifid"
		ipsec_policies b "$ifid"
	} | ip -n "$NS_GB" -batch -
}

# ----------------------------------------------------------------------------
# Checks on gwtrace's JSON

# What the strategy sees of IPsec. fentry/kprobe have the xfrm probes:
# xfrm_out / xfrm_in steps with the SA's SPI and an error, and the xfrm
# counter a failure bumped. The tracepoint strategy has none (no kernel has
# xfrm tracepoints): it sees IPsec only on netfilter steps -- the xfrm dst
# of a packet routed into an SA (flag xfrm_dst) and the secpath of a
# decrypted one (flag secpath), each with that SA's SPI (xfrm_spi) -- and a
# failure inside xfrm_input not at all (the kernel frees the packet with no
# drop reason). ipsec_view sets IPSEC_VIEW to "xfrm" or "netfilter": from
# the forced strategy (GWT_MODE), else from whether gwtrace's summary has
# xfrm:input attached.
IPSEC_VIEW=""
ipsec_view() {
	case ${GWT_MODE:-} in
	tracepoint) IPSEC_VIEW=netfilter ;;
	fentry | kprobe) IPSEC_VIEW=xfrm ;;
	*)
		IPSEC_VIEW=netfilter
		! jq -e -s 'any(.[] | select(.type == "summary") | .probes[];
			.name == "xfrm:input" and .attached)' "$GW_OUT" >/dev/null ||
			IPSEC_VIEW=xfrm
		;;
	esac
}

# ipsec_unseen TEXT: say in the suite's output what this test does not
# check because the strategy cannot see it.
ipsec_unseen() {
	note "${GWT_MODE:-this} strategy cannot see: $*"
}

# A netfilter step flagged FLAG (xfrm_dst, secpath) with the SA's SPI.
ipsec__nf_flag() {
	printf '(.kind == "nf_enter" or .kind == "nf_exit") and ((.flags // []) | index("%s")) and .xfrm_spi == "%s"' "$1" "$2"
}

# want_sa_out NS SPI NAME: the packet was encrypted in NS with the SA SPI
# (NAME: "A->B"): an xfrm_out step without error, or (tracepoint) a
# netfilter step routed into that SA.
want_sa_out() {
	[[ -n $IPSEC_VIEW ]] || ipsec_view
	if [[ $IPSEC_VIEW == xfrm ]]; then
		want_step "$1" ".kind == \"xfrm_out\" and .spi == \"$2\" and .err == 0" \
			"xfrm_out with the $3 SPI"
	else
		want_step "$1" "$(ipsec__nf_flag xfrm_dst "$2")" \
			"a netfilter step routed into the $3 SA (flag xfrm_dst, xfrm_spi $2)"
	fi
}

# want_sa_in NS SPI NAME: decrypted in NS by the SA SPI: an xfrm_in step
# without error, or (tracepoint) a netfilter step with its secpath.
want_sa_in() {
	[[ -n $IPSEC_VIEW ]] || ipsec_view
	if [[ $IPSEC_VIEW == xfrm ]]; then
		want_step "$1" ".kind == \"xfrm_in\" and .spi == \"$2\" and .err == 0" \
			"xfrm_in with the $3 SPI"
	else
		want_step "$1" "$(ipsec__nf_flag secpath "$2")" \
			"a netfilter step with the $3 SA's secpath (flag secpath, xfrm_spi $2)"
	fi
}

# jq: the ICMP echo request LAN-A -> LAN-B / the reply.
REQ='.flow.src == "10.1.0.2" and .flow.dst == "10.2.0.2" and .flow.proto == "icmp" and .flow.icmp_type == 8'
REP='.flow.src == "10.2.0.2" and .flow.dst == "10.1.0.2" and .flow.proto == "icmp" and .flow.icmp_type == 0'

# Checks queued with want*, then run by expect_wanted in ONE jq process with
# lib.sh's expect semantics: in order, on the picked packets, each check
# narrowing them when it holds; a failed check is reported as expect does
# (gwt__check_failed: the test goes on and fails at its end) and leaves the
# set as it was. A lib.sh expect costs two process starts (~0.4 s in the
# VM lab) and a test here makes 10-20 checks.
WANT_C=() WANT_D=() WANT_S=()

# want JQ_COND DESC [JQ_SHOW]: as lib.sh's expect.
want() {
	WANT_C+=("$1") WANT_D+=("$2") WANT_S+=("${3:-.}")
}
want_eq() { want "$1 == \"$2\"" "$1 == \"$2\"" "$1"; }
want_verdict() {
	want "(.verdicts // []) | index(\"$1\") != null" "verdicts containing \"$1\"" .verdicts
}
want_no_verdict() {
	want "(.verdicts // []) | index(\"$1\") == null" "verdicts without \"$1\"" .verdicts
}

# want_step NS JQ_COND DESC: a step in namespace NS satisfies JQ_COND.
want_step() {
	want "any(.steps[]; .netns == $(ns_inode "$1") and ($2))" \
		"$3 (a step in ${1#"$GWT_ID"-})" \
		'[.steps[] | [.kind, .dev // "-", (.hook // .spi // .reason // empty)] | join(":")]'
}

expect_wanted() {
	local i n=${#WANT_C[@]} prog tag idx rest out=$GWT_PICKED.wanted
	[[ -n $GWT_PICKED ]] || fail "expect_wanted before pick_packets (test bug)"
	prog='{set: ., f: []}'
	for ((i = 0; i < n; i++)); do
		prog+=" | .set as \$s | (\$s | map(select(${WANT_C[i]}))) as \$m
			| if (\$m | length) > 0 then .set = \$m
			  else .f += [[$i, [\$s[] | (${WANT_S[i]}) | tojson]]] end"
	done
	# Failures as "F <i> <distinct values, most frequent first>", then the
	# packets left, as "P <json>".
	prog+=' | (.f[] | "F\t\(.[0])\t" + (.[1] | group_by(.) | map([length, .[0]])
			| sort_by(-.[0]) | map("\(.[1]) (x\(.[0]))") | join(", "))),
		(.set[] | "P\t" + tojson)'
	jq -r -s "$prog" "$GWT_PICKED" >"$out" ||
		fail "expect_wanted: jq error in one of: ${WANT_C[*]} (test bug?)"
	while IFS=$'\t' read -r tag idx rest; do
		case $tag in
		F) gwt__check_failed "$GWT_PICK_DESC: expected ${WANT_D[idx]}; got ${WANT_S[idx]} = ${rest:0:1500}" ;;
		P) printf '%s\n' "$idx" ;;
		esac
	done <"$out" >"$GWT_PICKED"
	WANT_C=() WANT_D=() WANT_S=()
}

# want_default_route NS OIF DESC: the packet was routed out of OIF by a /0
# route in NS: the route step's prefix length where the fib probe has it
# (fentry/kprobe; the tracepoint has none, step prefixlen null), and the
# packet's deciding route, whose prefix gwtrace resolves either way.
want_default_route() {
	want_step "$1" ".kind == \"route\" and .oif == \"$2\" and (.prefixlen == 0 or (.prefixlen == null and .strategy == \"tracepoint\"))" "$3"
	want ".route.prefixlen == 0 and .route.dev == \"$2\"" "the packet's deciding route /0 out of $2" .route
}

# The xfrm_event lines (netlink events, printed as they happen).
gw_xfrm_events() {
	jq -c 'select(.type == "xfrm_event")' "$GW_OUT"
}

# want_xfrm_event NS JQ_COND DESC: some xfrm_event line of namespace NS
# satisfies JQ_COND (checked at once, reported like a failed expect).
want_xfrm_event() {
	local cond desc=$3 got
	cond=".netns == $(ns_inode "$1") and ($2)"
	if ! gw_xfrm_events | jq -e -s "any(.[]; $cond)" >/dev/null; then
		got=$(gw_xfrm_events | jq -c '{event, netns, hard, sa: (.sa | {spi, src, dst}?), flow}' |
			head -n 5) || true
		gwt__check_failed "expected an xfrm_event line in ${1#"$GWT_ID"-} with $desc (jq: $cond); got: ${got:-no xfrm_event line at all}"
	fi
}


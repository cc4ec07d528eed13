#!/usr/bin/env bash
# Self-test of the VM lab: boots the guest with run.sh and, inside it, checks
# the kernel, lockdown, BTF, the mounts and module auto-loading, then builds a
# real ESP tunnel between two network namespaces and pings through it.
#
# Usage: scripts/vmlab/selftest.sh [run.sh options, e.g. --verbose, --kernel 6.12]
# Exit 0 on success; prints a one-line summary with timings at the end.
#
# Tunnel (tunnel mode, static keys, both directions differ on purpose):
#   ns a: va 192.0.2.1/24, lan0 (dummy) 10.10.1.1/24
#   ns b: vb 192.0.2.2/24, lan0 (dummy) 10.10.2.1/24
#   a->b  SPI 0x1000 reqid 1  aead rfc4106(gcm(aes)) 160-bit key, ICV 128
#   b->a  SPI 0x2000 reqid 2  enc cbc(aes) + auth-trunc hmac(sha256) 128
#   policies out/in/fwd for 10.10.1.0/24 <-> 10.10.2.0/24
# The same script runs in the guest (VMLAB=1 selects that part).
set -euo pipefail

PINGS=3

# ------------------------------------------------------------------ guest part
guest() {
	local fails=0 t0 up _
	read -r t0 _ </proc/uptime
	ok() { printf 'ok   %s\n' "$*"; }
	bad() { printf 'FAIL %s\n' "$*"; fails=$((fails + 1)); }

	local osrel
	read -r osrel </proc/sys/kernel/osrelease
	if [[ $osrel == "${VMLAB_KVER:-}" ]]; then ok "kernel $osrel"; else bad "kernel $osrel is not the lab's ${VMLAB_KVER:-?}"; fi
	if [[ -r /sys/kernel/security/lockdown ]]; then
		local ld
		read -r ld </sys/kernel/security/lockdown
		ok "lockdown: $ld"
	else
		ok "lockdown: (no /sys/kernel/security/lockdown)"
	fi
	if [[ -e /sys/kernel/btf/vmlinux ]]; then ok "BTF /sys/kernel/btf/vmlinux present"; else bad "no /sys/kernel/btf/vmlinux"; fi

	# What the host kernel refuses: kprobes and ftrace-able xfrm functions.
	if [[ -e /sys/kernel/tracing/kprobe_events ]] &&
		grep -qxm1 -e xfrm_output /sys/kernel/tracing/available_filter_functions; then
		ok "kprobe_events present, xfrm_output is traceable"
	else
		bad "no kprobe_events or xfrm_output not in available_filter_functions"
	fi

	# Mounts.
	local -A fs=()
	local mnt type opts
	while read -r _ mnt type opts _; do fs[$mnt]="$type $opts"; done </proc/mounts
	local want
	for want in /:9p /run:tmpfs /tmp:tmpfs /var/tmp:tmpfs /var/log:tmpfs /root:tmpfs /proc:proc /sys:sysfs \
		/dev:devtmpfs /sys/fs/bpf:bpf /sys/kernel/tracing:tracefs /sys/kernel/debug:debugfs \
		/sys/fs/cgroup:cgroup2 "$VMLAB_OUT:9p"; do
		mnt=${want%:*} type=${want##*:}
		[[ ${fs[$mnt]:-} == "$type "* ]] && continue
		# VMLAB_OUT is a subdirectory of the share mount.
		[[ $mnt == "$VMLAB_OUT" && ${fs[${mnt%/*}]:-} == "9p "* ]] && continue
		bad "mount $mnt is '${fs[$mnt]:-missing}', want $type"
	done
	[[ ${fs[/]} == "9p ro,"* ]] || bad "host root is not read-only: ${fs[/]}"
	if (: >/vmlab-rw-probe) 2>/dev/null; then bad "host root is writable"; fi
	echo "written in the guest" >"$VMLAB_OUT/probe.txt" || bad "cannot write to \$VMLAB_OUT"
	ok "mounts (9p root ro, tmpfs, bpf, tracefs, debugfs, cgroup2, \$VMLAB_OUT)"
	[[ ${VMLAB:-} == 1 && $(</proc/sys/kernel/modprobe) == /run/vmlab/bin/modprobe ]] ||
		bad "VMLAB / kernel.modprobe not set up"

	# Network namespaces, veth, dummy LANs, xfrm states and policies.
	local kg=0x0123456789abcdef0123456789abcdef01234567 # aes-128 key + 4-byte salt
	local ke=0x00112233445566778899aabbccddeeff         # aes-128
	local ka=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
	ip -batch - <<-EOF || bad "ip -batch (netns, veth)"
		netns add a
		netns add b
		link add va netns a type veth peer name vb netns b
	EOF
	local ns me peer mylan peerlan
	for ns in a b; do
		if [[ $ns == a ]]; then
			me=192.0.2.1 peer=192.0.2.2 mylan=10.10.1 peerlan=10.10.2
		else
			me=192.0.2.2 peer=192.0.2.1 mylan=10.10.2 peerlan=10.10.1
		fi
		ip -n "$ns" -batch - <<-EOF || bad "ip -n $ns -batch (addresses, xfrm)"
			link set lo up
			link set v$ns up
			addr add $me/24 dev v$ns
			link add lan0 type dummy
			link set lan0 up
			addr add $mylan.1/24 dev lan0
			route add $peerlan.0/24 via $peer src $mylan.1
			xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 reqid 1 mode tunnel aead rfc4106(gcm(aes)) $kg 128
			xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x2000 reqid 2 mode tunnel enc cbc(aes) $ke auth-trunc hmac(sha256) $ka 128
			xfrm policy add src $mylan.0/24 dst $peerlan.0/24 dir out tmpl src $me dst $peer proto esp reqid $([[ $ns == a ]] && echo 1 || echo 2) mode tunnel
			xfrm policy add src $peerlan.0/24 dst $mylan.0/24 dir in tmpl src $peer dst $me proto esp reqid $([[ $ns == a ]] && echo 2 || echo 1) mode tunnel
			xfrm policy add src $peerlan.0/24 dst $mylan.0/24 dir fwd tmpl src $peer dst $me proto esp reqid $([[ $ns == a ]] && echo 2 || echo 1) mode tunnel
		EOF
	done
	# Module auto-loading through /proc/sys/kernel/modprobe (ifb is not pre-loaded).
	ip -n a link add ifb0 type ifb 2>/dev/null || bad "ip link add type ifb (module auto-loading)"
	local setup_done
	read -r setup_done _ </proc/uptime

	local pingout rc=0 line
	pingout=$(ip netns exec a ping -c "$PINGS" -i 0.2 -w 20 10.10.2.1 2>&1) || rc=$?
	while IFS= read -r line; do printf '     | %s\n' "$line"; done <<<"$pingout"
	local received=0
	[[ $pingout =~ ([0-9]+)\ received ]] && received=${BASH_REMATCH[1]}
	if ((rc == 0 && received == PINGS)); then
		ok "ping 10.10.1.1 -> 10.10.2.1 through ESP: $received/$PINGS"
	else
		bad "ping through the tunnel: $received/$PINGS (rc $rc)"
	fi
	local ping_done
	read -r ping_done _ </proc/uptime

	# SA counters: every SA must have carried >= PINGS packets (a: 0x1000
	# encrypts, 0x2000 decrypts; b: the reverse).
	local spi="" next=0 pk
	for ns in a b; do
		local -A pkts=()
		while IFS= read -r line; do
			if [[ $line =~ proto\ esp\ spi\ (0x[0-9a-f]+) ]]; then
				spi=${BASH_REMATCH[1]}
			elif [[ $line == *"lifetime current:"* ]]; then
				next=1
			elif ((next)); then
				next=0
				[[ $line =~ ([0-9]+)\(packets\) ]] && pkts[$spi]=${BASH_REMATCH[1]}
			fi
		done < <(ip -n "$ns" -s xfrm state)
		for spi in 0x00001000 0x00002000; do
			pk=${pkts[$spi]:-0}
			local what=encrypted
			[[ ($ns == a && $spi == 0x00002000) || ($ns == b && $spi == 0x00001000) ]] && what=decrypted
			if ((pk >= PINGS)); then
				ok "ns $ns SA spi $spi: $pk packets $what"
			else
				bad "ns $ns SA spi $spi: $pk packets $what, want >= $PINGS"
			fi
		done
		unset pkts
	done
	local mod autoloaded=0
	while read -r mod _; do [[ $mod == ifb ]] && autoloaded=1; done </proc/modules
	if ((autoloaded)); then ok "module auto-loading (ifb)"; else bad "ifb was not auto-loaded"; fi

	read -r up _ </proc/uptime
	local timing
	printf -v timing 'guest: boot->selftest %.1f s, setup %s s, ping %s s, uptime at end %.1f s' \
		"$t0" "$(bc_sub "$setup_done" "$t0")" "$(bc_sub "$ping_done" "$setup_done")" "$up"
	printf '%s\n' "$timing"
	printf '%s\n' "$timing" >"$VMLAB_OUT/guest-timing.txt"
	((fails == 0))
}

# Subtract two decimal numbers with two fractional digits, without a process.
bc_sub() {
	local a=${1/./} b=${2/./}
	local d=$((10#$a - 10#$b))
	printf '%d.%02d' $((d / 100)) $((d % 100))
}

if [[ ${VMLAB:-} == 1 ]]; then
	guest
	exit
fi

# ------------------------------------------------------------------- host part
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/vmlab-selftest.XXXXXX")
trap 'rm -rf -- "$out"' EXIT
start=$(date +%s.%N)
rc=0
"$HERE/run.sh" --timeout 300 --out "$out" --share "$HERE" "$@" -- "$HERE/selftest.sh" || rc=$?
end=$(date +%s.%N)
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
if ((rc == 0)) && [[ $(cat "$out/probe.txt" 2>/dev/null) != "written in the guest" ]]; then
	echo "FAIL \$VMLAB_OUT/probe.txt was not copied back by --out"
	rc=1
fi
guest_timing=$(cat "$out/guest-timing.txt" 2>/dev/null || echo "guest: no timing")
if ((rc == 0)); then
	printf 'vmlab selftest: PASS in %s s wall (host start -> VM exit); %s\n' "$wall" "$guest_timing"
else
	printf 'vmlab selftest: FAIL (exit %s) after %s s wall; %s\n' "$rc" "$wall" "$guest_timing"
fi
exit "$rc"

#!/usr/bin/env bash
# Run a command as root inside a throw-away qemu (TCG) VM booting a Debian 12
# kernel package (the distro kernel linux-image-6.1.0-N-amd64, or the newer
# linux-image-6.12.N+deb12-amd64: --kernel), with the host's root filesystem
# mounted read-only over virtio-9p.
#
# Usage: scripts/vmlab/run.sh [OPTIONS] -- CMD [ARGS...]
#
# Options:
#   --kernel K        lab kernel: 6.1 (default) or 6.12 (scripts/vmlab/kernels.sh;
#                     also GWTRACE_VMLAB_KERNEL); prepared on first use
#   --mem MB          guest RAM (default 512)
#   --timeout SEC     kill the VM after SEC seconds, exit 124 (default 600)
#   --out DIR         copy the files CMD wrote to $VMLAB_OUT into host DIR
#                     (created if needed; copied even when CMD fails)
#   --env NAME[=VAL]  pass an environment variable to CMD (repeatable);
#                     NAME alone takes the host's value
#   --share PATH      also make host PATH visible in the guest when it lies
#                     under a guest tmpfs (/tmp /var/tmp /var/log /root /run);
#                     the cwd is handled automatically (repeatable)
#   --modules "M..."  extra modules to pre-load (space separated)
#   --smp N           guest CPUs (default 1; TCG, the host has 2 cores)
#   --root-cache MODE 9p cache mode of the read-only host root: loose
#                     (default; ~2x faster process starts, but host files that
#                     change while the VM runs may look stale in the guest)
#                     or none (always current, slower)
#   --append "ARGS"   extra kernel command-line arguments
#   --verbose, -v     stream the guest console (kernel + init log) to stderr
#
# CMD is exec'd (argv as given, no shell re-parsing; use `sh -c '...'` for
# shell syntax) as root in the guest, in the host's current directory (same
# path), with a fresh environment: PATH HOME=/root LANG=C.UTF-8 TERM=dumb
# VMLAB=1 VMLAB_OUT=<writable dir> VMLAB_KVER=<guest kernel> VMLAB_KPKG=<its
# package> VMLAB_KDEBVER=<the package's version> plus --env ones.
# stdin is /dev/null. Its stdout/stderr are streamed to this script's
# stdout/stderr (each in order; the two are not interleaved exactly).
#
# Exit status: CMD's exit status; 124 on timeout; 125 when the lab itself
# failed (prepare, qemu, guest setup, kernel panic) with a "vmlab:" message
# and the tail of the guest console on stderr; 2 on bad usage.
#
# Environment: GWTRACE_VMLAB_KERNEL, GWTRACE_VMLAB_CACHE, GWTRACE_VMLAB_KVER
# (see prepare.sh).
set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/vmlab/kernels.sh
. "$HERE/kernels.sh"

# Pre-loaded in the guest (missing names are ignored); anything else is
# auto-loaded on demand through the modprobe helper.
DEFAULT_MODULES=(
	veth dummy
	esp4 xfrm_user xfrm4_tunnel xfrm_interface tunnel4
	gcm ghash_generic ghash_clmulni_intel aesni_intel aes_generic cbc ctr hmac
	sha256_generic sha256_ssse3 seqiv echainiv authenc cryptd
	nf_tables nft_chain_nat nft_nat nft_masq nf_conntrack nf_nat
	x_tables ip_tables iptable_filter iptable_nat xt_MASQUERADE xt_conntrack
	sch_ingress cls_bpf
)
# Guest dirs that are tmpfs (or other guest-only mounts): host paths below
# them are hidden unless bind-mounted back (see --share).
HIDDEN_DIRS=(/tmp /var/tmp /var/log /root /run /dev /proc /sys)

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
die() { printf 'vmlab: error: %s\n' "$*" >&2; exit 125; }
usage_err() { printf 'vmlab: %s (see --help)\n' "$*" >&2; exit 2; }

mem=512 timeout_s=600 out_dir="" verbose=0 smp=1 extra_append="" root_cache=loose kernel=""
envs=() shares=() extra_modules=()
while (($#)); do
	case $1 in
		--kernel) [[ -n ${2:-} ]] || usage_err "--kernel needs 6.1 or 6.12"; kernel=$2; shift 2 ;;
		--mem) [[ ${2:-} =~ ^[0-9]+$ ]] || usage_err "--mem needs a number of MB"; mem=$2; shift 2 ;;
		--timeout) [[ ${2:-} =~ ^[0-9]+$ && $2 -gt 0 ]] || usage_err "--timeout needs seconds > 0"; timeout_s=$2; shift 2 ;;
		--out) [[ -n ${2:-} ]] || usage_err "--out needs a directory"; out_dir=$2; shift 2 ;;
		--env)
			[[ ${2:-} =~ ^[A-Za-z_][A-Za-z0-9_]*(=.*)?$ ]] || usage_err "--env needs NAME or NAME=VALUE"
			if [[ $2 == *=* ]]; then
				envs+=("$2")
			else
				[[ -n ${!2+set} ]] || usage_err "--env $2: not set on the host"
				envs+=("$2=${!2}")
			fi
			shift 2
			;;
		--share) [[ ${2:-} == /* ]] || usage_err "--share needs an absolute path"; shares+=("$2"); shift 2 ;;
		--modules) [[ -n ${2:-} ]] || usage_err "--modules needs a list"; read -r -a m <<<"$2"; extra_modules+=("${m[@]}"); shift 2 ;;
		--root-cache)
			[[ ${2:-} =~ ^(loose|none|mmap)$ ]] || usage_err "--root-cache needs loose, none or mmap"
			root_cache=$2
			shift 2
			;;
		--append) extra_append+=" ${2:-}"; shift 2 ;;
		--smp) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage_err "--smp needs a number"; smp=$2; shift 2 ;;
		-v | --verbose) verbose=1; shift ;;
		-h | --help) usage; exit 0 ;;
		--) shift; break ;;
		*) usage_err "unknown option: $1 (the command goes after --)" ;;
	esac
done
(($#)) || usage_err "no command given"
argv=("$@")
vmlab_kernel "$kernel" || usage_err "unknown lab kernel: ${kernel:-$GWTRACE_VMLAB_KERNEL} (${VMLAB_KERNELS[*]})"
export GWTRACE_VMLAB_KERNEL=$LAB_KERNEL	# what prepare.sh prepares

t_start=$(date +%s.%N)
cwd=$(pwd -P) || die "cannot determine the current directory"

"$HERE/prepare.sh" --quiet || die "prepare.sh failed"
# shellcheck disable=SC1090 # written by prepare.sh
source "$LAB_ENV" || die "cannot read $LAB_ENV"
qemu=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 not found (run scripts/vmlab/deps.sh)"

# --- per-run state ------------------------------------------------------------------
tmp="" timeout_pid="" watchdog_pid="" tail_pids=()
# shellcheck disable=SC2317 # only called from the EXIT trap
cleanup() {
	local qpid=""
	if [[ -n $timeout_pid ]] && kill -0 "$timeout_pid" 2>/dev/null; then
		kill -TERM "$timeout_pid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$timeout_pid" 2>/dev/null || break
			sleep 0.5
		done
	fi
	[[ -n $tmp && -s $tmp/qemu.pid ]] && qpid=$(cat "$tmp/qemu.pid" 2>/dev/null || true)
	if [[ -n $qpid ]] && kill -0 "$qpid" 2>/dev/null &&
		[[ $(cat "/proc/$qpid/comm" 2>/dev/null || true) == qemu-system-* ]]; then
		kill -KILL "$qpid" 2>/dev/null || true
	fi
	local p
	for p in "${tail_pids[@]}" "$watchdog_pid"; do [[ -z $p ]] || kill "$p" 2>/dev/null || true; done
	[[ -z $tmp ]] || rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmlab.XXXXXX") || die "mktemp failed"
share=$tmp/share
mkdir -p "$share/out"
cp -- "$HERE/guest-init.sh" "$share/stage2.sh"
: >"$share/stdout"
: >"$share/stderr"
printf '%s\n' "$VMLAB_KDIR/lib/modules/$VMLAB_KVER" >"$share/modtree"
# See initramfs-init.sh: lets the modprobe helper skip crypto template lookups.
if ! grep -q '^alias crypto-[^ ]*(' "$VMLAB_KDIR/lib/modules/$VMLAB_KVER/modules.alias"; then
	: >"$share/modprobe-fastpath"
fi

# Host paths the guest would not see because a guest tmpfs covers them.
binds=()
for p in "$cwd" "${shares[@]}"; do
	p=$(realpath -m -- "$p")
	for h in "${HIDDEN_DIRS[@]}"; do
		if [[ $p == "$h" ]]; then
			printf 'vmlab: warning: %s is a tmpfs in the guest; it will be empty there\n' "$p" >&2
		elif [[ $p == "$h"/* ]]; then
			[[ $h != /dev && $h != /proc && $h != /sys ]] ||
				die "cannot expose $p: $h is a pseudo filesystem in the guest"
			binds+=("$p")
		fi
	done
done
# Parents first; drop paths already covered by an earlier bind.
mapfile -t binds < <(printf '%s\n' "${binds[@]}" | awk 'NF' | sort -u)
kept=()
for p in "${binds[@]}"; do
	for k in "${kept[@]}"; do [[ $p == "$k" || $p == "$k"/* ]] && continue 2; done
	kept+=("$p")
done
printf '%s\n' "${kept[@]}" >"$share/binds"

VMLAB_VERBOSE=$verbose
VMLAB_CWD=$cwd
VMLAB_ARGV=("${argv[@]}")
VMLAB_ENV=("${envs[@]}")
VMLAB_MODULES=("${DEFAULT_MODULES[@]}" "${extra_modules[@]}")
# VMLAB_KVER, VMLAB_KPKG and VMLAB_KDEBVER come from lab.env.
declare -p VMLAB_VERBOSE VMLAB_CWD VMLAB_ARGV VMLAB_ENV VMLAB_MODULES VMLAB_KVER \
	VMLAB_KPKG VMLAB_KDEBVER >"$share/job.env"

# --- qemu ------------------------------------------------------------------------------
# cryptomgr.notests=1: skip the crypto self-tests run at every algorithm
# registration (saves ~3.5 s of module loading under TCG); --append
# cryptomgr.notests=0 turns them back on (the last value wins).
append="console=ttyS0 panic=-1 rdinit=/init cryptomgr.notests=1 vmlab_rootcache=$root_cache$extra_append"
if ((verbose)); then
	append+=" vmlab_verbose=1 earlyprintk=serial,ttyS0"
	serial=(-serial stdio)
else
	append+=" quiet"
	serial=(-chardev "file,id=con,path=${tmp//,/,,}/console.log" -serial chardev:con)
fi
# shellcheck disable=SC2054 # commas are qemu option syntax
qemu_args=(
	-nodefaults -no-user-config -display none -nic none
	-machine pc -accel tcg,tb-size=64 -cpu max -smp "$smp" -m "$mem"
	-kernel "$VMLAB_KERNEL" -initrd "$VMLAB_INITRD" -append "$append"
	"${serial[@]}"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-fsdev "local,id=hostroot,path=/,readonly=on,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	-fsdev "local,id=vmlab,path=${share//,/,,},security_model=none"
	-device virtio-9p-pci,fsdev=vmlab,mount_tag=vmlab
	-no-reboot -pidfile "$tmp/qemu.pid"
)
if ((verbose)); then
	printf 'vmlab: %s (%s, boot=%s), %s MB, timeout %s s\n' "$VMLAB_KPKG" "$VMLAB_KVER" "$VMLAB_BOOT" "$mem" "$timeout_s" >&2
	timeout -k 5 "$timeout_s" "$qemu" "${qemu_args[@]}" </dev/null >&2 2>"$tmp/qemu.err" &
else
	timeout -k 5 "$timeout_s" "$qemu" "${qemu_args[@]}" </dev/null >/dev/null 2>"$tmp/qemu.err" &
fi
timeout_pid=$!

# Watchdog in a separate process: if this script dies without running its
# EXIT trap (SIGKILL), stop the VM anyway and remove the temp dir.
(
	trap - EXIT INT TERM HUP
	while kill -0 "$timeout_pid" 2>/dev/null; do
		kill -0 "$$" 2>/dev/null || {
			kill -TERM "$timeout_pid" 2>/dev/null
			sleep 5
			qpid=$(cat "$tmp/qemu.pid" 2>/dev/null) && kill -KILL "$qpid" 2>/dev/null
			rm -rf -- "$tmp"
			exit 0
		}
		sleep 1
	done
) </dev/null >/dev/null 2>&1 &
watchdog_pid=$!

tail -n +1 -s 0.1 -f --pid="$timeout_pid" -- "$share/stdout" &
tail_pids+=($!)
tail -n +1 -s 0.1 -f --pid="$timeout_pid" -- "$share/stderr" >&2 &
tail_pids+=($!)

qrc=0
wait "$timeout_pid" || qrc=$?
timeout_pid=""
for p in "${tail_pids[@]}"; do wait "$p" 2>/dev/null || true; done
tail_pids=()
t_end=$(date +%s.%N)

if [[ -n $out_dir ]]; then
	mkdir -p -- "$out_dir" || die "cannot create --out dir $out_dir"
	cp -a -- "$share/out/." "$out_dir/" || die "copying \$VMLAB_OUT to $out_dir failed"
fi

show_console() {
	if [[ -s $tmp/qemu.err ]]; then
		printf 'vmlab: qemu said:\n' >&2
		tail -n 20 -- "$tmp/qemu.err" >&2
	fi
	if [[ -s $tmp/console.log ]]; then
		printf 'vmlab: last lines of the guest console:\n' >&2
		tail -n 40 -- "$tmp/console.log" | tr -d '\r' >&2
	fi
}

status=""
[[ -s $share/status ]] && read -r status <"$share/status"
elapsed=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }')
if [[ $status =~ ^[0-9]+$ ]]; then
	if ((qrc != (((status << 1) | 1) & 255))) && ((verbose)); then
		printf 'vmlab: note: qemu exit %s does not match status %s\n' "$qrc" "$status" >&2
	fi
	((verbose)) && printf 'vmlab: exit status %s after %s s\n' "$status" "$elapsed" >&2
	exit "$status"
fi

if ((qrc == 124 || qrc == 137)); then
	printf 'vmlab: error: timeout: the guest did not finish within %s s; VM killed\n' "$timeout_s" >&2
	show_console
	exit 124
fi
if [[ -s $share/error ]]; then
	printf 'vmlab: error: guest setup failed: %s\n' "$(cat "$share/error")" >&2
elif ((qrc == 0)); then
	hint=""
	((verbose)) || hint="; --verbose shows the whole console"
	printf 'vmlab: error: the guest never reported an exit status (kernel panic, crash, PID 1 died, or too little --mem%s)\n' "$hint" >&2
elif ((qrc & 1 && qrc != 1)); then
	printf 'vmlab: error: the guest reported failure code %s without a status file\n' "$((qrc >> 1))" >&2
else
	printf 'vmlab: error: qemu failed with exit status %s\n' "$qrc" >&2
fi
show_console
exit 125

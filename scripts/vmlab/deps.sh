#!/usr/bin/env bash
# Install the host packages the VM lab needs (Debian 12), with apt-get.
#
# Quiet and fast (no apt calls) when everything is already installed.
# The guest runs the HOST's root filesystem, so the tools used inside the
# guest (ip, ping, modprobe, mount, bash, ...) must be installed on the host.
#
# Usage: scripts/vmlab/deps.sh [--check]
#   --check   only report missing packages (exit 1 if any), install nothing
set -euo pipefail

PKGS=(
	qemu-system-x86 # qemu-system-x86_64 (TCG)
	busybox-static  # initramfs userland
	kmod            # depmod (prepare) and modprobe (guest)
	cpio            # initramfs archive
	xz-utils        # vmlinux extraction from bzImage (6.1), xz modules (6.12)
	zstd            # vmlinux extraction from bzImage (6.12)
	iproute2        # ip / ip xfrm inside the guest
	iputils-ping    # ping inside the guest
	mount           # mount inside the guest
	util-linux      # switch_root helpers, misc
	coreutils       # timeout, tail, dd, ...
)

die() { printf 'vmlab/deps: error: %s\n' "$*" >&2; exit 1; }

check_only=0
case "${1:-}" in
	--check) check_only=1 ;;
	"") ;;
	-h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) die "unknown argument: $1" ;;
esac

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian 12 only"

missing=()
for p in "${PKGS[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done

((${#missing[@]} == 0)) && exit 0

if ((check_only)); then
	printf 'vmlab/deps: missing packages: %s\n' "${missing[*]}" >&2
	exit 1
fi

[[ $(id -u) -eq 0 ]] || die "missing packages (${missing[*]}); run this script as root to install them"

export DEBIAN_FRONTEND=noninteractive
printf 'vmlab/deps: installing: %s\n' "${missing[*]}" >&2
log=$(mktemp)
trap 'rm -f -- "$log"' EXIT
if ! apt-get update -qq </dev/null >"$log" 2>&1; then
	cat -- "$log" >&2
	die "apt-get update failed"
fi
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >"$log" 2>&1; then
	cat -- "$log" >&2
	die "apt-get install ${missing[*]} failed"
fi
printf 'vmlab/deps: done\n' >&2

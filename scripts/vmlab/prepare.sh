#!/usr/bin/env bash
# Prepare the VM lab: a Debian 12 kernel package + a busybox initramfs.
#
# Usage: scripts/vmlab/prepare.sh [--kernel 6.1|6.12] [--all] [--refresh] [--quiet]
#   --kernel K  which lab kernel (scripts/vmlab/kernels.sh): 6.1, Debian 12's
#               distro kernel (default), or 6.12, its newer kernel package
#   --all       prepare every lab kernel (what `make test` boots: the setup
#               step of a fresh machine)
#   --refresh   look the kernel package up in apt again (a new upload of the
#               same package) instead of reusing the cached one
#   --quiet     print nothing when the cache is already complete
#
# Environment:
#   GWTRACE_VMLAB_KERNEL 6.1 or 6.12, as --kernel
#   GWTRACE_VMLAB_CACHE  cache dir (default /var/cache/gwtrace-vmlab); both
#                        kernels live in it side by side
#   GWTRACE_VMLAB_KVER   kernel to use instead of the pinned one: 6.1.0-56,
#                        6.1.0-56-amd64, 6.12.117+deb12-amd64 or the package
#                        name (`make vmtest KVER=6.1.0-56`); it also selects
#                        the lab kernel it belongs to when --kernel is not given
#   GWTRACE_VMLAB_KPKG   the same, as an exact package name (older spelling)
#
# Which kernel: the lab kernel's pin (kernels.sh), so that a Debian upload
# does not change what the suite tests without anyone choosing it. When the
# pinned package has left the archive, the newest of its series (6.1:
# linux-image-6.1.0-N-amd64, 6.12: linux-image-6.12.N+deb12-amd64; not
# -dbg, not -unsigned unless it is the only one) is used instead, with a
# warning here and VMLAB_PIN_MISSED in the lab's env file (the VM suites
# print it).
#
# Steps (each skipped when already done): install host packages (deps.sh),
# pick the kernel package, apt-get download + dpkg-deb -x it, depmod -b, extract the
# uncompressed ELF vmlinux from the bzImage (xz or zstd payload; boots via
# PVH; falls back to the bzImage), build the busybox-static initramfs (stage
# 1: initramfs-init.sh; xz-compressed modules are decompressed into it).
# Writes $CACHE/lab.env (6.1) or $CACHE/lab-6.12.env, which run.sh reads.
set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/vmlab/kernels.sh
. "$HERE/kernels.sh"
# Modules the initramfs loads (with their dependencies) to mount the 9p shares.
INITRAMFS_MODULES=(virtio_pci 9pnet_virtio 9p)
BUSYBOX_APPLETS=(sh mount umount insmod mkdir grep dd printf poweroff sleep switch_root cat echo ln chmod)

refresh=0
quiet=0
all=0
kernel=""
args=()
while (($#)); do
	case $1 in
		--refresh) refresh=1; args+=("$1") ;;
		--quiet | -q) quiet=1; args+=("$1") ;;
		--all) all=1 ;;
		--kernel) kernel=${2:-}; shift ;;
		-h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
		*) printf 'vmlab/prepare: error: unknown argument: %s\n' "$1" >&2; exit 2 ;;
	esac
	shift
done
if ((all)); then
	# Each kernel in its own run (its own pin, KVER only where it belongs).
	for k in "${VMLAB_KERNELS[@]}"; do
		vmlab_kernel_of "${GWTRACE_VMLAB_KVER:-${GWTRACE_VMLAB_KPKG:-}}"
		if [[ $REPLY == "$k" ]]; then
			GWTRACE_VMLAB_KERNEL=$k "$0" "${args[@]}" || exit
		else
			GWTRACE_VMLAB_KERNEL=$k GWTRACE_VMLAB_KVER="" GWTRACE_VMLAB_KPKG="" \
				"$0" "${args[@]}" || exit
		fi
	done
	exit 0
fi
vmlab_kernel "$kernel" || {
	printf 'vmlab/prepare: error: unknown lab kernel "%s" (%s)\n' "${kernel:-$GWTRACE_VMLAB_KERNEL}" "${VMLAB_KERNELS[*]}" >&2
	exit 2
}
CACHE=$LAB_CACHE
PINNED_KPKG=$LAB_PIN
WANT_PKG=${GWTRACE_VMLAB_KVER:-${GWTRACE_VMLAB_KPKG:-}}
if [[ -n $WANT_PKG ]]; then
	WANT_PKG=${WANT_PKG#linux-image-}
	WANT_PKG=linux-image-${WANT_PKG%-amd64}-amd64
	vmlab_kernel_of "$WANT_PKG"
	[[ $REPLY == "$LAB_KERNEL" ]] || {
		printf 'vmlab/prepare: error: %s is not a %s kernel (GWTRACE_VMLAB_KVER / KVER=)\n' "$WANT_PKG" "$LAB_KERNEL" >&2
		exit 2
	}
fi

die() { printf 'vmlab/prepare: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'vmlab/prepare: %s\n' "$*" >&2; }

tmp=""
cleanup() { [[ -z $tmp ]] || rm -rf -- "$tmp"; }
trap cleanup EXIT

"$HERE/deps.sh" || die "installing host packages failed (scripts/vmlab/deps.sh)"

init_hash() {
	local bbver
	bbver=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null || echo none)
	{
		cat "$HERE/initramfs-init.sh"
		printf '%s\n' "$bbver" "${INITRAMFS_MODULES[*]}" "${BUSYBOX_APPLETS[*]}" "$1"
	} | sha256sum | cut -d' ' -f1
}

# Read the current lab.env (if any) into CUR_* variables.
CUR_KPKG="" CUR_KDIR="" CUR_KVER="" CUR_KERNEL="" CUR_INITRD="" CUR_INIT_HASH="" CUR_PIN_MISSED=""
load_env() {
	local f=$LAB_ENV
	[[ -r $f ]] || return 1
	# shellcheck disable=SC1090 # written by this script with printf %q
	source "$f" || return 1
	CUR_KPKG=${VMLAB_KPKG:-} CUR_KDIR=${VMLAB_KDIR:-} CUR_KVER=${VMLAB_KVER:-}
	CUR_KERNEL=${VMLAB_KERNEL:-} CUR_INITRD=${VMLAB_INITRD:-} CUR_INIT_HASH=${VMLAB_INIT_HASH:-}
	CUR_PIN_MISSED=${VMLAB_PIN_MISSED:-}
}

cache_complete() {
	load_env || return 1
	[[ -n $CUR_KVER && -f $CUR_KERNEL && -f $CUR_INITRD && -f $CUR_KDIR/.complete ]] || return 1
	if [[ -n $WANT_PKG ]]; then
		[[ $WANT_PKG == "$CUR_KPKG" ]] || return 1
	else
		# The pinned kernel, or the newest when the pinned one was missing.
		[[ $CUR_KPKG == "$PINNED_KPKG" || $CUR_PIN_MISSED == "$PINNED_KPKG" ]] || return 1
	fi
	[[ $(init_hash "$CUR_KVER") == "$CUR_INIT_HASH" ]] || return 1
}

if ((!refresh)) && cache_complete; then
	((quiet)) || say "cached: $CUR_KPKG ($CUR_KVER) in $CACHE, nothing to do"
	exit 0
fi

mkdir -p -- "$CACHE/kernels" || die "cannot create cache dir $CACHE"
exec 9>"$CACHE/.lock"
flock -w 900 9 || die "timed out waiting for the lock on $CACHE/.lock"
# Another prepare may have finished while we waited.
if ((!refresh)) && cache_complete; then
	((quiet)) || say "cached: $CUR_KPKG ($CUR_KVER) in $CACHE, nothing to do"
	exit 0
fi
# Leftovers of a prepare that was killed (we hold the lock: none is running).
rm -rf -- "$CACHE"/tmp.*
tmp=$(mktemp -d "$CACHE/tmp.XXXXXX")

# --- which kernel package ----------------------------------------------------
candidate_of() { apt-cache policy -- "$1" 2>/dev/null | awk '$1 == "Candidate:" { print $2; exit }'; }

list_kernel_pkgs() {
	# The series' names, [-unsigned]; newest first, signed first.
	apt-cache search --names-only "${LAB_PKG_ERE%\(*}" 2>/dev/null |
		awk '{ print $1 }' | grep -E "$LAB_PKG_ERE" |
		awk '{ n = $1; u = sub(/-unsigned$/, "", n); print n, u, $1 }' |
		sort -k1,1Vr -k2,2n | awk '{ print $3 }' || true
}

pick_kernel_pkg() {
	local names name cand
	names=$(list_kernel_pkgs)
	if [[ -z $names ]]; then
		say "no kernel package in the apt lists; running apt-get update"
		apt-get update -qq </dev/null >&2 || die "apt-get update failed"
		names=$(list_kernel_pkgs)
	fi
	for name in $names; do
		cand=$(candidate_of "$name")
		if [[ -n $cand && $cand != "(none)" ]]; then
			printf '%s %s\n' "$name" "$cand"
			return 0
		fi
	done
	return 1
}

# candidate_updated PKG: its candidate version, asking apt-get update once
# if the lists do not know it.
candidate_updated() {
	local v
	v=$(candidate_of "$1")
	if [[ -z $v || $v == "(none)" ]]; then
		apt-get update -qq </dev/null >&2 || die "apt-get update failed"
		v=$(candidate_of "$1")
	fi
	[[ -z $v || $v == "(none)" ]] || printf '%s' "$v"
}

pin_missed=""
if [[ -n $WANT_PKG ]]; then
	kpkg=$WANT_PKG
	kver_deb=$(candidate_updated "$kpkg")
	[[ -n $kver_deb ]] || die "kernel package $kpkg (GWTRACE_VMLAB_KVER / KVER=) is not available from apt"
else
	kpkg=$PINNED_KPKG
	kver_deb=$(candidate_updated "$kpkg")
	if [[ -z $kver_deb ]]; then
		read -r kpkg kver_deb < <(pick_kernel_pkg || true) || true
		[[ -n ${kpkg:-} ]] || die "no $LAB_KERNEL kernel package ($LAB_PKG_ERE) available from apt (check /etc/apt/sources.list*: bookworm and bookworm-security)"
		pin_missed=$PINNED_KPKG
		say "warning: the pinned kernel $PINNED_KPKG is not available from apt any more; using the newest, $kpkg $kver_deb (move its pin in scripts/vmlab/kernels.sh)"
	fi
fi

kdir=$CACHE/kernels/${kpkg}_${kver_deb//[^A-Za-z0-9.+~-]/_}

# --- download + extract + depmod + vmlinux -------------------------------------
if [[ -f $kdir/.complete ]]; then
	say "kernel $kpkg $kver_deb already extracted in $kdir"
else
	say "downloading $kpkg $kver_deb"
	t0=$SECONDS
	(cd -- "$tmp" && apt-get download -qq -o APT::Sandbox::User=root -- "$kpkg=$kver_deb" </dev/null >&2) ||
		die "apt-get download $kpkg=$kver_deb failed"
	deb=$(find "$tmp" -maxdepth 1 -name '*.deb' -print -quit)
	[[ -n $deb ]] || die "apt-get download produced no .deb"
	mkdir "$tmp/k"
	dpkg-deb -x "$deb" "$tmp/k" || die "dpkg-deb -x $deb failed"
	rm -f -- "$deb"
	mods=("$tmp"/k/lib/modules/*/)
	[[ ${#mods[@]} -eq 1 && -d ${mods[0]} ]] || die "expected exactly one lib/modules/KVER in $kpkg"
	kver=$(basename -- "${mods[0]}")
	[[ -f $tmp/k/boot/vmlinuz-$kver ]] || die "$kpkg has no boot/vmlinuz-$kver"
	depmod -b "$tmp/k" "$kver" || die "depmod -b $tmp/k $kver failed"

	# Uncompressed ELF vmlinux: the bzImage payload is an xz (6.1) or zstd
	# (6.12) stream; the first magic that decompresses to an ELF is the kernel.
	vmlinuz=$tmp/k/boot/vmlinuz-$kver
	got_elf=0
	for fmt in xz zstd; do
		case $fmt in
			xz) magic='\xfd7zXZ\x00' unpack=(xz -dc --single-stream) ;;
			zstd) magic='\x28\xb5\x2f\xfd' unpack=(zstd -dcq) ;;
		esac
		offsets=$(LC_ALL=C grep -obUaP "$magic" "$vmlinuz" 2>/dev/null | head -n 4 | cut -d: -f1 || true)
		for off in $offsets; do
			# xz stops after the first stream (tail then dies of SIGPIPE);
			# zstd complains of the bytes after its frame: judge by the
			# output, an ELF header.
			{ tail -c "+$((off + 1))" "$vmlinuz" 2>/dev/null || true; } |
				{ "${unpack[@]}" >"$tmp/k/vmlinux" 2>/dev/null || true; }
			if [[ $(head -c 4 "$tmp/k/vmlinux" | od -An -c | tr -d ' ') == '177ELF' ]]; then
				got_elf=1
				break 2
			fi
		done
	done
	if ((got_elf)); then
		say "extracted uncompressed vmlinux (boots via PVH)"
	else
		rm -f -- "$tmp/k/vmlinux"
		say "warning: could not extract an ELF vmlinux from the bzImage; will boot the bzImage (slower)"
	fi
	printf '%s\n' "$kver" >"$tmp/k/.kver"
	touch "$tmp/k/.complete"
	rm -rf -- "$kdir"
	mv -- "$tmp/k" "$kdir"
	say "extracted $kpkg ($kver) into $kdir in $((SECONDS - t0)) s"
fi
kver=$(cat "$kdir/.kver")
if [[ -f $kdir/vmlinux ]]; then
	kernel=$kdir/vmlinux boot=pvh
else
	kernel=$kdir/boot/vmlinuz-$kver boot=bzimage
fi

# --- initramfs -------------------------------------------------------------------
ihash=$(init_hash "$kver")
initrd=$kdir/initramfs.cpio
if [[ -f $initrd && -f $kdir/initramfs.hash && $(cat "$kdir/initramfs.hash") == "$ihash" ]]; then
	say "initramfs up to date"
else
	bb=$(command -v busybox || true)
	[[ -n $bb ]] || die "busybox not found (package busybox-static)"
	st=$tmp/initramfs
	rm -rf -- "$st"
	mkdir -p "$st"/{bin,dev,proc,sys,newroot,lib/modules}
	cp -- "$bb" "$st/bin/busybox"
	for a in "${BUSYBOX_APPLETS[@]}"; do ln -s busybox "$st/bin/$a"; done
	install -m 0755 -- "$HERE/initramfs-init.sh" "$st/init"
	mapfile -t kos < <(modprobe -d "$kdir" -S "$kver" -a --show-depends "${INITRAMFS_MODULES[@]}" |
		awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
	((${#kos[@]} > 0)) || die "modprobe --show-depends found no modules for ${INITRAMFS_MODULES[*]}"
	: >"$st/modules.list"
	for ko in "${kos[@]}"; do
		name=$(basename -- "$ko")
		case $name in
			*.ko) cp -- "$ko" "$st/lib/modules/$name" ;;
			*.ko.xz) name=${name%.xz}; xz -dc -- "$ko" >"$st/lib/modules/$name" ;;
			*) die "unsupported module format: $ko" ;;
		esac
		printf '%s\n' "$name" >>"$st/modules.list"
	done
	(cd -- "$st" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) >"$tmp/initramfs.cpio" ||
		die "cpio failed"
	mv -- "$tmp/initramfs.cpio" "$initrd"
	printf '%s\n' "$ihash" >"$kdir/initramfs.hash"
	say "built initramfs ($(du -k "$initrd" | cut -f1) KiB, modules: $(tr '\n' ' ' <"$st/modules.list"))"
fi

# --- lab.env (atomic) ------------------------------------------------------------
{
	printf '# written by scripts/vmlab/prepare.sh\n'
	printf 'VMLAB_%s=%q\n' KPKG "$kpkg" KDEBVER "$kver_deb" KVER "$kver" KDIR "$kdir" \
		KERNEL "$kernel" BOOT "$boot" INITRD "$initrd" INIT_HASH "$ihash" \
		PIN_MISSED "$pin_missed"
} >"$tmp/lab.env"
mv -- "$tmp/lab.env" "$LAB_ENV"

# Drop kernels that no lab kernel uses any more (the other one's stays).
keep=("$kdir")
for f in "$CACHE"/lab.env "$CACHE"/lab-*.env; do
	[[ $f != "$LAB_ENV" && -r $f ]] || continue
	# shellcheck disable=SC1090 # written by this script with printf %q
	d=$(source "$f" && printf '%s' "${VMLAB_KDIR:-}") || true
	[[ -z $d ]] || keep+=("$d")
done
for d in "$CACHE"/kernels/*/; do
	d=${d%/}
	for k in "${keep[@]}"; do [[ $d == "$k" ]] && continue 2; done
	say "removing old kernel $d"
	rm -rf -- "$d"
done
say "ready: $kpkg ($kver), boot=$boot, cache $CACHE"

#!/bin/sh
# vmlab stage 1: /init of the busybox initramfs built by prepare.sh.
#
# - loads the virtio/9p modules listed in /modules.list (in order);
# - mounts the host root (9p tag "hostroot", read-only) on /newroot, a tmpfs
#   on its /run, and the writable 9p share (tag "vmlab") on /run/vmlab/share;
# - mounts proc, sys, dev (+pts, shm), tmpfs on /tmp /var/tmp /var/log /root,
#   securityfs, bpffs, tracefs, debugfs, cgroup2 inside the new root, plus a
#   plain (non-recursive) view of the host root on /run/vmlab/host;
# - bind-mounts the kernel's module tree (host path in share/modtree) on
#   /run/vmlab/mod/lib/modules/KVER and installs /run/vmlab/bin/modprobe,
#   a wrapper calling `modprobe -d /run/vmlab/mod`;
# - bind-mounts host paths hidden by those tmpfs (share/binds, one per line);
# - switch_root's to the host root and execs stage 2 (share/stage2.sh, copied
#   there by run.sh for each run) with bash as PID 1. PID 1 itself must enter
#   the new root (not a chroot in a child), otherwise the kernel's module
#   auto-loading helper runs in the initramfs.
#
# Runs under busybox sh (every command is a busybox applet: a static binary in
# RAM starts much faster under TCG than the host's dynamic binaries over 9p).
# Any failure writes share/error (if possible), reports 255 through
# isa-debug-exit, and run.sh then shows the console log.

PATH=/bin
export PATH
N=/newroot
S=$N/run/vmlab/share

mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1

fail() {
	echo "vmlab stage1: error: $*"
	[ -d "$S/out" ] && echo "stage1: $*" >"$S/error" 2>/dev/null
	for port in /dev/port $N/dev/port; do
		[ -e "$port" ] && printf '\377' | dd of="$port" bs=1 seek=244 count=1 2>/dev/null
	done
	echo o >/proc/sysrq-trigger
	poweroff -f
	sleep 1000
}

mount -t proc proc /proc || fail "mount /proc"
verbose=0
grep -q 'vmlab_verbose=1' /proc/cmdline && verbose=1
log() { [ "$verbose" = 0 ] || echo "vmlab stage1: $*"; }

while read -r mod; do
	[ -n "$mod" ] || continue
	log "insmod $mod"
	insmod "/lib/modules/$mod" || fail "insmod $mod"
done </modules.list

# 9p cache mode of the host root: vmlab_rootcache=MODE on the kernel command
# line (set by run.sh); "none" when absent.
rootcache=none
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in vmlab_rootcache=*) rootcache=${arg#*=} ;; esac
done
opts=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "ro,$opts,cache=$rootcache" hostroot $N || fail "mount 9p host root (cache=$rootcache)"
log "host root mounted with cache=$rootcache"
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs $N/run || fail "mount tmpfs on /run"
mkdir -p $S $N/run/vmlab/host $N/run/vmlab/bin $N/run/vmlab/mod/lib/modules || fail "mkdir /run/vmlab"
mount -t 9p -o "rw,$opts,cache=none" vmlab $S || fail "mount 9p share"
[ -r $S/stage2.sh ] || fail "stage2.sh missing on the share"
[ -x $N/bin/bash ] || fail "/bin/bash missing in the host root"
# Plain view of the host root, before anything is mounted over its dirs.
mount --bind $N $N/run/vmlab/host || fail "bind host root"

mount -t proc proc $N/proc || fail "mount proc"
mount -t sysfs sysfs $N/sys || fail "mount sysfs"
mount --move /dev $N/dev || fail "move /dev"
umount /proc
mkdir -p $N/dev/pts $N/dev/shm
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts $N/dev/pts || fail "mount devpts"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $N/dev/shm || fail "mount /dev/shm"
ln -sf /proc/self/fd $N/dev/fd
ln -sf /proc/self/fd/0 $N/dev/stdin
ln -sf /proc/self/fd/1 $N/dev/stdout
ln -sf /proc/self/fd/2 $N/dev/stderr
for d in tmp:1777 var/tmp:1777 var/log:0755 root:0700; do
	dir=${d%:*} mode=${d#*:}
	if [ -d "$N/$dir" ]; then
		mount -t tmpfs -o "mode=$mode" tmpfs "$N/$dir" || fail "mount tmpfs on /$dir"
	else
		echo "vmlab stage1: warning: /$dir missing in the host root, not mounting a tmpfs there"
	fi
done
mount -t securityfs securityfs $N/sys/kernel/security 2>/dev/null || log "no securityfs"
mount -t bpf -o mode=0700 bpf $N/sys/fs/bpf || fail "mount bpffs"
mount -t tracefs tracefs $N/sys/kernel/tracing || fail "mount tracefs"
mount -t debugfs debugfs $N/sys/kernel/debug || fail "mount debugfs"
mount -t cgroup2 -o nsdelegate cgroup2 $N/sys/fs/cgroup || fail "mount cgroup2"

# Kernel modules: the host has no /lib/modules and its root is read-only.
read -r modtree <$S/modtree || fail "share/modtree missing"
kver=${modtree##*/}
mkdir -p "$N/run/vmlab/mod/lib/modules/$kver"
mount --bind "$N/run/vmlab/host$modtree" "$N/run/vmlab/mod/lib/modules/$kver" || fail "bind module tree $modtree"
# (usually an absolute symlink to /bin/kmod: test with -L, it does not
# resolve inside the initramfs)
mp=""
for m in /usr/sbin/modprobe /sbin/modprobe; do
	if [ -L "$N$m" ] || [ -x "$N$m" ]; then
		mp=$m
		break
	fi
done
[ -n "$mp" ] || fail "modprobe not found in the host root (install kmod)"
# The crypto API asks for "crypto-NAME" and "crypto-NAME-all" before it
# builds every template instance ("crypto-seqiv(rfc4106(gcm(aes)))"): ~20
# helper runs for a first ESP SA, 0.15 s each under TCG. No module alias has a
# "(" (run.sh checks modules.alias and then creates share/modprobe-fastpath),
# so those requests can fail at once without starting kmod.
{
	echo '#!/bin/sh'
	if [ -e $S/modprobe-fastpath ]; then
		echo 'case "$*" in *"crypto-"*"("*) exit 1 ;; esac'
	fi
	echo "exec $mp -d /run/vmlab/mod \"\$@\""
} >$N/run/vmlab/bin/modprobe
chmod 0755 $N/run/vmlab/bin/modprobe

# Host paths hidden by the tmpfs mounts above (e.g. a cwd under /tmp).
if [ -r $S/binds ]; then
	while read -r p; do
		[ -n "$p" ] || continue
		if [ -d "$N/run/vmlab/host$p" ]; then
			mkdir -p "$N$p" || fail "mkdir $p"
			mount --bind "$N/run/vmlab/host$p" "$N$p" || fail "bind $p"
			log "bound host $p"
		elif [ -e "$N/run/vmlab/host$p" ]; then
			mkdir -p "$N${p%/*}" || fail "mkdir ${p%/*}"
			: >"$N$p" || fail "create $p"
			mount --bind "$N/run/vmlab/host$p" "$N$p" || fail "bind $p"
			log "bound host file $p"
		fi
	done <$S/binds
fi

log "switch_root"
# shellcheck disable=SC2093 # exec only returns on failure
exec switch_root $N /bin/bash /run/vmlab/share/stage2.sh
fail "switch_root failed"

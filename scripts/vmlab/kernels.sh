# shellcheck shell=bash disable=SC2034 # variables for the scripts that source it
# The VM lab's guest kernels, sourced by prepare.sh, run.sh and the VM
# suites (tests/e2e/vm_lib.sh). Two Debian 12 kernel packages, both cached:
#   6.1   the distro kernel, linux-image-6.1.0-N-amd64: fentry and kprobes,
#         no BPF netfilter links (they came in 6.4)
#   6.12  the newer package Debian 12 ships, linux-image-6.12.N+deb12-amd64:
#         fentry, kprobes and netfilter links, so the tracepoint strategy
#         meets real ESP there; its modules are xz-compressed and its
#         bzImage payload is zstd
# Each is pinned, so that a Debian upload does not change what the suite
# tests without anyone choosing it; move a pin deliberately (and say so in
# the commit) after the suite passed on the new package.

VMLAB_KERNELS=(6.1 6.12)

# vmlab_kernel_of PKG: REPLY = the lab kernel (6.1, 6.12) a package name or
# version (6.1.0-56, 6.12.117+deb12-amd64, linux-image-...) belongs to, ""
# if none.
vmlab_kernel_of() {
	local p=${1#linux-image-}
	case $p in
	6.1.0-*) REPLY=6.1 ;;
	6.12.*) REPLY=6.12 ;;
	*) REPLY="" ;;
	esac
}

# vmlab_kernel [KERNEL]: select a lab kernel (default GWTRACE_VMLAB_KERNEL,
# else the one GWTRACE_VMLAB_KVER names, else 6.1) and set
#   LAB_KERNEL   6.1 | 6.12
#   LAB_PIN      its pinned package
#   LAB_PKG_ERE  the package names of its series (the fallback when the pin
#                left the archive: the newest of them)
#   LAB_CACHE    the cache dir (GWTRACE_VMLAB_CACHE, default
#                /var/cache/gwtrace-vmlab), shared by both kernels
#   LAB_ENV      the file prepare.sh writes for it and run.sh reads:
#                $LAB_CACHE/lab.env for 6.1, lab-6.12.env for 6.12
# Returns 1 for an unknown kernel.
vmlab_kernel() {
	local k=${1:-${GWTRACE_VMLAB_KERNEL:-}}
	if [[ -z $k ]]; then
		vmlab_kernel_of "${GWTRACE_VMLAB_KVER:-${GWTRACE_VMLAB_KPKG:-}}"
		k=${REPLY:-6.1}
	fi
	case $k in
	6.1)
		LAB_PIN=linux-image-6.1.0-57-amd64
		LAB_PKG_ERE='^linux-image-6\.1\.0-[0-9]+-amd64(-unsigned)?$'
		LAB_ENV_NAME=lab.env
		;;
	6.12)
		LAB_PIN=linux-image-6.12.118+deb12-amd64
		LAB_PKG_ERE='^linux-image-6\.12\.[0-9]+\+deb12-amd64(-unsigned)?$'
		LAB_ENV_NAME=lab-6.12.env
		;;
	*) return 1 ;;
	esac
	LAB_KERNEL=$k
	LAB_CACHE=${GWTRACE_VMLAB_CACHE:-/var/cache/gwtrace-vmlab}
	LAB_ENV=$LAB_CACHE/$LAB_ENV_NAME
}

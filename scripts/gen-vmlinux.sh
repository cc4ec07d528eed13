#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Regenerates vmlinux/<arch>/vmlinux.h from a kernel's BTF. CO-RE makes one
# header serve every kernel; regenerate only to reach newer types.
#   scripts/gen-vmlinux.sh [OUT] [BTF]   (BTF default /sys/kernel/btf/vmlinux)
set -euo pipefail

out=${1:-vmlinux/x86/vmlinux.h}
btf=${2:-/sys/kernel/btf/vmlinux}
[ -r "$btf" ] || { echo "gen-vmlinux: no BTF at $btf" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
bpftool btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
echo "gen-vmlinux: wrote $out from $btf (kernel $(uname -r))"

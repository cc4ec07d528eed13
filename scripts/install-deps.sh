#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Installs what gwtrace needs to build, run and test on Debian 12.
# Idempotent: installs only what is missing. Used by `make demo`, `make deps`
# and .ci/run.
set -euo pipefail

PKGS=(
	make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
	libmnl-dev libcmocka-dev libmicrohttpd-dev
	iproute2 iputils-ping nftables iptables jq procps util-linux
	shellcheck valgrind prometheus
)

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (apt-get needs it)" >&2
	exit 1
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

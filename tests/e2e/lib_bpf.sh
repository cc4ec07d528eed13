# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Nothing stays attached: record gwtrace's BPF programs while it runs (the
# gw_* programs that appeared after gw_start), and the links and maps those
# programs use; check they are all gone after it exits. Sourced by the
# tests that check detaching (after lib.sh).

OUR_PROGS=()
OUR_LINKS=()
OUR_MAPS=()
GW_PROGS_BEFORE=""

bpf_gw_progs() {
	bpftool -j prog show | jq -r '.[] | select((.name // "") | startswith("gw_")) | .id' | sort -n
}

bpf_ids() {	# prog|link|map: all ids
	bpftool -j "$1" show | jq -r '.[].id' | sort -n
}

# jq array of the numbers given as arguments.
json_ids() {
	local IFS=,
	printf '[%s]' "$*"
}

bpf_before() {
	require_cmd bpftool
	GW_PROGS_BEFORE=$(bpf_gw_progs)
}

bpf_record_ours() {
	local now ids
	now=$(bpf_gw_progs)
	mapfile -t OUR_PROGS < <(comm -13 <(printf '%s\n' "$GW_PROGS_BEFORE" | sort) \
		<(printf '%s\n' "$now" | sort) | sed '/^$/d' | sort -n)
	((${#OUR_PROGS[@]} > 0)) ||
		fail "no gw_* BPF program loaded while gwtrace runs (bpftool prog show)"
	ids=$(json_ids "${OUR_PROGS[@]}")
	mapfile -t OUR_LINKS < <(bpftool -j link show |
		jq -r --argjson ids "$ids" '.[] | select(.prog_id as $p | any($ids[]; . == $p)) | .id')
	mapfile -t OUR_MAPS < <(bpftool -j prog show |
		jq -r --argjson ids "$ids" '.[] | select(.id as $i | any($ids[]; . == $i)) | .map_ids[]?' |
		sort -nu)
	log "gwtrace's BPF objects: progs ${OUR_PROGS[*]}; links ${OUR_LINKS[*]:-none}; maps ${OUR_MAPS[*]:-none}"
	((${#OUR_LINKS[@]} > 0)) || fail "gwtrace's programs (${OUR_PROGS[*]}) have no BPF link"
}

# Left-over ids of ours among the current ones of a kind.
bpf_left() {	# kind ids...
	local kind=$1; shift
	(($# > 0)) || return 0
	comm -12 <(printf '%s\n' "$@" | sort) <(bpf_ids "$kind" | sort) | sort -n | tr '\n' ' '
}

# All of ours gone within 5 s (release is asynchronous after the last fd).
bpf_expect_gone() {
	local how=$1 i progs links maps after
	for ((i = 0; i < 50; i++)); do
		progs=$(bpf_left prog "${OUR_PROGS[@]}")
		links=$(bpf_left link "${OUR_LINKS[@]}")
		maps=$(bpf_left map "${OUR_MAPS[@]}")
		[[ -z $progs$links$maps ]] && break
		gwt_nap 0.1
	done
	after=$(bpf_gw_progs)
	log "gw_* programs: $(count_lines "$GW_PROGS_BEFORE") before, ${#OUR_PROGS[@]} ours," \
		"$(count_lines "$after") after $how"
	if [[ -n $progs$links$maps ]]; then
		fail "BPF objects left after $how: progs [${progs% }] links [${links% }] maps [${maps% }]
$(bpftool link show 2>&1 | gwt__trunc 200 20)"
	fi
	if [[ $(count_lines "$after") != $(count_lines "$GW_PROGS_BEFORE") ]]; then
		log "note: gw_* program count changed by another process (ours are all gone)"
	fi
}

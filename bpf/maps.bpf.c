// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one definition of gwtrace's maps (via the headers, see GW_SHARED)
 * and configuration; bpftool links the other objects against them. */
#define GW_DEFINE_MAPS
#include "core.bpf.h"
#include "stash.bpf.h"
#include "nftable.bpf.h"
#include "xfrm_mib.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";


/* Set by the loader before load; the verifier prunes what they disable. */
const volatile struct gw_filter gw_cfg_filter = {};
const volatile __u64 gw_cfg_track_timeout_ns = 2000000000ULL;
const volatile __u64 gw_cfg_hold_timeout_ns = 32000000000ULL;
const volatile __u32 gw_cfg_monitor = 0;
const volatile __u64 gw_cfg_mon_window_ns = 10000000000ULL;
const volatile __u64 gw_cfg_mon_t0_ns = 0;
const volatile __u32 gw_cfg_mon_burst = 5;
/* Text [lo, hi) of the functions whose reasonless frees are drops
 * (dst_discard_out, xfrm_input: user/path/packet.c says so for trace);
 * 0, 0 if unknown. */
const volatile __u64 gw_cfg_lossy[GW_LOSSY_FUNCS][2] = {};

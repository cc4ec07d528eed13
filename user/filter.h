/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Parsing of filter arguments into struct gw_filter (bpf/gwtrace.h). */
#ifndef GW_FILTER_H
#define GW_FILTER_H

#include <stdbool.h>
#include <linux/types.h>
#include "gwtrace.h"

/* "10.1.0.2", "10.1.0.0/16", "fd00::1", "fd00::/64". 0 or -EINVAL. */
int filter__parse_prefix(const char *s, struct gw_prefix *out);
/* Plain decimal, digits only (no sign, space or base prefix), <= max. */
int filter__parse_dec(const char *s, unsigned long max, unsigned long *out);
/* A name of gw_proto_names ("icmp", "tcp", "udp", "esp", "icmpv6", ...), or 0..255. */
int filter__parse_proto(const char *s, __u8 *out);
/* 1..65535 */
int filter__parse_port(const char *s, __u16 *out);
/* Interface name: non-empty, < 16 chars, no '/' or whitespace. */
int filter__parse_iface(const char *s, char out[GW_IFNAMSIZ]);

/*
 * Warns when --iface names no interface of gwtrace's own network namespace
 * (unless --netns points elsewhere, where it may well be): a typo would
 * otherwise trace nothing, silently. The filter still matches the name in
 * any namespace, so the warning says so.
 */
void filter__warn_missing_iface(const struct gw_filter *f);

/* The same match the BPF side does, for tests and user-space checks. */
bool filter__match(const struct gw_filter *f, const struct gw_tuple *t,
		   const char *ifname, __u32 netns);
/* Human-readable description ("host 10.1.0.2 and proto icmp"), "all". */
const char *filter__describe(const struct gw_filter *f, char *buf, size_t len);

#endif /* GW_FILTER_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Filter arguments -> struct gw_filter, and the reference implementation of
 * the match the BPF side does (gw_filter_match() in bpf/core.bpf.h). The two
 * must agree bit for bit: tests use this one to state what the kernel side
 * is expected to let through.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include "filter.h"
#include "log.h"
#include "netns.h"
#include "packet.h"


/* Plain decimal, digits only (no sign, space or base prefix), <= max. */
int filter__parse_dec(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)	/* checked per digit: cannot overflow */
			return -EINVAL;
	}
	*out = v;
	return 0;
}

static unsigned int filter__addr_bits(__u8 family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

int filter__parse_prefix(const char *s, struct gw_prefix *out)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char addr[INET6_ADDRSTRLEN];
	struct gw_prefix p = {};
	unsigned long len;
	unsigned int i;

	if (!alen || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, p.addr) == 1)
		p.family = AF_INET;
	else if (inet_pton(AF_INET6, addr, p.addr) == 1)
		p.family = AF_INET6;
	else
		return -EINVAL;

	len = filter__addr_bits(p.family);
	if (slash && filter__parse_dec(slash + 1, len, &len))
		return -EINVAL;
	p.len = (__u8)len;

	/* 10.1.2.3/16 means 10.1.0.0/16: keep only the prefix bits. */
	for (i = 0; i < GW_ADDR_LEN; i++) {
		unsigned int keep = len >= 8 * (i + 1) ? 8 :
				    len > 8 * i ? len - 8 * i : 0;

		p.addr[i] &= (__u8)(0xff00u >> keep);
	}
	*out = p;
	return 0;
}

int filter__parse_proto(const char *s, __u8 *out)
{
	unsigned long v;
	size_t i;

	for (i = 0; i < gw_n_proto_names; i++) {
		if (!strcasecmp(s, gw_proto_names[i].name)) {
			*out = gw_proto_names[i].proto;
			return 0;
		}
	}
	if (filter__parse_dec(s, 255, &v))
		return -EINVAL;
	*out = (__u8)v;
	return 0;
}

int filter__parse_port(const char *s, __u16 *out)
{
	unsigned long v;

	if (filter__parse_dec(s, 65535, &v) || v == 0)
		return -EINVAL;
	*out = (__u16)v;
	return 0;
}

void filter__warn_missing_iface(const struct gw_filter *f)
{
	char name[GW_IFNAMSIZ + 1];
	__u32 own = 0;

	if (!(f->flags & GW_F_IFACE))
		return;
	if ((f->flags & GW_F_NETNS) &&
	    (netns__inode_of("/proc/self/ns/net", &own) || f->netns != own))
		return;
	memcpy(name, f->iface, GW_IFNAMSIZ);
	name[GW_IFNAMSIZ] = '\0';
	if (if_nametoindex(name) || errno != ENODEV)
		return;
	pr_warn("no interface '%s' in this network namespace: tracing packets on an "
		"interface of that name in any namespace, if one appears", name);
}

/* The kernel's dev_valid_name(): a name it would refuse can never match. */
int filter__parse_iface(const char *s, char out[GW_IFNAMSIZ])
{
	size_t len = strlen(s), i;

	if (!len || len >= GW_IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/' || c == ':' || c <= ' ' || c == 0x7f)
			return -EINVAL;
	}
	memset(out, 0, GW_IFNAMSIZ);
	memcpy(out, s, len);
	return 0;
}

/* Same loop as gw_prefix_match(): the family must be the prefix's own. */
static bool filter__prefix_match(const struct gw_prefix *p, __u8 family,
				 const __u8 *addr)
{
	unsigned int bits = p->len, i;

	if (p->family != family)
		return false;
	for (i = 0; i < GW_ADDR_LEN && bits; i++) {
		__u8 mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));

		if ((addr[i] ^ p->addr[i]) & mask)
			return false;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return true;
}

/*
 * Mirrors gw_filter_match() + the netns check of gw_event_begin(). Ports
 * only count for TCP and UDP: for ICMP echo the tuple's sport is the echo
 * id, which must not match --port.
 */
bool filter__match(const struct gw_filter *f, const struct gw_tuple *t,
		   const char *ifname, __u32 netns)
{
	const __u32 needs_tuple = GW_F_SRC | GW_F_DST | GW_F_HOST |
				  GW_F_PROTO | GW_F_PORT;
	__u32 fl = f->flags;

	if ((fl & needs_tuple) && !t->family)
		return false;
	if ((fl & GW_F_SRC) &&
	    !filter__prefix_match(&f->src, t->family, t->saddr))
		return false;
	if ((fl & GW_F_DST) &&
	    !filter__prefix_match(&f->dst, t->family, t->daddr))
		return false;
	if ((fl & GW_F_HOST) &&
	    !filter__prefix_match(&f->host, t->family, t->saddr) &&
	    !filter__prefix_match(&f->host, t->family, t->daddr))
		return false;
	if ((fl & GW_F_PROTO) && t->proto != f->proto)
		return false;
	if ((fl & GW_F_PORT) &&
	    ((t->proto != IPPROTO_TCP && t->proto != IPPROTO_UDP) ||
	     (ntohs(t->sport) != f->port && ntohs(t->dport) != f->port)))
		return false;
	if ((fl & GW_F_IFACE) &&
	    (!ifname || strncmp(ifname, f->iface, GW_IFNAMSIZ)))
		return false;
	if ((fl & GW_F_NETNS) && netns != f->netns)
		return false;
	return true;
}

/* Appends " and <term>" (or "<term>" first) to buf; truncates safely. */
static void filter__append(char *buf, size_t len, size_t *off,
			   const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	if (*off) {
		n = snprintf(buf + *off, len - *off, " and ");
		*off = n < 0 ? len : *off + (size_t)n;
		if (*off >= len)
			return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	*off = n < 0 ? len : *off + (size_t)n;
}

static const char *filter__prefix_str(const struct gw_prefix *p, char *buf,
				      size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	if (p->len == filter__addr_bits(p->family))
		snprintf(buf, len, "%s", addr);
	else
		snprintf(buf, len, "%s/%u", addr, p->len);
	return buf;
}

const char *filter__describe(const struct gw_filter *f, char *buf, size_t len)
{
	const struct {
		__u32 flag;
		const char *word;
		const struct gw_prefix *p;
	} prefixes[] = {
		{ GW_F_HOST, "host", &f->host },
		{ GW_F_SRC, "src", &f->src },
		{ GW_F_DST, "dst", &f->dst },
	};
	char tmp[INET6_ADDRSTRLEN + 8];
	size_t off = 0, i;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!f->flags) {
		snprintf(buf, len, "all");
		return buf;
	}
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (f->flags & prefixes[i].flag)
			filter__append(buf, len, &off, "%s %s", prefixes[i].word,
				       filter__prefix_str(prefixes[i].p, tmp,
							  sizeof(tmp)));
	}
	if (f->flags & GW_F_PROTO) {
		const char *name = NULL;

		for (i = 0; i < gw_n_proto_names; i++)
			if (gw_proto_names[i].proto == f->proto)
				name = gw_proto_names[i].name;
		if (name)
			filter__append(buf, len, &off, "proto %s", name);
		else
			filter__append(buf, len, &off, "proto %u", f->proto);
	}
	if (f->flags & GW_F_PORT)
		filter__append(buf, len, &off, "port %u", f->port);
	if (f->flags & GW_F_IFACE)
		filter__append(buf, len, &off, "iface %.*s", GW_IFNAMSIZ, f->iface);
	if (f->flags & GW_F_NETNS)
		filter__append(buf, len, &off, "netns %u", f->netns);
	return buf;
}

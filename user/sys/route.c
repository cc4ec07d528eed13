// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Prefix length of the matched route, asked of the kernel with RTM_GETROUTE.
 *
 * What the kernel does with the request (net/ipv4/route.c
 * inet_rtm_getroute, net/ipv6/route.c inet6_rtm_getroute, 4.13 to 6.18):
 *  - The lookup is a full output route lookup from the loopback device
 *    (no iif given): it walks the policy rules. RTA_TABLE in a GETROUTE
 *    request does NOT pick the table; IPv4 ignores it and, on a socket
 *    with NETLINK_GET_STRICT_CHK, both families reject it with EINVAL.
 *  - RTM_F_FIB_MATCH makes the reply describe the FIB entry that matched
 *    (fib_dump_info / rt6_fill_node of the fib6_info), so rtm_dst_len is
 *    that route's prefix length: 0 for a default route. Without it the
 *    reply is the resolved /32 or /128 dst. Kernels before 4.13 ignore the
 *    flag and would answer 32/128 (gwtrace needs 5.x anyway).
 *  - IPv4 replies carry table RT_TABLE_MAIN whatever table answered unless
 *    RTM_F_LOOKUP_TABLE is set, which reports res.table->tb_id. IPv6
 *    always reports the fib6 entry's own table and, in strict mode,
 *    refuses any flag but RTM_F_FIB_MATCH.
 *  - No route: IPv4 answers ENETUNREACH (or the error of the
 *    unreachable/prohibit/blackhole route), IPv6 ENETUNREACH.
 *
 * So the tracepoint's table is honoured like this: ask; if the table that
 * answered is the one the packet's lookup used (or none was asked for),
 * that is the answer. Otherwise - a rule keyed on iif, source, mark or
 * tos sent the packet to a table our loopback lookup does not reach, or
 * the packet's lookup hit a table that the rules then passed over - dump
 * that one table and take the longest prefix covering daddr, which is
 * what fib_table_lookup() would have found there (it also honours tos,
 * scope and dead next hops, which the dump does not model).
 *
 * A netlink socket stays in the namespace it was created in, so one per
 * namespace is made after setns() into it and kept. Each one (and each
 * netns fd) keeps its namespace alive: idle sockets are closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include "log.h"
#include "netns.h"
#include "route.h"

#define CACHE_SLOTS	4096		/* direct-mapped, power of two */
#define CACHE_TTL_NS	(1000ULL * 1000 * 1000)
#define SOCK_MAX	64
#define SOCK_IDLE_NS	(60ULL * 1000 * 1000 * 1000)
#define SWEEP_NS	(1000ULL * 1000 * 1000)
#define NL_BUF_SIZE	32768		/* one dump batch (MNL_SOCKET_DUMP_SIZE) */

struct rsock {
	__u32 inum;
	struct mnl_socket *nl;
	unsigned int portid;
	__u64 last_used;
};

struct rcache {
	__u64 expires;
	__u32 netns;
	__u32 table;
	__u8 family;
	__s16 plen;			/* 0..128, -1 = could not tell */
	__u8 daddr[16];
};

struct route_resolver {
	struct netns_map *netns;
	int self_fd;			/* our netns, to return to after setns */
	__u32 self_inum;
	bool broken;			/* could not return: refuse further work */
	struct rsock socks[SOCK_MAX];
	size_t nsocks;
	__u64 last_sweep;
	unsigned int seq;
	struct rcache *cache;
	char *buf;
	struct route_stats stats;
};

/* What one request found. */
struct answer {
	int family;
	const __u8 *daddr;
	__u32 want_table;
	__u32 table;		/* GET: table that answered */
	int plen;		/* GET: rtm_dst_len; dump: best so far, -1 = none */
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

struct route_resolver *route__new(struct netns_map *netns)
{
	struct route_resolver *r = calloc(1, sizeof(*r));
	struct stat st;

	if (!r)
		return NULL;
	r->netns = netns;
	r->cache = calloc(CACHE_SLOTS, sizeof(*r->cache));
	r->buf = malloc(NL_BUF_SIZE);
	/* setns() moves only the calling thread: remember this thread's. */
	r->self_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (r->self_fd < 0)
		r->self_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!r->cache || !r->buf || r->self_fd < 0 || fstat(r->self_fd, &st)) {
		pr_warn("route: cannot set up: %s", strerror(errno ? errno : ENOMEM));
		route__free(r);
		return NULL;
	}
	r->self_inum = st.st_ino;
	return r;
}

static void sock_close(struct rsock *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	s->nl = NULL;
}

void route__free(struct route_resolver *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nsocks; i++)
		sock_close(&r->socks[i]);
	if (r->self_fd >= 0)
		close(r->self_fd);
	free(r->cache);
	free(r->buf);
	free(r);
}

static struct mnl_socket *nl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	struct timeval tv = { .tv_sec = 1 };
	int one = 1;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	/* The kernel always answers, but never let a lookup hang the tool. */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* 4.20+: lets the table dump be filtered in the kernel. Optional. */
	mnl_socket_setsockopt(nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	return nl;
}

/* A NETLINK_ROUTE socket created inside the namespace with inode inum. */
static struct mnl_socket *nl_open_in(struct route_resolver *r, __u32 inum)
{
	struct mnl_socket *nl;
	int fd, err;

	if (!inum || inum == r->self_inum)
		return nl_open();
	fd = netns__fd(r->netns, inum);
	if (fd < 0) {
		pr_debug("route: netns %u not found", inum);
		return NULL;
	}
	if (setns(fd, CLONE_NEWNET)) {
		pr_debug("route: setns to netns %u: %s", inum, strerror(errno));
		return NULL;
	}
	nl = nl_open();
	err = errno;
	if (setns(r->self_fd, CLONE_NEWNET)) {
		/* Everything opened from now on would land in the wrong netns. */
		pr_err("cannot return to our own network namespace: %s", strerror(errno));
		r->broken = true;
		if (nl)
			mnl_socket_close(nl);
		return NULL;
	}
	if (!nl)
		pr_debug("route: netlink socket in netns %u: %s", inum, strerror(err));
	return nl;
}

/* Close sockets idle for a minute: each one pins its namespace. */
static void sock_sweep(struct route_resolver *r, __u64 now)
{
	size_t i = 0;

	if (now - r->last_sweep < SWEEP_NS)
		return;
	r->last_sweep = now;
	while (i < r->nsocks) {
		if (now - r->socks[i].last_used > SOCK_IDLE_NS) {
			sock_close(&r->socks[i]);
			r->socks[i] = r->socks[--r->nsocks];
		} else {
			i++;
		}
	}
}

static struct rsock *sock_get(struct route_resolver *r, __u32 inum, __u64 now)
{
	struct rsock *s, *lru = NULL;
	struct mnl_socket *nl;
	size_t i;

	if (inum == r->self_inum)
		inum = 0;
	for (i = 0; i < r->nsocks; i++) {
		s = &r->socks[i];
		if (s->inum == inum) {
			s->last_used = now;
			return s;
		}
		if (!lru || s->last_used < lru->last_used)
			lru = s;
	}
	nl = nl_open_in(r, inum);
	if (!nl)
		return NULL;
	if (r->nsocks < SOCK_MAX) {
		s = &r->socks[r->nsocks++];
	} else {
		s = lru;
		sock_close(s);
	}
	*s = (struct rsock){ .inum = inum, .nl = nl, .last_used = now,
			     .portid = mnl_socket_get_portid(nl) };
	return s;
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, RTA_MAX) < 0)
		return MNL_CB_OK;
	if (type == RTA_TABLE && mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	tb[type] = a;
	return MNL_CB_OK;
}

static __u32 msg_table(const struct rtmsg *rtm, const struct nlattr **tb)
{
	return tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
}

/* A route message too short for its rtmsg is not one (the kernel's never
 * are; a parser of outside bytes checks anyway: tests/fuzz/fuzz_route). */
static bool is_route(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_type == RTM_NEWROUTE &&
	       mnl_nlmsg_get_payload_len(nlh) >= sizeof(struct rtmsg);
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = {};
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct answer *a = data;

	if (!is_route(nlh))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, tb);
	a->table = msg_table(rtm, tb);
	a->plen = rtm->rtm_dst_len;
	return MNL_CB_OK;
}

static bool prefix_covers(const __u8 *pfx, const __u8 *addr, int plen)
{
	int bytes = plen / 8, bits = plen % 8;

	if (memcmp(pfx, addr, bytes))
		return false;
	return !bits || !((pfx[bytes] ^ addr[bytes]) & (0xff00 >> bits));
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = {};
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct answer *a = data;
	__u8 zero[16] = {};
	const __u8 *dst = zero;
	int alen = addr_len(a->family);

	if (!is_route(nlh) || rtm->rtm_family != a->family ||
	    rtm->rtm_dst_len > alen * 8 || rtm->rtm_flags & RTM_F_CLONED)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, tb);
	/* Without strict checking the kernel dumps every table. */
	if (msg_table(rtm, tb) != a->want_table)
		return MNL_CB_OK;
	if (tb[RTA_DST]) {
		if (mnl_attr_get_payload_len(tb[RTA_DST]) != alen)
			return MNL_CB_OK;
		dst = mnl_attr_get_payload(tb[RTA_DST]);
	}
	if (rtm->rtm_dst_len > a->plen &&
	    prefix_covers(dst, a->daddr, rtm->rtm_dst_len))
		a->plen = rtm->rtm_dst_len;
	return MNL_CB_OK;
}

/*
 * The bytes of buf that are whole messages. mnl_nlmsg_ok() compares
 * nlmsg_len as an int: a length of 2^31 or more passes it and
 * mnl_cb_run() reads past the buffer (found by tests/fuzz/fuzz_route, as
 * for xfrm netlink); so messages are measured here first.
 */
static size_t whole_msgs(const void *buf, size_t len)
{
	size_t off = 0;

	while (len - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)((const char *)buf + off);

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - off)
			break;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		if (off > len)
			return len;	/* the last one, unpadded */
	}
	return off;
}

int route__parse_reply(const void *buf, size_t len, bool dump, int family, const __u8 *daddr,
		       __u32 want_table, __u32 *table)
{
	struct answer a = { .family = family, .daddr = daddr, .want_table = want_table,
			    .plen = -1 };

	if (!addr_len(family) || !daddr)
		return -1;
	/* seq 0, portid 0: no checks of them, as for any buffer. */
	mnl_cb_run(buf, whole_msgs(buf, len), 0, 0, dump ? dump_cb : get_cb, &a);
	if (table)
		*table = a.table;
	return a.plen;
}

/*
 * Send what is in r->buf and run cb over the replies until the request is
 * answered (done, or the single reply of a GET). 0, or -errno.
 */
static int nl_talk(struct route_resolver *r, struct rsock *s, mnl_cb_t cb,
		   struct answer *a)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->buf;
	unsigned int seq = nlh->nlmsg_seq;
	bool dump = nlh->nlmsg_flags & NLM_F_DUMP;
	int ret, stale = 0;
	ssize_t n;

	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(s->nl, r->buf, NL_BUF_SIZE);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(r->buf, whole_msgs(r->buf, (size_t)n), seq, s->portid, cb, a);
		if (ret < 0) {
			/* A late answer to an earlier, timed-out request. */
			if (errno == EPROTO && stale++ < 16)
				continue;
			return -errno;
		}
		if (!dump || ret == MNL_CB_STOP)
			return 0;
	}
}

static struct rtmsg *put_request(struct route_resolver *r, __u16 flags,
				 int family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++r->seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	return rtm;
}

static int query_fib_match(struct route_resolver *r, struct rsock *s,
			   struct answer *a)
{
	int alen = addr_len(a->family);
	struct rtmsg *rtm = put_request(r, 0, a->family);

	rtm->rtm_dst_len = alen * 8;
	rtm->rtm_flags = RTM_F_FIB_MATCH;
	if (a->family == AF_INET)
		rtm->rtm_flags |= RTM_F_LOOKUP_TABLE;
	mnl_attr_put((struct nlmsghdr *)r->buf, RTA_DST, alen, a->daddr);
	a->plen = -1;
	return nl_talk(r, s, get_cb, a);
}

static int query_table_dump(struct route_resolver *r, struct rsock *s,
			    struct answer *a)
{
	put_request(r, NLM_F_DUMP, a->family);
	/* Strict-checking kernels (4.20+) filter on it; others dump all. */
	mnl_attr_put_u32((struct nlmsghdr *)r->buf, RTA_TABLE, a->want_table);
	a->plen = -1;
	return nl_talk(r, s, dump_cb, a);
}

static int resolve(struct route_resolver *r, __u32 inum, int family,
		   const __u8 *daddr, __u32 table, __u64 now)
{
	struct answer a = { .family = family, .daddr = daddr, .want_table = table };
	struct rsock *s = sock_get(r, inum, now);
	int err;

	if (!s)
		return -1;
	err = query_fib_match(r, s, &a);
	if (!err && a.plen >= 0 && (!table || a.table == table))
		return a.plen;
	if (!table)
		return -1;
	pr_debug("route: lookup answered from table %u (%s), dumping table %u",
		 a.table, err ? strerror(-err) : "ok", table);
	r->stats.dumps++;
	err = query_table_dump(r, s, &a);
	if (err) {
		pr_debug("route: dump of table %u: %s", table, strerror(-err));
		return -1;
	}
	return a.plen;
}

static struct rcache *cache_slot(struct route_resolver *r, __u32 inum,
				 int family, const __u8 *daddr, __u32 table)
{
	__u32 h = 2166136261u;		/* FNV-1a */
	__u8 key[28];
	int i, n = addr_len(family);

	memcpy(key, &inum, 4);
	memcpy(key + 4, &table, 4);
	memcpy(key + 8, daddr, n);
	for (i = 0; i < 8 + n; i++)
		h = (h ^ key[i]) * 16777619u;
	return &r->cache[(h ^ family) & (CACHE_SLOTS - 1)];
}

int route__prefixlen(struct route_resolver *r, __u32 netns_inum, int family,
		     const __u8 *daddr, __u32 table)
{
	int alen = addr_len(family);
	struct rcache *c;
	__u64 now;

	if (!r)
		return -1;
	r->stats.queries++;
	if (r->broken || !daddr || !alen) {
		r->stats.unresolved++;
		return -1;
	}
	if (netns_inum == r->self_inum)
		netns_inum = 0;
	now = now_ns();
	c = cache_slot(r, netns_inum, family, daddr, table);
	if (c->expires > now && c->family == family && c->netns == netns_inum &&
	    c->table == table && !memcmp(c->daddr, daddr, alen)) {
		r->stats.cached++;
		return c->plen;
	}
	sock_sweep(r, now);
	*c = (struct rcache){ .expires = now + CACHE_TTL_NS, .netns = netns_inum,
			      .table = table, .family = family };
	memcpy(c->daddr, daddr, alen);
	c->plen = resolve(r, netns_inum, family, daddr, table, now);
	if (c->plen < 0)
		r->stats.unresolved++;
	return c->plen;
}

void route__stats(const struct route_resolver *r, struct route_stats *st)
{
	if (r)
		*st = r->stats;
	else
		memset(st, 0, sizeof(*st));
}

/* rt_tables is read once: a static table, so nothing to free. */
#define RT_NAMES_MAX	64

static struct {
	__u32 id;
	char name[32];
} rt_names[RT_NAMES_MAX];
static int rt_names_cnt = -1;

static void rt_names_read(const char *path)
{
	char line[256], name[32];
	unsigned long id;
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	while (rt_names_cnt < RT_NAMES_MAX && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %lu %31s", &id, name) != 2 || id > 0xffffffffUL ||
		    name[0] == '#')
			continue;
		rt_names[rt_names_cnt].id = id;
		strcpy(rt_names[rt_names_cnt].name, name);
		rt_names_cnt++;
	}
	fclose(f);
}

static void rt_names_load(void)
{
	rt_names_cnt = 0;
	rt_names_read("/etc/iproute2/rt_tables");
	/* iproute2 6.5+ ships its defaults here and /etc only overrides. */
	rt_names_read("/usr/share/iproute2/rt_tables");
}

/* buf = s, cut to len (snprintf's "%s" was a tenth of a path's JSON). */
static const char *name_copy(char *buf, size_t len, const char *s)
{
	size_t n = strnlen(s, len - 1);

	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

const char *route__table_name(__u32 table, char *buf, size_t len)
{
	int i;

	if (!len)
		return buf;
	if (rt_names_cnt < 0)
		rt_names_load();
	for (i = 0; i < rt_names_cnt; i++) {
		if (rt_names[i].id == table)
			return name_copy(buf, len, rt_names[i].name);
	}
	switch (table) {
	case RT_TABLE_LOCAL:
		return name_copy(buf, len, "local");
	case RT_TABLE_MAIN:
		return name_copy(buf, len, "main");
	case RT_TABLE_DEFAULT:
		return name_copy(buf, len, "default");
	}
	snprintf(buf, len, "%u", table);
	return buf;
}

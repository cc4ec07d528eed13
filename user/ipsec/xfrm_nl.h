/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * IPsec context over NETLINK_XFRM: a table of the SAs and policies of one
 * network namespace (dumped, then kept current from notifications) and
 * the live events an operator needs to explain drops: SA expiry, ACQUIRE
 * (a policy wanted an SA that IKE has not negotiated), SA/policy changes,
 * NAT-T mapping changes. Keys are never stored or printed.
 *
 * Needs CAP_NET_ADMIN (the kernel refuses even dumps without it), and
 * CAP_SYS_ADMIN to open another namespace's socket.
 */
#ifndef GW_XFRM_NL_H
#define GW_XFRM_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/netlink.h>
#include <linux/types.h>
#include <linux/xfrm.h>

struct jw;
struct xfrm_nl;

#define XFRM_NL_ALG_LEN		64	/* xfrm_algo.alg_name */
#define XFRM_NL_MAX_TMPL	6	/* XFRM_MAX_DEPTH */

/* Hard add-lifetimes below this (seconds) look like a configuration slip. */
#define XFRM_NL_SHORT_LIFETIME_S 300

struct xfrm_nl_sa {
	__be32 spi;
	__u8 proto;			/* IPPROTO_ESP, _AH, _COMP */
	__u8 mode;			/* XFRM_MODE_* */
	__u16 family;			/* of saddr/daddr */
	__u32 reqid;
	xfrm_address_t saddr, daddr;
	struct xfrm_selector sel;	/* inner traffic the SA is for */
	char aead[XFRM_NL_ALG_LEN];	/* "" when absent */
	char enc[XFRM_NL_ALG_LEN];
	char auth[XFRM_NL_ALG_LEN];
	char comp[XFRM_NL_ALG_LEN];
	__u32 aead_icv_bits, auth_trunc_bits;
	struct xfrm_lifetime_cfg lft;	/* XFRM_INF = no byte/packet limit, 0 s = none */
	struct xfrm_lifetime_cur cur;	/* add_time/use_time: wall-clock seconds */
	__u32 replay_window;		/* packets; from the ESN attribute when esn */
	bool esn;
	__u8 flags;			/* XFRM_STATE_* */
	bool has_encap;
	struct xfrm_encap_tmpl encap;	/* NAT-T: UDP_ENCAP_ESPINUDP, ports */
	struct xfrm_mark mark;
	__u32 if_id;
	__u8 dir;			/* 6.10+ XFRMA_SA_DIR: 1 in, 2 out; 0 unset */
};

struct xfrm_nl_policy {
	struct xfrm_selector sel;
	__u32 priority;
	__u32 index;			/* unique per netns, low bits = dir */
	__u8 dir;			/* XFRM_POLICY_IN/OUT/FWD */
	__u8 action;			/* XFRM_POLICY_ALLOW/BLOCK */
	__u8 flags;
	__u8 type;			/* XFRM_POLICY_TYPE_MAIN/SUB */
	struct xfrm_lifetime_cfg lft;
	struct xfrm_lifetime_cur cur;
	struct xfrm_mark mark;
	__u32 if_id;
	unsigned int ntmpl;
	struct xfrm_user_tmpl tmpl[XFRM_NL_MAX_TMPL];
};

enum xfrm_nl_event_type {
	XFRM_NL_EV_NONE,
	XFRM_NL_EV_EXPIRE,
	XFRM_NL_EV_ACQUIRE,
	XFRM_NL_EV_NEW_SA,
	XFRM_NL_EV_DEL_SA,
	XFRM_NL_EV_UPD_SA,
	XFRM_NL_EV_NEW_POLICY,
	XFRM_NL_EV_DEL_POLICY,
	XFRM_NL_EV_UPD_POLICY,
	XFRM_NL_EV_POLICY_EXPIRE,
	XFRM_NL_EV_FLUSH_SA,
	XFRM_NL_EV_FLUSH_POLICY,
	XFRM_NL_EV_MAPPING,
	XFRM_NL_EV_REPORT,
	XFRM_NL_EV_OVERRUN,		/* the kernel dropped notifications */
};

/* XFRM_MSG_MAPPING: the peer's NAT-T source moved. */
struct xfrm_nl_mapping {
	xfrm_address_t old_saddr, new_saddr;
	__be16 old_sport, new_sport;
};

struct xfrm_nl_event {
	__u64 ts_ns;			/* CLOCK_MONOTONIC at receipt */
	__u64 wall_s;			/* CLOCK_REALTIME s at receipt (SA times are wall) */
	__u32 netns;			/* inode of the namespace watched; 0 = detached */
	enum xfrm_nl_event_type type;
	bool hard;			/* EXPIRE, POLICY_EXPIRE */
	bool has_sa;
	bool has_policy;
	bool has_flow;
	/* Only the SA's identity is known (ACQUIRE, MAPPING of an SA not in the table). */
	bool sa_id_only;
	/* EXPIRE/DEL_SA: another SA of the same peers/proto/reqid is installed (a rekey). */
	bool sa_replaced;
	/*
	 * EXPIRE/NEW/DEL/UPD_SA: the SA. ACQUIRE: the SA wanted (spi 0,
	 * peers, proto, mode and reqid of the template). MAPPING: the SA
	 * from the table, or its id (spi, proto, daddr, old saddr, reqid).
	 */
	struct xfrm_nl_sa sa;
	struct xfrm_nl_policy policy;	/* *_POLICY, POLICY_EXPIRE, ACQUIRE */
	struct xfrm_selector flow;	/* ACQUIRE: the packet's flow; REPORT */
	struct xfrm_nl_mapping mapping;
	__u8 proto;			/* FLUSH_SA (0 = all, 255 = any IPsec), REPORT */
	__u64 lost;			/* OVERRUN: overruns so far, this one included */
};

/*
 * Opens a dump socket and an event socket (groups ACQUIRE, EXPIRE, SA,
 * POLICY, REPORT, MAPPING; non-blocking) in netns_fd's namespace (-1:
 * ours). Subscribe-then-dump: call xfrm_nl__dump() after this, so no
 * change falls between the two. NULL with errno on failure: EPERM without
 * CAP_NET_ADMIN (joining the groups) or CAP_SYS_ADMIN (setns),
 * EPROTONOSUPPORT if the kernel has no xfrm_user.
 */
struct xfrm_nl *xfrm_nl__open(int netns_fd);

/* A table without sockets, fed by xfrm_nl__feed() (tests, recordings). */
struct xfrm_nl *xfrm_nl__new_detached(void);

void xfrm_nl__close(struct xfrm_nl *x);

/* The event socket, for poll(POLLIN); -1 if detached. */
int xfrm_nl__fd(const struct xfrm_nl *x);

/*
 * Replaces the table with XFRM_MSG_GETSA and GETPOLICY dumps. 0 or
 * -errno (-EPERM without CAP_NET_ADMIN, -ENOTCONN if detached).
 */
int xfrm_nl__dump(struct xfrm_nl *x);

/*
 * Reads every pending notification, updates the table and calls cb
 * (may be NULL) with each decoded event. On a receive-buffer overrun
 * (ENOBUFS) the overrun is counted, reported to cb as an OVERRUN event,
 * and the table is dumped again since changes were missed. Returns the
 * number of events, or -errno.
 */
typedef void (*xfrm_nl_cb)(const struct xfrm_nl_event *ev, void *ctx);
int xfrm_nl__process(struct xfrm_nl *x, xfrm_nl_cb cb, void *ctx);

/* Overruns seen on the event socket (each lost one or more messages). */
__u64 xfrm_nl__lost(const struct xfrm_nl *x);

/*
 * Applies a buffer of netlink messages (as received) as notifications:
 * the table is updated and cb called per event. Returns the number of
 * events.
 */
int xfrm_nl__feed(struct xfrm_nl *x, const void *buf, size_t len, __u64 ts_ns, __u64 wall_s,
		  xfrm_nl_cb cb, void *ctx);

/*
 * Decodes one message without touching any table: notifications and
 * dump replies (XFRM_MSG_NEWSA / NEWPOLICY). 0, or -EINVAL (truncated)
 * or -ENOMSG (not an xfrm message we decode).
 */
int xfrm_nl__parse(const struct nlmsghdr *nlh, struct xfrm_nl_event *ev);

/*
 * The SA with this SPI and protocol (0: any) and, unless NULL, outer
 * destination address (4 or 16 bytes by the SA's family). NULL if none.
 * Valid until the next dump/process/feed.
 */
const struct xfrm_nl_sa *xfrm_nl__sa_by_spi(const struct xfrm_nl *x, __be32 spi, __u8 proto,
					    const __u8 *daddr);
const struct xfrm_nl_policy *xfrm_nl__policy_by_index(const struct xfrm_nl *x, __u32 index);
/* Whether sel's address prefixes cover saddr -> daddr (family 0: any). */
bool xfrm_nl__sel_covers(const struct xfrm_selector *sel, __u16 family, const __u8 *saddr,
			 const __u8 *daddr);
/*
 * The IPsec policy (allow, with templates) of direction dir whose selector
 * covers saddr -> daddr (addresses only: any protocol and ports), the
 * kernel's pick among several (lowest priority value); NULL if none.
 */
const struct xfrm_nl_policy *xfrm_nl__policy_covering(const struct xfrm_nl *x, __u8 dir,
						       __u16 family, const __u8 *saddr,
						       const __u8 *daddr);

size_t xfrm_nl__sa_count(const struct xfrm_nl *x);
size_t xfrm_nl__policy_count(const struct xfrm_nl *x);
/* Stops early when fn returns nonzero, and returns that value. */
int xfrm_nl__foreach_sa(const struct xfrm_nl *x, int (*fn)(const struct xfrm_nl_sa *, void *),
			void *ctx);
int xfrm_nl__foreach_policy(const struct xfrm_nl *x,
			    int (*fn)(const struct xfrm_nl_policy *, void *), void *ctx);

/* "expire", "acquire", "new_sa", ... (the JSON "event" value). */
const char *xfrm_nl__event_name(enum xfrm_nl_event_type t);

/* One {"type":"xfrm_event",...} object (no newline: jw_endline is the caller's). */
void xfrm_nl__event_json(struct jw *w, const struct xfrm_nl_event *ev);
/* One line, newline included. */
void xfrm_nl__event_text(FILE *f, const struct xfrm_nl_event *ev);

/*
 * Whether ev is an SA expiring far too soon after it was made (spi set,
 * added less than XFRM_NL_SHORT_LIFETIME_S before, or a hard lifetime
 * below it): a lifetime_mismatch. evidence gets the facts in words.
 */
bool xfrm_nl__expired_early(const struct xfrm_nl_event *ev, char *evidence, size_t len);
/* A {"type":"diagnosis","cause":"lifetime_mismatch",...} object for such
 * an event (no newline), and its text lines. */
void xfrm_nl__lifetime_json(struct jw *w, const struct xfrm_nl_event *ev, const char *evidence);
void xfrm_nl__lifetime_text(FILE *f, const struct xfrm_nl_event *ev, const char *evidence);

/* The "sa" object of an event, for annotating packets; age from the clock. */
void xfrm_nl__sa_json(struct jw *w, const struct xfrm_nl_sa *sa);
void xfrm_nl__policy_json(struct jw *w, const struct xfrm_nl_policy *p);
/* "spi 0x00001000 esp tunnel 192.0.2.1 -> 192.0.2.2 reqid 1", for text lines. */
const char *xfrm_nl__sa_summary(const struct xfrm_nl_sa *sa, char *buf, size_t len);

#endif /* GW_XFRM_NL_H */

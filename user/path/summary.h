/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* End-of-run numbers, printed as text or as the JSON summary line. */
#ifndef GW_SUMMARY_H
#define GW_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "packet.h"
#include "xfrm_stat.h"

struct gw_probe_report;	/* attach.h */

struct gw_summary {
	double duration_s;
	__u64 packets;			/* packet paths reported */
	__u64 by_outcome[GW_OUT_SENT + 1];	/* index enum gw_outcome */
	__u64 events;			/* events read from the ring buffer */
	__u64 lost_ringbuf;		/* sum over probes */
	__u64 lost_track;		/* sum over probes */
	__u64 lost_busy;		/* sum over probes */
	__u64 unattributed;		/* events with no packet (pkt_id 0) */
	__u64 evicted;			/* paths flushed early: correlator full */
	const struct gw_probe_report *probes;
	size_t n_probes;
	/* xfrm counters that grew during the run, in --netns's namespace when
	 * given, else gwtrace's; NULL: the kernel has no xfrm_stat. */
	const struct xfrm_stat_delta *xfrm_stat;
	bool xfrm_events;		/* xfrm netlink events were watched */
	__u64 xfrm_events_lost;		/* netlink overruns, each >= 1 event lost */
};

/* The summary's lost_events: the probes' losses of every kind, summed. */
static inline __u64 summary__lost(const struct gw_summary *s)
{
	return s->lost_ringbuf + s->lost_track + s->lost_busy;
}

#endif /* GW_SUMMARY_H */

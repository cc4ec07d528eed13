/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command line: argv -> struct gw_config. */
#ifndef GW_CLI_H
#define GW_CLI_H

#include <stdbool.h>
#include "http.h"
#include <linux/types.h>
#include "gwtrace.h"
#include "probe_table.h"

#ifndef GWTRACE_VERSION
#define GWTRACE_VERSION "0.1.0"	/* --version prints "gwtrace 0.1.0" */
#endif

enum gw_command { GW_CMD_TRACE, GW_CMD_PROBES, GW_CMD_MONITOR };

struct gw_config {
	enum gw_command cmd;
	enum gw_mode mode;
	struct gw_filter filter;	/* in-kernel filter; flags 0 = all */
	char netns_arg[256];		/* --netns as given (name/path), "" = none */
	bool json;
	bool json_compact;		/* --compact: steps carry only changes */
	bool all;			/* --all: print living packets too */
	double duration;		/* seconds, 0 = until Ctrl-C */
	const char *ready_file;		/* NULL = none */
	int verbose;			/* -v count */
	__u32 ringbuf_kb;		/* --ringbuf-size KB, power of two */
	__u32 track_max;		/* --track-max: tracking map entries */
	__u32 idle_ms;			/* --idle-timeout: packet path idle flush */
	const char *record_file;	/* --record: raw events to this file */
	/* monitor */
	const char *listen;		/* --listen ADDR:PORT, NULL = no HTTP */
	double interval;		/* --interval: seconds per window */
	__u32 drop_limit;		/* --drop-limit: drops streamed per flow
					 * and location per window */
	__u32 flows;			/* --flows: flow table entries */
	struct http_limits http;	/* --http-max-conns, ...-per-client, --http-idle-timeout */
};

/*
 * Parse argv. Returns 0 on success, or the exit code to use: 2 for bad
 * usage (message already printed to stderr), or -1 for "exit 0 now"
 * (--help / --version printed).
 */
int cli__parse(int argc, char **argv, struct gw_config *cfg);

#endif /* GW_CLI_H */

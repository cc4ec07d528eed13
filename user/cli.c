// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Command line: argv -> struct gw_config.
 *
 * argp lays out --help and getopt reports unknown options and missing
 * arguments; every decision about exiting is ours. ARGP_NO_EXIT keeps argp
 * from calling exit() (its default error status is 64, ours is 2),
 * ARGP_NO_HELP replaces its --help/--usage/--version with ours, and a NULL
 * err_stream silences its "Try ... --usage" line, so that every usage error
 * is one line from us or getopt plus "Try 'gwtrace --help'.".
 */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "cli.h"
#include "filter.h"
#include "http.h"
#include "netns.h"

#define CLI_PROG		"gwtrace"
#define CLI_DURATION_MAX	31536000.0	/* one year, in seconds */

enum cli_key {
	/* Filters: each at most once. */
	CLI_OPT_HOST = 0x100,
	CLI_OPT_SRC,
	CLI_OPT_DST,
	CLI_OPT_PROTO,
	CLI_OPT_PORT,
	CLI_OPT_IFACE,
	CLI_OPT_NETNS,
	/* Options of "trace" and "monitor". */
	CLI_OPT_DURATION,
	CLI_OPT_READY_FILE,
	CLI_OPT_RINGBUF,
	/* Options of "trace" only. */
	CLI_OPT_ALL,
	CLI_OPT_TRACK_MAX,
	CLI_OPT_IDLE,
	CLI_OPT_RECORD,
	CLI_OPT_COMPACT,
	/* Options of "monitor" only. */
	CLI_OPT_LISTEN,
	CLI_OPT_INTERVAL,
	CLI_OPT_DROP_LIMIT,
	CLI_OPT_FLOWS,
	CLI_OPT_HTTP_CONNS,
	CLI_OPT_HTTP_PER_CLIENT,
	CLI_OPT_HTTP_IDLE,
	/* Valid for every command. */
	CLI_OPT_JSON,
	CLI_OPT_MODE,
	CLI_OPT_END,
};

#define CLI_BIT(key)		(1u << ((key) - CLI_OPT_HOST))
#define CLI_RANGE(a, b)		((CLI_BIT(b) << 1) - CLI_BIT(a))
#define CLI_IS_FILTER(key)	((key) >= CLI_OPT_HOST && (key) <= CLI_OPT_NETNS)
#define CLI_COMMON		CLI_RANGE(CLI_OPT_JSON, CLI_OPT_MODE)
#define CLI_TRACE_MON		CLI_RANGE(CLI_OPT_HOST, CLI_OPT_RINGBUF)

/* The options each command takes. */
static const unsigned int cli_cmd_opts[] = {
	[GW_CMD_TRACE] = CLI_COMMON | CLI_TRACE_MON |
			 CLI_RANGE(CLI_OPT_ALL, CLI_OPT_COMPACT),
	[GW_CMD_PROBES] = CLI_COMMON,
	[GW_CMD_MONITOR] = CLI_COMMON | CLI_TRACE_MON |
			   CLI_RANGE(CLI_OPT_LISTEN, CLI_OPT_HTTP_IDLE),
};
static const char *const cli_cmd_names[] = {
	[GW_CMD_TRACE] = "trace",
	[GW_CMD_PROBES] = "probes",
	[GW_CMD_MONITOR] = "monitor",
};

static const char cli_args_doc[] = "[trace]\nmonitor\nprobes";

static const char cli_doc[] =
"Show where and why packets die on a Linux (IPsec) gateway.\n"
"\n"
"gwtrace follows each packet through the kernel: receive, netfilter hooks, "
"routing, IPsec (xfrm) policy, encryption and decryption, transmit. For a "
"packet that dies it reports the step and the reason the kernel gave; "
"--all reports every packet. Needs root.\n"
"\n"
"Commands:\n"
"  trace    trace packets (the default)\n"
"  monitor  always-on: count every packet's fate in the kernel, log the first\n"
"           drops of each flow, serve Prometheus metrics (--listen)\n"
"  probes   list the probes this kernel allows and how each attaches"
"\v"
"EXAMPLES:\n"
"  gwtrace --host 10.1.0.2                 # where do this host's packets die?\n"
"  gwtrace --proto esp --iface eth1 --all  # every ESP packet on eth1\n"
"  gwtrace --dst 10.2.0.0/16 --json        # JSON lines for a script\n"
"  gwtrace --netns gw --duration 10        # 10 s of drops in netns 'gw'\n"
"  gwtrace monitor --listen 127.0.0.1:9464 # always-on, metrics at /metrics\n"
"  gwtrace monitor --json >> drops.jsonl   # drop log for a log shipper\n"
"  gwtrace probes                          # which probes attach here, and how\n"
"\n"
"Exit status: 0 on success, 1 on a runtime error (privileges, kernel), 2 on bad\nusage.";

static const struct argp_option cli_opts[] = {
	{ NULL, 0, NULL, 0, "Filters (all given must match):", 1 },
	{ "host", CLI_OPT_HOST, "ADDR[/LEN]", 0,
	  "Packets from or to this IPv4/IPv6 address or prefix", 1 },
	{ "src", CLI_OPT_SRC, "ADDR[/LEN]", 0,
	  "Packets from this address or prefix", 1 },
	{ "dst", CLI_OPT_DST, "ADDR[/LEN]", 0,
	  "Packets to this address or prefix", 1 },
	{ "proto", CLI_OPT_PROTO, "PROTO", 0,
	  "icmp, tcp, udp, esp, ah, gre, icmpv6, sctp, ipip, ipv6, comp or a number 0..255", 1 },
	{ "port", CLI_OPT_PORT, "PORT", 0,
	  "TCP/UDP source or destination port", 1 },
	{ "iface", CLI_OPT_IFACE, "NAME", 0,
	  "Events on this device, in any network namespace", 1 },
	{ "netns", CLI_OPT_NETNS, "NAME|PATH", 0,
	  "Only events in this network namespace: a name from 'ip netns', "
	  "a path such as /proc/PID/ns/net, or pid:PID", 1 },

	{ NULL, 0, NULL, 0, "Output:", 2 },
	{ "json", CLI_OPT_JSON, NULL, 0, "JSON lines instead of text", 2 },
	{ "all", CLI_OPT_ALL, NULL, 0,
	  "Report every packet, not only those that die", 2 },
	{ "duration", CLI_OPT_DURATION, "SEC", 0,
	  "Stop after SEC seconds (decimals allowed); default: until Ctrl-C", 2 },
	{ "ready-file", CLI_OPT_READY_FILE, "PATH", 0,
	  "Create PATH once the probes are attached", 2 },
	{ "verbose", 'v', NULL, 0,
	  "More detail, with libbpf's messages; -vv for debug", 2 },

	{ NULL, 0, NULL, 0, "Tracing:", 3 },
	{ "mode", CLI_OPT_MODE, "MODE", 0,
	  "Probe strategy: auto (default), fentry, kprobe or tracepoint", 3 },
	{ "ringbuf-size", CLI_OPT_RINGBUF, "KB", 0,
	  "Ring buffer size: a power of two, 64..1048576 (default 4096)", 3 },
	{ "track-max", CLI_OPT_TRACK_MAX, "N", 0,
	  "Packets tracked at once, 1.5 KB of kernel memory each: "
	  "256..262144 (default 16384)", 3 },
	{ "idle-timeout", CLI_OPT_IDLE, "MS", 0,
	  "Report a packet's path after MS ms without events: 10..600000 "
	  "(default 1000)", 3 },
	{ "record", CLI_OPT_RECORD, "FILE", 0,
	  "Also write every raw event to FILE (for replay and benchmarks): "
	  "created mode 0600; an existing regular file is overwritten, a "
	  "symlink, FIFO, device or hard-linked file refused", 3 },
	{ "compact", CLI_OPT_COMPACT, NULL, 0,
	  "JSON (implies --json) whose steps list only what changed since the "
	  "step before: a third of the bytes, for --all at high rates", 3 },

	{ NULL, 0, NULL, 0, "Monitor:", 4 },
	{ "listen", CLI_OPT_LISTEN, "ADDR:PORT", 0,
	  "Serve Prometheus metrics at http://ADDR:PORT/metrics "
	  "(127.0.0.1:9464, [::1]:9464, :9464 for all; port 0 = any free)", 4 },
	{ "interval", CLI_OPT_INTERVAL, "SEC", 0,
	  "Window for --drop-limit and the text report (default 10)", 4 },
	{ "drop-limit", CLI_OPT_DROP_LIMIT, "N", 0,
	  "Drops logged per flow and drop location per window: 0..100000 "
	  "(default 5); all are counted", 4 },
	{ "flows", CLI_OPT_FLOWS, "N", 0,
	  "Flow table entries (flows with drops): 64..1048576 (default 16384); flows beyond it "
	  "are counted in the totals and as flow_table_full", 4 },
	{ "http-max-conns", CLI_OPT_HTTP_CONNS, "N", 0,
	  "Connections the metrics server holds at most: 1..1024 (default 32)", 4 },
	{ "http-max-conns-per-client", CLI_OPT_HTTP_PER_CLIENT, "N", 0,
	  "Of those, from one client address: 1..1024 (default 8), so that idle or slow "
	  "connections from one client cannot starve a scrape from another", 4 },
	{ "http-idle-timeout", CLI_OPT_HTTP_IDLE, "SEC", 0,
	  "Close a metrics connection idle (or sending its request) this long: 1..3600 "
	  "(default 10)", 4 },

	{ NULL, 0, NULL, 0, "Help:", -1 },
	{ "help", 'h', NULL, 0, "Show this help and exit", -1 },
	{ "version", 'V', NULL, 0, "Show the version and exit", -1 },
	{},
};

/* Everything one parse needs: on the stack of cli__parse(), never static. */
struct cli_ctx {
	struct gw_config *cfg;
	unsigned int seen;	/* CLI_BIT() of options given */
	int status;		/* cli__parse()'s result if argp_parse fails */
};

static const char *cli__opt_name(int key)
{
	const struct argp_option *o;

	for (o = cli_opts; o->name || o->key || o->doc; o++)
		if (o->key == key && o->name)
			return o->name;
	return "?";
}

/* One line on stderr; cli__parse() adds the "Try" line. */
__attribute__((format(printf, 2, 3)))
static error_t cli__usage(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fputs(CLI_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ctx->status = 2;
	return EINVAL;
}

static error_t cli__bad_value(struct cli_ctx *ctx, int key, const char *what,
			      const char *arg, const char *hint)
{
	return cli__usage(ctx, "invalid %s '%s' for --%s%s%s", what, arg,
			  cli__opt_name(key), hint ? ": " : "", hint ? hint : "");
}

/* Digits only, min..max. */
static int cli__parse_uint(const char *s, unsigned long min, unsigned long max,
			   __u32 *out)
{
	unsigned long v;

	if (filter__parse_dec(s, max, &v) || v < min)
		return -EINVAL;
	*out = (__u32)v;
	return 0;
}

static int cli__parse_duration(const char *s, double *out)
{
	char *end;
	double v;

	/* strtod() would also take " 5", "+5", "-0", "inf" and "nan". */
	if (!(*s >= '0' && *s <= '9') && *s != '.')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v <= 0 ||
	    v > CLI_DURATION_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

static error_t cli__parse_prefix(struct cli_ctx *ctx, int key, const char *arg,
				 struct gw_prefix *p, __u32 flag)
{
	const char *slash = strchr(arg, '/');
	struct gw_prefix addr_only;
	char addr[64];

	if (!filter__parse_prefix(arg, p)) {
		ctx->cfg->filter.flags |= flag;
		return 0;
	}
	/* Say which half is wrong: "10.0.0.0/33" has a fine address. */
	if (slash && (size_t)(slash - arg) < sizeof(addr)) {
		snprintf(addr, sizeof(addr), "%.*s", (int)(slash - arg), arg);
		if (!filter__parse_prefix(addr, &addr_only))
			return cli__bad_value(ctx, key, "prefix length", arg,
					      addr_only.family == AF_INET ?
					      "IPv4 allows 0..32" :
					      "IPv6 allows 0..128");
	}
	return cli__bad_value(ctx, key, "address", arg, NULL);
}

static error_t cli__parse_netns(struct cli_ctx *ctx, const char *arg)
{
	struct gw_config *cfg = ctx->cfg;
	int err;

	if (strlen(arg) >= sizeof(cfg->netns_arg))
		return cli__usage(ctx, "network namespace '%.40s...' is too long",
				  arg);
	err = netns__inode_of(arg, &cfg->filter.netns);
	if (err == -ENOENT || err == -ENOTDIR)
		return cli__usage(ctx, "no such network namespace '%s'", arg);
	if (err == -EINVAL)
		return cli__usage(ctx, "'%s' is not a network namespace", arg);
	if (err)
		return cli__usage(ctx, "cannot use network namespace '%s': %s",
				  arg, strerror(-err));
	snprintf(cfg->netns_arg, sizeof(cfg->netns_arg), "%s", arg);
	cfg->filter.flags |= GW_F_NETNS;
	return 0;
}

static error_t cli__parse_filter(struct cli_ctx *ctx, int key, const char *arg)
{
	struct gw_filter *f = &ctx->cfg->filter;

	switch (key) {
	case CLI_OPT_HOST:
		return cli__parse_prefix(ctx, key, arg, &f->host, GW_F_HOST);
	case CLI_OPT_SRC:
		return cli__parse_prefix(ctx, key, arg, &f->src, GW_F_SRC);
	case CLI_OPT_DST:
		return cli__parse_prefix(ctx, key, arg, &f->dst, GW_F_DST);
	case CLI_OPT_PROTO:
		if (filter__parse_proto(arg, &f->proto))
			return cli__bad_value(ctx, key, "protocol", arg,
				"use icmp, tcp, udp, esp, ah, gre, icmpv6, sctp, ipip, ipv6, comp or 0..255");
		f->flags |= GW_F_PROTO;
		return 0;
	case CLI_OPT_PORT:
		if (filter__parse_port(arg, &f->port))
			return cli__bad_value(ctx, key, "port", arg, "use 1..65535");
		f->flags |= GW_F_PORT;
		return 0;
	case CLI_OPT_IFACE:
		if (filter__parse_iface(arg, f->iface))
			return cli__bad_value(ctx, key, "interface name", arg,
				"1..15 characters, no '/', ':' or spaces");
		f->flags |= GW_F_IFACE;
		return 0;
	case CLI_OPT_NETNS:
		return cli__parse_netns(ctx, arg);
	}
	return ARGP_ERR_UNKNOWN;
}

static error_t cli__parse_mode(struct cli_ctx *ctx, const char *arg)
{
	static const char *const names[] = {
		[GW_MODE_AUTO] = "auto",
		[GW_MODE_FENTRY] = "fentry",
		[GW_MODE_KPROBE] = "kprobe",
		[GW_MODE_TRACEPOINT] = "tracepoint",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(arg, names[i])) {
			ctx->cfg->mode = (enum gw_mode)i;
			return 0;
		}
	}
	return cli__bad_value(ctx, CLI_OPT_MODE, "mode", arg,
			      "use auto, fentry, kprobe or tracepoint");
}

static error_t cli__parse_monitor(struct cli_ctx *ctx, int key, char *arg)
{
	struct gw_config *cfg = ctx->cfg;

	switch (key) {
	case CLI_OPT_LISTEN:
		if (http__parse_listen(arg, NULL, NULL))
			return cli__bad_value(ctx, key, "address", arg,
				http__listen_problem(arg) ?:
				"use IPv4:PORT, [IPv6]:PORT or :PORT");
		cfg->listen = arg;
		return 0;
	case CLI_OPT_INTERVAL:
		if (cli__parse_duration(arg, &cfg->interval) || cfg->interval < 0.1 ||
		    cfg->interval > 86400)
			return cli__bad_value(ctx, key, "interval", arg,
					      "seconds, 0.1 to 86400");
		return 0;
	case CLI_OPT_DROP_LIMIT:
		if (cli__parse_uint(arg, 0, 100000, &cfg->drop_limit))
			return cli__bad_value(ctx, key, "count", arg, "use 0..100000");
		return 0;
	case CLI_OPT_FLOWS:
		if (cli__parse_uint(arg, 64, 1048576, &cfg->flows))
			return cli__bad_value(ctx, key, "count", arg,
					      "use 64..1048576");
		return 0;
	case CLI_OPT_HTTP_CONNS:
		if (cli__parse_uint(arg, 1, 1024, &cfg->http.conns))
			return cli__bad_value(ctx, key, "count", arg, "use 1..1024");
		return 0;
	case CLI_OPT_HTTP_PER_CLIENT:
		if (cli__parse_uint(arg, 1, 1024, &cfg->http.per_client))
			return cli__bad_value(ctx, key, "count", arg, "use 1..1024");
		return 0;
	case CLI_OPT_HTTP_IDLE:
		if (cli__parse_uint(arg, 1, 3600, &cfg->http.idle_s))
			return cli__bad_value(ctx, key, "timeout", arg, "use 1..3600 (seconds)");
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static error_t cli__parse_other(struct cli_ctx *ctx, int key, char *arg)
{
	struct gw_config *cfg = ctx->cfg;

	switch (key) {
	case CLI_OPT_JSON:
		cfg->json = true;
		return 0;
	case CLI_OPT_ALL:
		cfg->all = true;
		return 0;
	case CLI_OPT_DURATION:
		if (cli__parse_duration(arg, &cfg->duration))
			return cli__bad_value(ctx, key, "duration", arg,
				"seconds, more than 0 and at most 31536000");
		return 0;
	case CLI_OPT_READY_FILE:
		if (!*arg)
			return cli__bad_value(ctx, key, "path", arg, NULL);
		cfg->ready_file = arg;
		return 0;
	case CLI_OPT_MODE:
		return cli__parse_mode(ctx, arg);
	case CLI_OPT_RINGBUF:
		if (cli__parse_uint(arg, 64, 1048576, &cfg->ringbuf_kb) ||
		    (cfg->ringbuf_kb & (cfg->ringbuf_kb - 1)))
			return cli__bad_value(ctx, key, "size", arg,
				"a power of two from 64 to 1048576 (KB)");
		return 0;
	case CLI_OPT_TRACK_MAX:
		if (cli__parse_uint(arg, 256, 262144, &cfg->track_max))
			return cli__bad_value(ctx, key, "count", arg,
					      "use 256..262144");
		return 0;
	case CLI_OPT_IDLE:
		if (cli__parse_uint(arg, 10, 600000, &cfg->idle_ms))
			return cli__bad_value(ctx, key, "timeout", arg,
					      "use 10..600000 (ms)");
		return 0;
	case CLI_OPT_RECORD:
		if (!*arg)
			return cli__bad_value(ctx, key, "path", arg, NULL);
		cfg->record_file = arg;
		return 0;
	case CLI_OPT_COMPACT:
		cfg->json = cfg->json_compact = true;
		return 0;
	}
	return cli__parse_monitor(ctx, key, arg);
}

static error_t cli__parse_long(struct cli_ctx *ctx, int key, char *arg)
{
	if (CLI_IS_FILTER(key) && (ctx->seen & CLI_BIT(key)))
		return cli__usage(ctx, "--%s given twice", cli__opt_name(key));
	ctx->seen |= CLI_BIT(key);
	if (CLI_IS_FILTER(key))
		return cli__parse_filter(ctx, key, arg);
	return cli__parse_other(ctx, key, arg);
}

static error_t cli__parse_command(struct cli_ctx *ctx, unsigned int n,
				  const char *arg)
{
	if (n > 0)
		return cli__usage(ctx, "unexpected argument '%s'", arg);
	for (size_t i = 0; i < sizeof(cli_cmd_names) / sizeof(cli_cmd_names[0]); i++) {
		if (!strcmp(arg, cli_cmd_names[i])) {
			ctx->cfg->cmd = (enum gw_command)i;
			return 0;
		}
	}
	return cli__usage(ctx, "unknown command '%s' (use trace, monitor or probes)",
			  arg);
}

/* Checks that need the whole command line. */
static error_t cli__check(struct cli_ctx *ctx)
{
	const struct gw_filter *f = &ctx->cfg->filter;
	const struct {
		__u32 flag;
		int key;
		const struct gw_prefix *p;
	} pfx[] = {
		{ GW_F_HOST, CLI_OPT_HOST, &f->host },
		{ GW_F_SRC, CLI_OPT_SRC, &f->src },
		{ GW_F_DST, CLI_OPT_DST, &f->dst },
	};
	int first = -1;
	size_t i;

	unsigned int wrong = ctx->seen & ~cli_cmd_opts[ctx->cfg->cmd];

	if (wrong)
		return cli__usage(ctx, "--%s is not an option of '%s'",
				  cli__opt_name(CLI_OPT_HOST + __builtin_ctz(wrong)),
				  cli_cmd_names[ctx->cfg->cmd]);
	/* An IPv4 --src with an IPv6 --dst can never match: say so now. */
	for (i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
		if (!(f->flags & pfx[i].flag))
			continue;
		if (first < 0)
			first = (int)i;
		else if (pfx[i].p->family != pfx[first].p->family)
			return cli__usage(ctx,
				"--%s and --%s are of different address families: nothing can match",
				cli__opt_name(pfx[first].key),
				cli__opt_name(pfx[i].key));
	}
	return 0;
}

static error_t cli__parse_opt(int key, char *arg, struct argp_state *state)
{
	struct cli_ctx *ctx = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->err_stream = NULL;	/* our own "Try" line */
		return 0;
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		ctx->status = -1;
		return ECANCELED;
	case 'V':
		printf(CLI_PROG " " GWTRACE_VERSION "\n");
		ctx->status = -1;
		return ECANCELED;
	case 'v':
		ctx->cfg->verbose++;
		return 0;
	case ARGP_KEY_ARG:
		return cli__parse_command(ctx, state->arg_num, arg);
	case ARGP_KEY_END:
		return cli__check(ctx);
	default:
		if (key >= CLI_OPT_HOST && key < CLI_OPT_END)
			return cli__parse_long(ctx, key, arg);
		return ARGP_ERR_UNKNOWN;
	}
}

static void cli__defaults(struct gw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cmd = GW_CMD_TRACE;
	cfg->mode = GW_MODE_AUTO;
	cfg->ringbuf_kb = 4096;
	cfg->track_max = 16384;
	cfg->idle_ms = 1000;
	cfg->interval = 10;
	cfg->drop_limit = 5;
	cfg->flows = 16384;
	cfg->http.conns = HTTP_DEFAULT_CONNS;
	cfg->http.per_client = HTTP_DEFAULT_PER_CLIENT;
	cfg->http.idle_s = HTTP_DEFAULT_IDLE_S;
}

int cli__parse(int argc, char **argv, struct gw_config *cfg)
{
	static const struct argp argp = {
		.options = cli_opts,
		.parser = cli__parse_opt,
		.args_doc = cli_args_doc,
		.doc = cli_doc,
	};
	struct cli_ctx ctx = { .cfg = cfg, .status = 2 };
	char **args;
	int i, err;

	cli__defaults(cfg);
	/*
	 * getopt prefixes its messages with argv[0] and may permute argv:
	 * work on a copy named "gwtrace", so messages read the same however
	 * we were started and the caller's argv stays as it was.
	 */
	args = calloc((size_t)(argc > 0 ? argc : 1) + 1, sizeof(*args));
	if (!args) {
		fprintf(stderr, CLI_PROG ": out of memory\n");
		return 1;
	}
	args[0] = (char *)CLI_PROG;
	for (i = 1; i < argc; i++)
		args[i] = argv[i];

	/* IN_ORDER: "probes --json" works even with POSIXLY_CORRECT set. */
	err = argp_parse(&argp, argc > 0 ? argc : 1, args,
			 ARGP_IN_ORDER | ARGP_NO_EXIT | ARGP_NO_HELP, NULL, &ctx);
	free(args);
	if (!err)
		return 0;
	/* Nobody should act on half a command line. */
	cli__defaults(cfg);
	fflush(stdout);
	if (ctx.status == -1)
		return -1;
	fprintf(stderr, "Try '" CLI_PROG " --help'.\n");
	return 2;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cli__parse(): every option, every usage error, --help, re-entrancy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "filter.h"

struct output {
	char out[16384];
	char err[4096];
};

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/*
 * Runs cli__parse() with fds 1 and 2 sent to temporary files: getopt
 * writes to stderr itself, so redirecting FILE pointers would not do.
 */
static int run(struct gw_config *cfg, struct output *o, int argc, char **argv)
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	int so, se, rc;

	assert_non_null(fo);
	assert_non_null(fe);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	assert_true(so >= 0 && se >= 0);
	assert_true(dup2(fileno(fo), 1) >= 0 && dup2(fileno(fe), 2) >= 0);
	rc = cli__parse(argc, argv, cfg);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(fo, o->out, sizeof(o->out));
	slurp(fe, o->err, sizeof(o->err));
	return rc;
}

#define PARSE(cfg, o, ...) ({						\
	char *av_[] = { "gwtrace", ##__VA_ARGS__ };			\
	run(cfg, o, (int)(sizeof(av_) / sizeof(av_[0])), av_);		\
})

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

static void assert_defaults(const struct gw_config *c)
{
	static const struct gw_filter none;

	assert_int_equal(c->cmd, GW_CMD_TRACE);
	assert_int_equal(c->mode, GW_MODE_AUTO);
	assert_memory_equal(&c->filter, &none, sizeof(none));
	assert_string_equal(c->netns_arg, "");
	assert_false(c->json);
	assert_false(c->all);
	assert_true(c->duration == 0);
	assert_null(c->ready_file);
	assert_int_equal(c->verbose, 0);
	assert_int_equal(c->ringbuf_kb, 4096);
	assert_int_equal(c->track_max, 16384);
	assert_int_equal(c->idle_ms, 1000);
}

static void test_defaults(void **state)
{
	struct gw_config c;
	struct output o;

	(void)state;
	memset(&c, 0xff, sizeof(c));
	assert_int_equal(PARSE(&c, &o), 0);
	assert_defaults(&c);
	assert_string_equal(o.err, "");
	assert_string_equal(o.out, "");

	/* Also with no argv[0] at all. */
	memset(&c, 0xff, sizeof(c));
	assert_int_equal(run(&c, &o, 0, (char *[]){ NULL }), 0);
	assert_defaults(&c);
}

static void test_commands(void **state)
{
	struct gw_config c;
	struct output o;

	(void)state;
	assert_int_equal(PARSE(&c, &o, "trace"), 0);
	assert_int_equal(c.cmd, GW_CMD_TRACE);
	assert_int_equal(PARSE(&c, &o, "probes"), 0);
	assert_int_equal(c.cmd, GW_CMD_PROBES);

	/* Options before or after the command. */
	assert_int_equal(PARSE(&c, &o, "probes", "--mode", "kprobe", "--json",
			       "-v"), 0);
	assert_int_equal(c.cmd, GW_CMD_PROBES);
	assert_int_equal(c.mode, GW_MODE_KPROBE);
	assert_true(c.json);
	assert_int_equal(c.verbose, 1);
	assert_int_equal(PARSE(&c, &o, "--json", "trace", "--all"), 0);
	assert_int_equal(c.cmd, GW_CMD_TRACE);
	assert_true(c.json && c.all);

	/* POSIXLY_CORRECT makes getopt stop at "probes" unless told not to. */
	setenv("POSIXLY_CORRECT", "1", 1);
	assert_int_equal(PARSE(&c, &o, "probes", "--json", "--mode", "fentry"), 0);
	unsetenv("POSIXLY_CORRECT");
	assert_int_equal(c.cmd, GW_CMD_PROBES);
	assert_true(c.json);
	assert_int_equal(c.mode, GW_MODE_FENTRY);
}

static void test_filter_options(void **state)
{
	struct gw_config c;
	struct output o;
	char d[256];

	(void)state;
	assert_int_equal(PARSE(&c, &o, "--host", "10.1.2.3/16", "--proto", "esp",
			       "--port", "4500", "--iface", "eth1"), 0);
	assert_int_equal(c.filter.flags,
			 GW_F_HOST | GW_F_PROTO | GW_F_PORT | GW_F_IFACE);
	assert_int_equal(c.filter.host.family, AF_INET);
	assert_int_equal(c.filter.host.len, 16);
	assert_memory_equal(c.filter.host.addr, "\x0a\x01\0\0", 4);
	assert_int_equal(c.filter.proto, 50);
	assert_int_equal(c.filter.port, 4500);
	assert_string_equal(c.filter.iface, "eth1");
	assert_string_equal(filter__describe(&c.filter, d, sizeof(d)),
			    "host 10.1.0.0/16 and proto esp and port 4500 and iface eth1");

	/* --opt=value, IPv6, protocol numbers. */
	assert_int_equal(PARSE(&c, &o, "--src=fd00::1", "--dst=fd00:2::/32",
			       "--proto=58"), 0);
	assert_int_equal(c.filter.flags, GW_F_SRC | GW_F_DST | GW_F_PROTO);
	assert_int_equal(c.filter.src.family, AF_INET6);
	assert_int_equal(c.filter.src.len, 128);
	assert_int_equal(c.filter.dst.len, 32);
	assert_int_equal(c.filter.proto, 58);
	assert_string_equal(filter__describe(&c.filter, d, sizeof(d)),
			    "src fd00::1 and dst fd00:2::/32 and proto icmpv6");

	/* --host with --src/--dst: AND, allowed. */
	assert_int_equal(PARSE(&c, &o, "--host", "10.0.0.0/8", "--src", "10.1.0.2",
			       "--dst", "10.2.0.0/16"), 0);
	assert_int_equal(c.filter.flags, GW_F_HOST | GW_F_SRC | GW_F_DST);
}

static void test_output_tracing_options(void **state)
{
	static const struct {
		const char *arg;
		enum gw_mode mode;
	} modes[] = {
		{ "auto", GW_MODE_AUTO }, { "fentry", GW_MODE_FENTRY },
		{ "kprobe", GW_MODE_KPROBE }, { "tracepoint", GW_MODE_TRACEPOINT },
	};
	struct gw_config c;
	struct output o;
	size_t i;

	(void)state;
	assert_int_equal(PARSE(&c, &o, "--json", "--all", "--duration", "2.5",
			       "--ready-file", "/tmp/gw.ready", "-vv", "--verbose",
			       "--ringbuf-size", "64", "--track-max", "256",
			       "--idle-timeout", "10"), 0);
	assert_true(c.json);
	assert_true(c.all);
	assert_true(c.duration == 2.5);
	assert_string_equal(c.ready_file, "/tmp/gw.ready");
	assert_int_equal(c.verbose, 3);
	assert_int_equal(c.ringbuf_kb, 64);
	assert_int_equal(c.track_max, 256);
	assert_int_equal(c.idle_ms, 10);
	assert_int_equal(c.filter.flags, 0);

	assert_int_equal(PARSE(&c, &o, "--duration", ".5", "--ringbuf-size",
			       "1048576", "--track-max", "262144",
			       "--idle-timeout", "600000"), 0);
	assert_true(c.duration == 0.5);
	assert_int_equal(c.ringbuf_kb, 1048576);
	assert_int_equal(c.track_max, 262144);
	assert_int_equal(c.idle_ms, 600000);

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(PARSE(&c, &o, "--mode", (char *)modes[i].arg), 0);
		assert_int_equal(c.mode, modes[i].mode);
	}
}

/* Each must return 2, print one line naming what is wrong, then "Try". */
static void test_bad_input(void **state)
{
	static const struct {
		const char *argv[5];
		const char *msg;
	} cases[] = {
		{ { "--host", "10.1.0.300" }, "invalid address '10.1.0.300' for --host" },
		{ { "--src", "10.0.0.0/33" }, "'10.0.0.0/33' for --src" },
		{ { "--dst", "fd00::/129" }, "'fd00::/129' for --dst" },
		{ { "--host", "10.1.0.2/" }, "'10.1.0.2/'" },
		{ { "--host", "" }, "invalid address '' for --host" },
		{ { "--proto", "foo" }, "'foo'" },
		{ { "--proto", "256" }, "'256'" },
		{ { "--port", "0" }, "invalid port '0'" },
		{ { "--port", "65536" }, "invalid port '65536'" },
		{ { "--port", "http" }, "'http'" },
		{ { "--iface", "a/b" }, "'a/b'" },
		{ { "--iface", "0123456789abcdef" }, "'0123456789abcdef'" },
		{ { "--duration", "0" }, "'0' for --duration" },
		{ { "--duration", "-1" }, "'-1'" },
		{ { "--duration", "abc" }, "'abc'" },
		{ { "--duration", "nan" }, "'nan'" },
		{ { "--duration", "inf" }, "'inf'" },
		{ { "--duration", "5s" }, "'5s'" },
		{ { "--mode", "ebpf" }, "'ebpf'" },
		{ { "--ringbuf-size", "100" }, "'100'" },
		{ { "--ringbuf-size", "32" }, "'32'" },
		{ { "--ringbuf-size", "2097152" }, "'2097152'" },
		{ { "--track-max", "255" }, "'255'" },
		{ { "--track-max", "262145" }, "'262145'" },
		{ { "--idle-timeout", "9" }, "'9'" },
		{ { "--idle-timeout", "600001" }, "'600001'" },
		{ { "--ready-file", "" }, "--ready-file" },
		{ { "--bogus" }, "--bogus" },
		{ { "--host" }, "--host" },
		{ { "--json=yes" }, "--json" },
		{ { "-x" }, "'x'" },
		/* argp's own --usage / -? would print and let tracing go on. */
		{ { "--usage" }, "--usage" },
		{ { "-?" }, "'?'" },
		{ { "frobnicate" }, "unknown command 'frobnicate'" },
		{ { "trace", "extra" }, "unexpected argument 'extra'" },
		{ { "probes", "trace" }, "unexpected argument 'trace'" },
		{ { "--src", "10.0.0.1", "--src", "10.0.0.2" }, "--src given twice" },
		{ { "--host", "10.0.0.1", "--host", "10.0.0.1" }, "--host given twice" },
		{ { "--dst", "10.0.0.1", "--dst", "10.0.0.2" }, "--dst given twice" },
		{ { "--proto", "tcp", "--proto", "udp" }, "--proto given twice" },
		{ { "--src", "10.0.0.1", "--dst", "fd00::1" }, "different address families" },
		{ { "probes", "--host", "10.0.0.1" }, "--host" },
		{ { "probes", "--all" }, "--all" },
		{ { "--netns", "gwtrace-test-no-such-ns" },
		  "no such network namespace 'gwtrace-test-no-such-ns'" },
	};
	struct gw_config c;
	struct output o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[6] = { "gwtrace" };
		int argc = 1, rc;

		while (argc < 6 && cases[i].argv[argc - 1]) {
			argv[argc] = (char *)cases[i].argv[argc - 1];
			argc++;
		}
		rc = run(&c, &o, argc, argv);
		if (rc != 2)
			fail_msg("case %zu (%s): returned %d", i, cases[i].msg, rc);
		assert_contains(o.err, cases[i].msg);
		assert_true(!strncmp(o.err, "gwtrace: ", 9));
		assert_contains(o.err, "\nTry 'gwtrace --help'.\n");
		if (count_lines(o.err) != 2)
			fail_msg("case %zu: not one line + Try:\n%s", i, o.err);
		assert_string_equal(o.out, "");
		assert_defaults(&c);	/* nothing half-parsed */
	}
}

/* --record FILE: trace only, a path is required. */
static void test_record(void **state)
{
	struct gw_config c;
	struct output o;

	(void)state;
	assert_int_equal(PARSE(&c, &o), 0);
	assert_null(c.record_file);
	assert_int_equal(PARSE(&c, &o, "--all", "--record", "/tmp/gw.rec"), 0);
	assert_string_equal(c.record_file, "/tmp/gw.rec");
	assert_int_equal(PARSE(&c, &o, "trace", "--record=rel/x y"), 0);
	assert_string_equal(c.record_file, "rel/x y");

	assert_int_equal(PARSE(&c, &o, "--record", ""), 2);
	assert_contains(o.err, "invalid path '' for --record");
	assert_null(c.record_file);
	assert_int_equal(PARSE(&c, &o, "probes", "--record", "/tmp/gw.rec"), 2);
	assert_contains(o.err, "--record is not an option of 'probes'");
	assert_int_equal(PARSE(&c, &o, "monitor", "--record", "/tmp/gw.rec"), 2);
	assert_contains(o.err, "--record is not an option of 'monitor'");
	assert_int_equal(PARSE(&c, &o, "--record"), 2);
	assert_contains(o.err, "--record");
	assert_string_equal(o.out, "");
}

/* monitor: its own options, ranges, and the options it refuses. */
static void test_monitor(void **state)
{
	struct gw_config c;
	struct output o;

	(void)state;
	assert_int_equal(PARSE(&c, &o, "monitor"), 0);
	assert_int_equal(c.cmd, GW_CMD_MONITOR);
	assert_null(c.listen);
	assert_true(c.interval == 10.0);
	assert_int_equal(c.drop_limit, 5);
	assert_int_equal(c.flows, 16384);

	assert_int_equal(PARSE(&c, &o, "monitor", "--listen", "127.0.0.1:9464",
			       "--interval", "0.5", "--drop-limit", "0", "--flows", "64",
			       "--host", "10.0.0.1", "--json", "--duration", "3"), 0);
	assert_string_equal(c.listen, "127.0.0.1:9464");
	assert_true(c.interval == 0.5);
	assert_int_equal(c.drop_limit, 0);
	assert_int_equal(c.flows, 64);
	assert_true(c.json);
	assert_true(c.filter.flags & GW_F_HOST);
	/* Options may come before the command word. */
	assert_int_equal(PARSE(&c, &o, "--listen", "[::1]:0", "monitor"), 0);
	assert_string_equal(c.listen, "[::1]:0");

	assert_int_equal(PARSE(&c, &o, "monitor", "--listen", "host:80"), 2);
	assert_contains(o.err, "--listen");
	assert_contains(o.err, "host:80");
	assert_int_equal(PARSE(&c, &o, "monitor", "--listen", "1.2.3.4"), 2);
	assert_int_equal(PARSE(&c, &o, "monitor", "--interval", "0.01"), 2);
	assert_contains(o.err, "--interval");
	assert_int_equal(PARSE(&c, &o, "monitor", "--drop-limit", "100001"), 2);
	assert_int_equal(PARSE(&c, &o, "monitor", "--flows", "63"), 2);
	assert_int_equal(PARSE(&c, &o, "monitor", "--flows", "1048577"), 2);
	/* Half a command line is never acted on. */
	assert_null(c.listen);
	assert_int_equal(c.cmd, GW_CMD_TRACE);

	assert_int_equal(PARSE(&c, &o, "monitor", "--all"), 2);
	assert_contains(o.err, "--all is not an option of 'monitor'");
	assert_int_equal(PARSE(&c, &o, "monitor", "--track-max", "2048"), 2);
	assert_contains(o.err, "--track-max is not an option of 'monitor'");
	assert_int_equal(PARSE(&c, &o, "--listen", ":9464"), 2);
	assert_contains(o.err, "--listen is not an option of 'trace'");
	assert_int_equal(PARSE(&c, &o, "probes", "--flows", "100"), 2);
	assert_contains(o.err, "--flows is not an option of 'probes'");

	/* The metrics server's limits. */
	assert_int_equal(PARSE(&c, &o, "monitor"), 0);
	assert_int_equal(c.http.conns, 32);
	assert_int_equal(c.http.per_client, 8);
	assert_int_equal(c.http.idle_s, 10);
	assert_int_equal(PARSE(&c, &o, "monitor", "--http-max-conns", "100",
			       "--http-max-conns-per-client", "1", "--http-idle-timeout", "3"), 0);
	assert_int_equal(c.http.conns, 100);
	assert_int_equal(c.http.per_client, 1);
	assert_int_equal(c.http.idle_s, 3);
	assert_int_equal(PARSE(&c, &o, "monitor", "--http-max-conns", "0"), 2);
	assert_contains(o.err, "--http-max-conns");
	assert_int_equal(PARSE(&c, &o, "monitor", "--http-max-conns-per-client", "1025"), 2);
	assert_int_equal(PARSE(&c, &o, "monitor", "--http-idle-timeout", "3601"), 2);
	assert_int_equal(PARSE(&c, &o, "--http-idle-timeout", "5"), 2);
	assert_contains(o.err, "is not an option of 'trace'");
	assert_int_equal(PARSE(&c, &o, "monitor", "probes"), 2);
	assert_contains(o.err, "unexpected argument 'probes'");
}

static void test_help(void **state)
{
	static const char *const want[] = {
		"Usage: gwtrace", "probes", "where and why packets die",
		"Filters", "Output:", "Tracing:", "--host=ADDR[/LEN]", "--src",
		"--dst", "--proto", "--port", "--iface", "--netns", "--json",
		"--all", "--duration", "--ready-file", "--mode", "--ringbuf-size",
		"--track-max", "--idle-timeout", "--verbose", "--version",
		"EXAMPLES:\n",
		"  gwtrace --host 10.1.0.2                 # where do this host's packets die?\n",
		"  gwtrace probes                          # which probes attach here, and how\n",
	};
	struct gw_config c;
	struct output o;
	const char *line;
	size_t i;

	(void)state;
	assert_int_equal(PARSE(&c, &o, "--help"), -1);
	assert_string_equal(o.err, "");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_contains(o.out, want[i]);
	/* argp wraps at 79 columns: keep the examples from being wrapped. */
	for (line = o.out; *line; ) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (len > 79)
			fail_msg("help line longer than 79: %.*s", (int)len, line);
		line += len + (nl ? 1 : 0);
	}

	assert_int_equal(PARSE(&c, &o, "-h"), -1);
	assert_contains(o.out, "EXAMPLES:");
	assert_int_equal(PARSE(&c, &o, "probes", "--help"), -1);
	assert_contains(o.out, "EXAMPLES:");
}

static void test_version(void **state)
{
	struct gw_config c;
	struct output o;

	(void)state;
	assert_int_equal(PARSE(&c, &o, "--version"), -1);
	assert_string_equal(o.out, "gwtrace 0.1.0\n");
	assert_string_equal(o.err, "");
	assert_int_equal(PARSE(&c, &o, "-V"), -1);
	assert_string_equal(o.out, "gwtrace 0.1.0\n");
}

static void test_netns(void **state)
{
	struct gw_config c;
	struct output o;
	struct stat st;
	char pid[32];

	(void)state;
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	assert_int_equal(PARSE(&c, &o, "--netns", "/proc/self/ns/net"), 0);
	assert_int_equal(c.filter.flags, GW_F_NETNS);
	assert_int_equal(c.filter.netns, (__u32)st.st_ino);
	assert_string_equal(c.netns_arg, "/proc/self/ns/net");

	/* A name means /run/netns/NAME. */
	assert_int_equal(PARSE(&c, &o, "--netns", "gwtrace-test-no-such-ns"), 2);
	assert_contains(o.err, "gwtrace: no such network namespace "
			       "'gwtrace-test-no-such-ns'\n");
	assert_int_equal(PARSE(&c, &o, "--netns", "/proc/self/ns/nope"), 2);
	assert_contains(o.err, "no such network namespace '/proc/self/ns/nope'");
	assert_int_equal(PARSE(&c, &o, "--netns", "/"), 2);
	assert_contains(o.err, "'/' is not a network namespace");
	assert_string_equal(c.netns_arg, "");
	/* nsfs, but a mount namespace. */
	assert_int_equal(PARSE(&c, &o, "--netns", "/proc/self/ns/mnt"), 2);
	assert_contains(o.err, "'/proc/self/ns/mnt' is not a network namespace");

	snprintf(pid, sizeof(pid), "pid:%d", (int)getpid());
	assert_int_equal(PARSE(&c, &o, "--netns", pid), 0);
	assert_int_equal(c.filter.netns, (__u32)st.st_ino);
	assert_string_equal(c.netns_arg, pid);
}

/* No state survives from one call to the next. */
static void test_reparse(void **state)
{
	struct gw_config c;
	struct output o;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(PARSE(&c, &o, "probes", "--mode", "fentry", "-v"), 0);
		assert_int_equal(c.cmd, GW_CMD_PROBES);
		assert_int_equal(c.verbose, 1);
		assert_int_equal(PARSE(&c, &o, "--src", "10.0.0.1", "--port", "53",
				       "--netns", "/proc/self/ns/net"), 0);
		assert_int_equal(c.filter.flags, GW_F_SRC | GW_F_PORT | GW_F_NETNS);
		/* --src again in a new parse is not "given twice". */
		assert_int_equal(PARSE(&c, &o, "--src", "10.0.0.2"), 0);
		assert_int_equal(c.filter.flags, GW_F_SRC);
		assert_int_equal(PARSE(&c, &o, "--bogus"), 2);
		assert_int_equal(PARSE(&c, &o, "--help"), -1);
		assert_int_equal(PARSE(&c, &o), 0);
		assert_defaults(&c);
	}
}

static void test_argv_untouched(void **state)
{
	char *argv[] = { "/usr/sbin/gwtrace", "--json", "probes", "-v", NULL };
	char *copy[5];
	struct gw_config c;
	struct output o;

	(void)state;
	memcpy(copy, argv, sizeof(argv));
	assert_int_equal(run(&c, &o, 4, argv), 0);
	assert_memory_equal(argv, copy, sizeof(argv));
	/* Messages say "gwtrace", whatever argv[0] is. */
	argv[1] = "--bogus";
	assert_int_equal(run(&c, &o, 2, argv), 2);
	assert_true(!strncmp(o.err, "gwtrace: ", 9));
}

static volatile int tests_done;

/* argp must never exit() for us: a stray exit(0) would pass silently. */
static void exit_guard(void)
{
	if (!tests_done) {
		fprintf(stderr, "test_cli: exit() called during a test\n");
		_exit(99);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_filter_options),
		cmocka_unit_test(test_output_tracing_options),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_monitor),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_netns),
		cmocka_unit_test(test_reparse),
		cmocka_unit_test(test_argv_untouched),
	};
	int rc;

	atexit(exit_guard);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tests_done = 1;
	return rc;
}

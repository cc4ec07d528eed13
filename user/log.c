// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "log.h"

static enum gw_log_level cur_level = GW_LOG_WARN;
static int json_mode;

void log__set_level(enum gw_log_level lvl) { cur_level = lvl; }
enum gw_log_level log__level(void) { return cur_level; }
void log__set_json(int on) { json_mode = on; }

static void json_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static void vlog(enum gw_log_level lvl, const char *fmt, va_list ap)
{
	static const char *const prefix[] = { "error", "warning", "", "", "" };
	char buf[1024];
	size_t n;

	if (lvl > cur_level)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (json_mode && lvl <= GW_LOG_WARN) {
		/* Errors in --json mode stay machine-readable (bpftool's p_err). */
		fprintf(stderr, "{\"type\":\"%s\",\"message\":\"", prefix[lvl]);
		json_escaped(stderr, buf);
		fputs("\"}\n", stderr);
		return;
	}
	if (lvl <= GW_LOG_WARN)
		fprintf(stderr, "gwtrace: %s: %s\n", prefix[lvl], buf);
	else
		fprintf(stderr, "%s\n", buf);
}

void log__printf(enum gw_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

int log__libbpf_vprint(int libbpf_level, const char *fmt, va_list ap)
{
	/* libbpf warns loudly about probes we expect to fail: its warnings
	 * show with -v, its debug output with -vv. */
	int ours = libbpf_level == LIBBPF_DEBUG ? GW_LOG_TRACE : GW_LOG_DEBUG;

	if (ours > (int)cur_level)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int libbpf_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	return log__libbpf_vprint(lvl, fmt, ap);
}

void log__hook_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

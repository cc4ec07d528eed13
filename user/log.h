/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One logging module: levels, stderr, libbpf's chatter demoted to -v. */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdarg.h>

enum gw_log_level {
	GW_LOG_ERROR,
	GW_LOG_WARN,
	GW_LOG_INFO,
	GW_LOG_DEBUG,	/* -v */
	GW_LOG_TRACE,	/* -vv: libbpf debug too */
};

void log__set_level(enum gw_log_level lvl);
enum gw_log_level log__level(void);
/* In --json mode errors are written as {"type":"error","message":...}. */
void log__set_json(int on);
void log__printf(enum gw_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Route libbpf's messages through us (shown with -v, debug with -vv). */
void log__hook_libbpf(void);
/* The printer log__hook_libbpf installs, for callers that wrap it. */
int log__libbpf_vprint(int libbpf_level, const char *fmt, va_list ap);

#define pr_err(...)	log__printf(GW_LOG_ERROR, __VA_ARGS__)
#define pr_warn(...)	log__printf(GW_LOG_WARN, __VA_ARGS__)
#define pr_info(...)	log__printf(GW_LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	log__printf(GW_LOG_DEBUG, __VA_ARGS__)

#endif /* GW_LOG_H */

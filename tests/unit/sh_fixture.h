/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shell commands with printf formatting, for tests that build namespaces.
 * Header-only (static inline) like events_fixture.h. */
#ifndef GW_SH_FIXTURE_H
#define GW_SH_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* system() of the formatted command; its wait status. */
static inline __attribute__((format(printf, 1, 2))) int fx_sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

#endif /* GW_SH_FIXTURE_H */

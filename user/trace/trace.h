/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef GW_TRACE_H
#define GW_TRACE_H

#include <linux/types.h>
#include "cli.h"

/* Runs `gwtrace trace`; returns the process exit code. */
int trace__run(const struct gw_config *cfg);

#endif /* GW_TRACE_H */

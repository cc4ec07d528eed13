/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef GW_MONITOR_H
#define GW_MONITOR_H

#include "cli.h"

/* Runs `gwtrace monitor`; returns the process exit code. */
int monitor__run(const struct gw_config *cfg);

#endif /* GW_MONITOR_H */

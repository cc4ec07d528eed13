/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef GW_PROBES_CMD_H
#define GW_PROBES_CMD_H

#include "cli.h"

/* `gwtrace probes`: attach everything as `trace` would, list what each
 * probe got and why other strategies were refused, detach. Exit code. */
int probes_cmd__run(const struct gw_config *cfg);

#endif /* GW_PROBES_CMD_H */

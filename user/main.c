// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gwtrace: where, and why, did this packet die?
 * main reads as: parse, check privileges, run the command, clean up
 * (each command opens, attaches, polls and detaches on its own).
 */
#include <stdio.h>
#include "cli.h"
#include "log.h"
#include "monitor.h"
#include "privs.h"
#include "probes_cmd.h"
#include "trace.h"

int main(int argc, char **argv)
{
	struct gw_config cfg;
	int rc;

	rc = cli__parse(argc, argv, &cfg);
	if (rc)
		return rc < 0 ? 0 : rc;
	log__set_level(cfg.verbose >= 2 ? GW_LOG_TRACE :
		       cfg.verbose ? GW_LOG_DEBUG : GW_LOG_WARN);
	log__set_json(cfg.json);
	log__hook_libbpf();
	if (privs__check())
		return 1;
	if (cfg.cmd == GW_CMD_PROBES)
		return probes_cmd__run(&cfg);
	if (cfg.cmd == GW_CMD_MONITOR)
		return monitor__run(&cfg);
	return trace__run(&cfg);
}

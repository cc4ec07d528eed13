// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fuzz target: the command line (and the filter values in it: addresses,
 * prefixes, ports, protocols, interface names, numbers). The input is the
 * arguments after "gwtrace", separated by NUL bytes. Run with
 * -close_fd_mask=3: usage errors and --help go to stdout/stderr.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2], *buf;
	struct gw_config cfg;
	int argc = 1;
	size_t i, start = 0;

	if (size > 4096)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "gwtrace";
	for (i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (buf[i] != '\0')
			continue;
		argv[argc++] = buf + start;
		start = i + 1;
	}
	argv[argc] = NULL;
	memset(&cfg, 0, sizeof(cfg));
	cli__parse(argc, argv, &cfg);
	free(buf);
	return 0;
}

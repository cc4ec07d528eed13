// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fuzz target: rtnetlink route replies, as route__prefixlen() reads them
 * (the RTM_F_FIB_MATCH answer and a table dump) -- bytes from the kernel
 * of a namespace gwtrace enters. Input: one byte of mode (bit 0: dump,
 * bit 1: IPv6), 16 bytes of the address asked about, 4 of the table, then
 * the messages.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	__u8 daddr[16];
	__u32 want, table = 0;
	void *buf;

	if (size < 21)
		return 0;
	memcpy(daddr, data + 1, 16);
	memcpy(&want, data + 17, 4);
	/* A receive buffer is aligned: so here, and exactly as long. */
	buf = malloc(size - 21 ? size - 21 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 21, size - 21);
	route__parse_reply(buf, size - 21, data[0] & 1, data[0] & 2 ? AF_INET6 : AF_INET, daddr,
			   want, &table);
	free(buf);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Capability check before anything touches the kernel. */
#ifndef GW_PRIVS_H
#define GW_PRIVS_H

/* 0 if the process may load and attach gwtrace's programs; otherwise
 * prints which capabilities are missing and returns -EPERM. */
int privs__check(void);

#endif /* GW_PRIVS_H */

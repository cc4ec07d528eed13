/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* UTF-8 validation shared by the JSON writer and the metrics registry:
 * both must emit valid UTF-8 whatever bytes interface names hold. */
#ifndef GW_UTF8_H
#define GW_UTF8_H

#include <stddef.h>

/*
 * Length of the valid multi-byte UTF-8 sequence at s (at most avail
 * bytes), or 0 if the byte at s does not start one. Rejects overlong
 * forms, surrogates and code points above U+10FFFF (RFC 3629). ASCII
 * bytes are not sequences here: callers handle them first.
 */
size_t utf8__seq_len(const unsigned char *s, size_t avail);

#endif /* GW_UTF8_H */

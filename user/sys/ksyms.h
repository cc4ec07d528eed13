/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel text symbols from /proc/kallsyms, loaded once, sorted by address
 * and binary-searched, to turn a drop location into "nft_do_chain+0x3a8".
 */
#ifndef GW_KSYMS_H
#define GW_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct ksyms;

/*
 * Load text symbols (types t/T/w/W, module symbols included) from path, or
 * /proc/kallsyms when path is NULL. Returns NULL with errno set on failure.
 * With kptr_restrict in force every address reads as zero: the table loads
 * empty, ksyms__restricted() says so and a warning is printed once.
 */
struct ksyms *ksyms__load(const char *path);
void ksyms__free(struct ksyms *k);

/*
 * "sym+0xoff", or "sym+0xoff [module]" for module text, into buf. Falls back
 * to "0x<addr>" when no symbol covers addr. Always returns buf. k may be NULL.
 */
const char *ksyms__format(const struct ksyms *k, __u64 addr, char *buf,
			  size_t len);

/* Address of a text symbol by exact name (first match): 0, or -ENOENT. */
int ksyms__find(const struct ksyms *k, const char *name, __u64 *addr);

/* The text of a symbol by exact name: [*start, *end), end the next
 * symbol's address. 0, or -ENOENT (also when addresses are hidden). */
int ksyms__range(const struct ksyms *k, const char *name, __u64 *start, __u64 *end);

/*
 * fn(name, module, ctx) for every text symbol, address-less ones included
 * (under kptr_restrict they still say which functions exist); module is ""
 * for vmlinux. Stops at, and returns, the first non-zero fn() result.
 */
int ksyms__for_each(const struct ksyms *k,
		    int (*fn)(const char *name, const char *module, void *ctx), void *ctx);

/* Number of text symbols with an address. */
size_t ksyms__count(const struct ksyms *k);

/* True if kallsyms showed only zero addresses (kptr_restrict). */
bool ksyms__restricted(const struct ksyms *k);

#endif /* GW_KSYMS_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kallsyms reader. The file is read in one go and parsed by hand: sscanf()
 * on ~200k lines costs more than the rest of the load together. Names go
 * to one string arena addressed by 32-bit offsets, so a symbol costs 16
 * bytes plus its name and the load does a handful of allocations.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ksyms.h"
#include "log.h"

/*
 * kallsyms has no sizes. An offset this large from the nearest symbol below
 * is no longer "inside" it (the biggest kernel functions are tens of KB):
 * show the raw address rather than a made-up attribution.
 */
#define KSYM_MAX_OFF	0x100000ULL

struct ksym {
	__u64 addr;
	__u32 name;		/* arena offset */
	__u32 mod : 31;		/* arena offset of module name, 0 = vmlinux */
	__u32 global : 1;	/* T/W rather than t/w */
};

struct ksyms {
	struct ksym *syms;	/* the nzero address-less ones first */
	size_t cnt, cap, nzero;
	char *arena;		/* offset 0 holds "" */
	size_t arena_len, arena_cap;
	bool restricted;
};

static int read_all(const char *path, char **out, size_t *out_len)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap), *tmp;
	ssize_t n;
	int fd;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	/* /proc files report size 0: grow until read() says EOF. */
	for (;;) {
		if (cap - len < 4096) {
			tmp = realloc(buf, cap * 2);
			if (!tmp)
				goto nomem;
			buf = tmp;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			free(buf);
			return n;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
nomem:
	close(fd);
	free(buf);
	return -ENOMEM;
}

static long arena_add(struct ksyms *k, const char *s, size_t n)
{
	size_t off = k->arena_len;
	char *tmp;

	/* Offsets are 31 bits wide in struct ksym (mod) */
	if (off + n + 1 >= (1u << 31))
		return -E2BIG;
	if (off + n + 1 > k->arena_cap) {
		size_t cap = k->arena_cap ? k->arena_cap * 2 : 1 << 20;

		while (cap < off + n + 1)
			cap *= 2;
		tmp = realloc(k->arena, cap);
		if (!tmp)
			return -ENOMEM;
		k->arena = tmp;
		k->arena_cap = cap;
	}
	memcpy(k->arena + off, s, n);
	k->arena[off + n] = '\0';
	k->arena_len += n + 1;
	return off;
}

static int sym_push(struct ksyms *k, const struct ksym *s)
{
	struct ksym *tmp;

	if (k->cnt == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 65536;

		tmp = realloc(k->syms, cap * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		k->syms = tmp;
		k->cap = cap;
	}
	k->syms[k->cnt++] = *s;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * One line: "<hex addr> <type> <name>[\t[<module>]]". Returns 1 if a text
 * symbol was kept, 0 if skipped, <0 on error. Text symbols whose address
 * reads 0 (kptr_restrict, or undefined weak symbols) are kept too, counted
 * in k->nzero: they still say which functions exist (ksyms__for_each), but
 * never name an address.
 */
static int parse_line(struct ksyms *k, char *p, char *end, __u32 *last_mod)
{
	struct ksym s = {};
	char type, *name, *mod, *mod_end;
	long off;
	int v;

	for (; (v = hexval(*p)) >= 0; p++)
		s.addr = s.addr << 4 | v;
	if (*p++ != ' ' || p + 2 > end || p[1] != ' ')
		return 0;
	type = p[0];
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return 0;
	k->nzero += !s.addr;
	s.global = type == 'T' || type == 'W';
	name = p + 2;
	mod = memchr(name, '\t', end - name);
	off = arena_add(k, name, (mod ? mod : end) - name);
	if (off < 0)
		return off;
	s.name = off;
	if (mod && mod[1] == '[' && (mod_end = memchr(mod, ']', end - mod))) {
		mod += 2;
		/* Lines of one module are contiguous: store its name once. */
		if (*last_mod && !strncmp(k->arena + *last_mod, mod, mod_end - mod) &&
		    !k->arena[*last_mod + (mod_end - mod)]) {
			s.mod = *last_mod;
		} else {
			off = arena_add(k, mod, mod_end - mod);
			if (off < 0)
				return off;
			s.mod = *last_mod = off;
		}
	}
	return sym_push(k, &s) ? -ENOMEM : 1;
}

static int leading_underscores(const char *s)
{
	int n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/* By address; among aliases the one to show first: global, fewer '_'. */
static int sym_cmp(const void *a, const void *b, void *arena)
{
	const struct ksym *x = a, *y = b;
	const char *xn = (const char *)arena + x->name;
	const char *yn = (const char *)arena + y->name;
	int d;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->global != y->global)
		return x->global ? -1 : 1;
	d = leading_underscores(xn) - leading_underscores(yn);
	return d ? d : strcmp(xn, yn);
}

/*
 * Aliases (same address) are all kept so ksyms__find() sees every name;
 * the sort puts the one to display first in each group.
 */
static void sort_syms(struct ksyms *k)
{
	if (k->cnt)
		qsort_r(k->syms, k->cnt, sizeof(*k->syms), sym_cmp, k->arena);
}

static int parse_all(struct ksyms *k, char *buf, size_t len)
{
	char *p = buf, *end = buf + len, *nl;
	__u32 last_mod = 0;
	int err;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		err = parse_line(k, p, nl, &last_mod);
		if (err < 0)
			return err;
		p = nl + 1;
	}
	return 0;
}

struct ksyms *ksyms__load(const char *path)
{
	struct ksyms *k;
	size_t len = 0;
	char *buf = NULL;
	int err;

	if (!path)
		path = "/proc/kallsyms";
	err = read_all(path, &buf, &len);
	if (err) {
		pr_warn("cannot read %s: %s", path, strerror(-err));
		errno = -err;
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	if (!k || arena_add(k, "", 0) < 0) {
		err = -ENOMEM;
		goto err_out;
	}
	err = parse_all(k, buf, len);
	if (err)
		goto err_out;
	free(buf);
	if (k->cnt && k->cnt == k->nzero) {
		k->restricted = true;
		pr_warn("%s shows zero addresses (kernel.kptr_restrict, or not root): drop locations will be raw addresses",
			path);
	}
	sort_syms(k);
	pr_debug("ksyms: %zu text symbols from %s", k->cnt - k->nzero, path);
	return k;
err_out:
	free(buf);
	ksyms__free(k);
	errno = -err;
	return NULL;
}

void ksyms__free(struct ksyms *k)
{
	if (!k)
		return;
	free(k->syms);
	free(k->arena);
	free(k);
}

/* Last symbol at or below addr, or NULL. */
static const struct ksym *ksyms__lookup(const struct ksyms *k, __u64 addr)
{
	size_t lo = k->nzero, hi = k->cnt;

	if (lo == hi || addr < k->syms[lo].addr)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	while (lo > k->nzero && k->syms[lo - 1].addr == k->syms[lo].addr)
		lo--;
	return &k->syms[lo];
}

const char *ksyms__format(const struct ksyms *k, __u64 addr, char *buf,
			  size_t len)
{
	const struct ksym *s = k ? ksyms__lookup(k, addr) : NULL;

	if (!len)
		return buf;
	if (!s || addr - s->addr >= KSYM_MAX_OFF)
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	else if (s->mod)
		snprintf(buf, len, "%s+0x%llx [%s]", k->arena + s->name,
			 (unsigned long long)(addr - s->addr), k->arena + s->mod);
	else
		snprintf(buf, len, "%s+0x%llx", k->arena + s->name,
			 (unsigned long long)(addr - s->addr));
	return buf;
}

int ksyms__find(const struct ksyms *k, const char *name, __u64 *addr)
{
	size_t i;

	/* Rare (setup time only): a name index would cost more than it saves. */
	for (i = k ? k->nzero : 0; k && i < k->cnt; i++) {
		if (!strcmp(k->arena + k->syms[i].name, name)) {
			*addr = k->syms[i].addr;
			return 0;
		}
	}
	return -ENOENT;
}

int ksyms__range(const struct ksyms *k, const char *name, __u64 *start, __u64 *end)
{
	for (size_t i = k ? k->nzero : 0; k && i < k->cnt; i++) {
		if (strcmp(k->arena + k->syms[i].name, name) || !k->syms[i].addr)
			continue;
		*start = k->syms[i].addr;
		*end = *start + 1;	/* the last symbol: its first byte only */
		/* Sorted by address: the next one past aliases at *start. */
		for (size_t j = i + 1; j < k->cnt; j++)
			if (k->syms[j].addr > *start) {
				*end = k->syms[j].addr;
				break;
			}
		return 0;
	}
	return -ENOENT;
}

int ksyms__for_each(const struct ksyms *k,
		    int (*fn)(const char *name, const char *module, void *ctx), void *ctx)
{
	int err;

	for (size_t i = 0; k && i < k->cnt; i++) {
		err = fn(k->arena + k->syms[i].name, k->arena + k->syms[i].mod, ctx);
		if (err)
			return err;
	}
	return 0;
}

size_t ksyms__count(const struct ksyms *k)
{
	return k ? k->cnt - k->nzero : 0;
}

bool ksyms__restricted(const struct ksyms *k)
{
	return k && k->restricted;
}

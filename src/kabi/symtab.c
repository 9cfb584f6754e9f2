// SPDX-License-Identifier: GPL-2.0-or-later
/* symtab.c - open-addressing hash table of symbol names for the kABI checks. */
#include <string.h>

#include "kabi/symtab.h"
#include "util/macro.h"

/* Word-at-a-time: the tables hold the ~25 000 names of a kernel's symvers. */
static uint64_t hash_of(const char *s)
{
	size_t len = strlen(s), i = 0;
	uint64_t h = len * 0x9e3779b97f4a7c15ULL, w;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, sizeof(w));
		h = ((h << 23 | h >> 41) ^ w) * 0xff51afd7ed558ccdULL;
	}
	w = 0;
	memcpy(&w, s + i, len - i);
	h = ((h << 23 | h >> 41) ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

static struct kabi_sym *slot(const struct kabi_symtab *t, const char *name)
{
	size_t mask = t->cap - 1, i = (size_t)hash_of(name) & mask;

	while (t->e[i].name && !streq(t->e[i].name, name))
		i = (i + 1) & mask;
	return &t->e[i];
}

static void resize(struct kabi_symtab *t, size_t cap)
{
	struct kabi_symtab old = *t;

	t->cap = cap;
	t->e = xcalloc(t->cap, sizeof(*t->e));
	for (size_t i = 0; i < old.cap; i++)
		if (old.e[i].name)
			*slot(t, old.e[i].name) = old.e[i];
	free(old.e);
}

static void grow(struct kabi_symtab *t)
{
	resize(t, t->cap ? t->cap * 2 : 1024);
}

void kabi_symtab_reserve(struct kabi_symtab *t, size_t n)
{
	size_t cap = t->cap ? t->cap : 1024;

	while (n * 2 > cap)
		cap *= 2;
	if (cap != t->cap)
		resize(t, cap);
}

bool kabi_symtab_add(struct kabi_symtab *t, const char *name, uint64_t crc, long owner)
{
	if ((t->n + 1) * 2 > t->cap)
		grow(t);
	struct kabi_sym *s = slot(t, name);
	if (s->name)
		return false;
	s->name = xstrdup(name);
	s->crc = crc;
	s->owner = owner;
	t->n++;
	return true;
}

const struct kabi_sym *kabi_symtab_get(const struct kabi_symtab *t, const char *name)
{
	if (!t->cap)
		return NULL;
	const struct kabi_sym *s = slot(t, name);
	return s->name ? s : NULL;
}

void kabi_symtab_merge(struct kabi_symtab *dst, const struct kabi_symtab *src)
{
	for (size_t i = 0; i < src->cap; i++)
		if (src->e[i].name)
			kabi_symtab_add(dst, src->e[i].name, src->e[i].crc, src->e[i].owner);
}

void kabi_symtab_release(struct kabi_symtab *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->e[i].name);
	free(t->e);
	t->e = NULL;
	t->n = t->cap = 0;
}

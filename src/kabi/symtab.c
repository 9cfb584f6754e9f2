// SPDX-License-Identifier: GPL-2.0-or-later
/* symtab.c - symbol tables for the kABI checks: an entry array over depmod's string map. */
#include <stdint.h>
#include <string.h>

#include "kabi/symtab.h"
#include "util/macro.h"

void kabi_symtab_reserve(struct kabi_symtab *t, size_t n)
{
	if (n <= t->cap)
		return;
	t->e = xreallocarray(t->e, n, sizeof(*t->e));
	t->cap = n;
}

bool kabi_symtab_add(struct kabi_symtab *t, const char *name, uint64_t crc, long owner)
{
	bool found;
	struct dm_map_ent *slot = dm_map_slot(&t->index, name, &found);

	if (found)
		return false;
	if (t->n == t->cap)
		kabi_symtab_reserve(t, t->cap ? t->cap * 2 : 1024);
	struct kabi_sym *s = &t->e[t->n++];
	s->name = xstrdup(name);
	s->crc = crc;
	s->owner = owner;
	/* the map keeps the key pointer: the entry's own copy, equal to name */
	slot->key = s->name;
	slot->val = (void *)(uintptr_t)t->n;
	return true;
}

const struct kabi_sym *kabi_symtab_get(const struct kabi_symtab *t, const char *name)
{
	uintptr_t i = (uintptr_t)dm_map_get(&t->index, name);

	return i ? &t->e[i - 1] : NULL;
}

void kabi_symtab_merge(struct kabi_symtab *dst, const struct kabi_symtab *src)
{
	for (size_t i = 0; i < src->n; i++)
		kabi_symtab_add(dst, src->e[i].name, src->e[i].crc, src->e[i].owner);
}

void kabi_symtab_release(struct kabi_symtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->e[i].name);
	free(t->e);
	dm_map_release(&t->index);
	t->e = NULL;
	t->n = t->cap = 0;
}

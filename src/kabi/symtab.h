/* SPDX-License-Identifier: GPL-2.0-or-later */
/* symtab.h - a symbol table for kABI checks: name -> CRC and who provides it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "depmod/map.h"

#define KABI_OWNER_KERNEL (-1)  /* the kernel's symvers */
#define KABI_OWNER_PRESENT (-2) /* a real module already in the kernel's tree */

struct kabi_sym {
	char *name;
	uint64_t crc;
	long owner; /* KABI_OWNER_*, or the index of a module being checked */
};

/* The entries in the order they were added, indexed by depmod's string map. */
struct kabi_symtab {
	struct dm_map index; /* name -> entry number + 1 */
	struct kabi_sym *e;
	size_t n, cap;
};

/* Add name unless it is already there (the first provider wins); true when added. */
bool kabi_symtab_add(struct kabi_symtab *t, const char *name, uint64_t crc, long owner);
/* Make room for n entries in all without growing again. */
void kabi_symtab_reserve(struct kabi_symtab *t, size_t n);
/* The entry of name, or NULL; valid until the next add. */
const struct kabi_sym *kabi_symtab_get(const struct kabi_symtab *t, const char *name);
/* Copy every entry of src into dst (dst's own entries win). */
void kabi_symtab_merge(struct kabi_symtab *dst, const struct kabi_symtab *src);
void kabi_symtab_release(struct kabi_symtab *t);

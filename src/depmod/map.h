/* SPDX-License-Identifier: GPL-2.0-or-later */
/* map.h - the open-addressing string map of depmod (hash.c), also kABI's symbol tables. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dm_map_ent {
	const char *key;
	void *val;
	uint64_t hash;
};

/* Open-addressing map from a caller-owned string to a pointer. */
struct dm_map {
	struct dm_map_ent *e;
	size_t n, cap;
};

void *dm_map_get(const struct dm_map *m, const char *key);
/* dm_map_get() of a key whose strlen() the caller knows. */
void *dm_map_get_n(const struct dm_map *m, const char *key, size_t len);
/* The entry for key, inserted (with val == NULL) when missing; *found tells which. */
struct dm_map_ent *dm_map_slot(struct dm_map *m, const char *key, bool *found);
void dm_map_release(struct dm_map *m);

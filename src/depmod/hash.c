// SPDX-License-Identifier: GPL-2.0-or-later
/* hash.c - kmod's bucket hash, a cache checksum, and an open-addressing string map. */
#include <string.h>

#include "depmod/internal.h"

static inline uint32_t load16(const char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The bucket hash kmod 30 uses for its name and symbol tables; the iteration order of those
 * tables decides the order of modules.dep and modules.symbols.  Characters are signed.
 */
uint32_t dm_superfast_hash(const char *key, size_t len)
{
	uint32_t h = (uint32_t)len, tmp;
	size_t blocks = len / 4;

	for (; blocks > 0; blocks--) {
		h += load16(key);
		tmp = (load16(key + 2) << 11) ^ h;
		h = (h << 16) ^ tmp;
		key += 4;
		h += h >> 11;
	}
	switch (len & 3) {
	case 3:
		h += load16(key);
		h ^= h << 16;
		h ^= (uint32_t)((int32_t)(signed char)key[2] * (1 << 18));
		h += h >> 11;
		break;
	case 2:
		h += load16(key);
		h ^= h << 11;
		h += h >> 17;
		break;
	case 1:
		h += (uint32_t)(int32_t)(signed char)key[0];
		h ^= h << 10;
		h += h >> 1;
		break;
	}
	h ^= h << 3;
	h += h >> 5;
	h ^= h << 4;
	h += h >> 17;
	h ^= h << 25;
	h += h >> 6;
	return h;
}

static inline uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/* Four independent lanes over 32-byte blocks, so the multiplies overlap. */
uint64_t dm_checksum(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h[4] = {seed ^ 0x9e3779b97f4a7c15ULL, seed + 0x87c37b91114253d5ULL,
			 seed ^ 0x4cf5ad432745937fULL, seed - 0x52dce729ULL};
	size_t i = 0;

	for (; i + 32 <= len; i += 32) {
		for (int l = 0; l < 4; l++) {
			uint64_t k = dm_load64(p + i + 8 * l) * 0x87c37b91114253d5ULL;

			h[l] ^= rotl64(k, 31) * 0x4cf5ad432745937fULL;
			h[l] = rotl64(h[l], 27) * 5 + 0x52dce729;
		}
	}
	uint64_t x = len * 0x9e3779b97f4a7c15ULL;
	for (int l = 0; l < 4; l++)
		x = rotl64(x ^ fmix64(h[l]), 23) * 0xff51afd7ed558ccdULL;
	for (; i + 8 <= len; i += 8)
		x = rotl64(x ^ (dm_load64(p + i) * 0x87c37b91114253d5ULL), 29) * 0xc4ceb9fe1a85ec53ULL;
	uint64_t t = 0;
	for (size_t j = 0; i < len; i++, j++)
		t |= (uint64_t)p[i] << (8 * j);
	x ^= t * 0x87c37b91114253d5ULL;
	return fmix64(x);
}

/* Word-at-a-time string hash for the maps (symbol names, paths). */
static uint64_t str_hash_n(const char *s, size_t len)
{
	size_t i = 0;
	uint64_t h = len * 0x9e3779b97f4a7c15ULL;

	for (; i + 8 <= len; i += 8)
		h = (rotl64(h, 23) ^ dm_load64(s + i)) * 0xff51afd7ed558ccdULL;
	uint64_t t = 0;
	if (i < len && len >= 8) {
		/* the last eight bytes, overlapping the words already mixed */
		t = dm_load64(s + len - 8);
	} else if (len - i >= 4) {
		t = (uint64_t)dm_load32(s + i) << 32 | dm_load32(s + len - 4);
	} else {
		for (size_t j = 0; i < len; i++, j++)
			t |= (uint64_t)(unsigned char)s[i] << (8 * j);
	}
	h = (rotl64(h, 23) ^ t) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return h | 1; /* 0 marks an empty slot */
}

static uint64_t str_hash(const char *s)
{
	return str_hash_n(s, strlen(s));
}

void *dm_map_get(const struct dm_map *m, const char *key)
{
	return m->cap ? dm_map_get_n(m, key, strlen(key)) : NULL;
}

void *dm_map_get_n(const struct dm_map *m, const char *key, size_t len)
{
	if (!m->cap)
		return NULL;
	uint64_t h = str_hash_n(key, len);
	size_t mask = m->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct dm_map_ent *e = &m->e[i];

		if (!e->hash)
			return NULL;
		if (e->hash == h && streq(e->key, key))
			return e->val;
	}
}

static void map_grow(struct dm_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct dm_map_ent *e = xcalloc(cap, sizeof(*e));

	for (size_t i = 0; i < m->cap; i++) {
		const struct dm_map_ent *o = &m->e[i];

		if (!o->hash)
			continue;
		size_t j = o->hash & (cap - 1);
		while (e[j].hash)
			j = (j + 1) & (cap - 1);
		e[j] = *o;
	}
	free(m->e);
	m->e = e;
	m->cap = cap;
}

struct dm_map_ent *dm_map_slot(struct dm_map *m, const char *key, bool *found)
{
	if ((m->n + 1) * 2 > m->cap)
		map_grow(m);
	uint64_t h = str_hash(key);
	size_t mask = m->cap - 1;
	size_t i = h & mask;

	for (;; i = (i + 1) & mask) {
		struct dm_map_ent *e = &m->e[i];

		if (!e->hash)
			break;
		if (e->hash == h && streq(e->key, key)) {
			*found = true;
			return e;
		}
	}
	m->e[i].hash = h;
	m->e[i].key = key;
	m->e[i].val = NULL;
	m->n++;
	*found = false;
	return &m->e[i];
}

void dm_map_release(struct dm_map *m)
{
	free(m->e);
	m->e = NULL;
	m->n = m->cap = 0;
}

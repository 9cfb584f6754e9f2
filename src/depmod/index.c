// SPDX-License-Identifier: GPL-2.0-or-later
/* index.c - writes kmod's binary trie index (format 2.1) exactly as kmod 30's depmod lays it out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "depmod/internal.h"

/*
 * File: u32 magic 0xB007F457, u32 version 0x00020001, u32 root reference, then the nodes, all
 * integers big-endian.  A node reference is the node's file offset ORed with flags: PREFIX (a
 * NUL-terminated prefix string comes first), CHILDS (first and last child character, then one
 * reference per character in that range, 0 for none), VALUES (a count, then per value a
 * priority and a NUL-terminated string).
 *
 * The trie kmod builds by insertion is the canonical path-compressed one: the root has no
 * prefix, every other node's prefix is the longest common prefix of the keys below it, and a
 * node holds values iff a key ends there.  So it can be built from the keys sorted with strcmp,
 * by splitting ranges.  kmod 30 writes children before their parent (post-order), in character
 * order; values go by ascending priority, the most recently added first among equals.
 */
#define INDEX_MAGIC 0xB007F457u
#define INDEX_VERSION 0x00020001u
#define NODE_PREFIX 0x80000000u
#define NODE_VALUES 0x40000000u
#define NODE_CHILDS 0x20000000u
#define NODE_MASK 0x0FFFFFFFu
#define ARENA_CHUNK (256 * 1024)

void dm_index_add(struct dm_index *ix, const char *key, const char *val, uint32_t prio)
{
	if (ix->n == ix->cap) {
		ix->cap = ix->cap ? ix->cap * 2 : 1024;
		ix->e = xreallocarray(ix->e, ix->cap, sizeof(*ix->e));
	}
	ix->e[ix->n] = (struct dm_index_ent){key, val, prio, (uint32_t)ix->n};
	ix->n++;
}

const char *dm_index_strdup(struct dm_index *ix, const char *s, size_t n)
{
	struct strbuf *a = &ix->arena_cur;

	if (!a->buf || a->len + n + 1 > a->cap) {
		if (a->buf) {
			ix->arenas = xreallocarray(ix->arenas, ix->narenas + 1, sizeof(char *));
			ix->arenas[ix->narenas++] = sb_steal(a);
		}
		sb_grow(a, n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK);
	}
	char *p = a->buf + a->len;
	memcpy(p, s, n);
	p[n] = '\0';
	a->len += n + 1;
	return p;
}

void dm_index_release(struct dm_index *ix)
{
	free(ix->e);
	ix->e = NULL;
	ix->n = ix->cap = 0;
	for (size_t i = 0; i < ix->narenas; i++)
		free(ix->arenas[i]);
	free(ix->arenas);
	ix->arenas = NULL;
	ix->narenas = 0;
	sb_release(&ix->arena_cur);
}

static int cmp_ent(const void *pa, const void *pb)
{
	const struct dm_index_ent *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	if (c)
		return c;
	if (a->prio != b->prio)
		return a->prio < b->prio ? -1 : 1;
	return a->seq > b->seq ? -1 : a->seq < b->seq; /* newest first */
}

static void put_be32(struct strbuf *out, uint32_t v)
{
	char b[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};

	sb_addn(out, b, 4);
}

static bool ascii7(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 128)
			return false;
	return true;
}

/* Write the node for entries [lo, hi) whose keys share their first depth bytes. */
static uint32_t write_node(struct strbuf *out, const struct dm_index_ent *e, size_t lo, size_t hi,
			   size_t depth, bool root)
{
	size_t plen = 0;

	if (!root) {
		const char *a = e[lo].key + depth, *b = e[hi - 1].key + depth;

		while (a[plen] && a[plen] == b[plen])
			plen++;
	}
	size_t d = depth + plen, vhi = lo;
	while (vhi < hi && e[vhi].key[d] == '\0')
		vhi++;

	uint32_t child[128];
	unsigned first = 128, last = 0;
	for (size_t i = vhi; i < hi;) {
		unsigned char c = (unsigned char)e[i].key[d];
		size_t j = i + 1;

		while (j < hi && (unsigned char)e[j].key[d] == c)
			j++;
		if (first == 128)
			first = c;
		else
			for (unsigned k = last + 1; k < c; k++)
				child[k] = 0;
		last = c;
		child[c] = write_node(out, e, i, j, d + 1, false);
		i = j;
	}

	uint32_t off = (uint32_t)out->len;
	if (plen) {
		sb_addn(out, e[lo].key + depth, plen);
		sb_addch(out, '\0');
		off |= NODE_PREFIX;
	}
	if (first != 128) {
		sb_addch(out, (char)first);
		sb_addch(out, (char)last);
		for (unsigned k = first; k <= last; k++)
			put_be32(out, child[k]);
		off |= NODE_CHILDS;
	}
	if (vhi > lo) {
		put_be32(out, (uint32_t)(vhi - lo));
		for (size_t i = lo; i < vhi; i++) {
			put_be32(out, e[i].prio);
			sb_addn(out, e[i].val, strlen(e[i].val) + 1);
		}
		off |= NODE_VALUES;
	}
	return off;
}

int dm_index_write(struct dm_index *ix, struct strbuf *out)
{
	for (size_t i = 0; i < ix->n; i++) {
		if (!ascii7(ix->e[i].key) || !ascii7(ix->e[i].val)) {
			DM_ERR("Module index: bad character - only 7-bit ASCII is supported: %s",
			       ascii7(ix->e[i].key) ? ix->e[i].val : ix->e[i].key);
			return -EINVAL;
		}
	}
	if (ix->n)
		qsort(ix->e, ix->n, sizeof(*ix->e), cmp_ent);
	size_t est = 64;
	for (size_t i = 0; i < ix->n; i++)
		est += strlen(ix->e[i].key) / 2 + strlen(ix->e[i].val) + 24;
	sb_reset(out);
	sb_grow(out, est);
	put_be32(out, INDEX_MAGIC);
	put_be32(out, INDEX_VERSION);
	put_be32(out, 0);
	uint32_t root = ix->n ? write_node(out, ix->e, 0, ix->n, 0, true) : 12;
	if (out->len > NODE_MASK) {
		DM_ERR("Module index too large: %zu bytes", out->len);
		return -EFBIG;
	}
	char b[4] = {(char)(root >> 24), (char)(root >> 16), (char)(root >> 8), (char)root};
	memcpy(out->buf + 8, b, 4);
	return 0;
}

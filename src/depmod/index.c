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
 * node holds values iff a key ends there.  kmod 30 writes children before their parent
 * (post-order), in character order; values go by ascending priority, the most recently added
 * first among equals.
 *
 * So no sorted key list is needed: the writer is an MSD radix sort that emits the trie as it
 * goes.  A node's entries share their first depth bytes; the node's prefix is extended while
 * every entry has the same next byte, then one counting pass splits the entries by the byte
 * after the prefix (NUL: values of this node, others: one child each).  Each key byte is read
 * about once per trie level instead of once per comparison of a strcmp sort.
 *
 * Keys and values may hold any byte but NUL.  kmod 30 writes values with bytes >= 0x80 as they
 * are and keys with them as long as such a byte sits inside a prefix (its 7-bit check compares a
 * signed char, and branching on such a byte indexes its child array out of bounds); libkmod reads
 * first and last as unsigned bytes.  So the fan-out is 256, ordered by unsigned byte, and the
 * output equals kmod 30's wherever kmod 30's is defined.
 */
#define INDEX_MAGIC 0xB007F457u
#define INDEX_VERSION 0x00020001u
#define NODE_PREFIX 0x80000000u
#define NODE_VALUES 0x40000000u
#define NODE_CHILDS 0x20000000u
#define NODE_MASK 0x0FFFFFFFu
#define ARENA_CHUNK (256 * 1024)
#define CHILD_MAX 256 /* one slot per byte value; also "no child yet" */

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

/* Among the values of one key: ascending priority, the most recently added first. */
static int cmp_val(const struct dm_index_ent *a, const struct dm_index_ent *b)
{
	if (a->prio != b->prio)
		return a->prio < b->prio ? -1 : 1;
	return a->seq > b->seq ? -1 : a->seq < b->seq;
}

static int cmp_val_q(const void *a, const void *b)
{
	return cmp_val(a, b);
}

static void sort_values(struct dm_index_ent *e, size_t n)
{
	if (n > 16) {
		qsort(e, n, sizeof(*e), cmp_val_q);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct dm_index_ent x = e[i];
		size_t j = i;

		for (; j > 0 && cmp_val(&e[j - 1], &x) > 0; j--)
			e[j] = e[j - 1];
		e[j] = x;
	}
}

static inline unsigned char byte_at(const struct dm_index_ent *e, size_t d)
{
	return (unsigned char)e->key[d];
}

/* Order e[0..n) by the key byte at d (NUL first); tmp has room for n entries. */
static void split(struct dm_index_ent *e, size_t n, size_t d, struct dm_index_ent *tmp)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			struct dm_index_ent x = e[i];
			unsigned char c = byte_at(&x, d);
			size_t j = i;

			for (; j > 0 && byte_at(&e[j - 1], d) > c; j--)
				e[j] = e[j - 1];
			e[j] = x;
		}
		return;
	}
	uint32_t pos[CHILD_MAX] = {0};

	for (size_t i = 0; i < n; i++)
		pos[byte_at(&e[i], d)]++;
	uint32_t sum = 0;
	for (unsigned c = 0; c < CHILD_MAX; c++) {
		uint32_t k = pos[c];

		pos[c] = sum;
		sum += k;
	}
	for (size_t i = 0; i < n; i++)
		tmp[pos[byte_at(&e[i], d)]++] = e[i];
	memcpy(e, tmp, n * sizeof(*e));
}

static inline char *put_be32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24);
	p[1] = (char)(v >> 16);
	p[2] = (char)(v >> 8);
	p[3] = (char)v;
	return p + 4;
}

/*
 * Write the node for the n entries at e, whose keys share their first depth bytes (in any
 * order), and everything below it; leaves them sorted.  Returns the node's reference.
 */
static uint32_t write_node(struct strbuf *out, struct dm_index_ent *e, size_t n, size_t depth,
			   bool root, struct dm_index_ent *tmp)
{
	const char *k0 = e[0].key + depth;
	size_t plen = 0;

	if (root) {
		/* the root never has a prefix */
	} else if (n == 1) {
		plen = strlen(k0);
	} else {
		for (;; plen++) {
			char c = k0[plen];
			size_t i = 1;

			if (!c)
				break;
			while (i < n && e[i].key[depth + plen] == c)
				i++;
			if (i < n)
				break;
		}
	}
	size_t d = depth + plen;

	if (n > 1)
		split(e, n, d, tmp);
	size_t nval = 0;
	while (nval < n && e[nval].key[d] == '\0')
		nval++;
	sort_values(e, nval);

	uint32_t child[CHILD_MAX];
	unsigned first = CHILD_MAX, last = 0;
	for (size_t i = nval; i < n;) {
		unsigned char c = byte_at(&e[i], d);
		size_t j = i + 1;

		while (j < n && byte_at(&e[j], d) == c)
			j++;
		if (first == CHILD_MAX)
			first = c;
		else
			for (unsigned k = last + 1; k < c; k++)
				child[k] = 0;
		last = c;
		child[c] = write_node(out, e + i, j - i, d + 1, false, tmp);
		i = j;
	}

	size_t size = plen ? plen + 1 : 0;
	if (first != CHILD_MAX)
		size += 2 + 4 * (last - first + 1);
	if (nval)
		size += 4;
	for (size_t i = 0; i < nval; i++)
		size += 4 + strlen(e[i].val) + 1;

	uint32_t off = (uint32_t)out->len;
	sb_grow(out, size);
	char *p = out->buf + out->len;
	if (plen) {
		memcpy(p, k0, plen);
		p[plen] = '\0';
		p += plen + 1;
		off |= NODE_PREFIX;
	}
	if (first != CHILD_MAX) {
		*p++ = (char)first;
		*p++ = (char)last;
		for (unsigned k = first; k <= last; k++)
			p = put_be32(p, child[k]);
		off |= NODE_CHILDS;
	}
	if (nval) {
		p = put_be32(p, (uint32_t)nval);
		for (size_t i = 0; i < nval; i++) {
			size_t vl = strlen(e[i].val) + 1;

			p = put_be32(p, e[i].prio);
			memcpy(p, e[i].val, vl);
			p += vl;
		}
		off |= NODE_VALUES;
	}
	out->len += size;
	out->buf[out->len] = '\0';
	return off;
}

int dm_index_write(struct dm_index *ix, struct strbuf *out)
{
	size_t est = 64;

	for (size_t i = 0; i < ix->n; i++)
		est += strlen(ix->e[i].key) / 2 + strlen(ix->e[i].val) + 24;
	sb_reset(out);
	sb_grow(out, est);
	char hdr[12];
	put_be32(put_be32(put_be32(hdr, INDEX_MAGIC), INDEX_VERSION), 0);
	sb_addn(out, hdr, sizeof(hdr));
	uint32_t root = 12;
	if (ix->n) {
		_cleanup_free_ struct dm_index_ent *tmp = xcalloc(ix->n, sizeof(*tmp));

		root = write_node(out, ix->e, ix->n, 0, true, tmp);
	}
	if (out->len > NODE_MASK) {
		DM_ERR("Module index too large: %zu bytes", out->len);
		return -EFBIG;
	}
	put_be32(out->buf + 8, root);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz-index.c - libFuzzer target: depmod's trie index writer, read back by a reader of kmod's format. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "depmod/internal.h"
#include "fuzz.h"

/* "key\tvalue" lines: keys of bytes above the space but DEL, values of any bytes but NUL. */
struct pair {
	char *k, *v;
	uint32_t prio;
};

static uint32_t be32(const struct strbuf *b, size_t off)
{
	if (off + 4 > b->len)
		abort();
	const unsigned char *p = (const unsigned char *)b->buf + off;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const char *str_at(const struct strbuf *b, size_t off)
{
	if (off >= b->len || !memchr(b->buf + off, '\0', b->len - off))
		abort();
	return b->buf + off;
}

/* Walk the trie at off (kmod's index.c layout) and count every key/value found in want. */
static size_t walk(const struct strbuf *b, uint32_t node, char *key, size_t klen, struct pair *want,
		   size_t n, int depth)
{
	size_t off = node & 0x0fffffff, found = 0;

	if (depth > 4096)
		abort();
	if (node & 0x80000000) {
		const char *pre = str_at(b, off);
		size_t l = strlen(pre);
		memcpy(key + klen, pre, l);
		klen += l;
		off += l + 1;
	}
	key[klen] = '\0';
	if (node & 0x20000000) {
		if (off + 2 > b->len)
			abort();
		unsigned char first = (unsigned char)b->buf[off], last = (unsigned char)b->buf[off + 1];
		if (first > last)
			abort();
		off += 2;
		for (unsigned c = first; c <= last; c++, off += 4) {
			uint32_t child = be32(b, off);
			if (!child)
				continue;
			key[klen] = (char)c;
			found += walk(b, child, key, klen + 1, want, n, depth + 1);
		}
		key[klen] = '\0';
	}
	if (node & 0x40000000) {
		uint32_t nv = be32(b, off);
		off += 4;
		for (uint32_t i = 0; i < nv; i++) {
			uint32_t prio = be32(b, off);
			const char *v = str_at(b, off + 4);
			off += 4 + strlen(v) + 1;
			bool hit = false;
			for (size_t j = 0; j < n && !hit; j++)
				hit = streq(want[j].k, key) && streq(want[j].v, v) &&
				      want[j].prio == prio;
			if (!hit)
				abort(); /* a value the writer was never given */
			found++;
		}
	}
	return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = xstrndup((const char *)data, size);
	struct pair want[256];
	size_t n = 0;
	struct dm_index ix = {0};
	struct strbuf out = STRBUF_INIT;

	for (char *line = text, *next; line && n < ARRAY_SIZE(want); line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *tab = strchr(line, '\t');
		if (!tab || tab == line || !tab[1])
			continue;
		*tab = '\0';
		bool ok = true;
		for (const char *p = line; *p && ok; p++)
			ok = (unsigned char)*p > ' ' && *p != 127;
		if (!ok || strlen(line) > 1024)
			continue;
		bool dup = false;
		for (size_t j = 0; j < n && !dup; j++)
			dup = streq(want[j].k, line) && streq(want[j].v, tab + 1);
		if (dup)
			continue;
		want[n] = (struct pair){line, tab + 1, (uint32_t)n};
		dm_index_add(&ix, want[n].k, want[n].v, want[n].prio);
		n++;
	}
	if (dm_index_write(&ix, &out) < 0)
		abort();
	if (be32(&out, 0) != 0xB007F457 || be32(&out, 4) != 0x00020001)
		abort();
	_cleanup_free_ char *key = xmalloc(out.len + 2);
	if (walk(&out, be32(&out, 8), key, 0, want, n, 0) != n)
		abort(); /* a value the writer lost */
	dm_index_release(&ix);
	sb_release(&out);
	return 0;
}

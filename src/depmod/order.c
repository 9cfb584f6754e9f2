// SPDX-License-Identifier: GPL-2.0-or-later
/* order.c - the module array order: kmod's name-hash iteration order, then modules.order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "depmod/internal.h"
#include "util/fs.h"

#define NAME_BUCKETS 512
#define FGETS_MAX 4096 /* kmod reads modules.order with fgets() into a PATH_MAX buffer */

static int cmp_hash_order(const void *pa, const void *pb)
{
	const struct dm_mod *a = *(const struct dm_mod *const *)pa;
	const struct dm_mod *b = *(const struct dm_mod *const *)pb;

	if (a->hash_pos != b->hash_pos)
		return a->hash_pos < b->hash_pos ? -1 : 1;
	return strcmp(a->modname, b->modname);
}

/* Stable: equal keys keep the hash order (idx holds the position before sorting). */
static int cmp_sort_idx(const void *pa, const void *pb)
{
	const struct dm_mod *a = *(const struct dm_mod *const *)pa;
	const struct dm_mod *b = *(const struct dm_mod *const *)pb;

	if (a->sort_idx != b->sort_idx)
		return a->sort_idx < b->sort_idx ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Length of the next fgets() chunk at p (through '\n' or FGETS_MAX - 1 bytes). */
static size_t chunk_len(const char *p, const char *end)
{
	size_t max = (size_t)(end - p);
	const char *nl;

	if (max > FGETS_MAX - 1)
		max = FGETS_MAX - 1;
	nl = memchr(p, '\n', max);
	return nl ? (size_t)(nl - p) + 1 : max;
}

static void sort_by_modules_order(struct dm_state *st)
{
	_cleanup_free_ char *path = xasprintf("%s/modules.order", st->cfg.dirname);
	_cleanup_free_ char *data = NULL;
	struct dm_map by_unc = {0};
	size_t len;
	unsigned idx = 0, total;
	int r = read_file(path, &data, &len, (size_t)1 << 30);

	if (r < 0) {
		DM_WRN("could not open modules.order at %s: %s", st->cfg.dirname, strerror(-r));
		return;
	}
	const char *end = data + len;
	for (const char *p = data; p < end;) {
		size_t n = chunk_len(p, end);

		idx++;
		if (p[n - 1] != '\n') {
			DM_ERR("%s/modules.order:%u corrupted line misses '\\n'", st->cfg.dirname,
			       idx);
			return;
		}
		p += n;
	}
	total = idx + 1;

	for (size_t i = 0; i < st->nmods; i++) {
		struct dm_mod *m = st->mods[i];
		bool found;

		if (!m->uncrelpath)
			continue;
		struct dm_map_ent *e = dm_map_slot(&by_unc, m->uncrelpath, &found);
		e->val = m;
	}
	idx = 0;
	for (char *p = data; p < end;) {
		size_t n = chunk_len(p, end);

		idx++;
		p[n - 1] = '\0';
		struct dm_mod *m = dm_map_get(&by_unc, p);
		if (m)
			m->sort_idx = (int)(idx - total);
		p += n;
	}
	dm_map_release(&by_unc);
	qsort(st->mods, st->nmods, sizeof(*st->mods), cmp_sort_idx);
}

int dm_order(struct dm_state *st)
{
	size_t n = 0;

	st->mods = xcalloc(st->by_name.n ? st->by_name.n : 1, sizeof(*st->mods));
	for (size_t i = 0; i < st->by_name.cap; i++) {
		struct dm_mod *m = st->by_name.e[i].val;

		if (!st->by_name.e[i].hash || !m)
			continue;
		if (m->dropped) {
			dm_mod_free(m);
			st->by_name.e[i].val = NULL;
			continue;
		}
		m->hash_pos = dm_superfast_hash(m->modname, m->modnamelen) & (NAME_BUCKETS - 1);
		st->mods[n++] = m;
	}
	st->nmods = n;
	if (n >= UINT16_MAX) {
		DM_ERR("too many modules: %zu", n);
		return -E2BIG;
	}
	qsort(st->mods, n, sizeof(*st->mods), cmp_hash_order);
	for (size_t i = 0; i < n; i++)
		st->mods[i]->idx = (uint32_t)i;
	sort_by_modules_order(st);
	for (size_t i = 0; i < n; i++)
		st->mods[i]->idx = (uint32_t)i;
	return 0;
}

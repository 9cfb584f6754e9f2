// SPDX-License-Identifier: GPL-2.0-or-later
/* exports.c - depmod_exports(): the exported symbols of chosen module files, through the cache. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod/depmod.h"
#include "depmod/internal.h"


static void release(struct dm_state *st)
{
	for (size_t i = 0; i < st->nmods; i++)
		dm_mod_free(st->mods[i]);
	free(st->mods);
	for (size_t i = 0; i < st->nmaps; i++)
		munmap(st->maps[i], st->map_lens[i]);
	free(st->maps);
	free(st->map_lens);
	for (size_t i = 0; i < st->nbufs; i++)
		free(st->bufs[i]);
	free(st->bufs);
	free(st->cfg.dirname);
}

/* A module entry with the file identity the cache keys on (stat follows links, as the walk). */
static struct dm_mod *mod_at(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
		return NULL;
	struct dm_mod *m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(path);
	m->dev = (uint64_t)sb.st_dev;
	m->ino = (uint64_t)sb.st_ino;
	m->size = (uint64_t)sb.st_size;
	m->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	m->ctime_ns = (int64_t)sb.st_ctim.tv_sec * 1000000000 + sb.st_ctim.tv_nsec;
	return m;
}

int depmod_exports(const struct depmod_opts *o, const char *const *paths, depmod_export_fn fn,
		   void *data, struct depmod_counts *counts)
{
	struct dm_state st = {.o = o};
	struct dm_cache *cache = NULL;
	size_t n = 0;
	int r;

	for (const char *const *p = paths; p && *p; p++)
		n++;
	if (!n)
		return 0; /* nothing to look up: do not even read the cache */
	_cleanup_free_ char *base = o->basedir && *o->basedir ? dm_path_absolute(o->basedir) : xstrdup("");
	if (!base)
		return -errno;
	st.cfg.kver = o->kver;
	st.cfg.dirname = xasprintf("%s/lib/modules/%s", base, o->kver);
	st.cfg.dirnamelen = strlen(st.cfg.dirname);
	st.mods = xcalloc(n ? n : 1, sizeof(*st.mods));
	for (size_t i = 0; i < n; i++) {
		struct dm_mod *m = mod_at(paths[i]);

		if (m)
			st.mods[st.nmods++] = m;
	}
	r = dm_cache_open(&cache, o->cache_dir, st.cfg.dirname);
	if (r < 0)
		goto out;
	/* the cache is only read here: the depmod run that follows stores what was parsed */
	dm_cache_lookup(cache, &st);
	r = dm_parse_missing(&st);
	if (r < 0)
		goto out;
	if (counts) {
		counts->parsed += st.nparsed;
		counts->cached += st.ncached;
	}
	for (size_t i = 0; i < st.nmods; i++) {
		const struct dm_mod *m = st.mods[i];
		const char *e = m->rec.exp;

		if (!m->have_rec)
			continue;
		for (uint32_t k = 0; k < m->rec.nexp; k++) {
			uint64_t crc = dm_load64(e);

			fn(data, m->path, e + 8, crc);
			e += 8 + strlen(e + 8) + 1;
		}
	}
out:
	release(&st);
	dm_cache_close(cache); /* cached records point into its mapping */
	return r;
}

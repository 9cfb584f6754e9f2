// SPDX-License-Identifier: GPL-2.0-or-later
/* dircache.c - the walk's directory listings, kept between runs, keyed on each directory. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "depmod/internal.h"
#include "util/fs.h"

/*
 * <cache file>.dirs: "NDKDIRS1", u64 checksum of the rest, then one record per directory:
 *   u32 path length (with NUL), u32 listing length, u64 st_dev, st_ino, st_size, i64 mtime ns,
 *   ctime ns, path NUL, listing: { type byte ('f' regular, 'd' directory, '?' ask stat), name NUL }
 * in raw readdir order.
 *
 * Invariant: a listing is served only for a directory with the same device, inode, size, mtime
 * and ctime as when it was read.  Adding, removing or renaming an entry changes the directory's
 * mtime and ctime, replacing the directory changes its inode, so an unchanged key means an
 * unchanged set of names.  Timestamps are coarse (a clock tick), so a change made in the same
 * tick right after the listing was read could keep the key: a listing is stored only when the
 * directory's mtime and ctime are more than RACY_NS older than the start of the walk, and a
 * directory changed more recently is read again on every run until it has settled.  Only the
 * names come from here: every module file is still stat()ed for its own cache key, so a file
 * replaced in place or through a rename inside an unchanged directory is noticed as before.  A
 * file that does not check out is ignored whole and rebuilt.
 */
#define MAGIC "NDKDIRS1"
#define HDR_LEN 16
#define REC_HDR 48
#define SEED 0x6e646b6d73646972ULL
#define RACY_NS (2 * 1000000000LL)

struct dm_dirs {
	char *path;
	char *data; /* the file as read */
	size_t len;
	struct dm_map recs; /* dir path -> record start in data */
	struct strbuf out; /* the records of this walk, header first */
	bool changed;
	int64_t not_after; /* store listings of directories changed before this (ns) */
};

static void key_of(const struct stat *sb, uint64_t k[5])
{
	k[0] = (uint64_t)sb->st_dev;
	k[1] = (uint64_t)sb->st_ino;
	k[2] = (uint64_t)sb->st_size;
	k[3] = (uint64_t)((int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec);
	k[4] = (uint64_t)((int64_t)sb->st_ctim.tv_sec * 1000000000 + sb->st_ctim.tv_nsec);
}

static bool load(struct dm_dirs *d)
{
	const char *p = d->data, *end = d->data + d->len;

	if (d->len < HDR_LEN || memcmp(p, MAGIC, 8) != 0 ||
	    dm_load64(p + 8) != dm_checksum(p + HDR_LEN, d->len - HDR_LEN, SEED))
		return false;
	for (p += HDR_LEN; p < end;) {
		if ((size_t)(end - p) < REC_HDR)
			return false;
		uint32_t plen = dm_load32(p), llen = dm_load32(p + 4);
		size_t left = (size_t)(end - p) - REC_HDR;
		const char *path = p + REC_HDR, *list = path + plen;
		bool found;

		if (plen < 2 || plen > left || llen > left - plen || path[plen - 1] != '\0' ||
		    strlen(path) != plen - 1 || (llen && list[llen - 1] != '\0'))
			return false;
		/* every entry is a type byte and a NUL-terminated name */
		for (const char *q = list; q < list + llen;) {
			if (list + llen - q < 2)
				return false;
			q += 1 + strlen(q + 1) + 1;
		}
		dm_map_slot(&d->recs, path, &found)->val = (void *)p;
		p = list + llen;
	}
	return true;
}

struct dm_dirs *dm_dirs_open(const char *cache_path)
{
	struct dm_dirs *d = xcalloc(1, sizeof(*d));
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	d->not_after = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - RACY_NS;
	sb_addn(&d->out, MAGIC "\0\0\0\0\0\0\0\0", HDR_LEN);
	if (!cache_path)
		return d;
	d->path = xasprintf("%s.dirs", cache_path);
	if (read_file(d->path, &d->data, &d->len, (size_t)1 << 28) < 0 || !load(d)) {
		dm_map_release(&d->recs);
		d->changed = true;
	}
	return d;
}

const char *dm_dirs_get(struct dm_dirs *d, const char *path, const struct stat *sb, size_t *len)
{
	const char *r = d ? dm_map_get(&d->recs, path) : NULL;
	uint64_t k[5];

	if (!r)
		return NULL;
	key_of(sb, k);
	if (memcmp(r + 8, k, sizeof(k)) != 0)
		return NULL;
	*len = dm_load32(r + 4);
	return r + REC_HDR + dm_load32(r);
}

void dm_dirs_put(struct dm_dirs *d, const char *path, const struct stat *sb, const char *list,
		 size_t len, bool fresh)
{
	int64_t m = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
	int64_t c = (int64_t)sb->st_ctim.tv_sec * 1000000000 + sb->st_ctim.tv_nsec;
	uint32_t u[2] = {(uint32_t)strlen(path) + 1, (uint32_t)len};
	uint64_t k[5];

	if (!d)
		return;
	if (m >= d->not_after || c >= d->not_after || len > UINT32_MAX / 2)
		return; /* racy: read it again next time; its old record, if any, just never matches */
	d->changed = d->changed || fresh;
	key_of(sb, k);
	sb_addn(&d->out, (const char *)u, sizeof(u));
	sb_addn(&d->out, (const char *)k, sizeof(k));
	sb_addn(&d->out, path, u[0]);
	sb_addn(&d->out, list, len);
}

void dm_dirs_close(struct dm_dirs *d, bool save)
{
	if (!d)
		return;
	/* records of directories gone from the walk are dropped with the next listing stored */
	if (save && d->path && d->changed) {
		uint64_t sum = dm_checksum(d->out.buf + HDR_LEN, d->out.len - HDR_LEN, SEED);

		memcpy(d->out.buf + 8, &sum, sizeof(sum));
		int r = dm_cache_write_file(d->path, d->out.buf, d->out.len);
		if (r < 0)
			DM_DBG("could not write %s: %s", d->path, strerror(-r));
	}
	sb_release(&d->out);
	dm_map_release(&d->recs);
	free(d->data);
	free(d->path);
	free(d);
}

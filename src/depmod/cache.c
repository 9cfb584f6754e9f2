// SPDX-License-Identifier: GPL-2.0-or-later
/* cache.c - per-module parse results kept between runs, never trusted without checking. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "depmod/internal.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/outfile.h"
#include "util/private.h"

/*
 * One file per module directory: <cache_dir>/modules-<hash of the dir path>.cache.
 *
 *   header (64 bytes): "NDKDEPC1", u32 version, u32 byte-order mark, 16 zero bytes,
 *     u64 dir path length, u64 checksum of the header and dir path, 16 zero bytes
 *   dir path, NUL, zero padding to 8
 *   records, each 8-aligned:
 *     u32 record length, u32 path length (with NUL), u32 blob length, u32 zero,
 *     u64 st_dev, st_ino, st_size, i64 mtime ns, ctime ns, u64 checksum of the record
 *     path NUL, blob (internal.h), zero padding
 *
 * Records run to the end of the file; a later record for a path supersedes an earlier one, so
 * a run that parsed a few modules only appends their records.  The file is rewritten whole when
 * a quarter of it is superseded or stale, or when anything in it did not check out.
 *
 * A record is used only when its checksum holds, its blob decodes, and the module file still
 * has the same path, device, inode, size, mtime and ctime.  A header that does not check out
 * (foreign, older format, corrupt) drops the whole file; a bad record drops that record and,
 * when its length cannot be trusted (a torn append, truncation), everything after it.
 * Whatever was dropped is parsed again.
 */
#define MAGIC "NDKDEPC1"
#define VERSION 1
#define BOM 0x01020304u
#define HDR_LEN 64
#define REC_HDR 64
#define SEED 0x6e646b6d73646570ULL

struct dm_cache {
	char *path;
	char *dirname;
	int lock_fd;
	void *map;
	size_t map_len;
	struct dm_map recs; /* path -> record start */
	size_t nvalid;  /* distinct paths with a good record */
	size_t nrecs;   /* records in the file, superseded and bad ones included */
	size_t nused;
	bool dirty;
	bool loaded; /* map and recs are set up (ensure_loaded) */
};

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static uint64_t rec_sum(const char *rec, size_t reclen)
{
	uint64_t h = dm_checksum(rec, REC_HDR - 8, SEED);

	return dm_checksum(rec + REC_HDR, reclen - REC_HDR, h);
}

static uint64_t hdr_sum(const char *hdr, const char *dirname, size_t dlen)
{
	uint64_t h = dm_checksum(hdr, 40, SEED);

	return dm_checksum(dirname, dlen, h);
}

/* Index the records of a mapped file; false when the header itself is unusable. */
static bool load(struct dm_cache *c)
{
	const char *p = c->map;
	size_t len = c->map_len;
	size_t dlen = strlen(c->dirname) + 1;

	if (len < HDR_LEN || memcmp(p, MAGIC, 8) != 0 || dm_load32(p + 8) != VERSION ||
	    dm_load32(p + 12) != BOM || dm_load64(p + 32) != dlen || len < HDR_LEN + pad8(dlen))
		return false;
	if (memcmp(p + HDR_LEN, c->dirname, dlen) != 0)
		return false;
	if (dm_load64(p + 40) != hdr_sum(p, p + HDR_LEN, dlen))
		return false;

	size_t pos = HDR_LEN + pad8(dlen);
	while (pos < len) {
		const char *r = p + pos;
		uint32_t reclen = dm_load32(r), pathlen = dm_load32(r + 4), bloblen = dm_load32(r + 8);
		bool found;

		if (len - pos < REC_HDR || reclen % 8 || reclen < REC_HDR || reclen > len - pos ||
		    pathlen < 2 || pathlen > reclen - REC_HDR || bloblen > reclen - REC_HDR - pathlen) {
			DM_DBG("cache %s: unusable from byte %zu on", c->path, pos);
			c->dirty = true;
			break;
		}
		pos += reclen;
		c->nrecs++;
		/* the blob's structure is checked when it is used (dm_cache_lookup) */
		if (dm_load64(r + 56) != rec_sum(r, reclen) || r[REC_HDR + pathlen - 1] != '\0' ||
		    strlen(r + REC_HDR) != pathlen - 1) {
			c->dirty = true;
			continue;
		}
		struct dm_map_ent *e = dm_map_slot(&c->recs, r + REC_HDR, &found);
		e->val = (void *)r;
		if (!found)
			c->nvalid++;
	}
	return true;
}

static void unmap(struct dm_cache *c)
{
	if (c->map)
		munmap(c->map, c->map_len);
	c->map = NULL;
	c->map_len = 0;
}

int dm_cache_open(struct dm_cache **out, const char *cache_dir, const char *dirname)
{
	*out = NULL;
	if (!cache_dir || !*cache_dir)
		return 0;

	int r = mkdir_p(cache_dir, 0755);
	if (r < 0) {
		DM_WRN("cannot use the cache in %s: %s", cache_dir, strerror(-r));
		return 0;
	}
	struct dm_cache *c = xcalloc(1, sizeof(*c));
	uint64_t h = dm_checksum(dirname, strlen(dirname), SEED);
	c->path = xasprintf("%s/modules-%016llx.cache", cache_dir, (unsigned long long)h);
	c->dirname = xstrdup(dirname);

	/* one depmod per module directory at a time; a reader of the same cache waits */
	_cleanup_free_ char *lock = xasprintf("%s/modules-%016llx.lock", cache_dir,
					      (unsigned long long)h);
	c->lock_fd = lockfile_open(lock);
	if (c->lock_fd >= 0) {
		while (flock(c->lock_fd, LOCK_EX) < 0 && errno == EINTR)
			;
	} else if (c->lock_fd == -EPERM) {
		DM_WRN("not using the lock %s: it is not a regular file of ours", lock);
	}

	*out = c;
	return 0;
}

/* Map and index the file on first use: a run that finds its indexes up to date never reads it. */
static void ensure_loaded(struct dm_cache *c)
{
	struct stat sb;

	if (c->loaded)
		return;
	c->loaded = true;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &sb) == 0 && sb.st_size > 0 && S_ISREG(sb.st_mode)) {
		c->map_len = (size_t)sb.st_size;
		c->map = mmap(NULL, c->map_len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (c->map == MAP_FAILED)
			c->map = NULL;
	}
	if (fd >= 0)
		close(fd);
	if (!c->map) {
		c->dirty = true;
	} else if (!load(c)) {
		DM_DBG("ignoring cache %s: not a valid cache for %s", c->path, c->dirname);
		dm_map_release(&c->recs);
		c->nvalid = 0;
		unmap(c);
		c->dirty = true;
	}
}

const char *dm_cache_path(const struct dm_cache *c)
{
	return c ? c->path : NULL;
}

void dm_cache_lookup(struct dm_cache *c, struct dm_state *st)
{
	if (!c)
		return;
	ensure_loaded(c);
	for (size_t i = 0; i < st->nmods; i++) {
		struct dm_mod *m = st->mods[i];
		const char *r = dm_map_get(&c->recs, m->path);

		if (!r)
			continue;
		if (dm_load64(r + 16) != m->dev || dm_load64(r + 24) != m->ino ||
		    dm_load64(r + 32) != m->size || (int64_t)dm_load64(r + 40) != m->mtime_ns ||
		    (int64_t)dm_load64(r + 48) != m->ctime_ns)
			continue;
		uint32_t pathlen = dm_load32(r + 4), bloblen = dm_load32(r + 8);
		if (dm_rec_decode(r + REC_HDR + pathlen, bloblen, &m->rec) < 0) {
			/* checksummed but malformed: parse the module, rewrite the cache */
			memset(&m->rec, 0, sizeof(m->rec));
			c->dirty = true;
			continue;
		}
		m->have_rec = true;
		m->cacheable = true;
		m->from_cache = true;
		c->nused++;
	}
	st->ncached = (unsigned)c->nused;
}

static void add_record(struct strbuf *sb, const struct dm_mod *m)
{
	size_t at = sb->len, pathlen = strlen(m->path) + 1;
	size_t reclen = pad8(REC_HDR + pathlen + m->rec.len);
	char hdr[REC_HDR] = {0};
	uint32_t u[3] = {(uint32_t)reclen, (uint32_t)pathlen, (uint32_t)m->rec.len};
	uint64_t q[5] = {m->dev, m->ino, m->size, (uint64_t)m->mtime_ns, (uint64_t)m->ctime_ns};

	memcpy(hdr, u, sizeof(u));
	memcpy(hdr + 16, q, sizeof(q));
	sb_addn(sb, hdr, REC_HDR);
	sb_addn(sb, m->path, pathlen);
	sb_addn(sb, m->rec.blob, m->rec.len);
	while (sb->len - at < reclen)
		sb_addch(sb, '\0');
	uint64_t sum = rec_sum(sb->buf + at, reclen);
	memcpy(sb->buf + at + 56, &sum, sizeof(sum));
}

static int write_out(int fd, const char *p, size_t left)
{
	while (left) {
		ssize_t w = write(fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		left -= (size_t)w;
	}
	return 0;
}

int dm_cache_write_file(const char *path, const void *data, size_t len)
{
	struct outfile o = OUTFILE_INIT;
	int r = outfile_open(&o, path);

	if (r < 0)
		return r;
	o.no_sync = true; /* every cache file is checked when read */
	return outfile_commit(&o, 0644, write_out(o.fd, data, len));
}

static int append(struct dm_cache *c, const struct dm_state *st)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < st->nmods; i++) {
		const struct dm_mod *m = st->mods[i];

		if (m->have_rec && m->cacheable && !m->from_cache)
			add_record(&sb, m);
	}
	if (!sb.len)
		return 0;
	fault_point("write");
	int fd = open(c->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = write_out(fd, sb.buf, sb.len);
	if (close(fd) < 0 && !r)
		r = -errno;
	return r;
}

static int rewrite(struct dm_cache *c, const struct dm_state *st)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	size_t dlen = strlen(c->dirname) + 1;
	char hdr[HDR_LEN] = {0};

	memcpy(hdr, MAGIC, 8);
	uint32_t v[2] = {VERSION, BOM};
	memcpy(hdr + 8, v, sizeof(v));
	uint64_t q = dlen;
	memcpy(hdr + 32, &q, sizeof(q));
	sb_addn(&sb, hdr, HDR_LEN);
	sb_addn(&sb, c->dirname, dlen);
	while (sb.len % 8)
		sb_addch(&sb, '\0');
	uint64_t sum = hdr_sum(sb.buf, c->dirname, dlen);
	memcpy(sb.buf + 40, &sum, sizeof(sum));
	for (size_t i = 0; i < st->nmods; i++)
		if (st->mods[i]->have_rec && st->mods[i]->cacheable)
			add_record(&sb, st->mods[i]);
	return dm_cache_write_file(c->path, sb.buf, sb.len);
}

int dm_cache_save(struct dm_cache *c, const struct dm_state *st)
{
	size_t fresh = 0;
	int r;

	if (!c)
		return 0;
	ensure_loaded(c);
	for (size_t i = 0; i < st->nmods; i++)
		if (st->mods[i]->have_rec && st->mods[i]->cacheable && !st->mods[i]->from_cache)
			fresh++;
	if (c->dirty || (c->nrecs - c->nused) * 4 > c->nused + fresh) {
		r = rewrite(c, st);
	} else if (fresh) {
		r = append(c, st);
	} else {
		return 0;
	}
	if (r < 0)
		DM_WRN("could not write cache %s: %s", c->path, strerror(-r));
	return r;
}

void dm_cache_close(struct dm_cache *c)
{
	if (!c)
		return;
	dm_map_release(&c->recs);
	unmap(c);
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	free(c->path);
	free(c->dirname);
	free(c);
}

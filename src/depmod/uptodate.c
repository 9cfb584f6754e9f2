// SPDX-License-Identifier: GPL-2.0-or-later
/* uptodate.c - skips resolve and output when the files of the last run still match its inputs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod/internal.h"
#include "util/fs.h"

/*
 * After a run that wrote the indexes, <cache file>.last records a fingerprint of everything
 * resolve and output read, the identity of the ten files as that run left them, and the
 * messages resolve and output printed:
 *
 *   "NDKDEPL1", u64 fingerprint, u64 checksum of what follows it,
 *   10 x { u64 dev, ino, size, i64 mtime ns, ctime ns }, the messages: { u32 length, text }
 *
 * The fingerprint covers: the module array in its final order (kmod's hash order sorted by
 * modules.order), each module's path and file identity (the same key the parse cache trusts:
 * device, inode, size, mtime, ctime); the identity of modules.builtin, modules.builtin.modinfo,
 * the -E/-F file and of the ndkms executable; the kernel version, module dir and options.
 * depmod.d, search/override/exclude and external dirs only act through which files won the
 * walk, so the array covers them.  A run whose fingerprint matches, whose every module had a
 * clean cached record, and whose ten files are still the very files the recorded run renamed
 * into place (a rewrite, by us or by kmod's depmod, makes a new inode with a new ctime) would
 * write the same bytes: it prints the recorded messages and writes nothing.  -n and -v always
 * run in full.  A missing, short or corrupt record means a full run.
 */
#define MAGIC "NDKDEPL1"
#define KEY_WORDS 5
#define HDR_LEN (8 + 8 + 8 + DM_OUT_COUNT * KEY_WORDS * 8)
#define SEED 0x6e646b6d736c6173ULL

static void key_of(const struct stat *sb, uint64_t k[KEY_WORDS])
{
	k[0] = (uint64_t)sb->st_dev;
	k[1] = (uint64_t)sb->st_ino;
	k[2] = (uint64_t)sb->st_size;
	k[3] = (uint64_t)((int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec);
	k[4] = (uint64_t)((int64_t)sb->st_ctim.tv_sec * 1000000000 + sb->st_ctim.tv_nsec);
}

static uint64_t mix_stat(uint64_t h, int dfd, const char *path)
{
	uint64_t k[KEY_WORDS] = {0};
	struct stat sb;

	if (path && fstatat(dfd, path, &sb, 0) == 0)
		key_of(&sb, k);
	h = dm_checksum(path ? path : "", path ? strlen(path) : 0, h);
	return dm_checksum(k, sizeof(k), h);
}

uint64_t dm_inputs_fingerprint(const struct dm_state *st)
{
	const struct depmod_opts *o = st->o;
	const struct dm_cfg *cfg = &st->cfg;
	char flags[4] = {cfg->sym_prefix, cfg->check_symvers, cfg->print_unknown, 0};
	uint64_t h = dm_checksum(cfg->dirname, cfg->dirnamelen + 1, SEED);

	h = dm_checksum(cfg->kver, strlen(cfg->kver) + 1, h);
	h = dm_checksum(flags, sizeof(flags), h);
	h = mix_stat(h, AT_FDCWD, "/proc/self/exe");
	h = mix_stat(h, AT_FDCWD, o->symvers ? o->symvers : o->system_map);
	_cleanup_free_ char *b = xasprintf("%s/modules.builtin", cfg->dirname);
	_cleanup_free_ char *bm = xasprintf("%s/modules.builtin.modinfo", cfg->dirname);
	h = mix_stat(h, AT_FDCWD, b);
	h = mix_stat(h, AT_FDCWD, bm);
	for (size_t i = 0; i < st->nmods; i++) {
		const struct dm_mod *m = st->mods[i];
		uint64_t k[KEY_WORDS] = {m->dev, m->ino, m->size, (uint64_t)m->mtime_ns,
					 (uint64_t)m->ctime_ns};

		h = dm_checksum(m->path, strlen(m->path) + 1, h);
		h = dm_checksum(k, sizeof(k), h);
	}
	return h;
}

static char *last_path(const struct dm_cache *c)
{
	const char *p = dm_cache_path(c);

	return p ? xasprintf("%s.last", p) : NULL;
}

/* The ten files' identities, or false when one is missing. */
static bool output_keys(const char *dirname, uint64_t k[DM_OUT_COUNT][KEY_WORDS])
{
	_cleanup_close_ int dfd = open(dirname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat sb;

	if (dfd < 0)
		return false;
	for (int i = 0; i < DM_OUT_COUNT; i++) {
		if (fstatat(dfd, dm_output_names[i], &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(sb.st_mode))
			return false;
		key_of(&sb, k[i]);
	}
	return true;
}

int dm_uptodate_check(const struct dm_cache *c, const struct dm_state *st, uint64_t fp)
{
	_cleanup_free_ char *path = last_path(c);
	_cleanup_free_ char *data = NULL;
	uint64_t now[DM_OUT_COUNT][KEY_WORDS];
	size_t len;

	if (!path || st->o->dry_run || st->o->verbose)
		return 0;
	if (read_file(path, &data, &len, (size_t)1 << 20) < 0 || len < HDR_LEN ||
	    memcmp(data, MAGIC, 8) != 0 || dm_load64(data + 8) != fp ||
	    dm_load64(data + 16) != dm_checksum(data + 24, len - 24, SEED))
		return 0;
	if (!output_keys(st->cfg.dirname, now) || memcmp(now, data + 24, sizeof(now)) != 0)
		return 0;
	const char *msg = data + HDR_LEN, *end = data + len;
	while ((size_t)(end - msg) >= 4 && dm_load32(msg) <= (size_t)(end - msg) - 4) {
		dm_log_replay(msg + 4, dm_load32(msg));
		msg += 4 + dm_load32(msg);
	}
	return 1;
}

int dm_uptodate_save(const struct dm_cache *c, const struct dm_state *st, uint64_t fp,
		     const struct strbuf *msgs)
{
	_cleanup_free_ char *path = last_path(c);
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	uint64_t keys[DM_OUT_COUNT][KEY_WORDS];
	int r;

	if (!path || st->o->dry_run)
		return 0;
	for (size_t i = 0; i < st->nmods; i++) {
		if (!st->mods[i]->cacheable) {
			/* its parse messages would not be printed again: no record, full runs */
			unlink(path);
			return 0;
		}
	}
	if (!output_keys(st->cfg.dirname, keys)) {
		unlink(path);
		return 0;
	}
	sb_addn(&sb, MAGIC, 8);
	sb_addn(&sb, (const char *)&fp, 8);
	sb_addn(&sb, "\0\0\0\0\0\0\0\0", 8);
	sb_addn(&sb, (const char *)keys, sizeof(keys));
	if (msgs->len)
		sb_addn(&sb, msgs->buf, msgs->len);
	uint64_t sum = dm_checksum(sb.buf + 24, sb.len - 24, SEED);
	memcpy(sb.buf + 16, &sum, sizeof(sum));
	r = dm_cache_write_file(path, sb.buf, sb.len);
	if (r < 0) {
		unlink(path);
		DM_DBG("could not write %s: %s", path, strerror(-r));
	}
	return r;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* internal.h - types shared by the pieces of ndkms's own depmod (kmod 30 compatible output). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <syslog.h>

#include "depmod/depmod.h"
#include "depmod/map.h"
#include "util/macro.h"
#include "util/strbuf.h"
#include "util/strv.h"

struct kmod_ctx;
struct stat;

/* ---- messages (dmlog.c): "depmod: ERROR: ..." on stderr, like kmod's depmod ---- */
void dm_log_setup(bool verbose);
/* kmod's path_make_absolute_cwd(): p relative to the cwd, not canonicalised (NULL: no cwd). */
char *dm_path_absolute(const char *p);
void dm_log(int prio, const char *fmt, ...) _printf_(2, 3);
#define DM_ERR(...) dm_log(LOG_ERR, __VA_ARGS__)
#define DM_WRN(...) dm_log(LOG_WARNING, __VA_ARGS__)
#define DM_INF(...) dm_log(LOG_INFO, __VA_ARGS__)
#define DM_DBG(...) dm_log(LOG_DEBUG, __VA_ARGS__)
/* Route libkmod's own messages through dm_log. */
void dm_log_attach(struct kmod_ctx *ctx);
/* Copy every message printed from now on into sb (NULL: stop); safe from several threads. */
void dm_log_capture(struct strbuf *sb);
/* Print a message line captured by an earlier run again. */
void dm_log_replay(const char *line, size_t n);

/* ---- hashing and a string map (hash.c) ---- */
/* kmod's bucket hash (Paul Hsieh's SuperFastHash as kmod 30 computes it). */
uint32_t dm_superfast_hash(const char *key, size_t len);
/* A 64-bit checksum for cache integrity (not cryptographic). */
uint64_t dm_checksum(const void *data, size_t len, uint64_t seed);


/* ---- configuration (config.c) ---- */
enum dm_search_type { DM_SEARCH_PATH, DM_SEARCH_BUILTIN, DM_SEARCH_EXTERNAL };

struct dm_search {
	enum dm_search_type type;
	size_t len;
	char *path;
};

/* Lists are kept in kmod's order: most recently configured entry first. */
struct dm_cfg {
	const char *kver;
	char *dirname; /* <basedir>/lib/modules/<kver>, literal (not canonicalised) */
	size_t dirnamelen;
	struct dm_search *searches;
	size_t nsearches;
	struct strv overrides; /* "SUBDIR/MODNAME" */
	struct strv externals;
	struct strv excludes;
	char sym_prefix;
	bool check_symvers;
	bool print_unknown;
};

/* Read the depmod.d files (paths, or the default folders under config_root). */
int dm_cfg_load(struct dm_cfg *cfg, const char *config_root, const char *const *paths);
void dm_cfg_release(struct dm_cfg *cfg);

/* ---- one module's parsed data (record.c) ---- */
/*
 * A record blob is what libkmod told us about one module file, in libkmod's order:
 *   u32 nexp, ndep, nalias, nsoftdep;
 *   nexp    x { u64 crc; name NUL }          exported symbols
 *   ndep    x { u64 crc; u8 bind; name NUL } dependency symbols ('U' or 'W')
 *   nalias  x { value NUL }                  modinfo "alias" values
 *   nsoftdep x { value NUL }                 modinfo "softdep" values
 * Integers are native-endian and unaligned.
 */
struct dm_rec {
	const char *exp, *dep, *alias, *soft; /* section starts inside the blob */
	uint32_t nexp, ndep, nalias, nsoft;
	const void *blob;
	size_t len;
};

#define DM_REC_HDR 16

/* Check a blob's structure (every count and string within len) and fill rec; -EBADMSG if not. */
int dm_rec_decode(const void *blob, size_t len, struct dm_rec *rec);

static inline uint64_t dm_load64(const void *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t dm_load32(const void *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/* ---- modules ---- */
struct dm_mod {
	char *path;           /* as walked: dirname/... or an external dir's path */
	const char *relpath;  /* inside path, or NULL outside dirname */
	char *uncrelpath;     /* relpath with the extension as ".ko" (modules.order matching) */
	char *modname;
	size_t baselen;       /* offset of the last '/' in path */
	size_t modnamelen;

	/* identity of the file, for the cache */
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;

	struct dm_rec rec;
	bool have_rec;
	bool cacheable;       /* parsed without errors */
	bool from_cache;

	int sort_idx;
	uint32_t hash_pos;
	uint32_t idx;
	uint32_t users;
	uint32_t dep_sort_idx;
	uint32_t *deps;       /* module idx, in first-reference order, then by dep_sort_idx */
	uint32_t ndeps, capdeps;
	bool visited;
	bool dropped;         /* lost its file during the walk (kmod deleted it) */

	char *line;           /* the modules.dep line without '\n' */
	size_t linelen;
};

struct dm_sym {
	const char *name;
	uint64_t crc;
	int32_t owner;        /* module idx, -1 for the kernel */
};

struct dm_state {
	const struct depmod_opts *o;
	struct dm_cfg cfg;
	struct dm_map by_name; /* modname -> struct dm_mod * (scan winners) */
	struct dm_mod **mods;  /* final array, index == idx */
	size_t nmods;

	struct dm_map symmap;  /* name -> struct dm_sym * */
	struct dm_sym *syms;
	size_t nsyms, capsyms;
	struct strv kernel_names; /* names of -E/-F symbols */

	/* memory that records point into */
	void **maps;
	size_t *map_lens;
	size_t nmaps;
	char **bufs;
	size_t nbufs;

	unsigned nparsed, ncached;
	struct dm_dirs *dirs;  /* the walk's directory listings, or NULL */
	unsigned ndirs_read, ndirs_cached;
};

void dm_mod_free(struct dm_mod *m);

/* ---- dircache.c: directory listings between runs (the invariant is in dircache.c) ---- */
struct dm_dirs;
/* Listings stored beside cache_path (NULL: none kept, every directory is read). */
struct dm_dirs *dm_dirs_open(const char *cache_path);
/* The stored listing of the directory at path when sb (its stat) still matches, or NULL. */
const char *dm_dirs_get(struct dm_dirs *d, const char *path, const struct stat *sb, size_t *len);
/* Keep the listing for the next run; fresh: it was read from the disk now. */
void dm_dirs_put(struct dm_dirs *d, const char *path, const struct stat *sb, const char *list,
		 size_t len, bool fresh);
/* Write the listings back when they changed (save), then free d. */
void dm_dirs_close(struct dm_dirs *d, bool save);

/* ---- scan.c ---- */
/* Walk the module dir, then each external dir, keeping kmod's duplicate winners in by_name. */
int dm_scan(struct dm_state *st);
/* -A: 1 when no module file is newer than modules.dep, 0 when one is, <0 on errors. */
int dm_up_to_date(const char *dirname);

/* ---- order.c ---- */
/* Build st->mods in kmod's hash order, then sort by modules.order; sets idx. */
int dm_order(struct dm_state *st);

/* ---- parse.c ---- */
/* Append the record blob of one module file to out.  *clean: false when libkmod failed. */
int dm_parse_module(struct kmod_ctx *ctx, const char *path, struct strbuf *out, bool *clean);
struct kmod_ctx *dm_kmod_new(const char *dirname);

/* ---- workers.c ---- */
/* Parse every module without a record, in forked workers when there are many. */
int dm_parse_missing(struct dm_state *st);

/* ---- cache.c ---- */
struct dm_cache;
/* Open (or start empty) the cache for dirname in cache_dir; NULL cache_dir means none. */
int dm_cache_open(struct dm_cache **c, const char *cache_dir, const char *dirname);
/* Give each module whose file is unchanged its cached record. */
void dm_cache_lookup(struct dm_cache *c, struct dm_state *st);
/* Write the cache back when anything changed. */
int dm_cache_save(struct dm_cache *c, const struct dm_state *st);
void dm_cache_close(struct dm_cache *c);
/*
 * Replace a file of the cache (temporary file, then rename; no fsync: every cache file is
 * checked when read, so a torn or lost one only costs a full run).
 */
int dm_cache_write_file(const char *path, const void *data, size_t len);
/* The cache file's path (NULL without a cache). */
const char *dm_cache_path(const struct dm_cache *c);

/* ---- uptodate.c: a run whose inputs match the last run's, with its files in place ---- */
uint64_t dm_inputs_fingerprint(const struct dm_state *st);
/* 1 (recorded messages printed) when the files the last run wrote for fp are in place. */
int dm_uptodate_check(const struct dm_cache *c, const struct dm_state *st, uint64_t fp);
/* Record fp, the files just written and the messages resolve and output printed. */
int dm_uptodate_save(const struct dm_cache *c, const struct dm_state *st, uint64_t fp,
		     const struct strbuf *msgs);

/* ---- resolve.c ---- */
int dm_load_symvers(struct dm_state *st, const char *path);
int dm_load_system_map(struct dm_state *st, const char *path);
/* Symbol table, dependencies, topological order and the modules.dep lines. */
int dm_resolve(struct dm_state *st);

/* ---- index.c: kmod's binary trie index (format 2.1, post-order) ---- */
struct dm_index_ent {
	const char *key;
	const char *val;
	uint32_t prio;
	uint32_t seq;
};

struct dm_index {
	struct dm_index_ent *e;
	size_t n, cap;
	struct strbuf arena_cur;
	char **arenas;
	size_t narenas;
};

void dm_index_add(struct dm_index *ix, const char *key, const char *val, uint32_t prio);
/* A copy of s[0..n) that lives as long as the index. */
const char *dm_index_strdup(struct dm_index *ix, const char *s, size_t n);
int dm_index_write(struct dm_index *ix, struct strbuf *out);
void dm_index_release(struct dm_index *ix);

/* ---- builtin.c ---- */
/* modules.builtin.bin and modules.builtin.alias.bin; *missing when the input file is absent. */
int dm_builtin_bin(const char *dirname, struct strbuf *out, bool *missing);
int dm_builtin_alias_bin(const char *dirname, struct strbuf *out, bool *missing);
/* kmod's alias_normalize(): -EINVAL on unmatched brackets. buf has room for 4096 bytes. */
int dm_alias_normalize(const char *alias, char *buf, size_t *len);

/* ---- output.c ---- */
#define DM_OUT_COUNT 10
/* The ten files, in the order they are renamed into place. */
extern const char *const dm_output_names[DM_OUT_COUNT];
int dm_output(struct dm_state *st);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modfile.h - one module file read through libkmod, for depmod, the kABI checks and modinfo. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kmod_ctx;
struct kmod_list;
struct kmod_module;

/*
 * A libkmod context over dirname (NULL: libkmod's default) that reads no modprobe.d
 * configuration and logs nothing; NULL with errno set when libkmod fails.
 */
struct kmod_ctx *modfile_kmod_new(const char *dirname);
/* Drop a context of modfile_kmod_new(); NULL is ignored. */
void modfile_kmod_unref(struct kmod_ctx *ctx);

/*
 * The module name of a file name: up to its first '.', each '-' as '_' (libkmod's
 * modname_normalize()); its length in *len when len is not NULL.
 */
char *modfile_name(const char *file, size_t *len);

struct modfile {
	struct kmod_module *mod;
	struct kmod_list *info; /* the .modinfo entries, read on first use */
	int info_err;           /* libkmod's negative errno when they could not be read */
	bool info_read;
};

/* Open path (compressed modules included); 0, or libkmod's negative errno. */
int modfile_open(struct kmod_ctx *ctx, const char *path, struct modfile *mf);
void modfile_close(struct modfile *mf);

typedef void (*modfile_sym_fn)(void *data, const char *symbol, uint64_t crc);

/*
 * Call fn for each exported symbol, in libkmod's order.  The number of symbols, or libkmod's
 * negative errno (-ENOENT: the module exports nothing).
 */
int modfile_exports(struct modfile *mf, modfile_sym_fn fn, void *data);
/*
 * Call fn for each __versions entry (a symbol the module needs, with the CRC it was linked
 * against).  The number of entries, or a negative errno (-ENOENT or -ENODATA: no __versions).
 */
int modfile_versions(struct modfile *mf, modfile_sym_fn fn, void *data);

/* Read .modinfo now rather than on the first modfile_info_next(); 0, or libkmod's -errno. */
int modfile_read_info(struct modfile *mf);
/*
 * Walk the .modinfo entries: start with *it NULL; false after the last one.  *value is NULL for
 * an entry without '='.  A module whose .modinfo cannot be read has no entries.  A signed
 * module's signature follows as libkmod's entries sig_id, signer, sig_key and sig_hashalgo.
 */
bool modfile_info_next(struct modfile *mf, struct kmod_list **it, const char **key,
		       const char **value);
/* The first word of the module's first vermagic, or NULL when it has none. */
char *modfile_vermagic_kver(struct modfile *mf);

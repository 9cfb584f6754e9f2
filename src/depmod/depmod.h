/* SPDX-License-Identifier: GPL-2.0-or-later */
/* depmod.h - the one entry point the rest of ndkms uses to regenerate a kernel's module indexes. */
/*
 * Layer depmod: includes util/, conf/ and depmod/ only; kabi/, sign/, pkg/, core/ and
 * cmd/ may include it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct depmod_opts {
	const char *basedir;    /* -b: the tree that holds lib/modules/KVER (NULL or "" for /) */
	const char *kver;
	const char *system_map; /* -F, or NULL */
	const char *symvers;    /* -E, or NULL */
	const char *cache_dir;  /* per-module parse cache (host path), or NULL for none */
	const char *program;    /* NULL: ndkms's own depmod; else this depmod binary (kmod's) */
	const char *const *config_paths; /* -C, or NULL for the default depmod.d folders */
	const char *config_root; /* the default depmod.d folders are looked up under it ("" or NULL: /) */
	char sym_prefix;        /* -P */
	bool quick;             /* -A */
	bool dry_run;           /* -n: write to stdout */
	bool errsyms;           /* -e */
	bool verbose;           /* -v */
};

/*
 * Regenerate every modules.* index of <basedir>/lib/modules/<kver>, each written to a temporary
 * name and renamed into place.  0 on success; a negative errno after logging the reason.
 */
int depmod_run(const struct depmod_opts *o);

/* Module files parsed, and served from the cache, by depmod_exports(). */
struct depmod_counts {
	unsigned parsed;
	unsigned cached;
};

typedef void (*depmod_export_fn)(void *data, const char *path, const char *symbol, uint64_t crc);

/*
 * Call fn for every symbol exported by the module files paths (host paths below
 * <basedir>/lib/modules/<kver>, NULL-terminated), reading each file from kver's parse cache
 * when it is unchanged and parsing it otherwise.  Only basedir, kver and cache_dir of o are
 * used; the cache is not written (the next depmod_run() stores the parsed records).
 */
int depmod_exports(const struct depmod_opts *o, const char *const *paths, depmod_export_fn fn,
		   void *data, struct depmod_counts *counts);

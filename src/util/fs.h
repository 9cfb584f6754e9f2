/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fs.h - file tests, atomic writes, tree copy and removal (path strings: util/path.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/macro.h"
#include "util/path.h"

/*
 * Invariants every writer here keeps:
 *  - a file that appears under its final name is complete: data goes to a temporary name in
 *    the same directory, is fsync()ed, then rename()d over the target;
 *  - nothing here follows a symlink while deleting (rm_rf removes links, not their targets).
 * All functions return 0 or a negative errno.
 */

bool path_exists(const char *p);   /* lstat succeeds */
bool is_dir(const char *p);        /* stat: a directory (follows links) */
bool is_reg(const char *p);        /* stat: a regular file (follows links) */
bool is_symlink(const char *p);
/* The text of symlink p, or NULL if it is not one (or cannot be read). */
char *read_link(const char *p);
/* name ends in .ko, .ko.gz, .ko.xz or .ko.zst after something. */
bool is_module_file_name(const char *name);

_must_check_ int mkdir_p(const char *path, mode_t mode);
/* Remove path and everything below it; a missing path is success. */
int rm_rf(const char *path);
/* rmdir() path and its parents while they are empty, stopping at (and keeping) stop. */
void rmdir_parents(const char *path, const char *stop);

/* Read a whole regular file (at most max bytes; -EFBIG beyond); *out is NUL-terminated.  Anything
 * else (a FIFO, a device) is refused with -EINVAL without blocking. */
_must_check_ int read_file(const char *path, char **out, size_t *len, size_t max);
_must_check_ int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
/*
 * The permission bits a copy of a file or folder of mode m gets, wherever ndkms copies (add,
 * ldtarball, the build folder, install): what `cp -r` as root under umask 022 leaves, so no
 * setuid, setgid or sticky bit and no group or other write survive from an untrusted tree.
 */
mode_t copied_mode(mode_t m);
/* Copy a regular file to dst atomically; mode 0 means copied_mode() of the source's. */
_must_check_ int copy_file_atomic(const char *src, const char *dst, mode_t mode);
/* Copy a directory tree (files, dirs, symlinks; copied_mode() and times) to dst, which must not exist. */
_must_check_ int copy_tree(const char *src, const char *dst);
/* Create or replace a symlink atomically. */
_must_check_ int symlink_atomic(const char *target, const char *linkpath);
/* Rename src over dst (both in one filesystem), then fsync the dir. */
_must_check_ int rename_sync(const char *src, const char *dst);
/* 1 when both files have the same bytes, 0 when not, negative errno on failure. */
_must_check_ int files_equal(const char *a, const char *b);
/* Number of entries in a directory other than . and .., or a negative errno. */
_must_check_ int dir_count(const char *path);
/* Create a unique temporary directory "<dir>/<prefix>XXXXXX"; returns the path or NULL. */
_must_check_ char *mkdtemp_in(const char *dir, const char *prefix);
/* Remove the temporary files "<dir>/.<base>.XXXXXX" an interrupted atomic write left behind. */
void rm_stale_tmp(const char *dir, const char *base);
/* Rename path to a dot-name beside it, then delete that: a tree is there whole or not at all. */
_must_check_ int rm_rf_atomic(const char *path, const char *trash_prefix);
/* Remove every empty directory below dir (not dir itself), deepest first. */
void rmdir_empty_below(const char *dir);

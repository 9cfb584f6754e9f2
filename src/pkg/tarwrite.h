/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tarwrite.h - write a tar archive (compressed as its name says) from folders and small files. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "util/macro.h"
#include "util/outfile.h"

struct archive;

struct tarw {
	struct archive *a;
	struct outfile out;
	char *why;
};

/*
 * Start the archive host path file, written through an outfile (a fresh temporary beside it,
 * renamed over it by tarw_close: file may be in a directory others can write).  The compression
 * follows the name's ending: .tar.gz/.tgz gzip, .tar.xz xz, .tar.zst zstd, .tar.bz2 bzip2, else
 * none; the format is POSIX tar.  Every function returns 0 or a negative errno, with t->why set.
 */
_must_check_ int tarw_open(struct tarw *t, const char *file);
/* A folder entry, then everything below host folder dir as arcdir/... (links stay links). */
_must_check_ int tarw_add_tree(struct tarw *t, const char *dir, const char *arcdir);
/* A regular file with the given bytes. */
_must_check_ int tarw_add_data(struct tarw *t, const char *arcpath, const void *data, size_t n,
			       mode_t mode);
/* Finish the archive and put it in place (root's, mode 0644); always frees it. */
_must_check_ int tarw_close(struct tarw *t);
/* Drop an unfinished archive (its temporary file too) and t->why. */
void tarw_abort(struct tarw *t);
/*
 * The whole archive file of host folder dir as arcdir/... (tarw_open, tarw_add_tree, tarw_close).
 * On failure *why is the reason when finishing the archive failed (the caller frees it), NULL when
 * an earlier step did (the errno then says it).
 */
_must_check_ int tarw_tree(const char *file, const char *dir, const char *arcdir, char **why);

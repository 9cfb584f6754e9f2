/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outfile.h - the one way to create an output file: a fresh temporary beside it, renamed in. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "util/macro.h"

/*
 * The directory may be one others can write (/tmp, a folder the user names): the temporary
 * name is unpredictable (mkostemp, O_EXCL, O_CLOEXEC), the descriptor is checked with fstat to
 * be a regular file this process owns with one link, and nothing is ever opened by a name an
 * attacker could have planted.  A symlink or file already at the final name is replaced by the
 * rename, never written through.
 */
struct outfile {
	int fd;     /* write here (also for archive_write_open_fd) */
	char *tmp;  /* "<dir>/.<base>.XXXXXX" */
	char *path; /* the final name */
	bool no_sync; /* set by a caller whose file is a cache checked when read: no fsync */
};

#define OUTFILE_INIT {.fd = -1}

/* Create the temporary beside path.  Returns 0 or a negative errno (o is then released). */
_must_check_ int outfile_open(struct outfile *o, const char *path);
/* Give it mode, fsync, close, rename over path and fsync the directory; on failure (or when
 * r, the writer's status, is negative) the temporary is removed.  Always releases o. */
_must_check_ int outfile_commit(struct outfile *o, mode_t mode, int r);
/* Remove the temporary and release o (a no-op on a released one). */
void outfile_abort(struct outfile *o);
/* fsync the folder path is in (a rename or link there is then on disk); EINVAL counts as done. */
_must_check_ int fsync_dir_of(const char *path);

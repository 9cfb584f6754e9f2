/* SPDX-License-Identifier: GPL-2.0-or-later */
/* extract.h - unpack an untrusted tar archive into an empty folder, refusing anything hostile. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "util/macro.h"

/* Bounds on what one archive may hold; anything beyond is refused before a byte is written. */
#define EXTRACT_MAX_MEMBER ((uint64_t)512 << 20) /* one file */
#define EXTRACT_MAX_TOTAL ((uint64_t)4 << 30)    /* all files together */
#define EXTRACT_MAX_MEMBERS 200000

/*
 * Read the whole archive (tar, compressed with anything libarchive knows) once to check every
 * member, then unpack it into dest (an existing empty folder).  Refused: names or link targets
 * with control characters, absolute names, ".." components, duplicate names, a member below a symlink member, symlinks whose target leaves
 * dest or goes through another symlink, hard links to anything but an earlier regular file,
 * device nodes, FIFOs and sockets, members or totals over the bounds above, and archives that
 * are corrupt or truncated.  On a refusal nothing has been written; on a later failure the
 * caller removes dest.  Returns 0 or a negative errno, with *why set to a sentence.
 */
_must_check_ int extract_archive(const char *archive, const char *dest, char **why);

/*
 * The archive is checked against its own top; a caller that keeps only a subtree of it (the
 * source folder, one kernel's build) checks that subtree on its own before copying it: every
 * symlink below host folder dir, taken from its own folder, stays inside dir without passing
 * through another symlink (absolute targets refused).  Returns 0 or -EPERM with *why set.
 */
_must_check_ int extract_links_within(const char *dir, char **why);

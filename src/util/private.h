/* SPDX-License-Identifier: GPL-2.0-or-later */
/* private.h - root's private state: folders 0700 and lock files 0600 no other user can open. */
#pragma once

#include "util/macro.h"

/*
 * flock() works on a read-only descriptor, so a lock file another user can open is a lock that
 * user can hold forever.  Both functions return 0 (or a descriptor) or a negative errno.
 */

/* dir as a folder only this user enters: created 0700 (parents 0755); an existing one of ours
 * is set to 0700; a symlink or a folder owned by someone else is refused with -EPERM. */
_must_check_ int mkdir_private(const char *dir);
/* Open (creating) a lock file O_RDWR|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC, mode 0600: only a regular
 * file of ours is accepted (-EPERM otherwise), and any group or other bits are dropped. */
_must_check_ int lockfile_open(const char *path);

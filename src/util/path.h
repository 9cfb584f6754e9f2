/* SPDX-License-Identifier: GPL-2.0-or-later */
/* path.h - path strings: joining, splitting, containment, relative paths. */
#pragma once

#include <stdbool.h>

/* "a" + "/" + "b" with exactly one slash between them. */
char *path_join(const char *a, const char *b);
/* The last component of a path and everything before it, as new strings. */
char *path_dirname(const char *p);
const char *path_basename(const char *p);
/* True when rel is relative and has no ".." component (untrusted names from dkms.conf). */
bool path_is_contained(const char *rel);
/* The relative path that leads from directory from_dir to path to (both absolute). */
char *path_relative(const char *from_dir, const char *to);

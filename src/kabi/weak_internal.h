/* SPDX-License-Identifier: GPL-2.0-or-later */
/* weak_internal.h - what the pieces of weak-modules share: module paths, tree walks, checks. */
#pragma once

#include <stdbool.h>

#include "kabi/kmodule.h"
#include "kabi/symtab.h"
#include "util/macro.h"
#include "util/strv.h"

/* A module file named by the user or found in a tree: /lib/modules/<kver>/<top>/<sub>. */
struct weak_path {
	char *kver;
	char *top;   /* "extra", "updates", ... (never "weak-updates") */
	char *sub;   /* below top, at least the file name */
	char *host;  /* host path */
	char *shown; /* in-root path, for messages */
};

/* Parse an in-root or host path; -EINVAL (with *why set) when it is no such module path. */
_must_check_ int weak_path_parse(const char *base, const char *in, struct weak_path *p,
				 const char **why);
void weak_path_release(struct weak_path *p);

/* The relative symlink text from <kver>/weak-updates/<sub> to <kver_built>/<top>/<sub>. */
char *weak_link_text(const struct weak_path *p);
/* The in-root path a weak link's text points to, normalised; NULL when outside lib/modules. */
char *weak_link_resolve(const char *sub, const char *text);

/* Paths (below kdir/weak-updates, as subpaths) of every symlink to a module file. */
void weak_list_links(const char *kdir, struct strv *subs);
/* Host paths of real module files of kdir outside kernel/ and weak-updates/. */
void weak_list_real(const char *kdir, struct strv *paths);

/* One thing the compatibility check decides on: a module wanted in a kernel's weak-updates/. */
struct weak_entry {
	const struct kabi_module *mod; /* NULL: unreadable (never compatible) */
	long group;                    /* entries of one group are linked together or not at all */
	bool active;
	struct strv why;               /* the symbols that failed, for the messages */
};

/*
 * Keep the largest set of groups whose every __versions symbol is exported, with the same
 * CRC, by the kernel (base: symvers and real modules) or by another active entry.  Entries
 * without a __versions table are never active.
 */
void weak_check(const struct kabi_symtab *base, struct weak_entry *e, size_t n);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* weak.h - weak-modules: link kABI-compatible modules into other kernels' weak-updates/. */
/*
 * Layer kabi (beside sign and pkg): includes util/, conf/, depmod/ and kabi/ (sign/ or
 * pkg/ only if neither includes kabi/: no circle between folders); core/ and cmd/ may include it.
 */
#pragma once

#include <stdbool.h>

#include "depmod/depmod.h"
#include "util/macro.h"
#include "util/strv.h"

enum weak_op {
	WEAK_ADD_MODULES,
	WEAK_REMOVE_MODULES,
	WEAK_ADD_KERNEL,
	WEAK_REMOVE_KERNEL,
};

struct weak_opts {
	const char *base;      /* host path of the tree holding lib/modules and boot; "" for / */
	const char *cache_dir; /* depmod's parse cache (host path), or NULL */
	bool dry_run;          /* decide and report, change nothing */
	bool verbose;          /* RHEL's --verbose messages on stdout */
	/* held around the change of one kernel's weak-updates/ (both may be NULL) */
	int (*lock)(void *data, const char *kver);
	void (*unlock)(int fd);
	void *lock_data;
};

struct weak_result {
	struct strv changed;         /* kernels whose indexes are due (those with a symvers file) */
	struct depmod_counts counts; /* module files of the target kernels read for their exports */
	unsigned modules_read;       /* module files read for their __versions */
};

/*
 * Run one weak-modules operation.  args: the module paths (add/remove modules; host paths
 * below <base>/lib/modules or in-root /lib/modules paths) or one kernel version (add/remove
 * kernel).  The indexes of res->changed are not regenerated here: the caller runs depmod once
 * per kernel.  Returns 0; -ENOENT (logged) when --add-kernel names a kernel without symvers
 * (RHEL's script exits 1 then, as main() does for any errno); another negative errno when the
 * tree cannot be read or written.
 */
_must_check_ int weak_run(const struct weak_opts *o, enum weak_op op, const struct strv *args,
			  struct weak_result *res);
void weak_result_release(struct weak_result *res);

/*
 * The weak link of a module installed at <kdir_built>/<rel> in kernel kver's tree:
 * <install_tree>/<kver>/weak-updates/<rel without its first directory>; NULL when rel has
 * no directory below its first one.
 */
char *weak_link_path(const char *install_tree, const char *kver, const char *rel);

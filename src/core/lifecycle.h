/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lifecycle.h - add, build, install, uninstall, unbuild, remove of one target. */
#pragma once

#include <stdbool.h>

#include "core/ctx.h"
#include "core/target.h"
#include "util/macro.h"

/*
 * Every function works on the target it is given (core/target.h) and logs its own messages
 * in dkms's words; each returns 0 or a negative code.  The caller holds the module lock
 * (lock_module, core/lock.h) around them.
 */

/*
 * Copy a source tree (a folder with a dkms.conf, read for kernel k/a) to /usr/src/M-V; sets
 * *module and *version (the caller frees them) to the file's PACKAGE_NAME and VERSION.
 */
int lifecycle_prepare_source(struct ndkms_ctx *ctx, const char *src, const char *k, const char *a,
			     char **module, char **version);
/* Register t's module/version: the source link and M/V/build, then POST_ADD.  t's kernel is
 * the one the dkms.conf is read for. */
int lifecycle_add(struct ndkms_ctx *ctx, const struct target *t);
/* Add when needed (printing a blank line after, as dkms). */
int lifecycle_maybe_add(struct ndkms_ctx *ctx, const struct target *t);

int lifecycle_build(struct ndkms_ctx *ctx, const struct target *t);
int lifecycle_maybe_build(struct ndkms_ctx *ctx, const struct target *t);
int lifecycle_install(struct ndkms_ctx *ctx, const struct target *t);
int lifecycle_maybe_install(struct ndkms_ctx *ctx, const struct target *t);
int lifecycle_uninstall(struct ndkms_ctx *ctx, const struct target *t);
int lifecycle_maybe_uninstall(struct ndkms_ctx *ctx, const struct target *t);
int lifecycle_unbuild(struct ndkms_ctx *ctx, const struct target *t);
int lifecycle_maybe_unbuild(struct ndkms_ctx *ctx, const struct target *t);
/* Delete M/V from the tree when no kernel is left, and M when no version is left. */
void lifecycle_prune(struct ndkms_ctx *ctx, const char *module, const char *version);

/*
 * Mark an install or uninstall of t on its kernel as under way (M/.ndkms-txn-K-A);
 * lifecycle_recover finishes a marked change as an uninstall.  End removes the mark.
 */
_must_check_ int lifecycle_txn_begin(struct ndkms_ctx *ctx, const struct target *t);
/* The marker's path for m on k/a. */
char *lifecycle_txn_path(const struct ndkms_ctx *ctx, const char *m, const char *k, const char *a);
void lifecycle_txn_end(struct ndkms_ctx *ctx, const struct target *t);
/* Undo a marked change of t's module on t's kernel that failed half-way, now. */
void lifecycle_txn_abort(struct ndkms_ctx *ctx, const struct target *t);

/* Roll back the interrupted installs and uninstalls of every module (autoinstall's start). */
void lifecycle_recover_all(struct ndkms_ctx *ctx);
/* Finish or roll back interrupted work on module (and its version, when not NULL); the
 * caller holds the module's lock. */
void lifecycle_recover(struct ndkms_ctx *ctx, const char *module, const char *version);

/*
 * The BUILD_DEPENDS_REBUILD modules built for t's kernel whose dependencies changed version
 * since (pushed as "M/V" to todo): an install rebuilds them.
 */
void lifecycle_stale_dependents(struct ndkms_ctx *ctx, const struct target *t, struct strv *todo);

/* Regenerate kver's indexes now, or once at the end when ctx->ses.defer_depmod is set. */
int lifecycle_depmod(struct ndkms_ctx *ctx, const char *kver);
/* Run every deferred depmod, and those an interrupted command left pending. */
int lifecycle_flush_depmod(struct ndkms_ctx *ctx);
/* Run (or queue, when deferring) the depmods an interrupted command left pending. */
int lifecycle_pending_depmod(struct ndkms_ctx *ctx);
/* framework.conf's post_transaction, logged to <dkms_tree>/post_transaction.log. */
void lifecycle_post_transaction(struct ndkms_ctx *ctx);

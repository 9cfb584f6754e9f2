/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lifecycle.h - add, build, install, uninstall, unbuild, remove of one module/version. */
#pragma once

#include <stdbool.h>

#include "core/ctx.h"
#include "util/macro.h"

/*
 * Every function works on ctx->opt.module/ctx->opt.version (set by add from a source tree) and logs
 * its own messages in dkms's words; each returns 0 or a code for main().  The caller holds
 * the module lock (lock_module, core/lock.h) around them.
 */

/* Resolve a source-tree argument (copy it to /usr/src/M-V, set ctx->opt.module/version). */
int lifecycle_prepare_source(struct ndkms_ctx *ctx);
/* Register M/V: the source link and M/V/build, then POST_ADD. */
int lifecycle_add(struct ndkms_ctx *ctx);
/* Add when needed (printing a blank line after, as dkms). */
int lifecycle_maybe_add(struct ndkms_ctx *ctx);

int lifecycle_build(struct ndkms_ctx *ctx, const char *k, const char *a);
int lifecycle_maybe_build(struct ndkms_ctx *ctx, const char *k, const char *a);
int lifecycle_install(struct ndkms_ctx *ctx, const char *k, const char *a);
int lifecycle_maybe_install(struct ndkms_ctx *ctx, const char *k, const char *a);
int lifecycle_uninstall(struct ndkms_ctx *ctx, const char *k, const char *a);
int lifecycle_maybe_uninstall(struct ndkms_ctx *ctx, const char *k, const char *a);
int lifecycle_unbuild(struct ndkms_ctx *ctx, const char *k, const char *a);
int lifecycle_maybe_unbuild(struct ndkms_ctx *ctx, const char *k, const char *a);
/* Delete M/V from the tree when no kernel is left, and M when no version is left. */
void lifecycle_prune(struct ndkms_ctx *ctx);

/*
 * Mark an install or uninstall of ctx->opt.module/version on K/A as under way (M/.ndkms-txn-K-A);
 * lifecycle_recover finishes a marked change as an uninstall.  End removes the mark.
 */
_must_check_ int lifecycle_txn_begin(struct ndkms_ctx *ctx, const char *k, const char *a);
/* The marker's path for m on k/a. */
char *lifecycle_txn_path(const struct ndkms_ctx *ctx, const char *m, const char *k, const char *a);
void lifecycle_txn_end(struct ndkms_ctx *ctx, const char *k, const char *a);
/* Undo a marked change that failed half-way (as lifecycle_recover would), now. */
void lifecycle_txn_abort(struct ndkms_ctx *ctx, const char *k, const char *a);

/* Roll back the interrupted installs and uninstalls of every module (autoinstall's start). */
void lifecycle_recover_all(struct ndkms_ctx *ctx);
/* Finish or roll back an interrupted build of ctx->opt.module/version (caller holds the lock). */
void lifecycle_recover(struct ndkms_ctx *ctx);

/*
 * The BUILD_DEPENDS_REBUILD modules built for k/a whose dependencies changed version since
 * (pushed as "M/V" to todo): an install rebuilds them.
 */
void lifecycle_stale_dependents(struct ndkms_ctx *ctx, const char *k, const char *a,
				struct strv *todo);

/* Regenerate kver's indexes now, or once at the end when ctx->ses.defer_depmod is set. */
int lifecycle_depmod(struct ndkms_ctx *ctx, const char *kver);
/* Run every deferred depmod, and those an interrupted command left pending. */
int lifecycle_flush_depmod(struct ndkms_ctx *ctx);
/* Run (or queue, when deferring) the depmods an interrupted command left pending. */
int lifecycle_pending_depmod(struct ndkms_ctx *ctx);
/* framework.conf's post_transaction, logged to <dkms_tree>/post_transaction.log. */
void lifecycle_post_transaction(struct ndkms_ctx *ctx);

// SPDX-License-Identifier: GPL-2.0-or-later
/* common.c - argument checks and locking shared by the lifecycle commands. */
#include <unistd.h>

#include "cmd/common.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/state.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"

int cmd_prologue(struct ndkms_ctx *ctx, unsigned flags)
{
	int r = ctx_resolve_targets(ctx, flags & ALLOW_ALL, false);

	if (r < 0)
		return r;
	if (ctx->tarball_arg && !ctx->src_tree_arg) {
		log_error("%s is not a source folder; load archives with add or ldtarball.",
			  ctx->tarball_arg);
		return DKMS_EXIT(2);
	}
	if (ctx->src_tree_arg && (flags & SOURCE_TREE_OK)) {
		r = lifecycle_prepare_source(ctx);
		if (r < 0)
			return r;
	}
	if ((r = state_need_mv(ctx)) < 0)
		return r;
	if (path_exists(ctx->dkms_tree) && access(ctx->dkms_tree, W_OK) != 0) {
		log_error("No write access to DKMS tree at %s", ctx_display(ctx, ctx->dkms_tree));
		return DKMS_EXIT(1);
	}
	int lock = lock_module(ctx, ctx->module);
	if (lock < 0)
		return lock;
	lifecycle_recover(ctx);
	if (flags & NEED_ADDED) {
		r = state_check_not_broken(ctx, ctx->module, ctx->version);
		if (r == 0)
			r = state_check_added(ctx, ctx->module, ctx->version);
		if (r < 0) {
			lock_release(lock);
			return r;
		}
	}
	if (ctx->all && flags & ALLOW_ALL) {
		/* --all lists the built kernels; re-resolve now that the module is known */
		r = ctx_resolve_targets(ctx, true, false);
		if (r < 0) {
			lock_release(lock);
			return r;
		}
	}
	return lock;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* lifecycle_cmds.c - add, build, install, uninstall, unbuild, remove. */
#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/exitcode.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/rpmsafe.h"
#include "core/state.h"
#include "core/tarball.h"
#include "util/log.h"

static int cmd_add_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	if (ctx->opt->tarball_arg && !ctx->opt->src_tree_arg) {
		/* add FILE.tar.*: dkms loads it like ldtarball */
		int r = cmd_resolve_targets(ctx, false, false);
		if (r == 0 && !ctx->env->is_root) {
			log_error("You must be root to use this command.");
			r = DKMS_EXIT(1);
		}
		if (r < 0)
			return r;
		struct target t = cmd_add_target(ctx, NULL, NULL);
		return tarball_load(ctx, ctx->opt->tarball_arg, t.kver, t.arch);
	}
	int lock = cmd_prologue(ctx, SOURCE_TREE_OK);

	if (lock < 0)
		return lock;
	int r = 0;
	if (ctx->opt->rpm_safe_upgrade && rpmsafe_mark(ctx, ctx->opt->module, ctx->opt->version) < 0)
		r = DKMS_EXIT(1);
	if (r == 0) {
		struct target t = cmd_add_target(ctx, ctx->opt->module, ctx->opt->version);
		r = lifecycle_add(ctx, &t);
	}
	lock_release(lock);
	return r;
}

typedef int (*per_kernel_fn)(struct ndkms_ctx *ctx, const struct target *t);

/* Run fn for every target; the first failure stops the command, as dkms's die does. */
static int for_targets(struct ndkms_ctx *ctx, unsigned flags, per_kernel_fn fn, bool blank_between,
		       bool post_tx)
{
	int lock = cmd_prologue(ctx, flags);
	int r = 0;

	if (lock < 0)
		return lock;
	if (!(flags & NEED_ADDED))
		r = state_check_not_broken(ctx, ctx->opt->module, ctx->opt->version);
	for (size_t i = 0; r == 0 && i < ctx->ntargets; i++) {
		if (blank_between && i)
			log_info("%s", "");
		struct target t = cmd_target(ctx, i);
		r = fn(ctx, &t);
	}
	lock_release(lock);
	if (r == 0 && post_tx)
		lifecycle_post_transaction(ctx);
	return r;
}

static int cmd_build_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	return for_targets(ctx, SOURCE_TREE_OK, lifecycle_maybe_build, false, false);
}

static int cmd_install_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	int r = for_targets(ctx, SOURCE_TREE_OK, lifecycle_maybe_install, false, true);

	/* not done yet: say so rather than ignore it (dkms modprobes every device's modalias) */
	if (r == 0 && ctx->opt->modprobe_on_install)
		log_warn("modprobe_on_install is not supported by this ndkms version; load the new "
			 "modules with modprobe.");
	return r;
}

static int cmd_uninstall_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	return for_targets(ctx, NEED_ADDED | ALLOW_ALL, lifecycle_maybe_uninstall, true, true);
}

static int unbuild_one(struct ndkms_ctx *ctx, const struct target *t)
{
	int r = lifecycle_maybe_uninstall(ctx, t);

	return r < 0 ? r : lifecycle_maybe_unbuild(ctx, t);
}

static int cmd_unbuild_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	return for_targets(ctx, NEED_ADDED | ALLOW_ALL, unbuild_one, true, true);
}

static int remove_one(struct ndkms_ctx *ctx, const struct target *t)
{
	int r = unbuild_one(ctx, t);

	if (r == 0)
		log_info("%s", "");
	return r;
}

static int cmd_remove_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	int lock = cmd_prologue(ctx, NEED_ADDED | ALLOW_ALL);
	int r = 0;

	if (lock < 0)
		return lock;
	if (ctx->opt->rpm_safe_upgrade && rpmsafe_cancel(ctx, ctx->opt->module, ctx->opt->version)) {
		lock_release(lock);
		return 0;
	}
	for (size_t i = 0; r == 0 && i < ctx->ntargets; i++) {
		struct target t = cmd_target(ctx, i);
		r = remove_one(ctx, &t);
	}
	if (r == 0)
		lifecycle_prune(ctx, ctx->opt->module, ctx->opt->version);
	lock_release(lock);
	if (r == 0)
		lifecycle_post_transaction(ctx);
	return r;
}

const struct cmd cmd_add = {"add", cmd_add_run, "register a module source tree", CMD_DKMS_ARGS};
const struct cmd cmd_build = {"build", cmd_build_run, "build a module for kernels", CMD_DKMS_ARGS};
const struct cmd cmd_install = {"install", cmd_install_run, "install a built module",
				CMD_DKMS_ARGS | CMD_NEEDS_ROOT};
const struct cmd cmd_uninstall = {"uninstall", cmd_uninstall_run, "uninstall a module",
				  CMD_DKMS_ARGS | CMD_NEEDS_ROOT};
const struct cmd cmd_unbuild = {"unbuild", cmd_unbuild_run, "uninstall and delete a build",
				CMD_DKMS_ARGS};
const struct cmd cmd_remove = {"remove", cmd_remove_run, "unbuild and unregister a module",
			       CMD_DKMS_ARGS};

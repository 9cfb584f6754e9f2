// SPDX-License-Identifier: GPL-2.0-or-later
/* common.c - argument checks and locking shared by the lifecycle commands. */
#include <string.h>
#include <unistd.h>

#include "cmd/common.h"
#include "cmd/exitcode.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/state.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/names.h"

int cmd_check_kver(const char *kver, const char *what)
{
	if (kver_valid(kver))
		return 0;
	log_error("Invalid %s '%s': only letters, digits and . _ + ~ - are allowed (at most %d, "
		  "not starting with '-' or '.').",
		  what, kver, KVER_MAX_LEN);
	return DKMS_EXIT(16);
}

int cmd_validate_args(const struct ndkms_ctx *ctx)
{
	int r;

	bool m_given = ctx->opt->module && *ctx->opt->module, v_given = ctx->opt->version && *ctx->opt->version;

	/* an empty module (a path that is no source tree, say) is dkms's "not specified"
	 * error, which the command reports */
	if (m_given && (!name_valid(ctx->opt->module) || (v_given && !name_valid(ctx->opt->version)))) {
		log_error("Invalid module name or version: %s/%s", ctx->opt->module ?: "",
			  ctx->opt->version ?: "");
		return DKMS_EXIT(1);
	}
	for (size_t i = 0; i < ctx->opt->kvers.n; i++) {
		_cleanup_free_ char *k = xstrdup(ctx->opt->kvers.v[i]);
		char *slash = strchr(k, '/');
		if (slash)
			*slash++ = '\0';
		if ((r = cmd_check_kver(k, "kernel version")) < 0 ||
		    (slash && (r = cmd_check_kver(slash, "architecture")) < 0))
			return r;
	}
	for (size_t i = 0; i < ctx->opt->arches.n; i++)
		if ((r = cmd_check_kver(ctx->opt->arches.v[i], "architecture")) < 0)
			return r;
	if (ctx->opt->templatekernel && (r = cmd_check_kver(ctx->opt->templatekernel, "template kernel")) < 0)
		return r;
	return 0;
}

struct target cmd_target(const struct ndkms_ctx *ctx, size_t i)
{
	return (struct target){ctx->opt->module, ctx->opt->version, ctx->targets[i].kver,
			       ctx->targets[i].arch};
}

struct target cmd_add_target(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	if (ctx->ntargets)
		return (struct target){m, v, ctx->targets[0].kver, ctx->targets[0].arch};
	return (struct target){m, v, ctx->env->running_kernel, ctx->env->running_arch};
}

/* dkms's "Arguments <module> and <module-version> are not specified." check (exit 1) */
static int need_mv(const struct ndkms_ctx *ctx)
{
	if (ctx->opt->module && *ctx->opt->module && ctx->opt->version && *ctx->opt->version)
		return 0;
	log_error("Arguments <module> and <module-version> are not specified.\n"
		  "Usage: %s <module>/<module-version> or\n"
		  "       %s -m <module>/<module-version> or\n"
		  "       %s -m <module> -v <module-version>",
		  ctx->opt->action, ctx->opt->action, ctx->opt->action);
	return NDKMS_E_USAGE;
}

int cmd_prologue(struct ndkms_ctx *ctx, unsigned flags)
{
	int r = cmd_resolve_targets(ctx, flags & ALLOW_ALL, false);

	if (r < 0)
		return r;
	if (ctx->opt->tarball_arg && !ctx->opt->src_tree_arg) {
		log_error("%s is not a source folder; load archives with add or ldtarball.",
			  ctx->opt->tarball_arg);
		return DKMS_EXIT(2);
	}
	if (ctx->opt->src_tree_arg && (flags & SOURCE_TREE_OK)) {
		struct target t = cmd_add_target(ctx, NULL, NULL);
		r = lifecycle_prepare_source(ctx, ctx->opt->src_tree_arg, t.kver, t.arch,
					     &ctx->opt_setup->module, &ctx->opt_setup->version);
		if (r < 0)
			return r;
	}
	if ((r = need_mv(ctx)) < 0)
		return r;
	if (path_exists(ctx->env->dkms_tree) && access(ctx->env->dkms_tree, W_OK) != 0) {
		log_error("No write access to DKMS tree at %s", ctx_display(ctx, ctx->env->dkms_tree));
		return DKMS_EXIT(1);
	}
	int lock = lock_module(ctx, ctx->opt->module);
	if (lock < 0)
		return lock;
	lifecycle_recover(ctx, ctx->opt->module, ctx->opt->version);
	if (flags & NEED_ADDED) {
		r = state_check_not_broken(ctx, ctx->opt->module, ctx->opt->version);
		if (r == 0)
			r = state_check_added(ctx, ctx->opt->module, ctx->opt->version);
		if (r < 0) {
			lock_release(lock);
			return r;
		}
	}
	if (ctx->opt->all && flags & ALLOW_ALL) {
		/* --all lists the built kernels; re-resolve now that the module is known */
		r = cmd_resolve_targets(ctx, true, false);
		if (r < 0) {
			lock_release(lock);
			return r;
		}
	}
	return lock;
}

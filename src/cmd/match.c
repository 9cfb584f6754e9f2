// SPDX-License-Identifier: GPL-2.0-or-later
/* match.c - match: install on a kernel the modules installed on a template kernel (dkms 3.4). */
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/exitcode.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/state.h"
#include "util/log.h"

static int cmd_match_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	_cleanup_strv_ struct strv mods = STRV_INIT;
	int r = cmd_resolve_targets(ctx, false, true);

	if (r < 0)
		return r;
	const char *t = ctx->opt->templatekernel, *k = ctx->targets[0].kver, *a = ctx->targets[0].arch;
	if (!t || !*t) {
		log_error("Invalid number of parameters passed.\nUsage: match "
			  "--templatekernel=<kernel-version> -k <kernel-version>\n    or:    match "
			  "--templatekernel=<kernel-version> -k <kernel-version> <module>");
		return DKMS_EXIT(1);
	}
	if (streq(t, k)) {
		log_error("The templatekernel and the specified kernel version are the same.");
		return DKMS_EXIT(2);
	}
	if (ctx->opt->module) {
		_cleanup_strv_ struct strv all = STRV_INIT;
		state_list_modules(ctx, &all);
		if (!strv_contains(&all, ctx->opt->module)) {
			log_error("The module: %s is not located in the DKMS tree.", ctx->opt->module);
			return DKMS_EXIT(3);
		}
		strv_push(&mods, ctx->opt->module);
	} else {
		state_list_modules(ctx, &mods);
	}
	_cleanup_strv_ struct strv todo = STRV_INIT; /* "M/V" installed on the template */
	for (size_t i = 0; i < mods.n; i++) {
		_cleanup_free_ char *v = state_active_version(ctx, mods.v[i], t, a);
		if (v && state_is_installed(ctx, mods.v[i], v, t, a))
			strv_pushf(&todo, "%s/%s", mods.v[i], v);
	}
	log_info("%s", "");
	log_info("Matching modules in kernel: %s (%s)", k, a);
	log_info("to the configuration of kernel: %s (%s)", t, a);
	if (!todo.n) {
		log_info("%s", "");
		log_info("There is nothing to be done for this match.");
		return 0;
	}
	for (size_t i = 0; i < todo.n && r == 0; i++) {
		char *slash = strchr(todo.v[i], '/');
		*slash = '\0';
		const struct target tg = {todo.v[i], slash + 1, k, a};
		int lock = lock_module(ctx, tg.module);
		if (lock < 0)
			return lock;
		log_info("Module:  %s", tg.module);
		log_info("Version: %s", tg.version);
		r = lifecycle_maybe_install(ctx, &tg);
		lock_release(lock);
	}
	if (r == 0)
		lifecycle_post_transaction(ctx);
	return r;
}

const struct cmd cmd_match = {"match", cmd_match_run,
			      "install on a kernel what is installed on a template kernel",
			      CMD_DKMS_ARGS | CMD_NEEDS_ROOT};

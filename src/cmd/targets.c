// SPDX-License-Identifier: GPL-2.0-or-later
/* targets.c - the kernels (-k, -a, --all) a lifecycle command works on, with dkms's rules. */
#include <ctype.h>
#include <dirent.h>
#include <string.h>

#include "cmd/common.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/names.h"

static void add_target(struct ndkms_ctx *ctx, const char *kver, const char *arch)
{
	ctx->targets = xreallocarray(ctx->targets, ctx->ntargets + 1, sizeof(*ctx->targets));
	ctx->targets[ctx->ntargets].kver = xstrdup(kver);
	ctx->targets[ctx->ntargets].arch = xstrdup(arch);
	ctx->ntargets++;
}

/* Every K/A the module/version is built for (dkms: kernel dirs start with a digit), sort -V. */
static void targets_all(struct ndkms_ctx *ctx)
{
	_cleanup_free_ char *mv = xasprintf("%s/%s/%s", ctx->env->dkms_tree, ctx->opt->module, ctx->opt->version);
	_cleanup_strv_ struct strv ks = STRV_INIT;
	DIR *d = opendir(mv);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));)
		if (isdigit((unsigned char)de->d_name[0]) && strchr(de->d_name, '.') &&
		    kver_valid(de->d_name))
			strv_push(&ks, de->d_name);
	closedir(d);
	strv_sort_version(&ks);
	for (size_t i = 0; i < ks.n; i++) {
		_cleanup_free_ char *kd = path_join(mv, ks.v[i]);
		_cleanup_strv_ struct strv as = STRV_INIT;
		DIR *ad = opendir(kd);
		if (!ad)
			continue;
		for (struct dirent *de; (de = readdir(ad));)
			if (de->d_name[0] != '.')
				strv_push(&as, de->d_name);
		closedir(ad);
		strv_sort(&as);
		for (size_t j = 0; j < as.n; j++)
			add_target(ctx, ks.v[i], as.v[j]);
	}
}

int cmd_resolve_targets(struct ndkms_ctx *ctx, bool allow_all, bool need_one)
{
	if (ctx->opt->all && !allow_all) {
		log_error("The action %s does not support the --all parameter.", ctx->opt->action);
		return NDKMS_E_ALL_BANNED;
	}
	if (ctx->opt->all && ctx->opt->kvers.n) {
		log_error("You cannot specify a kernel version and also specify\n"
			  "--all on the command line.");
		return NDKMS_E_ALL_KERNEL;
	}
	if (ctx->opt->all && ctx->opt->arches.n) {
		log_error("You cannot specify an arch and also specify\n--all on the command line.");
		return NDKMS_E_ALL_ARCH;
	}
	if (need_one && ctx->opt->kvers.n > 1) {
		log_error("The action %s does not support multiple kernel version parameters on the "
			  "command line.",
			  ctx->opt->action);
		return NDKMS_E_KERNELS;
	}
	if (ctx->opt->arches.n > 1 && ctx->opt->arches.n != ctx->opt->kvers.n) {
		log_error("If more than one arch is specified on the command line, then there\n"
			  "must be an equal number of kernel versions also specified (1:1 "
			  "relationship).");
		return NDKMS_E_USAGE;
	}
	for (size_t i = 0; i < ctx->ntargets; i++) {
		free(ctx->targets[i].kver);
		free(ctx->targets[i].arch);
	}
	ctx->ntargets = 0;
	if (ctx->opt->all) {
		if (ctx->opt->module && ctx->opt->version)
			targets_all(ctx);
		return 0;
	}
	if (!ctx->opt->kvers.n)
		strv_push(&ctx->opt_setup->kvers, ctx->env->running_kernel);
	for (size_t i = 0; i < ctx->opt->kvers.n; i++) {
		_cleanup_free_ char *k = xstrdup(ctx->opt->kvers.v[i]);
		char *slash = strchr(k, '/');
		const char *arch = ctx->opt->arches.n > 1 ? ctx->opt->arches.v[i]
				   : ctx->opt->arches.n   ? ctx->opt->arches.v[0]
						     : ctx->env->running_arch;
		if (slash) {
			*slash = '\0';
			arch = slash + 1;
		}
		if (!*k || !*arch) {
			log_error("Empty kernel version or architecture parameter.");
			return NDKMS_E_EMPTY_TARGET;
		}
		add_target(ctx, k, arch);
	}
	return 0;
}

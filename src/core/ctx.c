// SPDX-License-Identifier: GPL-2.0-or-later
/* ctx.c - defaults, in-root paths and target resolution for one invocation. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/ctx.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/names.h"

extern char **environ;

void ctx_init(struct ndkms_ctx *ctx)
{
	struct utsname u;
	const char *e;

	memset(ctx, 0, sizeof(*ctx));
	ctx->root = xstrdup((e = getenv("NDKMS_ROOT")) ? e : "");
	ctx->jobs = -1;
	if ((e = getenv("parallel_jobs")) && *e && ctx_parse_jobs(e, &ctx->jobs) < 0)
		log_warn("Ignoring the invalid parallel_jobs value '%s' in the environment.", e);
	if (uname(&u) == 0) {
		ctx->running_kernel = xstrdup(u.release);
		ctx->running_arch = xstrdup(u.machine);
	} else {
		ctx->running_kernel = xstrdup("");
		ctx->running_arch = xstrdup("");
	}
	ctx->is_root = geteuid() == 0;
	ctx->shell_fallback = true;
	ctx->shell_timeout_ms = 10000;
	ctx->weak_modules = true;
	ctx->compress_xz_opts = xstrdup("--check=crc32 --lzma2=dict=1MiB");
	ctx->compress_zstd_opts = xstrdup("-q --rm -T0");
	ctx->compress_gzip_opts = xstrdup("");
	/* DKMS_DIRECTIVE*=NAME=value in the environment behave like --directive (dkms 3.x). */
	for (char **env = environ; env && *env; env++)
		if (strneq(*env, "DKMS_DIRECTIVE", 14) && strchr(strchr(*env, '=') + 1, '='))
			strv_push(&ctx->directives, strchr(*env, '=') + 1);
}

void ctx_release(struct ndkms_ctx *ctx)
{
	char **strs[] = {
		&ctx->root, &ctx->dkms_tree, &ctx->source_tree, &ctx->install_tree, &ctx->etc_dkms,
		&ctx->etc_ndkms, &ctx->cache_dir, &ctx->tmp_dir, &ctx->action, &ctx->module,
		&ctx->version, &ctx->src_tree_arg, &ctx->tarball_arg, &ctx->kernel_source_dir_opt,
		&ctx->conf_file, &ctx->kconfig_opt, &ctx->templatekernel, &ctx->archive,
		&ctx->distro, &ctx->running_kernel, &ctx->running_arch, &ctx->post_transaction,
		&ctx->compress_gzip_opts, &ctx->compress_xz_opts, &ctx->compress_zstd_opts,
		&ctx->depmod_program,
	};
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	for (size_t i = 0; i < ctx->ntargets; i++) {
		free(ctx->targets[i].kver);
		free(ctx->targets[i].arch);
	}
	free(ctx->targets);
	ctx->targets = NULL;
	ctx->ntargets = 0;
	strv_release(&ctx->kvers);
	strv_release(&ctx->arches);
	strv_release(&ctx->directives);
	strv_release(&ctx->depmod_pending);
	strv_release(&ctx->signing_announced);
	strv_release(&ctx->required);
	strv_release(&ctx->initrd_pending);
	strv_release(&ctx->initrd_exempt);
}

char *ctx_path(const struct ndkms_ctx *ctx, const char *abs)
{
	if (!*ctx->root)
		return xstrdup(abs);
	return path_join(ctx->root, abs);
}

const char *ctx_display(const struct ndkms_ctx *ctx, const char *host)
{
	size_t n = strlen(ctx->root);

	if (n && strneq(host, ctx->root, n) && (host[n] == '/' || !host[n]))
		return host[n] ? host + n : "/";
	return host;
}

char *ctx_depmod_basedir(const struct ndkms_ctx *ctx)
{
	static const char *const tails[] = {"/usr/lib/modules", "/lib/modules"};
	size_t n = strlen(ctx->install_tree);

	for (size_t i = 0; i < ARRAY_SIZE(tails); i++) {
		size_t t = strlen(tails[i]);
		if (n >= t && streq(ctx->install_tree + n - t, tails[i]))
			return xstrndup(ctx->install_tree, n - t);
	}
	return NULL;
}

char *ctx_kernel_source_dir(const struct ndkms_ctx *ctx, const char *kver)
{
	if (ctx->kernel_source_dir_opt)
		return xstrdup(ctx->kernel_source_dir_opt);
	_cleanup_free_ char *k = path_join(ctx->install_tree, kver);
	return path_join(k, "build");
}

char *ctx_kernel_config(const struct ndkms_ctx *ctx, const char *kver)
{
	if (ctx->kconfig_opt)
		return xstrdup(ctx->kconfig_opt);
	_cleanup_free_ char *ksd = ctx_kernel_source_dir(ctx, kver);
	char *p = path_join(ksd, "include/config/auto.conf");
	if (is_reg(p))
		return p;
	free(p);
	return path_join(ksd, ".config");
}

int ctx_parse_jobs(const char *s, int *jobs)
{
	char *end;
	long j;

	errno = 0;
	j = strtol(s, &end, 10);
	if (!*s || *end || errno || j < 0 || j > 4096)
		return -EINVAL;
	*jobs = (int)j;
	return 0;
}

int ctx_jobs(const struct ndkms_ctx *ctx)
{
	if (ctx->jobs >= 0)
		return ctx->jobs;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

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
	_cleanup_free_ char *mv = xasprintf("%s/%s/%s", ctx->dkms_tree, ctx->module, ctx->version);
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

int ctx_resolve_targets(struct ndkms_ctx *ctx, bool allow_all, bool need_one)
{
	if (ctx->all && !allow_all) {
		log_error("The action %s does not support the --all parameter.", ctx->action);
		return DKMS_EXIT(5);
	}
	if (ctx->all && ctx->kvers.n) {
		log_error("You cannot specify a kernel version and also specify\n"
			  "--all on the command line.");
		return DKMS_EXIT(2);
	}
	if (ctx->all && ctx->arches.n) {
		log_error("You cannot specify an arch and also specify\n--all on the command line.");
		return DKMS_EXIT(3);
	}
	if (need_one && ctx->kvers.n > 1) {
		log_error("The action %s does not support multiple kernel version parameters on the "
			  "command line.",
			  ctx->action);
		return DKMS_EXIT(4);
	}
	if (ctx->arches.n > 1 && ctx->arches.n != ctx->kvers.n) {
		log_error("If more than one arch is specified on the command line, then there\n"
			  "must be an equal number of kernel versions also specified (1:1 "
			  "relationship).");
		return DKMS_EXIT(1);
	}
	for (size_t i = 0; i < ctx->ntargets; i++) {
		free(ctx->targets[i].kver);
		free(ctx->targets[i].arch);
	}
	ctx->ntargets = 0;
	if (ctx->all) {
		if (ctx->module && ctx->version)
			targets_all(ctx);
		return 0;
	}
	if (!ctx->kvers.n)
		strv_push(&ctx->kvers, ctx->running_kernel);
	for (size_t i = 0; i < ctx->kvers.n; i++) {
		_cleanup_free_ char *k = xstrdup(ctx->kvers.v[i]);
		char *slash = strchr(k, '/');
		const char *arch = ctx->arches.n > 1 ? ctx->arches.v[i]
				   : ctx->arches.n   ? ctx->arches.v[0]
						     : ctx->running_arch;
		if (slash) {
			*slash = '\0';
			arch = slash + 1;
		}
		if (!*k || !*arch) {
			log_error("Empty kernel version or architecture parameter.");
			return DKMS_EXIT(16);
		}
		add_target(ctx, k, arch);
	}
	return 0;
}

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
	struct ndkms_env *env = xcalloc(1, sizeof(*env));
	struct ndkms_opts *opt = xcalloc(1, sizeof(*opt));
	struct utsname u;
	const char *e;

	memset(ctx, 0, sizeof(*ctx));
	ctx->env = ctx->env_setup = env;
	ctx->opt = ctx->opt_setup = opt;
	env->root = xstrdup((e = getenv("NDKMS_ROOT")) ? e : "");
	opt->jobs = -1;
	if ((e = getenv("parallel_jobs")) && *e && ctx_parse_jobs(e, &opt->jobs) < 0)
		log_warn("Ignoring the invalid parallel_jobs value '%s' in the environment.", e);
	if (uname(&u) == 0) {
		env->running_kernel = xstrdup(u.release);
		env->running_arch = xstrdup(u.machine);
	} else {
		env->running_kernel = xstrdup("");
		env->running_arch = xstrdup("");
	}
	env->is_root = geteuid() == 0;
	env->shell_fallback = true;
	env->shell_timeout_ms = 10000;
	env->weak_modules = true;
	env->compress_xz_opts = xstrdup("--check=crc32 --lzma2=dict=1MiB");
	env->compress_zstd_opts = xstrdup("-q --rm -T0");
	env->compress_gzip_opts = xstrdup("");
	/* DKMS_DIRECTIVE*=NAME=value in the environment behave like --directive (dkms 3.x). */
	for (char **v = environ; v && *v; v++)
		if (strneq(*v, "DKMS_DIRECTIVE", 14) && strchr(strchr(*v, '=') + 1, '='))
			strv_push(&opt->directives, strchr(*v, '=') + 1);
}

static void env_release(struct ndkms_env *env)
{
	char **strs[] = {
		&env->root, &env->dkms_tree, &env->source_tree, &env->install_tree,
		&env->etc_dkms, &env->etc_ndkms, &env->cache_dir, &env->tmp_dir, &env->distro,
		&env->running_kernel, &env->running_arch, &env->post_transaction,
		&env->compress_gzip_opts, &env->compress_xz_opts, &env->compress_zstd_opts,
		&env->depmod_program,
	};
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		free(*strs[i]);
	strv_release(&env->required);
	free(env);
}

static void opts_release(struct ndkms_opts *o)
{
	char **strs[] = {
		&o->action, &o->module, &o->version, &o->src_tree_arg, &o->tarball_arg,
		&o->kernel_source_dir_opt, &o->conf_file, &o->kconfig_opt, &o->templatekernel,
		&o->archive,
	};
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		free(*strs[i]);
	strv_release(&o->kvers);
	strv_release(&o->arches);
	strv_release(&o->directives);
	free(o);
}

void ctx_release(struct ndkms_ctx *ctx)
{
	for (size_t i = 0; i < ctx->ntargets; i++) {
		free(ctx->targets[i].kver);
		free(ctx->targets[i].arch);
	}
	free(ctx->targets);
	ctx->targets = NULL;
	ctx->ntargets = 0;
	strv_release(&ctx->ses.depmod_pending);
	strv_release(&ctx->ses.signing_announced);
	strv_release(&ctx->ses.initrd_pending);
	strv_release(&ctx->ses.initrd_exempt);
	/* the one place the environment and the options are written after ctx_setup: their end */
	if (ctx->env)
		env_release((struct ndkms_env *)ctx->env);
	if (ctx->opt)
		opts_release((struct ndkms_opts *)ctx->opt);
	ctx->env = ctx->env_setup = NULL;
	ctx->opt = ctx->opt_setup = NULL;
}

char *ctx_path(const struct ndkms_ctx *ctx, const char *abs)
{
	if (!*ctx->env->root)
		return xstrdup(abs);
	return path_join(ctx->env->root, abs);
}

const char *ctx_display(const struct ndkms_ctx *ctx, const char *host)
{
	size_t n = strlen(ctx->env->root);

	if (n && strneq(host, ctx->env->root, n) && (host[n] == '/' || !host[n]))
		return host[n] ? host + n : "/";
	return host;
}

char *ctx_depmod_basedir(const struct ndkms_ctx *ctx)
{
	static const char *const tails[] = {"/usr/lib/modules", "/lib/modules"};
	size_t n = strlen(ctx->env->install_tree);

	for (size_t i = 0; i < ARRAY_SIZE(tails); i++) {
		size_t t = strlen(tails[i]);
		if (n >= t && streq(ctx->env->install_tree + n - t, tails[i]))
			return xstrndup(ctx->env->install_tree, n - t);
	}
	return NULL;
}

char *ctx_kernel_source_dir(const struct ndkms_ctx *ctx, const char *kver)
{
	if (ctx->opt->kernel_source_dir_opt)
		return xstrdup(ctx->opt->kernel_source_dir_opt);
	_cleanup_free_ char *k = path_join(ctx->env->install_tree, kver);
	return path_join(k, "build");
}

char *ctx_kernel_config(const struct ndkms_ctx *ctx, const char *kver)
{
	if (ctx->opt->kconfig_opt)
		return xstrdup(ctx->opt->kconfig_opt);
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
	if (ctx->opt->jobs >= 0)
		return ctx->opt->jobs;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

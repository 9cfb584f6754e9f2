// SPDX-License-Identifier: GPL-2.0-or-later
/* modconf.c - the core's view of dkms.conf: presets, override files, error wording. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/modconf.h"
#include "core/state.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"

static void preset(struct shvars *vs, const char *name, const char *val)
{
	shvars_set(vs, name, -1, val ? val : "");
}

int modconf_read(const struct ndkms_ctx *ctx, const char *path, const struct target *t,
		 bool strict, struct dkms_conf *conf)
{
	const char *m = t->module, *v = t->version, *kver = t->kver, *arch = t->arch;
	_cleanup_free_ char *owned = NULL;
	_cleanup_free_ char *srcdir = NULL;
	_cleanup_free_ char *shown = NULL;

	if (!path && ctx->opt->conf_file)
		path = ctx->opt->conf_file;
	if (!path) {
		/* read through the resolved link (in-root), named as dkms names it: M/V/source/ */
		srcdir = state_source_dir(ctx, m, v);
		if (srcdir) {
			_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
			shown = xasprintf("%s/source/dkms.conf", ctx_display(ctx, mv));
		} else {
			srcdir = xasprintf("%s/%s-%s", ctx->env->source_tree, m, v);
		}
		path = owned = path_join(srcdir, "dkms.conf");
	}
	if (!shown)
		shown = xstrdup(ctx_display(ctx, path));
	if (!is_reg(path)) {
		log_error("Could not locate dkms.conf file.\nFile: %s does not exist.", shown);
		return NDKMS_E_NOCONF;
	}
	if (!srcdir)
		srcdir = path_dirname(path);

	/*
	 * Host paths, not in-root ones: MAKE and script strings built from them run on this
	 * host, and must land inside the root (they are the same paths when there is no root).
	 */
	struct shvars vs = SHVARS_INIT;
	_cleanup_free_ char *ksd = ctx_kernel_source_dir(ctx, kver);
	_cleanup_free_ char *kconf = ctx_kernel_config(ctx, kver);
	_cleanup_free_ char *jobs = xasprintf("%d", ctx_jobs(ctx));
	preset(&vs, "kernelver", kver);
	preset(&vs, "arch", arch);
	preset(&vs, "kernel_source_dir", ksd);
	preset(&vs, "kernel_config", kconf);
	preset(&vs, "dkms_tree", ctx->env->dkms_tree);
	preset(&vs, "source_tree", ctx->env->source_tree);
	preset(&vs, "install_tree", ctx->env->install_tree);
	preset(&vs, "tmp_location", ctx->env->tmp_dir);
	preset(&vs, "module", m);
	preset(&vs, "module_version", v);
	preset(&vs, "parallel_jobs", jobs);
	preset(&vs, "running_distribution", ctx->env->distro);
	preset(&vs, "current_kernel", ctx->env->running_kernel);
	preset(&vs, "current_os", "Linux");
	if (ctx->opt->verbose)
		preset(&vs, "verbose", "true");

	struct strv ov = STRV_INIT;
	strv_pushf(&ov, "%s/%s.conf", ctx->env->etc_dkms, m);
	strv_pushf(&ov, "%s/%s-%s.conf", ctx->env->etc_dkms, m, v);
	strv_pushf(&ov, "%s/%s-%s-%s.conf", ctx->env->etc_dkms, m, v, kver);
	strv_pushf(&ov, "%s/%s-%s-%s-%s.conf", ctx->env->etc_dkms, m, v, kver, arch);
	strv_pushf(&ov, "%s/%s--%s.conf", ctx->env->etc_dkms, m, kver);
	strv_pushf(&ov, "%s/%s--%s-%s.conf", ctx->env->etc_dkms, m, kver, arch);

	struct strv dirs = STRV_INIT;
	for (size_t i = 0; i < ctx->opt->directives.n; i++)
		strv_push(&dirs, ctx->opt->directives.v[i]);

	struct dkms_conf_opts o = {
		.path = path,
		.shown_path = shown,
		.overrides = (const char *const *)strv_get(&ov),
		.preset = &vs,
		.directives = (const char *const *)strv_get(&dirs),
		.kver = kver,
		.arch = arch,
		.distro = ctx->env->distro,
		.addon_modules_dir = getenv("ADDON_MODULES_DIR"),
		.cwd = srcdir,
		.strict = strict,
		.allow_fallback = ctx->env->shell_fallback,
		.timeout_ms = ctx->env->shell_timeout_ms,
	};
	int r = dkms_conf_read(&o, conf);
	shvars_release(&vs);
	strv_release(&ov);
	strv_release(&dirs);
	if (r == -ENOENT) {
		log_error("Could not locate dkms.conf file.\nFile: %s does not exist.", shown);
		return NDKMS_E_NOCONF;
	}
	if (r < 0) {
		log_error("Bad conf file.\nFile: %s does not represent a valid dkms.conf file.",
			  shown);
		return NDKMS_E_BADCONF;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* add.c - register a module/version: source tree copy, source link, POST_ADD. */
#include <string.h>

#include "core/lifecycle.h"
#include "core/modconf.h"
#include "core/script.h"
#include "core/state.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/names.h"

int lifecycle_prepare_source(struct ndkms_ctx *ctx, const char *src, const char *k, const char *a,
			     char **module, char **version)
{
	_cleanup_free_ char *from = realpath(src, NULL);
	_cleanup_free_ char *conf_path = from ? path_join(from, "dkms.conf") : NULL;
	struct dkms_conf conf = {0};

	if (!from || !is_reg(conf_path)) {
		log_error("%s must contain a dkms.conf file!", src);
		return NDKMS_E_TREE_NOCONF;
	}
	if (!ctx->env->is_root) {
		log_error("You must be root to use this command.");
		return NDKMS_E_NOTROOT;
	}
	int r = modconf_read(ctx, conf_path, &(struct target){"", "", k, a}, false, &conf);
	if (r < 0) /* dkms's read_conf_or_die: "Bad conf file.", NDKMS_E_BADCONF */
		return r;
	if (!name_valid(conf.package_name) || !name_valid(conf.package_version)) {
		dkms_conf_release(&conf);
		log_error("Malformed dkms.conf file. Cannot load source tree.");
		return NDKMS_E_TREE_BADCONF;
	}
	free(*module);
	free(*version);
	*module = xstrdup(conf.package_name);
	*version = xstrdup(conf.package_version);
	dkms_conf_release(&conf);

	const char *m = *module, *v = *version;
	_cleanup_free_ char *dest = xasprintf("%s/%s-%s", ctx->env->source_tree, m, v);
	_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
	_cleanup_free_ char *mv_src = path_join(mv, "source");
	_cleanup_free_ char *mv_build = path_join(mv, "build");
	_cleanup_free_ char *dest_real = realpath(dest, NULL);
	if ((dest_real && streq(dest_real, from)) || streq(from, mv_src) || streq(from, mv_build))
		return 0; /* already in place; never delete the tree being added */
	if (ctx->opt->force && is_dir(dest)) {
		log_note("%s", "");
		log_info("Forcing install of %s/%s", m, v);
		r = rm_rf(dest);
		if (r < 0) {
			log_error("Could not remove %s: %s", ctx_display(ctx, dest), strerror(-r));
			return r;
		}
	}
	if (is_dir(dest))
		return 0; /* dkms copies over it; an existing /usr/src tree is kept as it is */
	/* Copy beside the destination, then rename: /usr/src/M-V appears complete or not at all. */
	r = mkdir_p(ctx->env->source_tree, 0755);
	_cleanup_free_ char *tmp = NULL;
	if (r == 0) {
		tmp = xasprintf("%s/.%s-%s.ndkms-tmp", ctx->env->source_tree, m, v);
		rm_rf(tmp);
		r = copy_tree(from, tmp);
		if (r == 0)
			r = rename_sync(tmp, dest);
		if (r < 0)
			rm_rf(tmp);
	}
	if (r < 0) {
		log_error("Could not copy %s to %s: %s", from, ctx_display(ctx, dest), strerror(-r));
		return r;
	}
	return 0;
}

int lifecycle_add(struct ndkms_ctx *ctx, const struct target *t)
{
	const char *m = t->module, *v = t->version;
	struct dkms_conf conf = {0};
	int r, status;

	if (!name_valid(m) || !name_valid(v)) {
		log_error("Invalid module name or version: %s/%s", m, v);
		return NDKMS_E_USAGE;
	}
	if (state_is_added(ctx, m, v)) {
		log_error("DKMS tree already contains: %s/%s\n"
			  "You cannot add the same module/version combo more than once.",
			  m, v);
		return NDKMS_E_ADDED;
	}
	_cleanup_free_ char *src = xasprintf("%s/%s-%s", ctx->env->source_tree, m, v);
	if (!is_dir(src)) {
		log_error("Could not find module source directory.\nDirectory: %s does not exist.",
			  ctx_display(ctx, src));
		return NDKMS_E_NOSOURCE;
	}
	_cleanup_free_ char *conf_path = ctx->opt->conf_file ? xstrdup(ctx->opt->conf_file)
							: path_join(src, "dkms.conf");
	r = modconf_read(ctx, conf_path, t, true, &conf);
	dkms_conf_release(&conf);
	if (r < 0)
		return r;

	_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
	_cleanup_free_ char *link = path_join(mv, "source");
	_cleanup_free_ char *build = path_join(mv, "build");
	log_info("Creating symlink %s -> %s", ctx_display(ctx, link), ctx_display(ctx, src));
	r = mkdir_p(build, 0755);
	if (r == 0)
		r = symlink_atomic(ctx_display(ctx, src), link);
	if (r < 0) {
		log_error("Could not register %s/%s in %s: %s", m, v, ctx_display(ctx, ctx->env->dkms_tree),
			  strerror(-r));
		return r;
	}
	r = modconf_read(ctx, NULL, t, false, &conf);
	if (r == 0)
		r = script_run(ctx, m, v, "post_add", conf.post_add, NULL, NULL, &status);
	dkms_conf_release(&conf);
	if (r < 0)
		return r;
	return status ? NDKMS_E_SCRIPT(status) : 0;
}

int lifecycle_maybe_add(struct ndkms_ctx *ctx, const struct target *t)
{
	if (state_is_added(ctx, t->module, t->version))
		return 0;
	int r = lifecycle_add(ctx, t);
	if (r == 0)
		log_info("%s", "");
	return r;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* weakhook.c - weak-modules for install, uninstall and status, and the engine's options. */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "core/kernel.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/weakhook.h"
#include "util/fs.h"
#include "util/log.h"

static int take_lock(void *data, const char *kver)
{
	return lock_kernel(data, kver);
}

void weakhook_opts_init(const struct ndkms_ctx *ctx, const char *basedir,
			struct weakhook_opts *w)
{
	char cwd[PATH_MAX];

	memset(w, 0, sizeof(*w));
	if (!basedir)
		basedir = ctx->env->root;
	if (basedir[0] && basedir[0] != '/' && getcwd(cwd, sizeof(cwd)))
		w->base = xasprintf("%s/%s", cwd, basedir);
	else
		w->base = xstrdup(basedir);
	for (size_t n = strlen(w->base); n > 0 && w->base[n - 1] == '/'; n--)
		w->base[n - 1] = '\0';
	w->cache = path_join(ctx->env->cache_dir, "depmod");
	w->o.base = w->base;
	w->o.cache_dir = w->cache;
	w->o.lock = take_lock;
	w->o.unlock = lock_release;
	w->o.lock_data = (void *)ctx;
}

void weakhook_opts_release(struct weakhook_opts *w)
{
	free(w->base);
	free(w->cache);
}

int weakhook_depmod(const struct ndkms_ctx *ctx, const struct weakhook_opts *w, const char *kver)
{
	_cleanup_free_ char *map = xasprintf("%s/boot/System.map-%s", w->base, kver);
	struct depmod_opts d = {
		.basedir = w->base,
		.kver = kver,
		.system_map = is_reg(map) ? map : NULL,
		.cache_dir = w->cache,
		.program = ctx->env->depmod_program,
		.config_root = w->base,
	};
	if (w->o.verbose || w->o.dry_run)
		log_info("depmod -ae%s%s %s", d.system_map ? " -F " : "",
			 d.system_map ? d.system_map + strlen(w->base) : "", kver);
	if (w->o.dry_run)
		return 0;
	int lock = lock_kernel(ctx, kver);
	if (lock < 0)
		return lock;
	int r = depmod_run(&d);
	lock_release(lock);
	return r;
}

bool weakhook_enabled(const struct ndkms_ctx *ctx, const struct dkms_conf *conf)
{
	static const char *const family[] = {"rhel", "centos", "fedora", "rocky", "almalinux",
					     "ol"};
	bool rhel = false;

	if (!ctx->env->weak_modules || conf->no_weak_modules || !ctx->env->distro)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(family); i++)
		rhel = rhel || strneq(ctx->env->distro, family[i], strlen(family[i]));
	return rhel;
}

/* Host paths of conf's modules as installed on k (every compression when any). */
static void installed_paths(const struct ndkms_ctx *ctx, const struct dkms_conf *conf,
			    const char *k, const char *a, bool all_suffixes, struct strv *out)
{
	static const char *const sfx[] = {"", ".gz", ".xz", ".zst"};
	_cleanup_free_ char *kdir = path_join(ctx->env->install_tree, k);

	for (size_t i = 0; i < conf->nmods; i++) {
		const struct dkms_module_rec *rec = &conf->mods[i];
		if (!kernel_exclusive_ok(ctx, conf, (long)i, k, a))
			continue;
		_cleanup_free_ char *dir = path_join(kdir, rec->install_location);
		for (size_t s = 0; all_suffixes && s < ARRAY_SIZE(sfx); s++)
			strv_pushf(out, "%s/%s.ko%s", dir, rec->dest_name, sfx[s]);
		if (!all_suffixes) {
			char *f = find_ko(dir, rec->dest_name);
			if (f)
				strv_push_take(out, f);
		}
	}
}

static void run_hook(struct ndkms_ctx *ctx, const struct dkms_conf *conf, const struct target *t,
		     enum weak_op op)
{
	const char *k = t->kver;
	_cleanup_strv_ struct strv paths = STRV_INIT;
	struct weak_result res = {0};
	struct weakhook_opts w;

	if (!weakhook_enabled(ctx, conf))
		return;
	installed_paths(ctx, conf, k, t->arch, op == WEAK_REMOVE_MODULES, &paths);
	if (!paths.n)
		return;
	_cleanup_free_ char *base = ctx_depmod_basedir(ctx);
	if (!base)
		return;
	weakhook_opts_init(ctx, base, &w);
	w.o.verbose = ctx->opt->verbose;
	int r = weak_run(&w.o, op, &paths, &res);
	if (r < 0)
		log_warn("weak-modules failed for %s/%s on kernel %s.", t->module, t->version, k);
	for (size_t i = 0; i < res.changed.n; i++)
		if (!streq(res.changed.v[i], k))
			lifecycle_depmod(ctx, res.changed.v[i]);
	weak_result_release(&res);
	weakhook_opts_release(&w);
}

void weakhook_after_install(struct ndkms_ctx *ctx, const struct dkms_conf *conf,
			    const struct target *t)
{
	run_hook(ctx, conf, t, WEAK_ADD_MODULES);
}

void weakhook_after_uninstall(struct ndkms_ctx *ctx, const struct dkms_conf *conf,
			      const struct target *t)
{
	run_hook(ctx, conf, t, WEAK_REMOVE_MODULES);
}

bool weakhook_installed_weak(const struct ndkms_ctx *ctx, const struct dkms_conf *conf,
			     const char *k, const char *a, const char *k_built)
{
	_cleanup_strv_ struct strv paths = STRV_INIT;
	_cleanup_free_ char *kdir = path_join(ctx->env->install_tree, k_built);

	installed_paths(ctx, conf, k_built, a, false, &paths);
	if (!paths.n)
		return false;
	for (size_t i = 0; i < paths.n; i++) {
		const char *rel = paths.v[i] + strlen(kdir) + 1;
		_cleanup_free_ char *link = weak_link_path(ctx->env->install_tree, k, rel);
		char buf[PATH_MAX], rbuf[PATH_MAX], rreal[PATH_MAX];
		ssize_t n = link ? readlink(link, buf, sizeof(buf) - 1) : -1;
		if (n < 0)
			return false;
		/* the link must lead to this very file */
		if (!realpath(link, rbuf) || !realpath(paths.v[i], rreal) || !streq(rbuf, rreal))
			return false;
	}
	return true;
}

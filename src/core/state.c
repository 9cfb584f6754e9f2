// SPDX-License-Identifier: GPL-2.0-or-later
/* state.c - queries over the dkms state tree. */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/state.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/names.h"
#include "util/version.h"

char *state_mv_dir(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	return xasprintf("%s/%s/%s", ctx->env->dkms_tree, m, v);
}

char *state_mvka_dir(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *k,
		     const char *a)
{
	return xasprintf("%s/%s/%s/%s/%s", ctx->env->dkms_tree, m, v, k, a);
}

char *state_active_link(const struct ndkms_ctx *ctx, const char *m, const char *k, const char *a)
{
	return xasprintf("%s/%s/kernel-%s-%s", ctx->env->dkms_tree, m, k, a);
}

char *state_original_dir(const struct ndkms_ctx *ctx, const char *m, const char *k, const char *a)
{
	return xasprintf("%s/%s/original_module/%s/%s", ctx->env->dkms_tree, m, k, a);
}

char *state_source_dir(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
	_cleanup_free_ char *link = path_join(mv, "source");
	_cleanup_free_ char *target = read_link(link);

	if (!target)
		return NULL;
	/* Links written by ndkms hold in-root paths; resolve them inside the root. */
	char *host = target[0] == '/' ? ctx_path(ctx, target) : path_join(mv, target);
	if (!is_dir(host) && target[0] == '/' && *ctx->env->root && is_dir(target)) {
		free(host);
		host = xstrdup(target); /* a host path written by another tool */
	}
	if (!is_dir(host)) {
		free(host);
		return NULL;
	}
	return host;
}

bool state_is_added(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
	_cleanup_free_ char *src = NULL;

	if (!is_dir(mv))
		return false;
	src = state_source_dir(ctx, m, v);
	return src != NULL;
}

bool state_is_broken(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
	_cleanup_free_ char *link = path_join(mv, "source");
	_cleanup_free_ char *src = NULL;

	if (!is_dir(mv))
		return false;
	if (is_symlink(link)) {
		src = state_source_dir(ctx, m, v);
		return src == NULL;
	}
	_cleanup_free_ char *usr = xasprintf("%s/%s-%s", ctx->env->source_tree, m, v);
	return is_dir(usr);
}

bool state_is_built(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *k,
		    const char *a)
{
	_cleanup_free_ char *d = state_mvka_dir(ctx, m, v, k, a);
	_cleanup_free_ char *mod = path_join(d, "module");

	return is_dir(mod);
}

char *state_active_version(const struct ndkms_ctx *ctx, const char *m, const char *k,
			   const char *a)
{
	_cleanup_free_ char *link = state_active_link(ctx, m, k, a);
	_cleanup_free_ char *t = read_link(link);
	_cleanup_free_ char *suffix = xasprintf("/%s/%s", k, a);

	if (!t)
		return NULL;
	/* dkms writes "V/K/A"; accept an absolute ".../M/V/K/A" too. */
	size_t n = strlen(t), ns = strlen(suffix);
	if (n <= ns || !streq(t + n - ns, suffix))
		return NULL;
	t[n - ns] = '\0';
	const char *slash = strrchr(t, '/');
	if (slash) {
		_cleanup_free_ char *mdir = xasprintf("%s/%s", ctx->env->dkms_tree, m);
		_cleanup_free_ char *parent = xstrndup(t, (size_t)(slash - t));
		if (!streq(ctx_display(ctx, mdir), parent) && !streq(mdir, parent))
			return NULL;
		return xstrdup(slash + 1);
	}
	return xstrdup(t);
}

bool state_is_installed(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *k,
			const char *a)
{
	if (!state_is_built(ctx, m, v, k, a))
		return false;
	_cleanup_free_ char *av = state_active_version(ctx, m, k, a);
	return av && streq(av, v);
}

static void list_dir(const char *dir, struct strv *out, bool (*keep)(const char *name, void *),
		     void *data)
{
	DIR *d = opendir(dir);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		if (keep && !keep(de->d_name, data))
			continue;
		strv_push(out, de->d_name);
	}
	closedir(d);
	strv_sort(out);
}

static bool keep_dir(const char *name, void *data)
{
	_cleanup_free_ char *p = path_join(data, name);

	return is_dir(p);
}

void state_list_modules(const struct ndkms_ctx *ctx, struct strv *out)
{
	list_dir(ctx->env->dkms_tree, out, keep_dir, ctx->env->dkms_tree);
}

static bool keep_version(const char *name, void *data)
{
	_cleanup_free_ char *p = path_join(data, name);

	if (strneq(name, "kernel-", 7) && is_symlink(p))
		return false;
	if (streq(name, "original_module"))
		return false;
	return is_dir(p) && !is_symlink(p);
}

void state_list_versions(const struct ndkms_ctx *ctx, const char *m, struct strv *out)
{
	_cleanup_free_ char *d = path_join(ctx->env->dkms_tree, m);

	list_dir(d, out, keep_version, d);
}

static bool is_kernel_name(const char *name, void *data)
{
	const char *p = name;

	while (isdigit((unsigned char)*p))
		p++;
	return p != name && *p == '.' && kver_valid(name) && keep_dir(name, data);
}

void state_list_kernels(const struct ndkms_ctx *ctx, const char *m, const char *v,
			struct strv *out)
{
	_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
	_cleanup_strv_ struct strv ks = STRV_INIT;

	list_dir(mv, &ks, is_kernel_name, mv);
	for (size_t i = 0; i < ks.n; i++) {
		_cleanup_free_ char *kd = path_join(mv, ks.v[i]);
		_cleanup_strv_ struct strv as = STRV_INIT;

		list_dir(kd, &as, keep_dir, kd);
		for (size_t j = 0; j < as.n; j++)
			strv_pushf(out, "%s/%s", ks.v[i], as.v[j]);
	}
}

int state_check_not_broken(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	if (!state_is_broken(ctx, m, v))
		return 0;
	log_error("%s/%s is broken!\nMissing the source directory or the symbolic link pointing to "
		  "it.\nManual intervention is required!",
		  m, v);
	return NDKMS_E_BROKEN;
}

int state_check_added(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	if (state_is_added(ctx, m, v))
		return 0;
	log_error("The module/version combo: %s/%s is not located in the DKMS tree.", m, v);
	return NDKMS_E_NOTADDED;
}

char *state_newest_built(const struct ndkms_ctx *ctx, const char *m, const char *k, const char *a)
{
	_cleanup_strv_ struct strv vers = STRV_INIT;
	const char *best = NULL;

	state_list_versions(ctx, m, &vers);
	for (size_t i = 0; i < vers.n; i++)
		if (state_is_built(ctx, m, vers.v[i], k, a) &&
		    (!best || version_cmp(vers.v[i], best) > 0))
			best = vers.v[i];
	return best ? xstrdup(best) : NULL;
}

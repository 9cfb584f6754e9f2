// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor_state.c - source links, and what the state tree says against the built and installed files. */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/dkmsconf.h"
#include "core/doctor_internal.h"
#include "core/kernel.h"
#include "core/state.h"
#include "util/fs.h"

/* Nothing of M/V is built or installed: unregistering it loses nothing. */
static bool nothing_built(const struct doctor_scope *s, const char *m, const char *v)
{
	_cleanup_strv_ struct strv ks = STRV_INIT;

	state_list_kernels(s->ctx, m, v, &ks);
	return ks.n == 0;
}

static void check_source(struct doctor_scope *s, const char *m, const char *v)
{
	const struct ndkms_ctx *ctx = s->ctx;
	_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
	_cleanup_free_ char *link = path_join(mv, "source");
	_cleanup_free_ char *target = read_link(link);
	_cleanup_free_ char *src = state_source_dir(ctx, m, v);
	bool idle = nothing_built(s, m, v);
	enum doctor_fix fix = idle ? DOCTOR_UNREGISTER : DOCTOR_PERSON;
	struct doctor_problem *p = NULL;

	if (!path_exists(link)) {
		p = doctor_add(s, "source-missing", fix, m, v, NULL, NULL, mv,
			       "%s/%s is registered but has no source link (%s)", m, v,
			       ctx_display(ctx, link));
	} else if (!src) {
		p = doctor_add(s, "source-dangling", fix, m, v, NULL, NULL, link,
			       "%s/%s: the source link %s points at %s, which does not exist", m, v,
			       ctx_display(ctx, link), target ? target : "(unreadable)");
	} else {
		_cleanup_free_ char *conf = path_join(src, "dkms.conf");
		if (!is_reg(conf))
			p = doctor_add(s, "source-no-conf", fix, m, v, NULL, NULL, link,
				       "%s/%s: the source %s has no dkms.conf", m, v,
				       ctx_display(ctx, src));
	}
	if (p && !idle)
		p->advice = xasprintf("restore the source /usr/src/%s-%s (reinstall the package that "
				      "ships it), or remove the module: ndkms remove %s/%s --all",
				      m, v, m, v);
}

/* Built modules of M/V on K/A that are missing; the names in *missing ("" when all there). */
static bool built_missing(const struct ndkms_ctx *ctx, const struct dkms_conf *conf,
			  bool have_conf, const char *moddir, const char *k, const char *a,
			  char **missing)
{
	char *out = xstrdup("");
	bool any = false;

	if (!have_conf) {
		DIR *d = opendir(moddir);
		bool ko = false;
		for (struct dirent *de; d && (de = readdir(d));)
			ko = ko || strstr(de->d_name, ".ko") != NULL;
		if (d)
			closedir(d);
		if (!ko) {
			free(out);
			out = xstrdup("every module");
		}
		*missing = out;
		return !ko;
	}
	for (size_t i = 0; i < conf->nmods; i++) {
		if (!kernel_exclusive_ok(ctx, conf, (long)i, k, a))
			continue; /* BUILD_EXCLUSIVE: never built for this kernel */
		_cleanup_free_ char *f = find_ko(moddir, conf->mods[i].dest_name);
		if (f)
			continue;
		char *n = xasprintf("%s%s%s.ko", out, any ? ", " : "", conf->mods[i].dest_name);
		free(out);
		out = n;
		any = true;
	}
	*missing = out;
	return any;
}

static void check_build(struct doctor_scope *s, const char *m, const char *v, const char *k,
			const char *a)
{
	const struct ndkms_ctx *ctx = s->ctx;
	struct dkms_conf conf;
	bool have_conf = doctor_conf(s, m, v, k, a, &conf) == 0;
	_cleanup_free_ char *base = state_mvka_dir(ctx, m, v, k, a);
	_cleanup_free_ char *moddir = path_join(base, "module");
	_cleanup_free_ char *active = state_active_version(ctx, m, k, a);
	_cleanup_free_ char *missing = NULL;
	bool installed = active && streq(active, v);

	if (!is_dir(moddir)) {
		/* a K/A folder without module/ is not a build dkms or ndkms counts */
		if (have_conf)
			dkms_conf_release(&conf);
		return;
	}
	_cleanup_free_ char *kdir = path_join(ctx->env->install_tree, k);
	if (installed && !is_dir(kdir)) {
		doctor_add(s, "kernel-gone", DOCTOR_DROP_INSTALLED, m, v, k, a, kdir,
			   "%s/%s is installed for %s (%s), but that kernel's tree %s is gone", m, v,
			   k, a, ctx_display(ctx, kdir));
	} else if (built_missing(ctx, &conf, have_conf, moddir, k, a, &missing)) {
		doctor_add(s, "built-missing", DOCTOR_DROP_BUILD, m, v, k, a, moddir,
			   "%s/%s is built for %s (%s)%s but %s is missing from %s", m, v, k, a,
			   installed ? " and installed" : "", missing, ctx_display(ctx, moddir));
	} else if (installed && have_conf) {
		for (size_t i = 0; i < conf.nmods; i++) {
			if (!kernel_exclusive_ok(ctx, &conf, (long)i, k, a))
				continue;
			_cleanup_free_ char *built = find_ko(moddir, conf.mods[i].dest_name);
			_cleanup_free_ char *inst = doctor_installed_file(s, &conf, i, k);
			_cleanup_free_ char *dir = path_join(kdir, conf.mods[i].install_location);
			if (!inst) {
				doctor_add(s, "installed-missing", DOCTOR_REINSTALL, m, v, k, a, dir,
					   "%s/%s is installed for %s (%s) but %s.ko is not in %s", m,
					   v, k, a, conf.mods[i].dest_name, ctx_display(ctx, dir));
				break;
			}
			if (files_equal(inst, built) != 1) {
				doctor_add(s, "installed-differs", DOCTOR_REINSTALL, m, v, k, a, inst,
					   "%s/%s on %s (%s): the installed %s differs from the built %s",
					   m, v, k, a, ctx_display(ctx, inst), ctx_display(ctx, built));
				break;
			}
		}
	}
	if (have_conf)
		dkms_conf_release(&conf);
}

/* kernel-K-A links whose build is gone: the state says installed, nothing backs it. */
static void check_active_links(struct doctor_scope *s, const char *m)
{
	const struct ndkms_ctx *ctx = s->ctx;
	_cleanup_free_ char *mdir = path_join(ctx->env->dkms_tree, m);
	DIR *d = opendir(mdir);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (!strneq(de->d_name, "kernel-", 7))
			continue;
		_cleanup_free_ char *ka = xstrdup(de->d_name + 7);
		char *dash = strrchr(ka, '-');
		if (!dash || dash == ka)
			continue;
		*dash = '\0';
		const char *k = ka, *a = dash + 1;
		if (!doctor_kernel_wanted(s, k))
			continue;
		_cleanup_free_ char *v = state_active_version(ctx, m, k, a);
		_cleanup_free_ char *link = path_join(mdir, de->d_name);
		if (v && !doctor_version_wanted(s, v))
			continue;
		if (v && state_is_built(ctx, m, v, k, a))
			continue;
		_cleanup_free_ char *target = read_link(link);
		doctor_add(s, "installed-not-built", v ? DOCTOR_DROP_INSTALLED : DOCTOR_PERSON, m, v,
			   k, a, link, "%s%s%s is installed for %s (%s) but its build %s is gone", m,
			   v ? "/" : "", v ? v : "", k, a, target ? target : "(unreadable)");
	}
	closedir(d);
}

void doctor_check_state(struct doctor_scope *s)
{
	const struct ndkms_ctx *ctx = s->ctx;

	for (size_t i = 0; i < s->modules.n; i++) {
		const char *m = s->modules.v[i];
		_cleanup_strv_ struct strv vs = STRV_INIT;

		state_list_versions(ctx, m, &vs);
		for (size_t j = 0; j < vs.n; j++) {
			const char *v = vs.v[j];
			if (!doctor_version_wanted(s, v))
				continue;
			check_source(s, m, v);
			_cleanup_strv_ struct strv kas = STRV_INIT;
			state_list_kernels(ctx, m, v, &kas);
			for (size_t l = 0; l < kas.n; l++) {
				_cleanup_free_ char *k = xstrdup(kas.v[l]);
				char *a = strchr(k, '/');
				*a++ = '\0';
				if (doctor_kernel_wanted(s, k))
					check_build(s, m, v, k, a);
			}
		}
		check_active_links(s, m);
	}
}

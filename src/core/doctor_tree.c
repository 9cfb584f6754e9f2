// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor_tree.c - a kernel tree's DKMS folders: modules no state owns, weak-updates links. */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/dkmsconf.h"
#include "core/doctor_internal.h"
#include "core/state.h"
#include "depmod/modfile.h"
#include "kabi/kmodule.h"
#include "kabi/symtab.h"
#include "kabi/symvers.h"
#include "util/fs.h"

/* What the state installed on K: the files (host paths) and their folders (relative). */
static void owned_on(const struct doctor_scope *s, const char *k, struct strv *files,
		     struct strv *dirs)
{
	const struct ndkms_ctx *ctx = s->ctx;
	_cleanup_strv_ struct strv mods = STRV_INIT;
	_cleanup_free_ char *kdir = path_join(ctx->env->install_tree, k);
	_cleanup_free_ char *prefix = xasprintf("kernel-%s-", k);

	state_list_modules(ctx, &mods);
	for (size_t i = 0; i < mods.n; i++) {
		const char *m = mods.v[i];
		_cleanup_free_ char *mdir = path_join(ctx->env->dkms_tree, m);
		DIR *d = opendir(mdir);
		for (struct dirent *de; d && (de = readdir(d));) {
			if (!strneq(de->d_name, prefix, strlen(prefix)))
				continue;
			const char *a = de->d_name + strlen(prefix);
			if (strchr(a, '-'))
				continue; /* another kernel whose name continues with "-..." */
			_cleanup_free_ char *v = state_active_version(ctx, m, k, a);
			struct dkms_conf conf;
			if (!v)
				continue;
			if (doctor_conf(s, m, v, k, a, &conf) == 0) {
				for (size_t r = 0; r < conf.nmods; r++) {
					char *f = doctor_installed_file(s, &conf, r, k);
					if (f)
						strv_push_take(files, f);
					if (!strv_contains(dirs, conf.mods[r].install_location))
						strv_push(dirs, conf.mods[r].install_location);
				}
				dkms_conf_release(&conf);
				continue;
			}
			/* no readable dkms.conf: its built files' names in updates/dkms are its */
			_cleanup_free_ char *base = state_mvka_dir(ctx, m, v, k, a);
			_cleanup_free_ char *moddir = path_join(base, "module");
			DIR *md = opendir(moddir);
			for (struct dirent *me; md && (me = readdir(md));)
				if (is_module_file_name(me->d_name))
					strv_pushf(files, "%s/updates/dkms/%s", kdir, me->d_name);
			if (md)
				closedir(md);
		}
		if (d)
			closedir(d);
	}
}

static void check_unowned(struct doctor_scope *s, const char *k)
{
	const struct ndkms_ctx *ctx = s->ctx;
	_cleanup_strv_ struct strv files = STRV_INIT, dirs = STRV_INIT;
	_cleanup_free_ char *kdir = path_join(ctx->env->install_tree, k);

	strv_push(&dirs, "updates/dkms");
	owned_on(s, k, &files, &dirs);
	for (size_t i = 0; i < dirs.n; i++) {
		_cleanup_free_ char *dir = path_join(kdir, dirs.v[i]);
		DIR *d = opendir(dir);
		for (struct dirent *de; d && (de = readdir(d));) {
			if (!is_module_file_name(de->d_name))
				continue;
			_cleanup_free_ char *f = path_join(dir, de->d_name);
			if (strv_contains(&files, f))
				continue;
			struct doctor_problem *p = doctor_add(
				s, "unowned-module", DOCTOR_PERSON, NULL, NULL, k, NULL, f,
				"%s is in a DKMS folder of kernel %s but no registered module installed "
				"it",
				ctx_display(ctx, f), k);
			p->advice = xasprintf("delete it if no package ships it (then ndkms depmod "
					      "%s), or add its source and install it with ndkms",
					      k);
		}
		if (d)
			closedir(d);
	}
}

struct weak_scan {
	struct doctor_scope *s;
	const char *k;
	struct kmod_ctx *kctx;
	struct kabi_symtab symvers;
	bool have_symvers;
};

/* The first __versions symbol whose CRC the kernel exports differently, or NULL. */
static const char *crc_mismatch(const struct kabi_symtab *t, const struct kabi_module *m)
{
	for (size_t i = 0; i < m->nvers; i++) {
		const struct kabi_sym *e = kabi_symtab_get(t, m->vers[i].name);
		if (e && e->crc != m->vers[i].crc)
			return m->vers[i].name;
	}
	return NULL;
}

static void check_weak_link(struct weak_scan *w, const char *link)
{
	const struct ndkms_ctx *ctx = w->s->ctx;
	_cleanup_free_ char *text = read_link(link);
	struct stat st;

	if (stat(link, &st) < 0) {
		doctor_add(w->s, "weak-dangling", DOCTOR_UNLINK, NULL, NULL, w->k, NULL, link,
			   "the weak-updates link %s points at %s, which does not exist",
			   ctx_display(ctx, link), text ? text : "(unreadable)");
		return;
	}
	if (!w->have_symvers || !w->kctx)
		return;
	struct kabi_module km;
	if (kabi_module_read(w->kctx, link, &km) < 0)
		return;
	const char *sym = crc_mismatch(&w->symvers, &km);
	if (sym)
		doctor_add(w->s, "weak-incompatible", DOCTOR_UNLINK, NULL, NULL, w->k, NULL, link,
			   "the weak-updates link %s points at %s, which needs %s with a CRC kernel "
			   "%s no longer exports",
			   ctx_display(ctx, link), text ? text : "?", sym, w->k);
	kabi_module_release(&km);
}

static void walk_weak(struct weak_scan *w, const char *dir, int depth)
{
	DIR *d = depth < 16 ? opendir(dir) : NULL;

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		_cleanup_free_ char *p = path_join(dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk_weak(w, p, depth + 1);
		else if (S_ISLNK(st.st_mode) && is_module_file_name(de->d_name))
			check_weak_link(w, p);
	}
	closedir(d);
}

static void check_weak(struct doctor_scope *s, const char *k)
{
	_cleanup_free_ char *kdir = path_join(s->ctx->env->install_tree, k);
	_cleanup_free_ char *wdir = path_join(kdir, "weak-updates");
	_cleanup_free_ char *base = ctx_depmod_basedir(s->ctx);
	struct weak_scan w = {.s = s, .k = k};

	if (!is_dir(wdir))
		return;
	_cleanup_free_ char *sv = base ? kabi_symvers_find(base, k) : NULL;
	if (sv && kabi_symvers_load(sv, &w.symvers) >= 0)
		w.have_symvers = true;
	w.kctx = modfile_kmod_new(NULL);
	walk_weak(&w, wdir, 0);
	modfile_kmod_unref(w.kctx);
	kabi_symtab_release(&w.symvers);
}

void doctor_check_tree(struct doctor_scope *s)
{
	_cleanup_strv_ struct strv ks = STRV_INIT;

	if (s->module)
		return; /* kernel-wide checks: only when no module is named */
	doctor_list_kernels(s, &ks);
	for (size_t i = 0; i < ks.n; i++) {
		check_unowned(s, ks.v[i]);
		check_weak(s, ks.v[i]);
	}
}

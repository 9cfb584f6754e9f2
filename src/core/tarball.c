// SPDX-License-Identifier: GPL-2.0-or-later
/* tarball.c - dkms's mktarball and ldtarball: built modules and sources in a dkms-layout tar. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/modconf.h"
#include "core/state.h"
#include "core/tarball.h"
#include "pkg/extract.h"
#include "pkg/tarwrite.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/strv.h"

/* dkms's default name: M-V-kernelK1-A1-kernelK2-A2.dkms.tar.gz (or source-only/manykernels). */
static char *default_name(const struct ndkms_ctx *ctx, const char *m, const char *v,
			  const struct kernel_target *ks, size_t nk)
{
	_cleanup_strbuf_ struct strbuf kb = STRBUF_INIT;

	if (ctx->opt->source_only)
		return xasprintf("%s-%s-source-only.dkms.tar.gz", m, v);
	for (size_t i = 0; i < nk; i++)
		sb_addf(&kb, "-kernel%s-%s", ks[i].kver, ks[i].arch);
	if (kb.len > 200)
		return xasprintf("%s-%s-manykernels.dkms.tar.gz", m, v);
	return xasprintf("%s-%s%s.dkms.tar.gz", m, v, sb_str(&kb));
}

static int write_contents(const struct ndkms_ctx *ctx, const char *m, const char *v,
			  const struct kernel_target *ks, size_t nk, struct tarw *t, const char *src)
{
	int r = 0;

	if (!ctx->opt->source_only) {
		for (size_t i = 0; i < nk && r == 0; i++) {
			const char *k = ks[i].kver, *a = ks[i].arch;
			_cleanup_free_ char *base = state_mvka_dir(ctx, m, v, k, a);
			log_info("Marking modules for %s (%s) for archiving...", k, a);
			_cleanup_free_ char *arc = xasprintf("./dkms_main_tree/%s/%s", k, a);
			r = tarw_add_tree(t, base, arc);
		}
	}
	if (r == 0 && ctx->opt->binaries_only) {
		_cleanup_free_ char *conf = path_join(src, "dkms.conf");
		_cleanup_free_ char *text = NULL;
		size_t n;
		log_info("Marking dkms.conf for archiving...");
		_cleanup_free_ char *mname = xasprintf("%s\n", m);
		_cleanup_free_ char *vname = xasprintf("%s\n", v);
		r = read_file(conf, &text, &n, 16 << 20);
		if (r < 0)
			t->why = xasprintf("cannot read %s: %s", ctx_display(ctx, conf),
					   strerror(-r));
		if (r == 0)
			r = tarw_add_data(t, "./dkms_binaries_only/dkms.conf", text, n, 0644);
		if (r == 0)
			r = tarw_add_data(t, "./dkms_binaries_only/PACKAGE_NAME", mname,
					  strlen(mname), 0644);
		if (r == 0)
			r = tarw_add_data(t, "./dkms_binaries_only/PACKAGE_VERSION", vname,
					  strlen(vname), 0644);
	} else if (r == 0) {
		log_info("Marking %s for archiving...", ctx_display(ctx, src));
		r = tarw_add_tree(t, src, "./dkms_source_tree");
	}
	return r;
}

int tarball_make(struct ndkms_ctx *ctx, const char *m, const char *v,
		 const struct kernel_target *ks, size_t nk)
{
	_cleanup_free_ char *src = state_source_dir(ctx, m, v);
	_cleanup_free_ char *name = NULL, *dir = NULL;
	struct tarw t = {0};
	int r;

	if (ctx->opt->source_only && ctx->opt->binaries_only) {
		log_error("You cannot specify both --source-only and --binaries-only on the same "
			  "command line.");
		return NDKMS_E_TAR_OPTS;
	}
	if (!ctx->opt->source_only) {
		for (size_t i = 0; i < nk; i++) {
			const char *k = ks[i].kver, *a = ks[i].arch;
			if (!state_is_built(ctx, m, v, k, a)) {
				log_error("No modules built for %s (%s).\nModules must already "
					  "be in the built state before using mktarball.",
					  k, a);
				return NDKMS_E_NOTBUILT;
			}
		}
		if (!nk) {
			log_error("No modules built for %s/%s.\nModules must already be in "
				  "the built state before using mktarball.",
				  m, v);
			return NDKMS_E_NOTBUILT;
		}
	}
	if (ctx->opt->archive && strchr(ctx->opt->archive, '/')) {
		dir = path_dirname(ctx->opt->archive);
		name = xstrdup(path_basename(ctx->opt->archive));
	} else {
		_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
		dir = path_join(mv, "tarball");
		name = ctx->opt->archive ? xstrdup(ctx->opt->archive) : default_name(ctx, m, v, ks, nk);
	}
	if (!*name || mkdir_p(dir, 0755) < 0 || access(dir, W_OK) != 0) {
		log_error("Unable to write the tarball to %s.", ctx_display(ctx, dir));
		return NDKMS_E_TAR_DEST;
	}
	_cleanup_free_ char *final = path_join(dir, name);
	r = tarw_open(&t, final);
	if (r == 0)
		r = write_contents(ctx, m, v, ks, nk, &t, src);
	if (r == 0)
		r = tarw_close(&t);
	if (r < 0) {
		log_error("Failed to make tarball %s: %s", ctx_display(ctx, final),
			  t.why ? t.why : strerror(-r));
		tarw_abort(&t);
		return NDKMS_E_TARBALL;
	}
	tarw_abort(&t);
	log_info("%s", "");
	log_info("DKMS: mktarball completed.");
	log_info("Tarball location: %s", ctx_display(ctx, final));
	return 0;
}

/* The first dkms.conf below dir, breadth first (what dkms's find reports for a flat tarball). */
static char *find_conf(const char *dir, int depth)
{
	_cleanup_free_ char *here = path_join(dir, "dkms.conf");
	DIR *d;

	if (is_reg(here) && !is_symlink(here))
		return path_dirname(here);
	if (depth > 8 || !(d = opendir(dir)))
		return NULL;
	_cleanup_strv_ struct strv subs = STRV_INIT;
	for (struct dirent *de; (de = readdir(d));)
		if (de->d_type == DT_DIR && !streq(de->d_name, ".") && !streq(de->d_name, ".."))
			strv_push_take(&subs, path_join(dir, de->d_name));
	closedir(d);
	strv_sort(&subs);
	for (size_t i = 0; i < subs.n; i++) {
		char *f = find_conf(subs.v[i], depth + 1);
		if (f)
			return f;
	}
	return NULL;
}

/*
 * What ldtarball puts in place, undone whole when a later step fails: each tree is staged
 * beside its place, then renamed in; a tree it replaces (--force) waits under a dot-name
 * beside it until the end, so that a failure puts it back.
 */
struct staged {
	struct strv made; /* trees put in place */
	struct strv old;  /* what each replaced, moved aside, or "" */
	const char *stop; /* rollback removes emptied parents up to here */
};

static int stage_put(struct staged *s, const char *tmp, const char *dest)
{
	_cleanup_free_ char *parent = path_dirname(dest);
	_cleanup_free_ char *old = NULL;
	int r;

	if (path_exists(dest)) {
		old = xasprintf("%s/.%s.ndkms-old", parent, path_basename(dest));
		rm_rf(old);
		if (rename(dest, old) < 0)
			return -errno;
	}
	r = rename_sync(tmp, dest);
	if (r < 0) {
		if (old)
			rename(old, dest);
		return r;
	}
	strv_push(&s->made, dest);
	strv_push(&s->old, old ? old : "");
	return 0;
}

static void stage_end(struct staged *s, bool keep)
{
	for (size_t i = s->made.n; i-- > 0;) {
		const char *dest = s->made.v[i], *old = s->old.v[i];
		if (keep) {
			if (*old)
				rm_rf(old);
			continue;
		}
		rm_rf(dest);
		if (*old)
			rename(old, dest);
		_cleanup_free_ char *parent = path_dirname(dest);
		rmdir_parents(parent, s->stop); /* only below stop */
	}
	strv_release(&s->made);
	strv_release(&s->old);
}

/* A folder of the unpacked tarball that is kept on its own: a real folder, links inside it. */
static int kept_tree_ok(const char *top, const char *dir, char **why)
{
	const char *rel = dir + strlen(top) + (dir[strlen(top)] == '/');

	if (!is_dir(dir) || is_symlink(dir)) {
		*why = xasprintf("'%s' is not a folder", rel);
		return -EPERM;
	}
	return extract_links_within(dir, why);
}

/* dkms_main_tree/K/A, every one checked (valid kernel and arch, links inside it) into kas. */
static int plan_builds(const char *top, const char *main_tree, struct strv *kas, char **why)
{
	_cleanup_strv_ struct strv ks = STRV_INIT;
	DIR *kd = opendir(main_tree);
	int r = 0;

	if (!kd)
		return 0;
	for (struct dirent *de; (de = readdir(kd));)
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			strv_push(&ks, de->d_name);
	closedir(kd);
	strv_sort(&ks);
	for (size_t i = 0; i < ks.n && r == 0; i++) {
		_cleanup_free_ char *kdir = path_join(main_tree, ks.v[i]);
		_cleanup_strv_ struct strv as = STRV_INIT;
		if (!kver_valid(ks.v[i])) {
			*why = xasprintf("'dkms_main_tree/%s' is not a kernel version", ks.v[i]);
			return -EPERM;
		}
		if ((r = kept_tree_ok(top, kdir, why)) < 0)
			return r;
		DIR *ad = opendir(kdir);
		if (!ad)
			continue;
		for (struct dirent *de; (de = readdir(ad));)
			if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
				strv_push(&as, de->d_name);
		closedir(ad);
		strv_sort(&as);
		for (size_t j = 0; j < as.n && r == 0; j++) {
			_cleanup_free_ char *adir = path_join(kdir, as.v[j]);
			if (!kver_valid(as.v[j])) {
				*why = xasprintf("'dkms_main_tree/%s/%s' is not an architecture",
						 ks.v[i], as.v[j]);
				return -EPERM;
			}
			r = kept_tree_ok(top, adir, why);
			if (r == 0)
				strv_pushf(kas, "%s/%s", ks.v[i], as.v[j]);
		}
	}
	return r;
}

/* Copy each checked dkms_main_tree/K/A into M/V/K/A (staged beside, then renamed). */
static int load_builds(struct ndkms_ctx *ctx, const char *m, const char *v, const char *main_tree,
		       const struct strv *kas, struct staged *st)
{
	int r = 0;

	for (size_t i = 0; i < kas->n && r == 0; i++) {
		_cleanup_free_ char *ka = xstrdup(kas->v[i]);
		char *a = strchr(ka, '/');
		*a++ = '\0';
		const char *k = ka;
		_cleanup_free_ char *from = path_join(main_tree, kas->v[i]);
		_cleanup_free_ char *to = state_mvka_dir(ctx, m, v, k, a);
		_cleanup_free_ char *parent = path_dirname(to);
		_cleanup_free_ char *tmp = xasprintf("%s/.%s.ndkms-tmp", parent, a);
		if (path_exists(to) && !ctx->opt->force) {
			log_warn("%s already exists. Skipping...", ctx_display(ctx, to));
			continue;
		}
		log_info("Loading %s...", ctx_display(ctx, to));
		rm_rf(tmp);
		r = mkdir_p(parent, 0755);
		if (r == 0)
			r = copy_tree(from, tmp);
		if (r == 0)
			r = stage_put(st, tmp, to);
		if (r < 0) {
			rm_rf(tmp);
			log_error("Could not load %s: %s", ctx_display(ctx, to), strerror(-r));
			r = NDKMS_E_TARBALL;
		}
	}
	return r;
}

/* Names from the tarball's dkms.conf (evaluated, never trusted as paths). */
static int read_names(struct ndkms_ctx *ctx, const char *conf_path, const char *k, const char *a,
		      char **m, char **v)
{
	struct dkms_conf conf = {0};
	int r = modconf_read(ctx, conf_path, &(struct target){"", "", k, a}, false, &conf);

	if (r < 0 || !name_valid(conf.package_name) || !name_valid(conf.package_version)) {
		dkms_conf_release(&conf);
		log_error("Malformed dkms.conf in the tarball; cannot load it.\nNothing was "
			  "installed.");
		return NDKMS_E_TAR_BADCONF;
	}
	*m = xstrdup(conf.package_name);
	*v = xstrdup(conf.package_version);
	dkms_conf_release(&conf);
	return 0;
}

/* /usr/src/M-V from the tarball's source (or just its dkms.conf for binaries-only). */
static int load_source(struct ndkms_ctx *ctx, const char *m, const char *v, const char *from,
		       bool conf_only, struct staged *st)
{
	_cleanup_free_ char *dest = xasprintf("%s/%s-%s", ctx->env->source_tree, m, v);
	_cleanup_free_ char *tmp = xasprintf("%s/.%s-%s.ndkms-tmp", ctx->env->source_tree, m, v);
	int r;

	if (is_dir(dest) && !ctx->opt->force) {
		log_info("%s already exists; keeping it.", ctx_display(ctx, dest));
		return 0;
	}
	log_info("Loading tarball for %s-%s", m, v);
	log_info("Loading %s...", ctx_display(ctx, dest));
	rm_rf(tmp);
	r = mkdir_p(ctx->env->source_tree, 0755);
	if (r == 0 && conf_only) {
		_cleanup_free_ char *c = path_join(from, "dkms.conf");
		_cleanup_free_ char *d = path_join(tmp, "dkms.conf");
		r = mkdir_p(tmp, 0755);
		if (r == 0)
			r = copy_file_atomic(c, d, 0644);
	} else if (r == 0) {
		r = copy_tree(from, tmp);
	}
	if (r == 0)
		r = stage_put(st, tmp, dest);
	if (r < 0) {
		rm_rf(tmp);
		log_error("Could not write %s: %s", ctx_display(ctx, dest), strerror(-r));
		return NDKMS_E_TARBALL;
	}
	return 0;
}

static int refuse_tarball(const char *file, const char *why)
{
	log_error("Refusing to load %s: %s.\nNothing was installed.", file, why);
	return NDKMS_E_TARBALL;
}

/*
 * Everything is checked before anything is written: the archive as a whole (extract_archive),
 * then the names from its dkms.conf and every folder that is kept (the source, each kernel's
 * build) with the links inside it.  A failure while writing undoes what was written.
 */
static int load_unpacked(struct ndkms_ctx *ctx, const char *file, const char *top, const char *k,
			 const char *a)
{
	_cleanup_free_ char *m = NULL, *v = NULL;
	_cleanup_free_ char *main_tree = path_join(top, "dkms_main_tree");
	_cleanup_free_ char *srct = path_join(top, "dkms_source_tree");
	_cleanup_free_ char *bino = path_join(top, "dkms_binaries_only");
	_cleanup_free_ char *why = NULL;
	_cleanup_strv_ struct strv kas = STRV_INIT;
	int r;

	if (!is_dir(main_tree) || is_symlink(main_tree)) {
		/* a plain source tarball: add its first dkms.conf's folder */
		_cleanup_free_ char *conf_dir = find_conf(top, 0);
		if (!conf_dir) {
			log_error("Cannot find a dkms.conf file in the tarball.");
			return NDKMS_E_TAR_NOCONF;
		}
		if (kept_tree_ok(top, conf_dir, &why) < 0)
			return refuse_tarball(file, why);
		r = lifecycle_prepare_source(ctx, conf_dir, k, a, &m, &v);
		if (r < 0)
			return r;
		int lock = lock_module(ctx, m);
		if (lock < 0)
			return lock;
		r = lifecycle_add(ctx, &(struct target){m, v, k, a});
		lock_release(lock);
		return r;
	}
	_cleanup_free_ char *c1 = path_join(srct, "dkms.conf");
	_cleanup_free_ char *c2 = path_join(bino, "dkms.conf");
	bool has_src = is_reg(c1) && !is_symlink(c1), has_bin = is_reg(c2) && !is_symlink(c2);
	if (!has_src && !has_bin) {
		log_error("Cannot find a dkms.conf file in the tarball.");
		return NDKMS_E_TAR_NOCONF;
	}
	if ((r = read_names(ctx, has_src ? c1 : c2, k, a, &m, &v)) < 0)
		return r;
	if (kept_tree_ok(top, has_src ? srct : bino, &why) < 0 ||
	    plan_builds(top, main_tree, &kas, &why) < 0)
		return refuse_tarball(file, why);
	int lock = lock_module(ctx, m);
	if (lock < 0)
		return lock;
	if (state_is_added(ctx, m, v) && !ctx->opt->force) {
		log_error("Module %s/%s is already added.\nYou may override by specifying --force.",
			  m, v);
		lock_release(lock);
		return NDKMS_E_TAR_ADDED;
	}
	struct staged st = {STRV_INIT, STRV_INIT, ctx->env->dkms_tree};
	r = load_source(ctx, m, v, has_src ? srct : bino, !has_src, &st);
	if (r == 0)
		r = load_builds(ctx, m, v, main_tree, &kas, &st);
	stage_end(&st, r == 0);
	if (r == 0 && !state_is_added(ctx, m, v))
		r = lifecycle_add(ctx, &(struct target){m, v, k, a});
	lock_release(lock);
	return r;
}

int tarball_load(struct ndkms_ctx *ctx, const char *file, const char *k, const char *a)
{
	_cleanup_free_ char *why = NULL;
	size_t n = strlen(file);
	int r;

	if (!is_reg(file)) {
		log_error("Cannot find archive %s.", file);
		return NDKMS_E_NOSOURCE;
	}
	if (n > 4 && streq(file + n - 4, ".rpm")) {
		log_error("%s is an RPM package: install it with your package manager.", file);
		return NDKMS_E_RPM;
	}
	if ((r = mkdir_p(ctx->env->dkms_tree, 0755)) < 0) {
		log_error("Cannot create %s: %s", ctx_display(ctx, ctx->env->dkms_tree), strerror(-r));
		return r;
	}
	_cleanup_free_ char *tmp = mkdtemp_in(ctx->env->dkms_tree, ".ndkms-ldtarball-");
	if (!tmp) {
		r = -errno;
		log_error("Unable to make temporary directory in %s.",
			  ctx_display(ctx, ctx->env->dkms_tree));
		return r;
	}
	r = extract_archive(file, tmp, &why);
	if (r < 0) {
		log_error("Refusing to load %s: %s.\nNothing was installed.", file, why);
		rm_rf(tmp);
		return NDKMS_E_TARBALL;
	}
	r = load_unpacked(ctx, file, tmp, k, a);
	rm_rf(tmp);
	return r;
}

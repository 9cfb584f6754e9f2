// SPDX-License-Identifier: GPL-2.0-or-later
/* install.c - install built modules into a kernel's tree, archiving what they replace. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/kernel.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/initrd.h"
#include "core/modconf.h"
#include "core/modinfo.h"
#include "core/script.h"
#include "core/secureboot.h"
#include "core/state.h"
#include "core/weakhook.h"
#include "util/errors.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/version.h"

/* Move a file, across filesystems if need be (copy, then unlink the original). */
static int move_file(const char *src, const char *dst)
{
	fault_point("rename");
	if (rename(src, dst) == 0)
		return 0;
	if (errno != EXDEV)
		return -errno;
	int r = copy_file_atomic(src, dst, 0);
	if (r == 0 && unlink(src) < 0) {
		/* a read-only tree: the file stays where it is, so no copy may claim it */
		r = -errno;
		unlink(dst);
	}
	return r;
}

/* Archive one pre-existing module: record where it came from, then move it away. */
static int archive(const struct ndkms_ctx *ctx, const char *file, const char *backup_dir)
{
	_cleanup_free_ char *dst = path_join(backup_dir, path_basename(file));
	_cleanup_free_ char *origin = xasprintf("%s.origin", dst);
	_cleanup_free_ char *line = xasprintf("%s\n", ctx_display(ctx, file));
	int r = mkdir_p(backup_dir, 0755);

	if (r == 0)
		r = write_file_atomic(origin, line, strlen(line), 0644);
	if (r == 0 && (r = move_file(file, dst)) < 0)
		unlink(origin);
	if (r < 0)
		log_error("Could not archive %s in %s: %s", ctx_display(ctx, file),
			  ctx_display(ctx, backup_dir), strerror(-r));
	return r;
}

/* dkms's check_version_sanity; false when the record must not be installed. */
static bool version_sanity(const struct ndkms_ctx *ctx, const struct dkms_conf *conf,
			   const char *m, const char *v, const char *k, const char *a,
			   const char *name, const struct strv *found, bool force)
{
	if (conf->obsolete_by && *conf->obsolete_by && !force) {
		_cleanup_free_ char *obs = xstrdup(conf->obsolete_by);
		_cleanup_free_ char *my = xstrdup(k);
		char *obs_abi = strchr(obs, '-'), *my_abi = strchr(my, '-');
		bool obsolete = false;

		if (obs_abi)
			*obs_abi++ = '\0';
		if (my_abi)
			*my_abi++ = '\0';
		int c = version_cmp(my, obs);
		if (c == 0)
			obsolete = !obs_abi || version_cmp(my_abi ? my_abi : "", obs_abi) >= 0;
		else if (c > 0)
			obsolete = true;
		if (obsolete) {
			log_note("\nModule has been obsoleted due to being included in kernel %s.\n"
				 "We will avoid installing for future kernels above %s.\n"
				 "You may override by specifying --force.",
				 conf->obsolete_by, conf->obsolete_by);
			return false;
		}
	}
	if (!found->n || ctx->opt->force_version_override)
		return true;
	if (found->n > 1) {
		log_warn("Cannot do version sanity checking because multiple %s.ko modules were found "
			 "in kernel %s.",
			 name, k);
		return true;
	}
	_cleanup_free_ char *base = state_mvka_dir(ctx, m, v, k, a);
	_cleanup_free_ char *moddir = path_join(base, "module");
	_cleanup_free_ char *ours = find_ko(moddir, name);
	if (!ours)
		return true;
	_cleanup_modinfo_reader_ struct modinfo_reader mr = MODINFO_READER_INIT;
	struct modver kv, dv;
	modinfo_read(&mr, found->v[0], &kv);
	modinfo_read(&mr, ours, &dv);
	const char *cmp = modver_compare(&kv, &dv);
	bool ok = true;
	if (streq(cmp, ">") && !force) {
		log_error("Module version %s for %s.ko\nis not newer than what is already found in "
			  "kernel %s (%s).\nYou may override by specifying --force.",
			  dv.version, name, k, kv.version);
		ok = false;
	} else if (streq(cmp, "==") && !force) {
		bool versioned = *dv.version || *dv.srcversion;
		if (versioned || files_equal(found->v[0], ours) == 1) {
			if (*dv.version)
				log_note("Module %s already installed at version %s, override by "
					 "specifying --force",
					 ctx_display(ctx, found->v[0]), dv.version);
			else
				log_note("Module %s already installed (unversioned module), override by "
					 "specifying --force",
					 ctx_display(ctx, found->v[0]));
			ok = false;
		}
	}
	modver_release(&kv);
	modver_release(&dv);
	return ok;
}

/* Archive in-tree modules the record replaces (first install on K/A only), and collisions. */
static int archive_originals(const struct ndkms_ctx *ctx, const struct dkms_module_rec *rec,
			     const char *m, const char *k, const char *a, bool active,
			     const struct strv *found_before)
{
	_cleanup_free_ char *kdir = path_join(ctx->env->install_tree, k);
	_cleanup_free_ char *backup = state_original_dir(ctx, m, k, a);
	const struct strv found = *found_before;
	int r;

	_cleanup_free_ char *have = find_ko(backup, rec->dest_name);
	if (active && have) {
		log_info("An original module was already stored during a previous install");
	} else if (!active) {
		_cleanup_free_ char *d1 = path_join(kdir, "extra");
		_cleanup_free_ char *d2 = path_join(kdir, "updates");
		_cleanup_free_ char *d3 = path_join(kdir, rec->dest_location);
		char *cands[4] = {find_ko(d1, rec->dest_name), find_ko(d2, rec->dest_name),
				  find_ko(d3, rec->dest_name),
				  found.n == 1 ? xstrdup(found.v[0]) : NULL};
		bool archived = false;
		r = 0;
		for (size_t i = 0; i < 4 && !archived && r == 0; i++) {
			if (!cands[i] || !is_reg(cands[i]))
				continue;
			log_info("Found pre-existing %s, archiving for uninstallation",
				 ctx_display(ctx, cands[i]));
			r = archive(ctx, cands[i], backup);
			archived = true;
		}
		for (size_t i = 0; i < 4; i++)
			free(cands[i]);
		if (r < 0)
			return r;
		if (!archived && found.n > 1) {
			log_info("Multiple original modules exist, so none will be put back in place "
				 "during a later uninstall");
			log_info("All instances will be stored for reference purposes in %s/collisions/",
				 ctx_display(ctx, backup));
		}
	}
	if (found.n > 1) {
		_cleanup_strv_ struct strv now = STRV_INIT;
		kernel_find_modules(kdir, rec->dest_name, &now);
		log_info("Multiple same named modules! %zu named %s.ko in %s/", found.n, rec->dest_name,
			 ctx_display(ctx, kdir));
		for (size_t i = 0; i < now.n; i++) {
			_cleanup_free_ char *dir = path_dirname(now.v[i] + strlen(kdir));
			_cleanup_free_ char *coll = xasprintf("%s/collisions%s", backup, dir);
			if ((r = archive(ctx, now.v[i], coll)) < 0)
				return r;
		}
	}
	return 0;
}

static int place(const struct ndkms_ctx *ctx, const char *built, const char *dest_dir)
{
	_cleanup_free_ char *dest = path_join(dest_dir, path_basename(built));
	int r = mkdir_p(dest_dir, 0755);

	log_info("Installing %s", ctx_display(ctx, dest));
	rm_stale_tmp(dest_dir, path_basename(built));
	if (r == 0 && ctx->opt->symlink_modules) {
		/* relative, so that the link is right both inside the root and seen from the host */
		_cleanup_free_ char *rel = path_relative(dest_dir, built);
		r = symlink_atomic(rel, dest);
	} else if (r == 0) {
		r = copy_file_atomic(built, dest, 0644);
	}
	if (r < 0) {
		log_error("Copying '%s' failed: %s", ctx_display(ctx, built), strerror(-r));
		return NDKMS_E_INSTALL;
	}
	return 0;
}

static int do_install(struct ndkms_ctx *ctx, const struct target *t);

static void rebuild_one(struct ndkms_ctx *ctx, const struct target *t)
{
	int lock = lock_module(ctx, t->module);

	if (lock < 0)
		return;
	log_info("%s", "");
	log_info("Rebuilding module %s/%s due to updated dependencies", t->module, t->version);
	log_info("%s", "");
	if (lifecycle_uninstall(ctx, t) == 0 && lifecycle_unbuild(ctx, t) == 0 &&
	    lifecycle_build(ctx, t) == 0)
		lifecycle_install(ctx, t);
	lock_release(lock);
}

/* After an install of t: rebuild BUILD_DEPENDS_REBUILD modules whose dependencies changed. */
static void rebuild_dependents(struct ndkms_ctx *ctx, const struct target *t)
{
	static bool running; /* a rebuild's own install does not start another round */
	_cleanup_strv_ struct strv todo = STRV_INIT;

	if (running || ctx->opt->force)
		return;
	running = true;
	lifecycle_stale_dependents(ctx, t, &todo);
	for (size_t i = 0; i < todo.n; i++) {
		char *slash = strchr(todo.v[i], '/');
		*slash = '\0';
		rebuild_one(ctx, &(struct target){todo.v[i], slash + 1, t->kver, t->arch});
	}
	running = false;
}

/* One install of a target: its dkms.conf, the folders it works in, what it holds. */
struct install {
	struct ndkms_ctx *ctx;
	const struct target *t;
	struct dkms_conf conf;
	char *kdir;   /* the kernel's module tree */
	char *moddir; /* M/V/K/A/module */
	char *link;   /* M/kernel-K-A */
	bool force;   /* --force, or an RPM upgrade, which must not end with nothing installed */
	bool txn;     /* the transaction marker is written */
	int klock;
};

/* Phase 1: the kernel is there, dkms.conf reads, every module it names is built. */
static int install_check(struct install *in)
{
	const struct ndkms_ctx *ctx = in->ctx;
	const struct target *t = in->t;
	_cleanup_free_ char *base = state_mvka_dir(ctx, t->module, t->version, t->kver, t->arch);
	int r;

	in->kdir = path_join(ctx->env->install_tree, t->kver);
	in->moddir = path_join(base, "module");
	in->link = state_active_link(ctx, t->module, t->kver, t->arch);
	if (!path_exists(in->kdir)) {
		log_error("The directory %s doesn't exist.\nYou cannot install a module onto a "
			  "non-existent kernel.",
			  ctx_display(ctx, in->kdir));
		return NDKMS_E_INSTALL;
	}
	if ((r = modconf_read(ctx, NULL, t, true, &in->conf)) < 0)
		return r;
	for (size_t i = 0; i < in->conf.nmods; i++) {
		if (!kernel_exclusive_ok(ctx, &in->conf, (long)i, t->kver, t->arch))
			continue;
		_cleanup_free_ char *f = find_ko(in->moddir, in->conf.mods[i].dest_name);
		if (!f) {
			log_error("Missing module %s in %s", in->conf.mods[i].dest_name,
				  ctx_display(ctx, in->moddir));
			return NDKMS_E_INSTALL;
		}
	}
	return 0;
}

/* Phase 2: PRE_INSTALL; its failure stops the install unless forced. */
static int install_pre(struct install *in)
{
	int status;
	int r = script_run(in->ctx, in->t->module, in->t->version, "pre_install",
			   in->conf.pre_install, NULL, NULL, &status);

	if (r < 0)
		return r;
	if (status && !in->force) {
		log_error("pre_install failed, aborting install.\nYou may override by specifying "
			  "--force.");
		return NDKMS_E_PREINSTALL;
	}
	return 0;
}

/*
 * Phase 3, under the kernel lock (the module tree changes from here to the depmod that
 * indexes it): per module, the version check, the originals archived, the module placed.
 */
static int install_modules(struct install *in)
{
	struct ndkms_ctx *ctx = in->ctx;
	const struct target *t = in->t;
	const char *k = t->kver, *a = t->arch;
	bool active = is_symlink(in->link), any = false, eligible = false;
	int r;

	in->klock = lock_kernel(ctx, k);
	if (in->klock < 0)
		return NDKMS_E_INSTALL; /* lock_kernel logged why */
	for (size_t i = 0; i < in->conf.nmods; i++) {
		const struct dkms_module_rec *rec = &in->conf.mods[i];
		if (!kernel_exclusive_ok(ctx, &in->conf, (long)i, k, a))
			continue;
		eligible = true;
		/* one walk of the kernel's tree serves the version check and the archiving */
		_cleanup_strv_ struct strv found = STRV_INIT;
		kernel_find_modules(in->kdir, rec->dest_name, &found);
		if (!version_sanity(ctx, &in->conf, t->module, t->version, k, a, rec->dest_name,
				    &found, in->force))
			continue;
		if (!in->txn && lifecycle_txn_begin(ctx, t) < 0)
			return NDKMS_E_INSTALL; /* logged with the marker's path */
		in->txn = true;
		if (archive_originals(ctx, rec, t->module, k, a, active, &found) < 0)
			return NDKMS_E_INSTALL; /* archive() logged the file and why */
		_cleanup_free_ char *built = find_ko(in->moddir, rec->dest_name);
		_cleanup_free_ char *dest_dir = path_join(in->kdir, rec->install_location);
		if ((r = place(ctx, built, dest_dir)) < 0)
			return r;
		any = true;
	}
	if (eligible && !any) {
		log_error("Installation aborted.");
		return NDKMS_E_INSTALL;
	}
	return 0;
}

/* Phase 4: the active link, weak-modules, initramfs, POST_INSTALL; depmod or roll back. */
static int install_activate(struct install *in)
{
	struct ndkms_ctx *ctx = in->ctx;
	const struct target *t = in->t;
	_cleanup_free_ char *dest = xasprintf("%s/%s/%s", t->version, t->kver, t->arch);
	int r = symlink_atomic(dest, in->link);

	if (r < 0) {
		log_error("Could not create %s: %s", ctx_display(ctx, in->link), strerror(-r));
		return NDKMS_E_INSTALL;
	}
	weakhook_after_install(ctx, &in->conf, t);
	if (in->conf.remake_initrd)
		initrd_note(ctx, t->kver);
	script_run_after(ctx, t->module, t->version, "post_install", in->conf.post_install);
	if (lifecycle_depmod(ctx, t->kver) == 0)
		return 0;
	/* a rollback that fails too (a full disk) keeps the marker for the next command */
	bool undone = lifecycle_uninstall(ctx, t) == 0;
	if (undone)
		lifecycle_txn_end(ctx, t);
	in->txn = false;
	if (undone)
		log_error("Problems with depmod detected. Automatically uninstalling this "
			  "module.\nInstall Failed (depmod problems). Module rolled back to "
			  "built state.");
	else
		log_error("Problems with depmod detected. Automatically uninstalling this "
			  "module.\nInstall Failed (depmod problems). The rollback did not "
			  "finish: the next ndkms command on %s finishes it.",
			  t->module);
	return NDKMS_E_INSTALL;
}

/* Phase 5: close the transaction (ended, or aborted for the next command), unlock, follow up. */
static int install_end(struct install *in, int r)
{
	if (in->txn && r < 0)
		lifecycle_txn_abort(in->ctx, in->t);
	else if (in->txn)
		lifecycle_txn_end(in->ctx, in->t);
	lock_release(in->klock);
	dkms_conf_release(&in->conf);
	free(in->kdir);
	free(in->moddir);
	free(in->link);
	if (r == 0) {
		secureboot_warn_once(in->ctx, in->t->kver);
		rebuild_dependents(in->ctx, in->t);
	}
	return r;
}

static int do_install(struct ndkms_ctx *ctx, const struct target *t)
{
	struct install in = {.ctx = ctx, .t = t, .klock = -1,
			     .force = ctx->opt->force || ctx->opt->rpm_safe_upgrade};
	int r = state_is_built(ctx, t->module, t->version, t->kver, t->arch)
			? 0
			: lifecycle_build(ctx, t);

	if (r == 0)
		r = install_check(&in);
	if (r == 0)
		r = install_pre(&in);
	if (r == 0)
		r = install_modules(&in);
	if (r == 0)
		r = install_activate(&in);
	return install_end(&in, r);
}

int lifecycle_install(struct ndkms_ctx *ctx, const struct target *t)
{
	int r = lifecycle_maybe_add(ctx, t);

	return r < 0 ? r : do_install(ctx, t);
}

int lifecycle_maybe_install(struct ndkms_ctx *ctx, const struct target *t)
{
	int r = lifecycle_maybe_add(ctx, t);

	if (r < 0)
		return r;
	if (state_is_installed(ctx, t->module, t->version, t->kver, t->arch)) {
		if (!ctx->opt->force) {
			log_info("Module %s/%s already installed on kernel %s (%s), skip. You may "
				 "override by specifying --force.",
				 t->module, t->version, t->kver, t->arch);
			return 0;
		}
		r = lifecycle_uninstall(ctx, t);
		if (r < 0)
			return r;
		log_info("%s", "");
	}
	return do_install(ctx, t);
}

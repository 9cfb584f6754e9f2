// SPDX-License-Identifier: GPL-2.0-or-later
/* uninstall.c - uninstall, unbuild and prune: the way back, restoring archived originals. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/kernel.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/initrd.h"
#include "core/modconf.h"
#include "core/modinfo.h"
#include "core/script.h"
#include "core/state.h"
#include "core/weakhook.h"
#include "util/errors.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/log.h"

/* Where record rec really is installed: its install location or its DEST_MODULE_LOCATION. */
static char *actual_location(const struct dkms_module_rec *rec, const char *owned,
			     const char *kdir)
{
	const char *locs[] = {rec->install_location, rec->dest_location};
	_cleanup_modinfo_reader_ struct modinfo_reader mr = MODINFO_READER_INIT;
	struct modver ov;

	modinfo_read(&mr, owned ? owned : "/nonexistent", &ov);
	for (size_t i = 0; i < 2; i++) {
		if (i == 1 && streq(locs[0], locs[1]))
			break;
		_cleanup_free_ char *dir = path_join(kdir, locs[i]);
		_cleanup_free_ char *inst = find_ko(dir, rec->dest_name);
		if (!inst)
			continue;
		struct modver iv;
		modinfo_read(&mr, inst, &iv);
		bool same = ov.ok == 0 && iv.ok == 0 && streq(ov.version, iv.version);
		modver_release(&iv);
		if (same) {
			modver_release(&ov);
			return xstrdup(locs[i]);
		}
	}
	modver_release(&ov);
	return NULL;
}

/* Drop the emptied install location and its empty parents, where dkms does it. */
static void prune_install_dir(const struct ndkms_ctx *ctx, const char *kdir, const char *loc)
{
	_cleanup_free_ char *dir = path_join(kdir, loc);

	if (ctx->env->distro && (strneq(ctx->env->distro, "debian", 6) || strneq(ctx->env->distro, "ubuntu", 6) ||
			    strneq(ctx->env->distro, "arch", 4) || strneq(ctx->env->distro, "gentoo", 6)))
		rmdir_parents(dir, kdir);
}

/* Delete an installed module; 0, or the errno of a file that is there but cannot go. */
static int delete_installed(const struct ndkms_ctx *ctx, const char *kdir, const char *loc,
			    const char *name)
{
	_cleanup_free_ char *dir = path_join(kdir, loc);
	static const char *const sfx[] = {"", ".gz", ".xz", ".zst"};

	log_info("Deleting %s/%s.ko", ctx_display(ctx, dir), name);
	for (size_t i = 0; i < ARRAY_SIZE(sfx); i++) {
		_cleanup_free_ char *base = xasprintf("%s.ko%s", name, sfx[i]);
		rm_stale_tmp(dir, base);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sfx); i++) {
		_cleanup_free_ char *f = xasprintf("%s/%s.ko%s", dir, name, sfx[i]);
		fault_point("unlink");
		if (unlink(f) < 0 && errno != ENOENT) {
			int r = -errno;
			log_error("Could not delete %s: %s", ctx_display(ctx, f), strerror(-r));
			return r;
		}
	}
	prune_install_dir(ctx, kdir, loc);
	return 0;
}

/*
 * Put back the originals archived for name; their .origin must point inside kdir.  0, or the
 * errno of one that could not go back (it stays archived).
 */
static int restore_originals(const struct ndkms_ctx *ctx, const char *backup, const char *kdir,
			      const char *name)
{
	DIR *d = opendir(backup);
	_cleanup_free_ char *prefix = xasprintf("%s.", name);
	_cleanup_free_ char *kshown = xasprintf("%s/", ctx_display(ctx, kdir));
	int err = 0;

	if (!d)
		return 0;
	for (struct dirent *de; (de = readdir(d));) {
		size_t n = strlen(de->d_name);
		if (!strneq(de->d_name, prefix, strlen(prefix)) || n < 7 ||
		    !streq(de->d_name + n - 7, ".origin"))
			continue;
		_cleanup_free_ char *origin = path_join(backup, de->d_name);
		_cleanup_free_ char *archived = xstrndup(origin, strlen(origin) - 7);
		_cleanup_free_ char *text = NULL;
		if (!is_reg(archived) || read_file(origin, &text, NULL, 4096) < 0)
			continue;
		text[strcspn(text, "\n")] = '\0';
		if (!strneq(text, kshown, strlen(kshown)) ||
		    !path_is_contained(text + strlen(kshown))) {
			log_warn("Bad original location '%s' in %s", text, ctx_display(ctx, origin));
			continue;
		}
		_cleanup_free_ char *dest = ctx_path(ctx, text);
		_cleanup_free_ char *dest_dir = path_dirname(dest);
		log_info("Restoring archived original module %s", text);
		int r = mkdir_p(dest_dir, 0755);
		if (r == 0) {
			fault_point("rename");
			r = rename(archived, dest) == 0 ? 0 : copy_file_atomic(archived, dest, 0);
		}
		/* copied back: the archived file goes first, so a kept .origin never claims a
		 * copy that is gone */
		if (r == 0 && unlink(archived) < 0 && errno != ENOENT)
			log_warn("Could not remove %s: %s", ctx_display(ctx, archived),
				 strerror(errno));
		if (r == 0) {
			fault_point("unlink");
			if (unlink(origin) < 0 && errno != ENOENT)
				log_warn("Could not remove %s: %s", ctx_display(ctx, origin),
					 strerror(errno));
		} else {
			log_error("Could not restore %s: %s", text, strerror(-r));
			err = r;
		}
	}
	closedir(d);
	return err;
}

/* One uninstall of a target: its dkms.conf, the folders it works in, what it holds. */
struct uninstall {
	struct ndkms_ctx *ctx;
	const struct target *t;
	struct dkms_conf conf;
	char *kdir;         /* the kernel's module tree */
	char *link;         /* M/kernel-K-A */
	char *backup;       /* the archived originals for K/A */
	bool was_active;    /* t's version is the one installed */
	bool own_txn;       /* the marker is this uninstall's, not that of an install rolled back */
	bool kept_original; /* an original could not go back: the marker stays for the next run */
	int klock;
};

/* The archive folder and its kernel and module folders above it, when they are empty. */
static void rmdir_backup_parents(const char *backup)
{
	_cleanup_free_ char *kb = path_dirname(backup);
	_cleanup_free_ char *ob = path_dirname(kb);

	/* best effort: a folder still holding another kernel's archive stays */
	if (rmdir(kb) == 0)
		rmdir(ob);
}

/* Phase 1: dkms.conf, the kernel lock, and the transaction marker when t is installed. */
static int uninstall_begin(struct uninstall *u)
{
	struct ndkms_ctx *ctx = u->ctx;
	const struct target *t = u->t;
	int r;

	log_info("Module %s/%s for kernel %s (%s):", t->module, t->version, t->kver, t->arch);
	if ((r = modconf_read(ctx, NULL, t, false, &u->conf)) < 0)
		return r;
	_cleanup_free_ char *active = state_active_version(ctx, t->module, t->kver, t->arch);
	u->kdir = path_join(ctx->env->install_tree, t->kver);
	u->link = state_active_link(ctx, t->module, t->kver, t->arch);
	u->backup = state_original_dir(ctx, t->module, t->kver, t->arch);
	u->was_active = active && streq(active, t->version);
	/* the kernel's module tree changes until the depmod below has indexed it */
	u->klock = lock_kernel(ctx, t->kver);
	if (u->klock < 0)
		return u->klock;
	if (u->was_active && (r = lifecycle_txn_begin(ctx, t)) < 0)
		return r;
	u->own_txn = u->was_active && r == 0;
	return 0;
}

/* Phase 2: delete t's modules, put the originals back, drop the active link. */
static int uninstall_remove(struct uninstall *u)
{
	struct ndkms_ctx *ctx = u->ctx;
	_cleanup_free_ char *moddir = xasprintf("%s/module", u->link);
	int r;

	log_info("Before uninstall, this module version was ACTIVE on this kernel.");
	for (size_t i = 0; i < u->conf.nmods; i++) {
		const struct dkms_module_rec *rec = &u->conf.mods[i];
		_cleanup_free_ char *owned = find_ko(moddir, rec->dest_name);
		_cleanup_free_ char *loc = actual_location(rec, owned, u->kdir);
		if (loc && (r = delete_installed(ctx, u->kdir, loc, rec->dest_name)) < 0) {
			/* a read-only tree: nothing changed when the first one stays */
			if (i == 0 && u->own_txn)
				lifecycle_txn_end(ctx, u->t);
			return r;
		}
		if (!loc) {
			log_info("Module %s.ko was not found within %s/", rec->dest_name,
				 ctx_display(ctx, u->kdir));
			/* an interrupted uninstall may have deleted it, not its folder */
			prune_install_dir(ctx, u->kdir, rec->install_location);
		}
		if (restore_originals(ctx, u->backup, u->kdir, rec->dest_name) < 0)
			u->kept_original = true;
	}
	fault_point("unlink");
	if (unlink(u->link) < 0 && errno != ENOENT) {
		r = -errno;
		log_error("Could not remove %s: %s", ctx_display(ctx, u->link), strerror(-r));
		return r;
	}
	/* restored originals leave empty folders behind; collisions stay archived */
	rmdir_empty_below(u->backup);
	if (rmdir(u->backup) == 0)
		rmdir_backup_parents(u->backup);
	return 0;
}

/* Phase 3: weak-modules, initramfs, POST_REMOVE, depmod, and the archive once it is empty. */
static int uninstall_finish(struct uninstall *u)
{
	struct ndkms_ctx *ctx = u->ctx;
	const struct target *t = u->t;

	if (u->was_active)
		weakhook_after_uninstall(ctx, &u->conf, t);
	if (u->was_active && u->conf.remake_initrd)
		initrd_note(ctx, t->kver);
	script_run_after(ctx, t->module, t->version, "post_remove", u->conf.post_remove);
	int r = lifecycle_depmod(ctx, t->kver);
	if (u->kept_original) {
		/* the marker stays: the next command puts the original back */
		return r == 0 ? NDKMS_E_FAILED : r;
	}
	if (u->was_active && is_dir(u->backup)) {
		log_info("Removing original module(s) from DKMS tree for kernel %s (%s)", t->kver,
			 t->arch);
		int e = rm_rf(u->backup);
		if (e < 0)
			log_warn("Could not remove %s: %s", ctx_display(ctx, u->backup),
				 strerror(-e));
		else
			rmdir_backup_parents(u->backup);
	}
	if (u->was_active && r == 0)
		lifecycle_txn_end(ctx, t);
	return r;
}

static int do_uninstall(struct ndkms_ctx *ctx, const struct target *t)
{
	struct uninstall u = {.ctx = ctx, .t = t, .klock = -1};
	int r = uninstall_begin(&u);

	if (r == 0 && u.was_active)
		r = uninstall_remove(&u);
	else if (r == 0)
		log_info("This module version was INACTIVE for this kernel.");
	if (r == 0)
		r = uninstall_finish(&u);
	lock_release(u.klock);
	dkms_conf_release(&u.conf);
	free(u.kdir);
	free(u.link);
	free(u.backup);
	return r;
}

int lifecycle_uninstall(struct ndkms_ctx *ctx, const struct target *t)
{
	return do_uninstall(ctx, t);
}

/* Any BUILD_EXCLUSIVE directive, package-wide or per module (dkms 3.4 then stays quiet). */
static bool has_exclusive(const struct ndkms_ctx *ctx, const struct target *t)
{
	struct dkms_conf conf = {0};
	bool excl = false;

	log_setup(true, false);
	if (modconf_read(ctx, NULL, t, false, &conf) == 0) {
		excl = conf.excl_kernel || conf.excl_kernel_min || conf.excl_kernel_max ||
		       conf.excl_arch || conf.excl_config;
		for (size_t i = 0; i < conf.nmods && !excl; i++) {
			const struct dkms_module_rec *r = &conf.mods[i];
			excl = r->excl_kernel || r->excl_kernel_min || r->excl_kernel_max ||
			       r->excl_arch || r->excl_config;
		}
	}
	log_setup(ctx->opt->quiet, ctx->opt->verbose);
	dkms_conf_release(&conf);
	return excl;
}

int lifecycle_maybe_uninstall(struct ndkms_ctx *ctx, const struct target *t)
{
	if (!state_is_installed(ctx, t->module, t->version, t->kver, t->arch)) {
		if (!has_exclusive(ctx, t))
			log_info("Module %s/%s is not installed for kernel %s (%s). Skipping...",
				 t->module, t->version, t->kver, t->arch);
		return 0;
	}
	return do_uninstall(ctx, t);
}

int lifecycle_unbuild(struct ndkms_ctx *ctx, const struct target *t)
{
	_cleanup_free_ char *base = state_mvka_dir(ctx, t->module, t->version, t->kver, t->arch);
	_cleanup_free_ char *kdir = path_dirname(base);
	int r = rm_rf_atomic(base, ".tmp_");

	if (r < 0) {
		log_error("Could not remove %s: %s", ctx_display(ctx, base), strerror(-r));
		return r;
	}
	rmdir(kdir);
	return 0;
}

int lifecycle_maybe_unbuild(struct ndkms_ctx *ctx, const struct target *t)
{
	if (!state_is_built(ctx, t->module, t->version, t->kver, t->arch)) {
		log_info("Module %s/%s is not built for kernel %s (%s). Skipping...", t->module,
			 t->version, t->kver, t->arch);
		return 0;
	}
	return lifecycle_unbuild(ctx, t);
}

void lifecycle_prune(struct ndkms_ctx *ctx, const char *module, const char *version)
{
	static const char *const keep[] = {"build", "tarball", "driver_disk", "rpm", "deb", "source"};
	_cleanup_free_ char *mv = state_mv_dir(ctx, module, version);
	_cleanup_free_ char *mdir = path_dirname(mv);
	bool kernels_left = false;
	DIR *d = opendir(mv);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		_cleanup_free_ char *p = path_join(mv, de->d_name);
		if (strneq(de->d_name, ".tmp_", 5) || !is_dir(p))
			continue;
		bool k = true;
		for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
			if (streq(de->d_name, keep[i]))
				k = false;
		if (k) {
			/* leftover staging folders of an interrupted build are garbage */
			DIR *kd = opendir(p);
			int entries = 0;
			for (struct dirent *ke; kd && (ke = readdir(kd));) {
				if (strneq(ke->d_name, ".tmp_", 5) || strneq(ke->d_name, ".old_", 5)) {
					_cleanup_free_ char *t = path_join(p, ke->d_name);
					rm_rf(t);
				} else if (ke->d_name[0] != '.') {
					entries++;
				}
			}
			if (kd)
				closedir(kd);
			if (entries)
				kernels_left = true;
			else
				rmdir(p);
		}
	}
	closedir(d);
	if (!kernels_left) {
		log_info("Deleting module %s/%s completely from the DKMS tree.", module, version);
		int r = rm_rf_atomic(mv, ".tmp_");
		if (r < 0)
			log_warn("Could not remove %s: %s", ctx_display(ctx, mv), strerror(-r));
	}
	if (dir_count(mdir) == 0)
		rmdir(mdir);
}

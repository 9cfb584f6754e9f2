// SPDX-License-Identifier: GPL-2.0-or-later
/* recover.c - finish or roll back what an interrupted ndkms left in a module's state tree. */
#include <dirent.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/state.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/log.h"

/*
 * In M/V/K/: ".old_A_PID" is a build a --force rebuild moved aside; it goes back to A when no
 * new build took its place, else it is deleted.  ".tmp_A_XXXXXX" staging folders are dropped.
 * A stale M/V/build is recreated by the next build anyway.
 */
static void recover_kernel(const struct ndkms_ctx *ctx, const char *kdir)
{
	DIR *d = opendir(kdir);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		bool old = strneq(de->d_name, ".old_", 5);
		if (!old && !strneq(de->d_name, ".tmp_", 5))
			continue;
		_cleanup_free_ char *p = path_join(kdir, de->d_name);
		if (old) {
			_cleanup_free_ char *arch = xstrdup(de->d_name + 5);
			char *us = strrchr(arch, '_');
			if (us)
				*us = '\0';
			_cleanup_free_ char *base = path_join(kdir, arch);
			fault_point("rename");
			if (!path_exists(base) && rename(p, base) == 0) {
				log_note("ndkms: restored the build %s left by an interrupted rebuild",
					 ctx_display(ctx, base));
				continue;
			}
		}
		rm_rf(p);
	}
	closedir(d);
}

/*
 * An install or uninstall of M/V on K/A was interrupted (its marker is still there): finish it
 * as an uninstall, which deletes what it had placed, puts archived originals back, drops the
 * kernel-K-A link and regenerates the indexes.  A rerun of the install then starts clean.
 */
static void txn_rollback(struct ndkms_ctx *ctx, const char *m, const char *marker)
{
	_cleanup_free_ char *text = NULL;
	char *f[3] = {NULL, NULL, NULL};

	if (read_file(marker, &text, NULL, 4096) < 0)
		return;
	char *p = text;
	for (int i = 0; i < 3 && p; i++) {
		f[i] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	if (!f[2] || !*f[0] || !*f[1] || !*f[2] || !path_is_contained(f[0]) ||
	    !path_is_contained(f[1]) || !path_is_contained(f[2])) {
		log_warn("Ignoring the malformed %s", ctx_display(ctx, marker));
		unlink(marker);
		return;
	}
	char *v = f[0], *k = f[1], *a = f[2];
	log_note("ndkms: rolling back the interrupted change of %s/%s on kernel %s (%s)",
		 m, v, k, a);
	if (!state_is_built(ctx, m, v, k, a)) {
		unlink(marker);
		return;
	}
	_cleanup_free_ char *link = state_active_link(ctx, m, k, a);
	_cleanup_free_ char *target = xasprintf("%s/%s/%s", v, k, a);
	_cleanup_free_ char *av = state_active_version(ctx, m, k, a);
	if ((!av || !streq(av, v)) && symlink_atomic(target, link) < 0)
		return;
	bool defer = ctx->ses.defer_depmod;
	ctx->ses.defer_depmod = false;
	if (lifecycle_uninstall(ctx, &(struct target){m, v, k, a}) == 0)
		unlink(marker);
	ctx->ses.defer_depmod = defer;
}

void lifecycle_txn_abort(struct ndkms_ctx *ctx, const struct target *t)
{
	_cleanup_free_ char *p = lifecycle_txn_path(ctx, t->module, t->kver, t->arch);

	if (path_exists(p))
		txn_rollback(ctx, t->module, p);
}

/*
 * In M/: interrupted installs and uninstalls (.ndkms-txn-K-A), half-deleted versions
 * (.tmp_V_PID, see lifecycle_prune), half-written markers and temporary links of symlink_atomic.
 */
static void recover_module(struct ndkms_ctx *ctx, const char *m, const char *mdir)
{
	_cleanup_strv_ struct strv txns = STRV_INIT;
	DIR *d = opendir(mdir);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] != '.' || streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		_cleanup_free_ char *p = path_join(mdir, de->d_name);
		if (strneq(de->d_name, ".ndkms-txn-", 11))
			strv_push(&txns, p);
		else if (strneq(de->d_name, ".tmp_", 5) || strneq(de->d_name, "..ndkms-txn-", 12) ||
			 is_symlink(p))
			rm_rf(p);
	}
	closedir(d);
	for (size_t i = 0; i < txns.n; i++)
		txn_rollback(ctx, m, txns.v[i]);
	if (dir_count(mdir) == 0)
		rmdir(mdir); /* the last step of lifecycle_prune */
}

void lifecycle_recover(struct ndkms_ctx *ctx, const char *module, const char *version)
{
	_cleanup_free_ char *mdir = path_join(ctx->env->dkms_tree, module);

	recover_module(ctx, module, mdir);
	lifecycle_pending_depmod(ctx);
	if (!version)
		return;
	_cleanup_free_ char *mv = state_mv_dir(ctx, module, version);
	DIR *d = opendir(mv);
	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		_cleanup_free_ char *kdir = path_join(mv, de->d_name);
		recover_kernel(ctx, kdir);
	}
	closedir(d);
}

/* Whether M/ holds something an interrupted command left (see recover_module). */
static bool module_needs_recovery(const char *mdir)
{
	DIR *d = opendir(mdir);
	bool found = false;

	if (!d)
		return false;
	for (struct dirent *de; !found && (de = readdir(d));)
		found = strneq(de->d_name, ".ndkms-txn-", 11) || strneq(de->d_name, ".tmp_", 5);
	closedir(d);
	return found;
}

void lifecycle_recover_all(struct ndkms_ctx *ctx)
{
	_cleanup_strv_ struct strv mods = STRV_INIT;

	state_list_modules(ctx, &mods);
	for (size_t i = 0; i < mods.n; i++) {
		_cleanup_free_ char *mdir = path_join(ctx->env->dkms_tree, mods.v[i]);
		if (!module_needs_recovery(mdir))
			continue;
		int lock = lock_module(ctx, mods.v[i]);
		if (lock < 0)
			continue;
		recover_module(ctx, mods.v[i], mdir);
		lock_release(lock);
	}
	/* a depmod an earlier autoinstall could not run (killed, a full disk) even when this one
	 * finds nothing to install */
	lifecycle_pending_depmod(ctx);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor_leftovers.c - what interrupted runs leave: markers, pending depmods, unusable locks. */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/doctor_internal.h"
#include "core/state.h"
#include "util/fs.h"

static void check_module(struct doctor_scope *s, const char *m)
{
	const struct ndkms_ctx *ctx = s->ctx;
	_cleanup_free_ char *mdir = path_join(ctx->env->dkms_tree, m);
	DIR *d = opendir(mdir);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		_cleanup_free_ char *p = path_join(mdir, de->d_name);
		if (strneq(de->d_name, ".ndkms-txn-", 11)) {
			_cleanup_free_ char *text = NULL;
			if (read_file(p, &text, NULL, 4096) < 0)
				text = xstrdup("");
			for (char *c = text; *c; c++)
				if (*c == '\n')
					*c = ' ';
			doctor_add(s, "transaction", DOCTOR_RECOVER, m, NULL, NULL, NULL, p,
				   "an install or uninstall of %s was interrupted: %s is still there "
				   "(%s)",
				   m, ctx_display(ctx, p), *text ? text : "empty");
		} else if (strneq(de->d_name, ".tmp_", 5)) {
			doctor_add(s, "transaction", DOCTOR_RECOVER, m, NULL, NULL, NULL, p,
				   "a removal of a version of %s was interrupted: %s is still there", m,
				   ctx_display(ctx, p));
		}
	}
	closedir(d);
}

static void check_pending_depmod(struct doctor_scope *s)
{
	const struct ndkms_ctx *ctx = s->ctx;
	DIR *d = opendir(ctx->env->dkms_tree);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		const char *k = de->d_name + 14;
		if (!strneq(de->d_name, ".ndkms-depmod-", 14) || !*k || !path_is_contained(k) ||
		    !doctor_kernel_wanted(s, k))
			continue;
		_cleanup_free_ char *p = path_join(ctx->env->dkms_tree, de->d_name);
		doctor_add(s, "depmod-pending", DOCTOR_DEPMOD, NULL, NULL, k, NULL, p,
			   "a deferred depmod for kernel %s never ran (%s)", k, ctx_display(ctx, p));
	}
	closedir(d);
}

/* Lock files ndkms could not take, or that another user could hold or replace. */
static void check_locks(struct doctor_scope *s)
{
	const struct ndkms_ctx *ctx = s->ctx;
	_cleanup_free_ char *dir = path_join(ctx->env->dkms_tree, ".ndkms-lock");
	struct stat st;

	if (lstat(dir, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode) || (st.st_mode & 022) || st.st_uid != geteuid()) {
		struct doctor_problem *p = doctor_add(
			s, "lock-stale", DOCTOR_PERSON, NULL, NULL, NULL, NULL, dir,
			"the lock folder %s is %s", ctx_display(ctx, dir),
			!S_ISDIR(st.st_mode) ? "not a folder" : "writable by other users");
		p->advice = xasprintf("check who made it, then delete it (ndkms recreates it)");
		return;
	}
	DIR *d = opendir(dir);
	for (struct dirent *de; d && (de = readdir(d));) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		_cleanup_free_ char *p = path_join(dir, de->d_name);
		const char *why = NULL;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode))
			why = "a symbolic link";
		else if (!S_ISREG(st.st_mode))
			why = "not a regular file";
		else if (st.st_uid != geteuid())
			why = "owned by another user";
		else if (st.st_mode & 022)
			why = "writable by other users";
		if (why)
			doctor_add(s, "lock-stale", DOCTOR_DROP_LOCK, NULL, NULL, NULL, NULL, p,
				   "the lock file %s is %s: ndkms cannot lock with it safely",
				   ctx_display(ctx, p), why);
	}
	if (d)
		closedir(d);
}

void doctor_check_leftovers(struct doctor_scope *s)
{
	for (size_t i = 0; i < s->modules.n; i++)
		check_module(s, s->modules.v[i]);
	if (s->module)
		return;
	check_pending_depmod(s);
	check_locks(s);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* recover.c - finish or roll back what an interrupted ndkms left in a module's state tree. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "core/lifecycle.h"
#include "core/state.h"
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

void lifecycle_recover(struct ndkms_ctx *ctx)
{
	_cleanup_free_ char *mv = state_mv_dir(ctx, ctx->module, ctx->version);
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

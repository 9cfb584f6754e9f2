// SPDX-License-Identifier: GPL-2.0-or-later
/* indexes.c - depmod after lifecycle changes (batched per kernel), and post_transaction. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/framework.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/runlog.h"
#include "depmod/depmod.h"
#include "util/errors.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

/* The last module of a kernel that is otherwise gone: do not leave stale indexes behind. */
static void drop_empty_indexes(const struct ndkms_ctx *ctx, const char *kdir)
{
	static const char *const files[] = {
		"modules.alias", "modules.alias.bin", "modules.builtin.alias.bin",
		"modules.builtin.bin", "modules.dep", "modules.dep.bin", "modules.devname",
		"modules.softdep", "modules.symbols", "modules.symbols.bin", "modules.weakdep",
	};
	_cleanup_free_ char *dep = path_join(kdir, "modules.dep");
	struct stat st;

	if (stat(dep, &st) < 0 || st.st_size != 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *f = path_join(kdir, files[i]);
		fault_point("unlink");
		unlink(f);
	}
	if (rmdir(kdir) == 0)
		log_info("removed directory %s", ctx_display(ctx, kdir));
}

/*
 * A deferred depmod is remembered in <dkms_tree>/.ndkms-depmod-K until it has run, so that one
 * killed before it (autoinstall runs it after all its workers) is run by the next command.
 */
static char *pending_marker(const struct ndkms_ctx *ctx, const char *kver)
{
	return xasprintf("%s/.ndkms-depmod-%s", ctx->env->dkms_tree, kver);
}

static int run_depmod(const struct ndkms_ctx *ctx, const char *kver)
{
	_cleanup_free_ char *kdir = path_join(ctx->env->install_tree, kver);
	_cleanup_free_ char *dep = path_join(kdir, "modules.dep");
	_cleanup_free_ char *base = ctx_depmod_basedir(ctx);
	_cleanup_free_ char *map_rel = xasprintf("/boot/System.map-%s", kver);
	_cleanup_free_ char *map = ctx_path(ctx, map_rel);
	_cleanup_free_ char *cache = path_join(ctx->env->cache_dir, "depmod");

	log_partial("Running depmod...");
	if (!is_reg(dep)) {
		/* nothing to index (the kernel is gone): a pending marker for it is done too */
		_cleanup_free_ char *marker = pending_marker(ctx, kver);
		unlink(marker);
		if (log_is_verbose())
			log_info("Skipping depmod because '%s' is missing.", ctx_display(ctx, dep));
		log_info(" done.");
		return 0;
	}
	if (!base) {
		log_info("(bad exit status: 1)");
		log_error("Cannot run depmod for the install tree %s: it does not end in "
			  "/lib/modules.",
			  ctx->env->install_tree);
		return NDKMS_E_INSTALL;
	}
	int lock = lock_kernel(ctx, kver);
	if (lock < 0)
		return lock;
	struct depmod_opts o = {
		.basedir = base,
		.kver = kver,
		.system_map = is_reg(map) ? map : NULL,
		.cache_dir = cache,
		.program = ctx->env->depmod_program,
	};
	int r = depmod_run(&o);
	if (r == 0) {
		_cleanup_free_ char *marker = pending_marker(ctx, kver);
		drop_empty_indexes(ctx, kdir);
		fault_point("unlink");
		unlink(marker);
	}
	lock_release(lock);
	log_info(r == 0 ? " done." : "(bad exit status: 1)");
	return r;
}

int lifecycle_depmod(struct ndkms_ctx *ctx, const char *kver)
{
	if (ctx->opt->no_depmod)
		return 0;
	if (ctx->ses.defer_depmod) {
		_cleanup_free_ char *marker = pending_marker(ctx, kver);
		/* empty, so no temporary name is needed: it exists or it does not */
		fault_point("create");
		int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		int r = fd < 0 ? -errno : 0;
		if (fd >= 0)
			close(fd);
		if (r < 0) {
			log_error("Could not write %s: %s", ctx_display(ctx, marker), strerror(-r));
			return NDKMS_E_INSTALL;
		}
		if (!strv_contains(&ctx->ses.depmod_pending, kver))
			strv_push(&ctx->ses.depmod_pending, kver);
		return 0;
	}
	return run_depmod(ctx, kver);
}

/* Queue the depmods an interrupted command left pending. */
static void queue_pending(struct ndkms_ctx *ctx)
{
	DIR *d = opendir(ctx->env->dkms_tree);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		const char *k = de->d_name + 14;
		if (!strneq(de->d_name, ".ndkms-depmod-", 14) || !*k || !path_is_contained(k))
			continue;
		if (!strv_contains(&ctx->ses.depmod_pending, k))
			strv_push(&ctx->ses.depmod_pending, k);
	}
	closedir(d);
}

int lifecycle_pending_depmod(struct ndkms_ctx *ctx)
{
	queue_pending(ctx);
	return ctx->ses.defer_depmod || ctx->opt->no_depmod ? 0 : lifecycle_flush_depmod(ctx);
}

int lifecycle_flush_depmod(struct ndkms_ctx *ctx)
{
	int r = 0;

	queue_pending(ctx);

	for (size_t i = 0; i < ctx->ses.depmod_pending.n; i++) {
		int q = run_depmod(ctx, ctx->ses.depmod_pending.v[i]);
		if (q < 0 && !r)
			r = q;
	}
	strv_release(&ctx->ses.depmod_pending);
	return r;
}

void lifecycle_post_transaction(struct ndkms_ctx *ctx)
{
	const char *kver = ctx->ntargets ? ctx->targets[0].kver : ctx->env->running_kernel;
	_cleanup_free_ char *log = path_join(ctx->env->dkms_tree, "post_transaction.log");
	struct framework fw;
	int status;

	if (!ctx->env->post_transaction || !*ctx->env->post_transaction)
		return;
	/*
	 * dkms reads post_transaction only now, with $kernelver set to the first target kernel,
	 * and evals it where $kernelver is still in scope: do both.
	 */
	if (framework_read_kernel(ctx, kver, &fw) < 0)
		return;
	struct strbuf cmd = STRBUF_INIT;
	const char *text = fw.post_transaction ? fw.post_transaction : ctx->env->post_transaction;
	sb_adds(&cmd, "kernelver=");
	sb_add_shell_quoted(&cmd, kver);
	sb_adds(&cmd, "; ");
	sb_adds(&cmd, text);
	if (write_file_atomic(log, "", 0, 0644) == 0) {
		struct runlog_opts o = {.cmd = sb_str(&cmd),
					.show_cmd = text,
					.desc = "Executing post-transaction command",
					.log = log,
					.progress = true};
		runlog_run(&o, &status);
	}
	sb_release(&cmd);
	framework_release(&fw);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* autoinstall.c - autoinstall, kernel_postinst, kernel_preinst, kernel_prerm. */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/kernel.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/modconf.h"
#include "core/state.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/version.h"

struct ai_mod {
	char *m, *v;
	struct strv deps; /* BUILD_DEPENDS not yet satisfied */
	bool done;
};

/* Newest version of every module (broken ones reported and left out). */
static void latest_versions(struct ndkms_ctx *ctx, struct strv *names, struct strv *vers)
{
	_cleanup_strv_ struct strv mods = STRV_INIT;

	state_list_modules(ctx, &mods);
	for (size_t i = 0; i < mods.n; i++) {
		_cleanup_strv_ struct strv vs = STRV_INIT;
		const char *best = NULL;

		state_list_versions(ctx, mods.v[i], &vs);
		for (size_t j = 0; j < vs.n; j++) {
			if (state_is_broken(ctx, mods.v[i], vs.v[j])) {
				log_error("%s/%s is broken! Missing the source directory or the symbolic "
					  "link pointing to it.\nManual intervention is required!",
					  mods.v[i], vs.v[j]);
				continue;
			}
			if (!state_is_added(ctx, mods.v[i], vs.v[j]))
				continue;
			if (!best || version_cmp(vs.v[j], best) > 0)
				best = vs.v[j];
		}
		if (best) {
			strv_push(names, mods.v[i]);
			strv_push(vers, best);
		}
	}
}

static bool in_list(const struct strv *l, const char *s)
{
	return strv_contains(l, s);
}

static void join(struct strbuf *sb, const struct strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		sb_addf(sb, "%s%s", i ? " " : "", l->v[i]);
}

static int install_for(struct ndkms_ctx *ctx, const char *m, const char *v, const char *k,
		       const char *a)
{
	free(ctx->module);
	free(ctx->version);
	ctx->module = xstrdup(m);
	ctx->version = xstrdup(v);
	int lock = lock_module(ctx, m);
	if (lock < 0)
		return lock;
	lifecycle_recover(ctx);
	int r = lifecycle_maybe_install(ctx, k, a);
	lock_release(lock);
	return r;
}

static int autoinstall(struct ndkms_ctx *ctx)
{
	_cleanup_free_ char *noauto = path_join(ctx->etc_dkms, "no-autoinstall");
	const char *k = ctx->targets[0].kver, *a = ctx->targets[0].arch;
	_cleanup_strv_ struct strv names = STRV_INIT, vers = STRV_INIT;
	_cleanup_strv_ struct strv installed = STRV_INIT, skipped = STRV_INIT, failed = STRV_INIT;
	struct ai_mod *todo = NULL;
	size_t ntodo = 0;
	bool headers_checked = false;
	int r = 0;

	if (path_exists(noauto)) {
		log_info("Automatic installation of modules has been disabled.");
		return 0;
	}
	latest_versions(ctx, &names, &vers);
	for (size_t i = 0; i < names.n; i++) {
		struct dkms_conf conf = {0};

		if (state_is_installed(ctx, names.v[i], vers.v[i], k, a)) {
			strv_push(&installed, names.v[i]);
			continue;
		}
		r = modconf_read(ctx, NULL, names.v[i], vers.v[i], k, a, false, &conf);
		if (r < 0)
			goto out;
		if (conf.autoinstall) {
			todo = xreallocarray(todo, ntodo + 1, sizeof(*todo));
			todo[ntodo] = (struct ai_mod){xstrdup(names.v[i]), xstrdup(vers.v[i]),
						      STRV_INIT, false};
			for (size_t d = 0; d < conf.build_depends.n; d++)
				strv_push(&todo[ntodo].deps, conf.build_depends.v[d]);
			ntodo++;
		}
		dkms_conf_release(&conf);
	}
	/* Already installed modules satisfy dependencies but are not reported as installed now. */
	_cleanup_strv_ struct strv satisfied = STRV_INIT;
	for (size_t i = 0; i < installed.n; i++)
		strv_push(&satisfied, installed.v[i]);
	strv_release(&installed);

	ctx->defer_depmod = true;
	for (bool progress = true; progress;) {
		progress = false;
		for (size_t i = 0; i < ntodo; i++) {
			struct ai_mod *t = &todo[i];
			bool ready = true;

			if (t->done)
				continue;
			for (size_t d = 0; d < t->deps.n; d++)
				if (!in_list(&satisfied, t->deps.v[d]))
					ready = false;
			if (!ready)
				continue;
			t->done = true;
			if (!headers_checked && !state_is_built(ctx, t->m, t->v, k, a)) {
				headers_checked = true;
				if ((r = kernel_check_headers(ctx, k)) < 0)
					goto out;
			}
			log_info("Autoinstall of module %s/%s for kernel %s (%s)", t->m, t->v, k, a);
			int q = install_for(ctx, t->m, t->v, k, a);
			int code = exit_status_of(q);
			if (code == 0) {
				strv_push(&installed, t->m);
				strv_push(&satisfied, t->m);
				progress = true;
			} else if (code == 77) {
				strv_push(&skipped, t->m);
				strv_push(&satisfied, t->m);
				progress = true;
			} else {
				strv_pushf(&failed, "%s(%d)", t->m, code);
			}
			log_info("%s", "");
		}
	}
	ctx->defer_depmod = false;
	int dr = lifecycle_flush_depmod(ctx);

	struct strbuf sb = STRBUF_INIT;
	if (installed.n) {
		join(&sb, &installed);
		log_info("Autoinstall on %s succeeded for module(s) %s.", k, sb_str(&sb));
	}
	if (skipped.n) {
		sb_reset(&sb);
		join(&sb, &skipped);
		log_info("Autoinstall on %s was skipped for module(s) %s.", k, sb_str(&sb));
	}
	if (failed.n) {
		sb_reset(&sb);
		join(&sb, &failed);
		log_info("Autoinstall on %s failed for module(s) %s.", k, sb_str(&sb));
	}
	bool unresolved = false;
	_cleanup_strv_ struct strv deferred = STRV_INIT;
	for (size_t i = 0; i < ntodo; i++) {
		struct strbuf miss = STRBUF_INIT, unknown = STRBUF_INIT;
		if (todo[i].done)
			continue;
		for (size_t d = 0; d < todo[i].deps.n; d++) {
			const char *dep = todo[i].deps.v[d];
			if (in_list(&satisfied, dep))
				continue;
			sb_addf(in_list(&names, dep) ? &miss : &unknown, " %s", dep);
		}
		if (miss.len) {
			log_info("%s/%s autoinstall failed due to missing dependencies:%s.", todo[i].m,
				 todo[i].v, sb_str(&miss));
			unresolved = true;
		} else {
			log_info("%s/%s autoinstall deferred: BUILD_DEPENDS not registered with DKMS:%s.",
				 todo[i].m, todo[i].v, sb_str(&unknown));
			strv_pushf(&deferred, "%s/%s", todo[i].m, todo[i].v);
		}
		sb_release(&miss);
		sb_release(&unknown);
	}
	if (deferred.n) {
		sb_reset(&sb);
		join(&sb, &deferred);
		log_info("Autoinstall on %s deferred module(s) %s due to BUILD_DEPENDS not yet "
			 "registered with DKMS.",
			 k, sb_str(&sb));
		log_info("These may be provided externally or by a package not yet configured; "
			 "autoinstall will retry on the next trigger.");
	}
	sb_release(&sb);
	if (failed.n || unresolved) {
		log_error("One or more modules failed to install during autoinstall.\nRefer to "
			  "previous errors for more information.");
		r = DKMS_EXIT(11);
	} else {
		r = dr;
	}
	/* dkms 3.4 means to run post_transaction here and never does; ndkms does. */
	if (r == 0 && installed.n)
		lifecycle_post_transaction(ctx);
out:
	for (size_t i = 0; i < ntodo; i++) {
		free(todo[i].m);
		free(todo[i].v);
		strv_release(&todo[i].deps);
	}
	free(todo);
	return r;
}

static int run_autoinstall(struct ndkms_ctx *ctx, int argc, char **argv)
{
	int r = ctx_resolve_targets(ctx, false, true);

	return r < 0 ? r : autoinstall(ctx);
}

static int need_one_kernel(struct ndkms_ctx *ctx)
{
	if (ctx->kvers.n != 1) {
		log_error("The action %s requires exactly one kernel version parameter on the command "
			  "line.",
			  ctx->action);
		return DKMS_EXIT(4);
	}
	return ctx_resolve_targets(ctx, false, true);
}

static int run_kernel_postinst(struct ndkms_ctx *ctx, int argc, char **argv)
{
	int r = need_one_kernel(ctx);

	return r < 0 ? r : autoinstall(ctx);
}

/* kernel_prerm (every built module) and kernel_preinst (AUTOINSTALL ones): unbuild for K/A. */
static int unbuild_all(struct ndkms_ctx *ctx, bool only_autoinstall)
{
	const char *k = ctx->targets[0].kver, *a = ctx->targets[0].arch;
	_cleanup_strv_ struct strv mods = STRV_INIT;
	struct strbuf failed = STRBUF_INIT;

	ctx->defer_depmod = true;
	state_list_modules(ctx, &mods);
	for (size_t i = 0; i < mods.n; i++) {
		_cleanup_strv_ struct strv vers = STRV_INIT;

		state_list_versions(ctx, mods.v[i], &vers);
		for (size_t j = 0; j < vers.n; j++) {
			const char *m = mods.v[i], *v = vers.v[j];
			if (!state_is_built(ctx, m, v, k, a))
				continue;
			if (only_autoinstall) {
				struct dkms_conf conf = {0};
				int q = modconf_read(ctx, NULL, m, v, k, a, false, &conf);
				bool ai = q == 0 && conf.autoinstall;
				dkms_conf_release(&conf);
				if (!ai)
					continue;
			}
			log_note("dkms: removing module %s/%s for kernel %s (%s)", m, v, k, a);
			free(ctx->module);
			free(ctx->version);
			ctx->module = xstrdup(m);
			ctx->version = xstrdup(v);
			int lock = lock_module(ctx, m);
			if (lock >= 0)
				lifecycle_recover(ctx);
			int q = lock < 0 ? lock : lifecycle_maybe_uninstall(ctx, k, a);
			if (q == 0)
				q = lifecycle_maybe_unbuild(ctx, k, a);
			lock_release(lock);
			if (q < 0)
				sb_addf(&failed, " %s/%s(%d)", m, v, exit_status_of(q));
			if (!only_autoinstall)
				log_info("%s", "");
		}
	}
	ctx->defer_depmod = false;
	int r = lifecycle_flush_depmod(ctx);
	_cleanup_free_ char *kdir = path_join(ctx->install_tree, k);
	rmdir_empty_below(kdir);
	rmdir(kdir);
	if (failed.len) {
		log_error("dkms %s for kernel %s (%s) failed for module(s)%s.", ctx->action, k, a,
			  sb_str(&failed));
		r = DKMS_EXIT(14);
	}
	sb_release(&failed);
	return r;
}

static int run_kernel_prerm(struct ndkms_ctx *ctx, int argc, char **argv)
{
	int r = need_one_kernel(ctx);

	return r < 0 ? r : unbuild_all(ctx, false);
}

static int run_kernel_preinst(struct ndkms_ctx *ctx, int argc, char **argv)
{
	int r = need_one_kernel(ctx);

	return r < 0 ? r : unbuild_all(ctx, true);
}

const struct cmd cmd_autoinstall = {"autoinstall", run_autoinstall,
				    "build and install every AUTOINSTALL module for a kernel",
				    CMD_DKMS_ARGS | CMD_NEEDS_ROOT};
const struct cmd cmd_kernel_postinst = {"kernel_postinst", run_kernel_postinst,
					"autoinstall for a newly installed kernel",
					CMD_DKMS_ARGS | CMD_NEEDS_ROOT};
const struct cmd cmd_kernel_preinst = {"kernel_preinst", run_kernel_preinst,
				       "unbuild AUTOINSTALL modules before a kernel upgrade",
				       CMD_DKMS_ARGS | CMD_NEEDS_ROOT};
const struct cmd cmd_kernel_prerm = {"kernel_prerm", run_kernel_prerm,
				     "unbuild every module of a kernel being removed",
				     CMD_DKMS_ARGS | CMD_NEEDS_ROOT};

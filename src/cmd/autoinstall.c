// SPDX-License-Identifier: GPL-2.0-or-later
/* autoinstall.c - autoinstall, kernel_postinst, kernel_preinst, kernel_prerm. */
#include <stdlib.h>
#include <string.h>

#include "cmd/autoinstall.h"
#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/exitcode.h"
#include "cmd/jobs.h"
#include "cmd/report.h"
#include "core/initrd.h"
#include "core/kernel.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/modconf.h"
#include "core/state.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/version.h"

static bool in_list(const struct strv *l, const char *s)
{
	return strv_contains(l, s);
}

static void join(struct strbuf *sb, const struct strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		sb_addf(sb, "%s%s", i ? " " : "", l->v[i]);
}

struct ai_report {
	struct strv installed, skipped, failed, satisfied;
	size_t newly_installed;
	struct ndkms_ctx *ctx;
	struct report *table;
};

static void ai_started(const struct batch_job *j, _unused_ void *data)
{
	log_info("Autoinstall of module %s/%s for kernel %s (%s)", j->m, j->v, j->k, j->a);
}

/*
 * A finished worker: its output as one block and a blank line, as dkms prints a module's
 * autoinstall.  When builds overlapped, a line with the outcome closes the block, so that the
 * interleaved start lines can be matched with their ends.
 */
static void ai_ended(const struct batch_job *j, void *data)
{
	struct ai_report *rep = data;
	const char *out = j->output ? j->output : "";
	const char *what = j->status == 0 ? "installed" : j->status == 77 ? "skipped" : "failed";
	size_t n = strlen(out);

	if (n)
		log_partial("%s%s", out, out[n - 1] == '\n' ? "" : "\n");
	if (j->overlapped && j->status != 0 && j->status != 77)
		log_info("%s/%s for kernel %s (%s): %s (%d)", j->m, j->v, j->k, j->a, what,
			 j->status);
	else if (j->overlapped)
		log_info("%s/%s for kernel %s (%s): %s", j->m, j->v, j->k, j->a, what);
	if (j->status == 0) {
		strv_push(&rep->installed, j->m);
		strv_push(&rep->satisfied, j->m);
		rep->newly_installed++;
	} else if (j->status == 77) {
		strv_push(&rep->skipped, j->m);
		strv_push(&rep->satisfied, j->m);
	} else {
		strv_pushf(&rep->failed, "%s(%d)", j->m, j->status);
	}
	report_add_job(rep->table, rep->ctx, j, j->data ? REPORT_ALREADY_BUILT : REPORT_INSTALLED);
	if (j->status == 0)
		initrd_note_module(rep->ctx, j->m, j->v, j->k, j->a);
	log_info("%s", "");
}

/* "Autoinstall on K <what> <list><tail>" when the list is not empty. */
static void print_list(const char *k, const char *what, const struct strv *l, const char *tail)
{
	struct strbuf sb = STRBUF_INIT;

	if (!l->n)
		return;
	join(&sb, l);
	log_info("Autoinstall on %s %s %s%s", k, what, sb_str(&sb), tail);
	sb_release(&sb);
}

/* Modules left waiting on dependencies: dkms's two messages.  Returns true if any is fatal. */
static bool report_stuck(const struct batch_job *jobs, size_t n, const struct strv *names,
			 const struct strv *satisfied, const char *k)
{
	_cleanup_strv_ struct strv deferred = STRV_INIT;
	bool unresolved = false;

	for (size_t i = 0; i < n; i++) {
		struct strbuf miss = STRBUF_INIT, unknown = STRBUF_INIT;
		if (jobs[i].state != BATCH_PENDING)
			continue;
		for (size_t d = 0; d < jobs[i].deps.n; d++) {
			const char *dep = jobs[i].deps.v[d];
			if (in_list(satisfied, dep))
				continue;
			sb_addf(in_list(names, dep) ? &miss : &unknown, " %s", dep);
		}
		if (miss.len) {
			log_info("%s/%s autoinstall failed due to missing dependencies:%s.", jobs[i].m,
				 jobs[i].v, sb_str(&miss));
			unresolved = true;
		} else {
			log_info("%s/%s autoinstall deferred: BUILD_DEPENDS not registered with DKMS:%s.",
				 jobs[i].m, jobs[i].v, sb_str(&unknown));
			strv_pushf(&deferred, "%s/%s", jobs[i].m, jobs[i].v);
		}
		sb_release(&miss);
		sb_release(&unknown);
	}
	if (deferred.n) {
		print_list(k, "deferred module(s)", &deferred,
			   " due to BUILD_DEPENDS not yet registered with DKMS.");
		log_info("These may be provided externally or by a package not yet configured; "
			 "autoinstall will retry on the next trigger.");
	}
	return unresolved;
}

int autoinstall_kernel(struct ndkms_ctx *ctx, struct report *table)
{
	_cleanup_free_ char *noauto = path_join(ctx->env->etc_dkms, "no-autoinstall");
	const char *k = ctx->targets[0].kver, *a = ctx->targets[0].arch;
	_cleanup_strv_ struct strv names = STRV_INIT, vers = STRV_INIT;
	struct ai_report rep = {STRV_INIT, STRV_INIT, STRV_INIT, STRV_INIT, 0, ctx, table};
	struct batch_job *jobs = NULL;
	size_t njobs = 0;
	bool need_build = false;
	int r = 0;

	if (path_exists(noauto)) {
		log_info("Automatic installation of modules has been disabled.");
		return 0;
	}
	/* an install killed after its link was made looks installed: roll it back first */
	lifecycle_recover_all(ctx);
	jobs_latest_versions(ctx, &names, &vers);
	/* Already installed modules satisfy dependencies and count as installed (dkms lists them). */
	for (size_t i = 0; i < names.n; i++)
		if (state_is_installed(ctx, names.v[i], vers.v[i], k, a)) {
			strv_push(&rep.satisfied, names.v[i]);
			strv_push(&rep.installed, names.v[i]);
		}
	for (size_t i = 0; i < names.n; i++) {
		struct dkms_conf conf = {0};

		if (in_list(&rep.satisfied, names.v[i]))
			continue;
		r = modconf_read(ctx, NULL, &(struct target){names.v[i], vers.v[i], k, a}, false, &conf);
		if (r < 0)
			goto out;
		if (conf.autoinstall) {
			jobs = xreallocarray(jobs, njobs + 1, sizeof(*jobs));
			jobs[njobs] = (struct batch_job){.m = names.v[i], .v = vers.v[i], .k = k, .a = a};
			for (size_t d = 0; d < conf.build_depends.n; d++)
				if (!in_list(&rep.satisfied, conf.build_depends.v[d]))
					strv_push(&jobs[njobs].deps, conf.build_depends.v[d]);
			bool built = state_is_built(ctx, names.v[i], vers.v[i], k, a);
			jobs[njobs].data = built ? (void *)1 : NULL;
			need_build |= !built;
			njobs++;
		}
		dkms_conf_release(&conf);
	}
	if (!njobs)
		goto out; /* nothing to do: dkms prints no summary either */
	for (size_t i = 0; i < names.n; i++)
		if (state_is_installed(ctx, names.v[i], vers.v[i], k, a))
			report_add(table, ctx, names.v[i], vers.v[i], k, a, REPORT_ALREADY_INSTALLED, 0,
				   0);
	/* dkms checks the headers once, before the first module that needs a build */
	if (need_build && (r = kernel_check_headers(ctx, k)) < 0)
		goto out;

	ctx->ses.defer_depmod = true;
	struct batch_opts bo = {.work = jobs_install, .started = ai_started, .ended = ai_ended,
				.data = &rep};
	jobs_prepare_keys(ctx, jobs, njobs);
	r = batch_run(ctx, jobs, njobs, &bo);
	ctx->ses.defer_depmod = false;
	int dr = lifecycle_flush_depmod(ctx);
	if (r < 0)
		goto out;

	print_list(k, "succeeded for module(s)", &rep.installed, ".");
	print_list(k, "was skipped for module(s)", &rep.skipped, ".");
	print_list(k, "failed for module(s)", &rep.failed, ".");
	bool unresolved = report_stuck(jobs, njobs, &names, &rep.satisfied, k);
	for (size_t i = 0; i < njobs; i++)
		if (jobs[i].state == BATCH_PENDING)
			report_add_job(table, ctx, &jobs[i], REPORT_INSTALLED);
	report_print(ctx, table);
	if (rep.failed.n || unresolved) {
		log_error("One or more modules failed to install during autoinstall.\nRefer to "
			  "previous errors for more information.");
		r = DKMS_EXIT(11);
	} else {
		r = dr;
	}
	/* dkms 3.4 means to run post_transaction here and never does; ndkms does. */
	if (r == 0 && rep.newly_installed)
		lifecycle_post_transaction(ctx);
out:
	batch_release(jobs, njobs);
	free(jobs);
	strv_release(&rep.installed);
	strv_release(&rep.skipped);
	strv_release(&rep.failed);
	strv_release(&rep.satisfied);
	return r;
}

static int autoinstall(struct ndkms_ctx *ctx)
{
	struct report table = {0};
	int r = autoinstall_kernel(ctx, &table);

	report_release(&table);
	return r;
}

static int cmd_autoinstall_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	int r = cmd_resolve_targets(ctx, false, true);

	return r < 0 ? r : autoinstall(ctx);
}

int need_one_kernel(struct ndkms_ctx *ctx)
{
	if (ctx->opt->kvers.n != 1) {
		log_error("The action %s requires exactly one kernel version parameter on the command "
			  "line.",
			  ctx->opt->action);
		return DKMS_EXIT(4);
	}
	return cmd_resolve_targets(ctx, false, true);
}

static int cmd_kernel_postinst_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	int r = need_one_kernel(ctx);

	if (r == 0)
		initrd_exempt(ctx, ctx->targets[0].kver); /* the kernel's own hooks make it */
	return r < 0 ? r : autoinstall(ctx);
}

/* kernel_prerm (every built module) and kernel_preinst (AUTOINSTALL ones): unbuild for K/A. */
int unbuild_kernel(struct ndkms_ctx *ctx, bool only_autoinstall)
{
	const char *k = ctx->targets[0].kver, *a = ctx->targets[0].arch;
	_cleanup_strv_ struct strv mods = STRV_INIT;
	struct strbuf failed = STRBUF_INIT;

	ctx->ses.defer_depmod = true;
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
				int q = modconf_read(ctx, NULL, &(struct target){m, v, k, a}, false, &conf);
				bool ai = q == 0 && conf.autoinstall;
				dkms_conf_release(&conf);
				if (!ai)
					continue;
			}
			log_note("dkms: removing module %s/%s for kernel %s (%s)", m, v, k, a);
			const struct target t = {m, v, k, a};
			int lock = lock_module(ctx, m);
			if (lock >= 0)
				lifecycle_recover(ctx, m, v);
			int q = lock < 0 ? lock : lifecycle_maybe_uninstall(ctx, &t);
			if (q == 0)
				q = lifecycle_maybe_unbuild(ctx, &t);
			lock_release(lock);
			if (q < 0)
				sb_addf(&failed, " %s/%s(%d)", m, v, exit_status_of(q));
			if (!only_autoinstall)
				log_info("%s", "");
		}
	}
	ctx->ses.defer_depmod = false;
	int r = lifecycle_flush_depmod(ctx);
	_cleanup_free_ char *kdir = path_join(ctx->env->install_tree, k);
	rmdir_empty_below(kdir);
	rmdir(kdir);
	if (failed.len) {
		log_error("dkms %s for kernel %s (%s) failed for module(s)%s.", ctx->opt->action, k, a,
			  sb_str(&failed));
		r = DKMS_EXIT(14);
	}
	sb_release(&failed);
	return r;
}

static int cmd_kernel_prerm_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	int r = need_one_kernel(ctx);

	if (r == 0)
		initrd_exempt(ctx, ctx->targets[0].kver);
	return r < 0 ? r : unbuild_kernel(ctx, false);
}

static int cmd_kernel_preinst_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	int r = need_one_kernel(ctx);

	if (r == 0)
		initrd_exempt(ctx, ctx->targets[0].kver);
	return r < 0 ? r : unbuild_kernel(ctx, true);
}

const struct cmd cmd_autoinstall = {"autoinstall", cmd_autoinstall_run,
				    "build and install every AUTOINSTALL module for a kernel",
				    CMD_DKMS_ARGS | CMD_NEEDS_ROOT};
const struct cmd cmd_kernel_postinst = {"kernel_postinst", cmd_kernel_postinst_run,
					"autoinstall for a newly installed kernel",
					CMD_DKMS_ARGS | CMD_NEEDS_ROOT};
const struct cmd cmd_kernel_preinst = {"kernel_preinst", cmd_kernel_preinst_run,
				       "unbuild AUTOINSTALL modules before a kernel upgrade",
				       CMD_DKMS_ARGS | CMD_NEEDS_ROOT};
const struct cmd cmd_kernel_prerm = {"kernel_prerm", cmd_kernel_prerm_run,
				     "unbuild every module of a kernel being removed",
				     CMD_DKMS_ARGS | CMD_NEEDS_ROOT};

// SPDX-License-Identifier: GPL-2.0-or-later
/* hook.c - "ndkms hook alpm|rpm VERB": build, install and remove what a transaction changed. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/exitcode.h"
#include "cmd/hook.h"
#include "cmd/jobs.h"
#include "cmd/report.h"
#include "core/kernel.h"
#include "core/initrd.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/modconf.h"
#include "core/state.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/version.h"

#define FAIL_TAIL_LINES 20

struct hook {
	struct ndkms_ctx *ctx;
	bool upgrade;            /* ALPM PreTransaction upgrade: kernel_preinst rules, no depmod */
	struct hook_input in;
	struct strv mod_m, mod_v; /* the module versions the targets name */
	struct strv kernels;      /* the kernels the targets name (checked) */
	struct strv pool;         /* strings the jobs point at */
	struct batch_job *jobs;
	size_t njobs;
	int failed, changed;
	bool removing;
	struct report table;
};

static const char *keep(struct hook *h, const char *s)
{
	strv_push(&h->pool, s);
	return h->pool.v[h->pool.n - 1];
}

static bool has_headers(const struct ndkms_ctx *ctx, const char *k)
{
	_cleanup_free_ char *p = xasprintf("%s/%s/build/include", ctx->env->install_tree, k);

	return is_dir(p);
}

/* Kernels with headers: the running one first, then newest first. */
static void kernels_with_headers(const struct ndkms_ctx *ctx, struct strv *out)
{
	_cleanup_strv_ struct strv all = STRV_INIT, ks = STRV_INIT;

	kernel_list_installed(ctx, true, &all);
	for (size_t i = 0; i < all.n; i++)
		if (has_headers(ctx, all.v[i]))
			strv_push(&ks, all.v[i]);
	strv_sort_version(&ks);
	if (strv_contains(&ks, ctx->env->running_kernel))
		strv_push(out, ctx->env->running_kernel);
	for (size_t i = ks.n; i-- > 0;)
		if (!streq(ks.v[i], ctx->env->running_kernel))
			strv_push(out, ks.v[i]);
}

static bool installed_on(const struct ndkms_ctx *ctx, const char *m, const char *k, const char *a)
{
	_cleanup_free_ char *v = state_active_version(ctx, m, k, a);

	return v && state_is_installed(ctx, m, v, k, a);
}

static void add_job(struct hook *h, const char *m, const char *v, const char *k, const char *a)
{
	for (size_t i = 0; i < h->njobs; i++)
		if (streq(h->jobs[i].m, m) && streq(h->jobs[i].v, v) && streq(h->jobs[i].k, k) &&
		    streq(h->jobs[i].a, a))
			return;
	h->jobs = xreallocarray(h->jobs, h->njobs + 1, sizeof(*h->jobs));
	h->jobs[h->njobs++] = (struct batch_job){
		.m = keep(h, m), .v = keep(h, v), .k = keep(h, k), .a = keep(h, a)};
}

static bool job_for_module(const struct hook *h, const char *m, const char *k)
{
	for (size_t i = 0; i < h->njobs; i++)
		if (streq(h->jobs[i].m, m) && streq(h->jobs[i].k, k))
			return true;
	return false;
}

/* Register M/V when it is not yet: the one thing a hook does without a kernel. */
static int ensure_added(struct hook *h, const char *m, const char *v)
{
	struct ndkms_ctx *ctx = h->ctx;

	if (state_is_added(ctx, m, v))
		return 0;
	int lock = lock_module(ctx, m);
	if (lock < 0)
		return lock;
	struct target t = cmd_add_target(ctx, m, v);
	int r = state_is_added(ctx, m, v) ? 0 : lifecycle_add(ctx, &t);
	lock_release(lock);
	if (r < 0)
		log_info("%s/%s: could not be added (exit %d)", m, v, exit_status_of(r));
	return r;
}

/* usr/src/DIR/dkms.conf arriving: its PACKAGE_NAME-PACKAGE_VERSION must be DIR. */
static void resolve_new_modules(struct hook *h)
{
	struct ndkms_ctx *ctx = h->ctx;

	for (size_t i = 0; i < h->in.srcdirs.n; i++) {
		const char *dir = h->in.srcdirs.v[i];
		_cleanup_free_ char *path = xasprintf("%s/%s/dkms.conf", ctx->env->source_tree, dir);
		struct dkms_conf conf = {0};

		if (!is_reg(path)) {
			log_info("skipping usr/src/%s/dkms.conf: %s does not exist", dir,
				 ctx_display(ctx, path));
			continue;
		}
		int r = modconf_read(ctx, path, &(struct target){"", "", ctx->env->running_kernel, ctx->env->running_arch}, false,
				     &conf);
		_cleanup_free_ char *nv = r == 0 ? xasprintf("%s-%s", conf.package_name ?: "",
							     conf.package_version ?: "")
						 : NULL;
		if (r < 0) {
			log_info("skipping usr/src/%s/dkms.conf: it cannot be read", dir);
		} else if (!streq(nv, dir)) {
			log_info("skipping usr/src/%s/dkms.conf: PACKAGE_NAME and PACKAGE_VERSION "
				 "(%s/%s) do not match the folder name %s",
				 dir, conf.package_name ?: "", conf.package_version ?: "", dir);
		} else if (ensure_added(h, conf.package_name, conf.package_version) < 0) {
			h->failed++;
		} else {
			strv_push(&h->mod_m, conf.package_name);
			strv_push(&h->mod_v, conf.package_version);
		}
		dkms_conf_release(&conf);
	}
}

/* usr/src/DIR/dkms.conf leaving: the registered M/V whose "M-V" is DIR. */
static void resolve_old_modules(struct hook *h)
{
	_cleanup_strv_ struct strv mods = STRV_INIT;

	state_list_modules(h->ctx, &mods);
	for (size_t i = 0; i < h->in.srcdirs.n; i++) {
		const char *dir = h->in.srcdirs.v[i];
		bool found = false;

		for (size_t j = 0; j < mods.n && !found; j++) {
			size_t n = strlen(mods.v[j]);
			if (!strneq(dir, mods.v[j], n) || dir[n] != '-' || !dir[n + 1])
				continue;
			_cleanup_free_ char *mv = state_mv_dir(h->ctx, mods.v[j], dir + n + 1);
			if (!is_dir(mv))
				continue;
			strv_push(&h->mod_m, mods.v[j]);
			strv_push(&h->mod_v, dir + n + 1);
			found = true;
		}
		if (!found)
			log_info("usr/src/%s: no registered module version, nothing to remove", dir);
	}
}

static void job_ended(const struct batch_job *j, void *data)
{
	struct hook *h = data;
	const char *what = h->removing ? "removed"
			   : j->data   ? "installed (already built, not built again)"
				       : "installed";

	report_add_job(&h->table, h->ctx, j,
		       h->removing ? REPORT_REMOVED
		       : j->data   ? REPORT_ALREADY_BUILT
				   : REPORT_INSTALLED);
	if (j->status == 0) {
		log_info("%s/%s, %s, %s: %s", j->m, j->v, j->k, j->a, what);
		initrd_note_module(h->ctx, j->m, j->v, j->k, j->a);
		h->changed++;
	} else if (j->status == 77) {
		log_info("%s/%s, %s, %s: skipped (BUILD_EXCLUSIVE does not match this kernel)", j->m,
			 j->v, j->k, j->a);
	} else {
		log_info("%s/%s, %s, %s: failed (exit %d)", j->m, j->v, j->k, j->a, j->status);
		if (j->output)
			log_info_tail(j->output, strlen(j->output), FAIL_TAIL_LINES);
		h->failed++;
	}
}

static int run_jobs(struct hook *h, bool remove)
{
	struct batch_opts o = {.work = remove ? jobs_remove : jobs_install,
			       .ended = job_ended,
			       .data = h};

	h->removing = remove;
	for (size_t i = 0; i < h->njobs; i++)
		h->jobs[i].data = !remove && state_is_built(h->ctx, h->jobs[i].m, h->jobs[i].v,
							      h->jobs[i].k, h->jobs[i].a)
					  ? (void *)1
					  : NULL;
	if (!remove)
		jobs_prepare_keys(h->ctx, h->jobs, h->njobs);
	return batch_run(h->ctx, h->jobs, h->njobs, &o);
}

/* One candidate for kernel k: already there, queued with its open BUILD_DEPENDS, or left. */
static void plan_install(struct hook *h, const char *m, const char *v, const char *k,
			 bool only_autoinstall)
{
	struct ndkms_ctx *ctx = h->ctx;
	const char *a = ctx->env->running_arch;
	struct dkms_conf conf = {0};

	if (job_for_module(h, m, k))
		return;
	if (state_is_installed(ctx, m, v, k, a)) {
		if (!only_autoinstall)
			log_info("%s/%s, %s, %s: already installed", m, v, k, a);
		return;
	}
	if (modconf_read(ctx, NULL, &(struct target){m, v, k, a}, false, &conf) < 0) {
		log_info("%s/%s, %s, %s: failed (its dkms.conf cannot be read)", m, v, k, a);
		h->failed++;
		return;
	}
	if (!only_autoinstall || conf.autoinstall) {
		add_job(h, m, v, k, a);
		struct batch_job *j = &h->jobs[h->njobs - 1];
		for (size_t d = 0; d < conf.build_depends.n; d++)
			if (!installed_on(ctx, conf.build_depends.v[d], k, a))
				strv_push(&j->deps, conf.build_depends.v[d]);
	}
	dkms_conf_release(&conf);
}

static int hook_install(struct hook *h)
{
	struct ndkms_ctx *ctx = h->ctx;
	_cleanup_strv_ struct strv hk = STRV_INIT, names = STRV_INIT, vers = STRV_INIT;

	resolve_new_modules(h);
	for (size_t i = 0; i < h->in.kernels.n; i++) {
		const char *k = h->in.kernels.v[i];
		if (has_headers(ctx, k)) {
			strv_push(&h->kernels, k);
		} else {
			_cleanup_free_ char *b = xasprintf("%s/%s/build", ctx->env->install_tree, k);
			log_info("skipping kernel %s: no headers in %s", k, ctx_display(ctx, b));
		}
	}
	_cleanup_free_ char *noauto = path_join(ctx->env->etc_dkms, "no-autoinstall");
	if (h->kernels.n && path_exists(noauto)) {
		log_info("Automatic installation of modules has been disabled.");
		strv_release(&h->kernels);
	}
	kernels_with_headers(ctx, &hk);
	if (h->kernels.n)
		jobs_latest_versions(ctx, &names, &vers);
	for (size_t i = 0; i < hk.n; i++) {
		const char *k = hk.v[i];
		for (size_t j = 0; j < h->mod_m.n; j++)
			plan_install(h, h->mod_m.v[j], h->mod_v.v[j], k, false);
		if (strv_contains(&h->kernels, k))
			for (size_t j = 0; j < names.n; j++)
				plan_install(h, names.v[j], vers.v[j], k, true);
	}
	if (h->mod_m.n && !hk.n)
		log_info("No kernel headers were found: the module(s) stay added and are built when "
			 "a kernel with headers arrives.");

	ctx->ses.defer_depmod = true;
	int r = run_jobs(h, false);
	ctx->ses.defer_depmod = false;
	for (size_t i = 0; i < h->njobs; i++) {
		const struct batch_job *j = &h->jobs[i];
		struct strbuf sb = STRBUF_INIT;
		if (j->state != BATCH_PENDING)
			continue;
		for (size_t d = 0; d < j->deps.n; d++)
			sb_addf(&sb, " %s", j->deps.v[d]);
		log_info("%s/%s, %s, %s: not installed, missing BUILD_DEPENDS:%s", j->m, j->v, j->k,
			 j->a, sb_str(&sb));
		sb_release(&sb);
		report_add_job(&h->table, ctx, j, REPORT_INSTALLED);
		h->failed++;
	}
	report_print(ctx, &h->table);
	int dr = lifecycle_flush_depmod(ctx);
	if (h->changed)
		lifecycle_post_transaction(ctx);
	return r < 0 ? r : dr;
}

/* Every built M/V on kernel k (AUTOINSTALL ones only for an upgrade of the kernel). */
static void plan_kernel_removal(struct hook *h, const char *k)
{
	struct ndkms_ctx *ctx = h->ctx;
	_cleanup_strv_ struct strv mods = STRV_INIT;

	state_list_modules(ctx, &mods);
	for (size_t i = 0; i < mods.n; i++) {
		_cleanup_strv_ struct strv vers = STRV_INIT;
		state_list_versions(ctx, mods.v[i], &vers);
		for (size_t j = 0; j < vers.n; j++) {
			_cleanup_strv_ struct strv kas = STRV_INIT;
			state_list_kernels(ctx, mods.v[i], vers.v[j], &kas);
			for (size_t x = 0; x < kas.n; x++) {
				_cleanup_free_ char *kk = xstrdup(kas.v[x]);
				char *a = strchr(kk, '/');
				*a++ = '\0';
				if (!streq(kk, k) || !state_is_built(ctx, mods.v[i], vers.v[j], kk, a))
					continue;
				if (h->upgrade) {
					struct dkms_conf conf = {0};
					int q = modconf_read(ctx, NULL, &(struct target){mods.v[i], vers.v[j], kk, a},
							     false, &conf);
					bool ai = q == 0 && conf.autoinstall;
					dkms_conf_release(&conf);
					if (!ai)
						continue;
				}
				add_job(h, mods.v[i], vers.v[j], kk, a);
			}
		}
	}
}

static void prune(struct hook *h, const char *m, const char *v)
{
	struct ndkms_ctx *ctx = h->ctx;

	int lock = lock_module(ctx, m);
	if (lock < 0)
		return;
	lifecycle_prune(ctx, m, v);
	lock_release(lock);
}

static int hook_remove(struct hook *h)
{
	struct ndkms_ctx *ctx = h->ctx;

	resolve_old_modules(h);
	for (size_t i = 0; i < h->mod_m.n; i++) {
		_cleanup_strv_ struct strv kas = STRV_INIT;
		state_list_kernels(ctx, h->mod_m.v[i], h->mod_v.v[i], &kas);
		for (size_t x = 0; x < kas.n; x++) {
			_cleanup_free_ char *k = xstrdup(kas.v[x]);
			char *a = strchr(k, '/');
			*a++ = '\0';
			if (state_is_built(ctx, h->mod_m.v[i], h->mod_v.v[i], k, a))
				add_job(h, h->mod_m.v[i], h->mod_v.v[i], k, a);
		}
	}
	for (size_t i = 0; i < h->in.kernels.n; i++)
		plan_kernel_removal(h, h->in.kernels.v[i]);

	ctx->ses.defer_depmod = true;
	int r = run_jobs(h, true);
	ctx->ses.defer_depmod = false;
	for (size_t i = 0; i < h->mod_m.n; i++)
		prune(h, h->mod_m.v[i], h->mod_v.v[i]);
	report_print(ctx, &h->table);
	int dr = 0;
	if (h->upgrade)
		strv_release(&ctx->ses.depmod_pending); /* the PostTransaction install hook runs it */
	else
		dr = lifecycle_flush_depmod(ctx);
	if (h->changed || h->mod_m.n)
		lifecycle_post_transaction(ctx);
	return r < 0 ? r : dr;
}

static int usage_error(void)
{
	log_error("Usage: ndkms hook alpm install|upgrade|remove|preflight, or ndkms hook rpm "
		  "install|remove,\nwith the transaction's paths on standard input; or ndkms hook "
		  "kernel add|remove KVER.");
	return DKMS_EXIT(2);
}

static int cmd_hook_run(struct ndkms_ctx *ctx, int argc, char **argv)
{
	struct hook h = {.ctx = ctx};
	int r;

	if (argc >= 2 && streq(argv[1], "kernel"))
		return hook_kernel(ctx, argc, argv);
	if (argc == 3 && streq(argv[1], "alpm") && streq(argv[2], "preflight"))
		return hook_preflight(ctx);
	if (argc != 3 || !(streq(argv[1], "alpm") || streq(argv[1], "rpm")))
		return usage_error();
	bool rpm = streq(argv[1], "rpm");
	const char *verb = argv[2];
	bool install = streq(verb, "install");
	h.upgrade = !rpm && streq(verb, "upgrade");
	if (!install && !h.upgrade && !streq(verb, "remove"))
		return usage_error();

	hook_read_input(stdin, rpm, &h.in);
	/* pacman's kernel packages regenerate their own initramfs after this hook */
	for (size_t i = 0; !rpm && i < h.in.kernels.n; i++)
		initrd_exempt(ctx, h.in.kernels.v[i]);
	r = install ? hook_install(&h) : hook_remove(&h);
	if (r == 0 && h.failed) {
		log_info("ndkms hook: %d module/kernel pair(s) failed; see above.", h.failed);
		r = DKMS_EXIT(1);
	}
	batch_release(h.jobs, h.njobs);
	free(h.jobs);
	report_release(&h.table);
	hook_input_release(&h.in);
	strv_release(&h.mod_m);
	strv_release(&h.mod_v);
	strv_release(&h.kernels);
	strv_release(&h.pool);
	return r;
}

const struct cmd cmd_hook = {"hook", cmd_hook_run,
			     "package-manager and kernel hooks: act on a transaction or a kernel",
			     CMD_OWN_ARGS | CMD_NEEDS_ROOT};

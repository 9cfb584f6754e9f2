// SPDX-License-Identifier: GPL-2.0-or-later
/* status.c - "dkms status" lines (dkms 3.4 format) and --json. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/status_owner.h"
#include "core/buildresult.h"
#include "core/kernel.h"
#include "core/modconf.h"
#include "core/required.h"
#include "core/state.h"
#include "core/weakhook.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"

struct status_line {
	const char *m, *v, *k, *a;
	const char *state; /* added, built, installed, broken */
	bool originals, missing, differs;
	bool boot; /* REMAKE_INITRD="yes": needed at boot */
};

/* The suffix flags of a built/installed line, from the files themselves (dkms's rules). */
static void line_flags(struct ndkms_ctx *ctx, struct status_line *l)
{
	_cleanup_free_ char *orig = state_original_dir(ctx, l->m, l->k, l->a);
	_cleanup_free_ char *base = state_mvka_dir(ctx, l->m, l->v, l->k, l->a);
	_cleanup_free_ char *moddir = path_join(base, "module");
	_cleanup_free_ char *kdir = path_join(ctx->env->install_tree, l->k);
	struct dkms_conf conf = {0};

	l->originals = is_dir(orig);
	log_setup(true, false); /* status stays quiet about dkms.conf problems, as dkms's does */
	int r = modconf_read(ctx, NULL, &(struct target){l->m, l->v, l->k, l->a}, false, &conf);
	log_setup(ctx->opt->quiet, ctx->opt->verbose);
	if (r < 0)
		return;
	l->boot = conf.remake_initrd;
	for (size_t i = 0; i < conf.nmods; i++) {
		const struct dkms_module_rec *rec = &conf.mods[i];
		if (!kernel_exclusive_ok(ctx, &conf, (long)i, l->k, l->a))
			continue;
		_cleanup_free_ char *tree = find_ko(moddir, rec->dest_name);
		if (!tree) {
			l->missing = true;
			break;
		}
		if (!streq(l->state, "installed"))
			continue;
		_cleanup_free_ char *d1 = path_join(kdir, rec->install_location);
		_cleanup_free_ char *d2 = path_join(kdir, rec->dest_location);
		_cleanup_free_ char *inst = find_ko(d1, rec->dest_name);
		if (!inst)
			inst = find_ko(d2, rec->dest_name);
		if (!inst || files_equal(tree, inst) != 1) {
			l->differs = true;
			break;
		}
	}
	dkms_conf_release(&conf);
}


/* "builds": the last build result per kernel and arch (only this line's kernel for kernel lines). */
static void emit_builds(struct ndkms_ctx *ctx, const struct status_line *l)
{
	struct build_result *res;
	size_t n;

	build_result_list(ctx, l->m, l->v, l->k, l->a, &res, &n);
	printf(", \"builds\": [");
	for (size_t i = 0; i < n; i++) {
		time_t t = (time_t)res[i].time;
		struct tm tm;
		char when[32] = "";

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%s{\"kernel\": ", i ? ", " : "");
		json_write_str(stdout, res[i].kernel);
		printf(", \"arch\": ");
		json_write_str(stdout, res[i].arch);
		printf(", \"result\": ");
		json_write_str(stdout, res[i].result);
		printf(", \"exit\": %d, \"time\": \"%s\", \"seconds\": %.1f, \"log\": ",
		       res[i].exit, when, (double)res[i].ms / 1000.0);
		json_write_str(stdout, res[i].log);
		printf("}");
	}
	printf("]");
	build_result_free(res, n);
	free(res);
}

static void emit(struct ndkms_ctx *ctx, const struct status_line *l, int *count)
{
	bool req = required_module(ctx, l->m);

	if (ctx->opt->json) {
		printf("%s\n  {\"module\": ", *count ? "," : "[");
		json_write_str(stdout, l->m);
		printf(", \"version\": ");
		json_write_str(stdout, l->v);
		if (l->k) {
			printf(", \"kernel\": ");
			json_write_str(stdout, l->k);
			printf(", \"arch\": ");
			json_write_str(stdout, l->a);
		}
		printf(", \"state\": \"%s\"", l->state);
		if (l->k)
			printf(", \"original_modules\": %s, \"built_modules_missing\": %s, "
			       "\"installed_differs\": %s",
			       l->originals ? "true" : "false", l->missing ? "true" : "false",
			       l->differs ? "true" : "false");
		printf(", \"required\": %s", req ? "true" : "false");
		if (l->k)
			printf(", \"needed_at_boot\": %s", l->boot ? "true" : "false");
		emit_builds(ctx, l);
		status_owner_json(ctx, l->m, l->v, l->k);
		printf("}");
	} else if (!l->k) {
		_cleanup_free_ char *m = log_escape(l->m), *v = log_escape(l->v);
		printf("%s/%s: %s%s\n", m, v, l->state, req ? " (required)" : "");
		if (streq(l->state, "broken"))
			log_error("%s/%s: Missing the module source directory or the symbolic link "
				  "pointing to it.\nManual intervention is required!",
				  l->m, l->v);
		else
			status_owner_text(ctx, l->m, l->v, NULL);
	} else {
		/* names from the trees: never a raw control character on the terminal */
		_cleanup_free_ char *m = log_escape(l->m), *v = log_escape(l->v);
		_cleanup_free_ char *k = log_escape(l->k), *a = log_escape(l->a);
		printf("%s/%s, %s, %s: %s%s%s%s\n", m, v, k, a, l->state,
		       l->originals ? " (Original modules exist)" : "",
		       l->missing   ? " (Built modules are missing in the kernel modules folder)"
		       : l->differs ? " (Differences between built and installed modules)"
				    : "",
		       req ? " (required)" : "");
		status_owner_text(ctx, l->m, l->v, l->k);
	}
	(*count)++;
}

static bool kernel_wanted(struct ndkms_ctx *ctx, const char *k, const char *a)
{
	if (!ctx->opt->kvers.n && !ctx->opt->arches.n)
		return true;
	if (!ctx->opt->kvers.n) {
		for (size_t i = 0; i < ctx->opt->arches.n; i++)
			if (streq(ctx->opt->arches.v[i], a))
				return true;
		return false;
	}
	for (size_t i = 0; i < ctx->opt->kvers.n; i++) {
		_cleanup_free_ char *kv = xstrdup(ctx->opt->kvers.v[i]);
		char *slash = strchr(kv, '/');
		const char *want_a = slash ? slash + 1
				     : ctx->opt->arches.n > i ? ctx->opt->arches.v[i]
				     : ctx->opt->arches.n     ? ctx->opt->arches.v[0]
							 : NULL;
		if (slash)
			*slash = '\0';
		if (streq(kv, k) && (!want_a || streq(want_a, a)))
			return true;
	}
	return false;
}

/* dkms's weak lines: kernels whose weak-updates/ link to every module M/V installed on k. */
static void emit_weak(struct ndkms_ctx *ctx, const char *m, const char *v, const char *k_built,
		      const char *a)
{
	_cleanup_strv_ struct strv all = STRV_INIT, kernels = STRV_INIT;
	struct dkms_conf conf = {0};

	if (ctx->opt->json)
		return;
	kernel_list_installed(ctx, false, &all);
	for (size_t i = 0; i < all.n; i++) {
		_cleanup_free_ char *w = xasprintf("%s/%s/weak-updates", ctx->env->install_tree, all.v[i]);
		if (!streq(all.v[i], k_built) && is_dir(w))
			strv_push(&kernels, all.v[i]);
	}
	if (!kernels.n)
		return;
	strv_sort(&kernels);
	_cleanup_free_ char *em = log_escape(m), *ev = log_escape(v), *ea = log_escape(a);
	_cleanup_free_ char *ek = log_escape(k_built);
	log_setup(true, false);
	int r = modconf_read(ctx, NULL, &(struct target){m, v, k_built, a}, false, &conf);
	log_setup(ctx->opt->quiet, ctx->opt->verbose);
	for (size_t i = 0; r >= 0 && i < kernels.n; i++)
		if (!state_is_built(ctx, m, v, kernels.v[i], a) && kernel_wanted(ctx, kernels.v[i], a) &&
		    weakhook_installed_weak(ctx, &conf, kernels.v[i], a, k_built))
			printf("%s/%s, %s, %s: installed-weak from %s\n", em, ev, kernels.v[i], ea,
			       ek);
	dkms_conf_release(&conf);
}

static int cmd_status_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	_cleanup_strv_ struct strv mods = STRV_INIT;
	int count = 0;

	state_list_modules(ctx, &mods);
	status_owner_begin(ctx);
	for (size_t i = 0; i < mods.n; i++) {
		const char *m = mods.v[i];
		_cleanup_strv_ struct strv vers = STRV_INIT;

		if (ctx->opt->module && !streq(ctx->opt->module, m))
			continue;
		state_list_versions(ctx, m, &vers);
		for (size_t j = 0; j < vers.n; j++) {
			const char *v = vers.v[j];
			struct status_line l = {.m = m, .v = v};
			_cleanup_strv_ struct strv kas = STRV_INIT;
			bool any = false;

			if (ctx->opt->version && !streq(ctx->opt->version, v))
				continue;
			if (state_is_broken(ctx, m, v)) {
				l.state = "broken";
				emit(ctx, &l, &count);
				continue;
			}
			if (!state_is_added(ctx, m, v))
				continue;
			state_list_kernels(ctx, m, v, &kas);
			for (size_t x = 0; x < kas.n; x++) {
				_cleanup_free_ char *k = xstrdup(kas.v[x]);
				char *a = strchr(k, '/');
				*a++ = '\0';
				if (!state_is_built(ctx, m, v, k, a) || !kernel_wanted(ctx, k, a))
					continue;
				struct status_line kl = {.m = m, .v = v, .k = k, .a = a};
				kl.state = state_is_installed(ctx, m, v, k, a) ? "installed" : "built";
				line_flags(ctx, &kl);
				emit(ctx, &kl, &count);
				any = true;
			}
			for (size_t x = 0; x < kas.n; x++) {
				_cleanup_free_ char *k = xstrdup(kas.v[x]);
				char *a = strchr(k, '/');
				*a++ = '\0';
				if (state_is_installed(ctx, m, v, k, a))
					emit_weak(ctx, m, v, k, a);
			}
			if (!any) {
				l.state = "added";
				emit(ctx, &l, &count);
			}
		}
	}
	status_owner_end();
	if (ctx->opt->json)
		printf(count ? "\n]\n" : "[]\n");
	return 0;
}

const struct cmd cmd_status = {"status", cmd_status_run, "show what is added, built and installed",
			       CMD_DKMS_ARGS};

// SPDX-License-Identifier: GPL-2.0-or-later
/* script.c - run dkms.conf scripts from the build or source folder. */
#include <string.h>
#include <unistd.h>

#include "core/runlog.h"
#include "core/script.h"
#include "core/state.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/spawn.h"
#include "util/strbuf.h"

int script_run(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *type,
	       const char *script, const char *log, const char *path_prepend, int *status)
{
	*status = 0;
	if (!script || !*script)
		return 0;

	bool build = streq(type, "pre_build") || streq(type, "post_build");
	_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
	_cleanup_free_ char *run_dir = path_join(mv, build ? "build" : "source");
	_cleanup_free_ char *first = xstrndup(script, strcspn(script, " \t"));
	const char *args = script + strlen(first);

	if (!path_is_contained(first)) {
		log_error("The %s script %s of %s/%s is outside its folder; refusing to run it.", type,
			  first, m, v);
		return NDKMS_E_BADCONF;
	}
	_cleanup_free_ char *etc_mod = path_join(ctx->env->etc_dkms, m);
	_cleanup_free_ char *override = path_join(etc_mod, first);
	if (access(override, X_OK) == 0 && is_reg(override)) {
		free(run_dir);
		run_dir = xstrdup(etc_mod);
	}
	_cleanup_free_ char *exe = path_join(run_dir, first);
	if (access(exe, X_OK) != 0 || !is_reg(exe)) {
		log_info("%s", "");
		log_warn("The %s script is not executable.", type);
		return 0;
	}

	struct strbuf csb = STRBUF_INIT;
	sb_add_shell_word(&csb, exe);
	sb_adds(&csb, args); /* the arguments are dkms.conf's shell text, as dkms evals them */
	_cleanup_free_ char *cmd = sb_steal(&csb);
	if (log) {
		_cleanup_free_ char *shown =
			xasprintf("cd %s/ && %s/%s", ctx_display(ctx, run_dir), ctx_display(ctx, run_dir),
				  script);
		_cleanup_free_ char *desc = xasprintf("Running the %s script", type);
		struct runlog_opts o = {
			.cmd = cmd,
			.desc = desc,
			.log = log,
			.cwd = run_dir,
			.show_cmd = shown,
			.path_prepend = path_prepend,
			.progress = true,
		};
		runlog_run(&o, status);
		if (*status)
			log_info("Consult %s for more information.", ctx_display(ctx, log));
		return 0;
	}
	log_info("Running the %s script:", type);
	struct spawn_opts so = {.cwd = run_dir, .path_prepend = path_prepend};
	int r = spawn_shell(cmd, &so, status);
	if (r < 0)
		*status = 127;
	return 0;
}

void script_run_after(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *type,
		      const char *script)
{
	int status;

	if (script_run(ctx, m, v, type, script, NULL, NULL, &status) < 0)
		return; /* script_run said why it did not run it */
}

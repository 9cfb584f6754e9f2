/* SPDX-License-Identifier: GPL-2.0-or-later */
/* script.h - PRE_/POST_ scripts named in dkms.conf, run as dkms's run_build_script does. */
#pragma once

#include "core/ctx.h"

/*
 * type is "pre_build", "post_build" (run from M/V/build, output to log), or "post_add",
 * "pre_install", "post_install", "post_remove" (run from M/V/source, output to the terminal
 * after "Running the <type> script:").  script is the dkms.conf value ("name args..."); an
 * executable /etc/dkms/<module>/<name> overrides it.  A first word that is not executable
 * gives dkms's warning and counts as success.  path_prepend (or NULL) goes first in its PATH.  Returns 0 when it ran (its exit status in
 * *status) or a negative code when the script name escapes its folder.
 */
int script_run(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *type,
	       const char *script, const char *log, const char *path_prepend, int *status);
/* A post_install or post_remove script: dkms goes on whatever it does (a refused one is logged). */
void script_run_after(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *type,
		      const char *script);

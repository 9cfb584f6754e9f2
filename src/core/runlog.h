/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runlog.h - dkms's invoke_command: run a shell command with a description and a sectioned log. */
#pragma once

#include "core/ctx.h"

struct runlog_opts {
	const char *cmd;         /* shell command string (dkms evals these) */
	const char *desc;        /* "Building module(s)" */
	const char *log;         /* host path of make.log / post_transaction.log, or NULL */
	const char *cwd;
	const char *const *env;  /* extra NAME=value for the child */
	const char *path_prepend; /* folder first in the child's PATH (the build's uname shim) */
	const char *show_cmd;    /* command text for messages and the log (default: cmd) */
	bool progress;           /* print a dot every 3 s while it runs */
	bool quiet_output;       /* without log: discard the command's output */
};

/*
 * Terminal: "<desc>..." then " done." or "(bad exit status: N)" + "Failed command:" + the
 * command (with --verbose the command itself is shown instead of desc).  Log: a blank line,
 * desc, "# command: ...", the output, "# exit code: N", "# elapsed time: HH:MM:SS", dashes.
 * Its exit status is in *status (127 when the shell could not be started).
 */
void runlog_run(const struct runlog_opts *o, int *status);

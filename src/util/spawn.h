/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spawn.h - the one way ndkms runs another program. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/macro.h"

/*
 * Invariants:
 *  - the child gets a clean environment: a whitelist of the caller's variables (PATH, HOME,
 *    TERM, LANG, LC_*, TZ, TMPDIR, SOURCE_DATE_EPOCH, KBUILD_BUILD_*) plus opts->env;
 *    PATH keeps only the caller's absolute entries (no empty, "." or other relative one) and
 *    is SPAWN_DEFAULT_PATH when none is left;
 *  - no descriptor but 0, 1 and 2 reaches it; stdin is /dev/null (the caller's with interactive);
 *  - with log_path its stdout and stderr are appended to that file; with capture its stdout is
 *    collected (at most capture_max bytes, more is an error); otherwise they are inherited
 *    (or discarded with quiet);
 *  - with timeout_ms the child runs in its own process group, which is killed when time is up.
 */

/* The system PATH: children's PATH when the caller has none, and the bash evaluator's. */
#define SPAWN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct spawn_opts {
	const char *const *argv; /* argv[0] is looked up in PATH when it has no slash */
	const char *cwd;
	const char *log_path;
	const char *const *env; /* extra NAME=value entries, NULL-terminated */
	const char *path_prepend; /* a folder put first in the child's PATH (the uname shim) */
	bool quiet;
	bool interactive; /* stdin is inherited: the program asks the user (mokutil --import) */
	int timeout_ms;
	bool dots; /* print a "." on stdout every 3 seconds while waiting (dkms progress) */
	char **capture;
	size_t capture_max;
};

/*
 * Run a program and wait for it.  Returns 0 when it ran (its exit code, or 128 + signal, is
 * in *status), -ETIMEDOUT when it was killed for running too long, -EFBIG when it printed more
 * than capture_max, or another negative errno when it could not be started.
 */
_must_check_ int spawn_run(const struct spawn_opts *o, int *status);

/* Run a shell command string ("/bin/bash -c", or /bin/sh where bash is missing). */
_must_check_ int spawn_shell(const char *cmd, const struct spawn_opts *o, int *status);

/* The first executable NAME in the PATH children get (without path_prepend), or NULL. */
char *spawn_which(const char *name);

/* Path of the shell spawn_shell uses. */
const char *spawn_shell_path(void);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* eval.h - evaluate a dkms.conf-style shell file the way dkms's safe_source() sees it. */
#pragma once

#include <stdbool.h>

#include "conf/vars.h"
#include "util/macro.h"

/*
 * The native evaluator runs the shell subset real dkms.conf files use (assignments, arrays,
 * quoting, parameter expansion, a few command substitutions, [ ], if, &&, ||).  A file outside
 * the subset is handed to /bin/bash with dkms's two-pass semantics, unless allow_fallback is
 * false: then the call fails with -ENOTSUP and diag names file, line and construct.
 */
struct eval_opts {
	const char *path;               /* host path of the file */
	const char *cwd;                /* working directory while evaluating (NULL: unchanged) */
	const struct shvars *preset;    /* variables in scope: kernelver, arch, dkms_tree, ... */
	const char *const *names;       /* the variables to read back (NULL-terminated) */
	bool reeval;                    /* apply dkms's second pass (NAME[i]="value" re-sourced) */
	bool allow_fallback;
	int timeout_ms;                 /* bound on the bash fallback */
};

struct eval_result {
	struct shvars vars;             /* only the requested names that ended up set */
	bool used_fallback;
	char *diag;                     /* why the native path declined or failed ("FILE:LINE: ...") */
	/* set whenever the native path declined, even when bash then evaluated the file */
	char *declined;                 /* the construct ("the command 'sed'") */
	char *declined_file;
	int declined_line;              /* 0 when not tied to a line (dkms's second pass) */
};

/*
 * 0 on success; -ENOTSUP (fallback needed but disabled), -ETIMEDOUT (fallback ran too long),
 * -ECANCELED (the file ended the shell: exit, set -e, fatal error), -EINVAL (unreadable or
 * syntax error the native path can prove), or another negative errno.  diag is set on failure.
 */
_must_check_ int conf_eval_file(const struct eval_opts *o, struct eval_result *res);
void eval_result_release(struct eval_result *res);

/* The 32 directives eval-dkms-conf.sh prints, sorted (C locale). */
extern const char *const dkms_directive_names[];
/* The same 32 in the order dkms writes them for its second pass (dkms_conf_variables order). */
extern const char *const dkms_directive_order[];
/* Every variable dkms's read_conf unsets and reads back (dkms_conf_variables, 3.4). */
extern const char *const dkms_conf_variables[];

/* Escape a value as eval-dkms-conf.sh prints it (\\ \n \r \t \xHH). Returns a new string. */
char *conf_escape_value(const char *v);

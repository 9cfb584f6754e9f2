/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bash.h - evaluate a file with /bin/bash the way dkms's safe_source() does. */
#pragma once

#include "conf/eval.h"
#include "util/macro.h"

/*
 * Run bash under a clean environment in o->cwd, source o->path from a function with stdout
 * discarded and the presets in scope, then (with o->reeval) apply dkms's second pass; the
 * requested variables come back in res->vars.  kinds: for each returned variable, whether it
 * was an array before the second pass is in shvar.is_array.
 */
_must_check_ int bash_eval_file(const struct eval_opts *o, struct eval_result *res);

/*
 * The record stream the bash worker prints, "NAME KIND INDEX LENGTH:VALUE\n" ... "END\n", read
 * into out (which the caller releases, on failure too).  Everything is bounded by len: names
 * of at most BASH_MAX_NAME bytes, at most BASH_MAX_RECORDS records of at most BASH_MAX_VARS
 * variables, each variable once with its indices ascending.  0; -ECANCELED when END is missing (the shell ended first); -EBADMSG
 * for a malformed stream; -E2BIG for too many records.
 */
#define BASH_MAX_NAME 127
#define BASH_MAX_RECORDS 200000
#define BASH_MAX_VARS 256
_must_check_ int bash_parse_records(const char *buf, size_t len, struct shvars *out);

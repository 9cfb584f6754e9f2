/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bash.h - evaluate a file with /bin/bash the way dkms's safe_source() does. */
#pragma once

#include "conf/eval.h"

/*
 * Run bash under a clean environment in o->cwd, source o->path from a function with stdout
 * discarded and the presets in scope, then (with o->reeval) apply dkms's second pass; the
 * requested variables come back in res->vars.  kinds: for each returned variable, whether it
 * was an array before the second pass is in shvar.is_array.
 */
int bash_eval_file(const struct eval_opts *o, struct eval_result *res);

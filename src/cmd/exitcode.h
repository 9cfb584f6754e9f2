/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exitcode.h - the dkms exit status of a result code: the one map from codes to statuses. */
#pragma once

#include <stdbool.h>

#include "util/errors.h"

/*
 * The rule: the layers below return 0, -errno or an error kind (util/errors.h) and log the
 * cause; here, and only here, a code becomes the exit status dkms gives for the same failure
 * (reference: dkms-compat §2.4).  A command's own checks may return DKMS_EXIT(n) directly.
 * main() exits with exit_status_of() of the command's result, a batch worker with the same
 * map (ctx->exit_status), so a failure means the same number wherever it ends.
 */

/* A dkms exit status n chosen by a command itself (its own argument checks). */
#define NDKMS_EXIT_BASE 4096
#define DKMS_EXIT(n) (-(NDKMS_EXIT_BASE + (n)))

static inline bool is_dkms_exit(int r)
{
	return r <= -NDKMS_EXIT_BASE && r > -(NDKMS_EXIT_BASE + 256);
}

/* 0 for r >= 0; the kind's status; a script's own status; DKMS_EXIT(n)'s n; 1 for -errno. */
int exit_status_of(int r);

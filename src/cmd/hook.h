/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hook.h - the package-manager hook: what its target list names. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "util/strv.h"

struct hook_input {
	struct strv srcdirs; /* folder names below usr/src that carry a dkms.conf line */
	struct strv kernels; /* kernel versions whose modules.order, build, headers or image changed */
};

/*
 * Read target lines: root-relative (ALPM NeedsTargets) or absolute (RPM file triggers).
 * A line outside usr/src and usr/lib/modules (or lib/modules), or with a ".." or hidden
 * component, gets one "skipping" line; so does any other line inside them for ALPM, whose
 * globs only pass the interesting ones (RPM passes every file of a package, which are ignored).
 */
void hook_read_input(FILE *in, bool rpm, struct hook_input *hi);
void hook_input_release(struct hook_input *hi);

struct ndkms_ctx;
/* "ndkms hook kernel add|remove KVER" (argv[0] is "hook"). */
int hook_kernel(struct ndkms_ctx *ctx, int argc, char **argv);
/*
 * "ndkms hook alpm preflight": before the transaction, build the AUTOINSTALL modules for each
 * incoming kernel (targets on stdin) against the headers in its package; fails when a required
 * module cannot be built.
 */
int hook_preflight(struct ndkms_ctx *ctx);

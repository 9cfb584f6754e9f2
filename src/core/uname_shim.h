/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uname_shim.h - a private `uname` that reports the kernel a build is for. */
#pragma once

#include "core/ctx.h"

/*
 * Make a private (0700, mkdtemp) folder below ctx->env->tmp_dir holding an executable `uname`
 * that prints kver for -r (--kernel-release), arch for -m (--machine), both for -rm/-mr or
 * -r -m, and passes every other call to the real uname (found in the PATH children get).
 * Builds put the folder first in PATH, so that Makefiles asking $(shell uname -r) build for
 * the target kernel.  Returns the folder in *dir (uname_shim_remove() it), or a negative code.
 */
int uname_shim_create(const struct ndkms_ctx *ctx, const char *kver, const char *arch, char **dir);
void uname_shim_remove(char *dir);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* autoinstall.h - the kernel-wide actions the kernel hooks share with autoinstall. */
#pragma once

#include <stdbool.h>

#include "cmd/report.h"
#include "core/ctx.h"

/*
 * Build and install every AUTOINSTALL module for ctx->targets[0] (dkms's autoinstall, its
 * messages and exit codes), adding a row per module to table and printing the table at the end.
 */
int autoinstall_kernel(struct ndkms_ctx *ctx, struct report *table);

/* kernel_prerm (every built module) or kernel_preinst (AUTOINSTALL ones) for ctx->targets[0]. */
int unbuild_kernel(struct ndkms_ctx *ctx, bool only_autoinstall);

/* Exactly one -k: resolve it into ctx->targets (dkms's message and exit 4 otherwise). */
int need_one_kernel(struct ndkms_ctx *ctx);

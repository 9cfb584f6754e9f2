/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common.h - what the lifecycle commands share: argument checks and the module lock. */
#pragma once

#include "core/ctx.h"

/*
 * Check module/version arguments (resolving a source-tree argument first), the broken and
 * added states as the action needs them, resolve the kernel targets, and take the module lock.
 * Returns the lock descriptor (>= 0) or an error code.
 */
enum { NEED_ADDED = 1, ALLOW_ALL = 2, SOURCE_TREE_OK = 4 };
int cmd_prologue(struct ndkms_ctx *ctx, unsigned flags);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lock.h - flock()-based locks for lifecycle work on a module and depmod on a kernel. */
#pragma once

#include "core/ctx.h"
#include "util/macro.h"

/*
 * Lock files live in <dkms_tree>/.ndkms-lock/ (a dot folder dkms's globs never see).  A second
 * invocation waits; after a second it says once who it is waiting for.  Locks are released by
 * lock_release() or when the process exits, so a killed ndkms never leaves a stale lock.
 * Order: a module lock may be held while taking a kernel lock, never the other way round.
 */
_must_check_ int lock_module(const struct ndkms_ctx *ctx, const char *module);
_must_check_ int lock_kernel(const struct ndkms_ctx *ctx, const char *kver);
void lock_release(int fd);

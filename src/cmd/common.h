/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common.h - what the lifecycle commands share: argument checks and the module lock. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/ctx.h"
#include "core/target.h"

/*
 * Check module/version arguments (resolving a source-tree argument first), the broken and
 * added states as the action needs them, resolve the kernel targets, and take the module lock.
 * Returns the lock descriptor (>= 0) or an error code.
 */
enum { NEED_ADDED = 1, ALLOW_ALL = 2, SOURCE_TREE_OK = 4 };
int cmd_prologue(struct ndkms_ctx *ctx, unsigned flags);

/*
 * Validate the module, version, kernel versions (K or K/A), architectures and template kernel
 * the command line gave, for every command, before anything reads or writes a path built from
 * them.  Returns 0 or an error code (exit 1 for a name or version, 16 for a kernel or arch).
 */
int cmd_validate_args(const struct ndkms_ctx *ctx);

/* The same check for one kernel version from an own-args command; what names it is for messages. */
int cmd_check_kver(const char *kver, const char *what);

/*
 * Resolve -k/-a into ctx->targets with dkms's rules: pairing, defaults (running kernel and
 * arch), --all (every kernel the command line's module/version is built for).  Logs and
 * returns an error code on misuse.
 */
int cmd_resolve_targets(struct ndkms_ctx *ctx, bool allow_all, bool need_one);

/* The command line's module/version on its i-th kernel target. */
struct target cmd_target(const struct ndkms_ctx *ctx, size_t i);
/* m/v on the kernel add reads its dkms.conf for: the first target, else the running kernel. */
struct target cmd_add_target(const struct ndkms_ctx *ctx, const char *m, const char *v);

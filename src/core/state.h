/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.h - the dkms state tree: paths and the added/broken/built/installed predicates. */
#pragma once

#include <stdbool.h>

#include "core/ctx.h"
#include "util/strv.h"

/*
 * Layout (dkms-compat §5.1), under ctx->env->dkms_tree:
 *   M/V/source -> /usr/src/M-V      added
 *   M/V/K/A/module/                 built
 *   M/kernel-K-A -> V/K/A           installed (V active on K/A)
 *   M/original_module/K/A/          archived in-tree modules
 */
char *state_mv_dir(const struct ndkms_ctx *ctx, const char *m, const char *v);
char *state_mvka_dir(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *k,
		     const char *a);
char *state_active_link(const struct ndkms_ctx *ctx, const char *m, const char *k, const char *a);
char *state_original_dir(const struct ndkms_ctx *ctx, const char *m, const char *k, const char *a);

/* Host path of the source folder the M/V/source link points to, or NULL when it is missing. */
char *state_source_dir(const struct ndkms_ctx *ctx, const char *m, const char *v);

bool state_is_added(const struct ndkms_ctx *ctx, const char *m, const char *v);
bool state_is_broken(const struct ndkms_ctx *ctx, const char *m, const char *v);
bool state_is_built(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *k,
		    const char *a);
bool state_is_installed(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *k,
			const char *a);
/* The version whose kernel-K-A link is in place, or NULL. */
char *state_active_version(const struct ndkms_ctx *ctx, const char *m, const char *k,
			   const char *a);

/* The highest version of m built (or installed) for k/a, as dkms's "sort -V | tail -n1". */
char *state_newest_built(const struct ndkms_ctx *ctx, const char *m, const char *k, const char *a);

/* Module names in the tree, sorted (C collation, as dkms's glob). */
void state_list_modules(const struct ndkms_ctx *ctx, struct strv *out);
/* Versions of a module (not the kernel-* links or original_module), sorted. */
void state_list_versions(const struct ndkms_ctx *ctx, const char *m, struct strv *out);
/* "K/A" pairs that exist under M/V (kernel folders begin with a digit and hold a dot). */
void state_list_kernels(const struct ndkms_ctx *ctx, const char *m, const char *v,
			struct strv *out);

/* Refuse a broken module (NDKMS_E_BROKEN) / one not added (NDKMS_E_NOTADDED), with dkms's words. */
int state_check_not_broken(const struct ndkms_ctx *ctx, const char *m, const char *v);
int state_check_added(const struct ndkms_ctx *ctx, const char *m, const char *v);

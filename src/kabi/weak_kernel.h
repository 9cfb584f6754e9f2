/* SPDX-License-Identifier: GPL-2.0-or-later */
/* weak_kernel.h - one target kernel's weak-updates state while weak-modules decides. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "kabi/weak.h"
#include "kabi/weak_internal.h"
#include "util/macro.h"

/* Modules read once per run, whichever kernels they are checked against. */
struct weak_memo {
	char *shown; /* in-root path */
	struct kabi_module km;
	bool ok;
};

struct weak_runctx {
	const struct weak_opts *o;
	struct weak_result *res;
	struct kmod_ctx *kctx;
	struct weak_memo **memo; /* each entry allocated on its own: pointers into it are kept */
	size_t nmemo;
	struct strv said; /* modules already reported as having no __versions */
};

/* A module file to link, with its group among the modules of one proposal. */
struct weak_cand {
	struct weak_path p;
	const struct kabi_module *mod;
	long group;
};

struct weak_link {
	char *sub;  /* below weak-updates/ */
	char *text; /* the symlink's text */
	char *key;  /* the in-root path it points to, or NULL */
	const struct kabi_module *mod;
};

struct weak_kernel {
	char *kver;
	char *kdir;
	struct kabi_symtab base; /* symvers, then the exports of the real modules */
	struct strv real_names;  /* modules of updates/ and extra/, which a link never shadows */
	struct weak_link *have;  /* on disk */
	size_t nhave;
	struct weak_link *want;  /* decided */
	size_t nwant;
};

/* The module at an in-root path, read once per run; NULL when it cannot be read. */
const struct kabi_module *weak_memo_get(struct weak_runctx *rc, const char *shown);

/* Load kver's symvers, real modules and links; 0 when it has no symvers (nothing loaded). */
_must_check_ int weak_kernel_load(struct weak_runctx *rc, const char *kver, struct weak_kernel *k);
void weak_kernel_release(struct weak_kernel *k);

/*
 * Decide one proposal for k: candidates (from other kernels) are added when their group
 * checks out; with force, links already there that no longer check out are dropped.
 */
void weak_kernel_propose(struct weak_runctx *rc, struct weak_kernel *k, struct weak_cand *c,
			 size_t nc, bool force);
/* Write the difference between want and have; 1 when something changed, 0, or -errno. */
_must_check_ int weak_kernel_apply(struct weak_runctx *rc, struct weak_kernel *k);
/* Group candidates: modules that need each other's exports share a group. */
void weak_group(struct weak_cand *c, size_t n);

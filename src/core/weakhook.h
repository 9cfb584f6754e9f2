/* SPDX-License-Identifier: GPL-2.0-or-later */
/* weakhook.h - weak-modules from the lifecycle: options from the context, install/uninstall hooks. */
#pragma once

#include <stdbool.h>

#include "conf/dkmsconf.h"
#include "core/ctx.h"
#include "core/target.h"
#include "kabi/weak.h"

struct weakhook_opts {
	struct weak_opts o;
	char *base;
	char *cache;
};

/* Engine options for ctx's tree (or basedir when not NULL), with ndkms's kernel locks. */
void weakhook_opts_init(const struct ndkms_ctx *ctx, const char *basedir,
			struct weakhook_opts *w);
void weakhook_opts_release(struct weakhook_opts *w);
/* depmod of one kernel of the engine's tree, under its kernel lock. */
int weakhook_depmod(const struct ndkms_ctx *ctx, const struct weakhook_opts *w, const char *kver);

/* Whether install/uninstall link modules into other kernels (RHEL family, not switched off). */
bool weakhook_enabled(const struct ndkms_ctx *ctx, const struct dkms_conf *conf);
/* After installing conf's modules for t: weak-modules --add-modules, depmod as due. */
void weakhook_after_install(struct ndkms_ctx *ctx, const struct dkms_conf *conf,
			    const struct target *t);
/* After deleting them: weak-modules --remove-modules. */
void weakhook_after_uninstall(struct ndkms_ctx *ctx, const struct dkms_conf *conf,
			      const struct target *t);
/* Whether every module of conf installed on k_built is linked into k's weak-updates/. */
bool weakhook_installed_weak(const struct ndkms_ctx *ctx, const struct dkms_conf *conf,
			     const char *k, const char *a, const char *k_built);

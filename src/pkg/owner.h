/* SPDX-License-Identifier: GPL-2.0-or-later */
/* owner.h - which installed package owns a path: libalpm or librpm, when built with them. */
#pragma once

#include <stdbool.h>

#include "core/ctx.h"

struct owner_db;

/*
 * Open the root's package databases (pacman's local database, the rpm database in
 * /var/lib/rpm or /usr/lib/sysimage/rpm).  NULL when ndkms was built without libalpm and
 * librpm, or when the root has neither database: ownership is then unknown, never "none".
 */
struct owner_db *owner_open(const struct ndkms_ctx *ctx);
void owner_close(struct owner_db *db);

/* "name version-release" of the package owning the in-root absolute path, or NULL. */
char *owner_of(struct owner_db *db, const char *abs);
/* Which package owns the module sources /usr/src/M-V (dkms.conf first, then the folder). */
char *owner_of_source(struct owner_db *db, const struct ndkms_ctx *ctx, const char *m,
		      const char *v);
/* Which package owns kernel kver (its modules.order, image or folder, in either spelling). */
char *owner_of_kernel(struct owner_db *db, const char *kver);

/* Backends: a handle, or NULL when the library is not built in or the database is absent. */
struct owner_backend {
	void *(*open)(const char *root);
	char *(*owner)(void *h, const char *abs);
	void (*close)(void *h);
};
extern const struct owner_backend owner_alpm, owner_rpm;

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* owner.h - which installed package owns a path: libalpm or librpm, when built with them. */
/*
 * Layer pkg (beside kabi and sign): includes util/, conf/, depmod/ and pkg/ (kabi/ or
 * sign/ only if neither includes pkg/: no circle between folders), never core/: callers pass
 * the root and paths; core/ and cmd/ may include it.
 */
#pragma once

#include <stdbool.h>

struct owner_db;

/*
 * Open the package databases of root ("" or "/" for the host): pacman's local database, the
 * rpm database in /var/lib/rpm or /usr/lib/sysimage/rpm.  NULL when ndkms was built without
 * libalpm and librpm, or when the root has neither database: ownership is then unknown, never
 * "none".
 */
struct owner_db *owner_open(const char *root);
void owner_close(struct owner_db *db);

/* "name version-release" of the package owning the in-root absolute path, or NULL. */
char *owner_of(struct owner_db *db, const char *abs);
/* Which package owns the module sources in the in-root folder dir (its dkms.conf, then dir). */
char *owner_of_source(struct owner_db *db, const char *dir);
/* Which package owns kernel kver (its modules.order, image or folder, in either spelling). */
char *owner_of_kernel(struct owner_db *db, const char *kver);

/* Backends: a handle, or NULL when the library is not built in or the database is absent. */
struct owner_backend {
	void *(*open)(const char *root);
	char *(*owner)(void *h, const char *abs);
	void (*close)(void *h);
};
extern const struct owner_backend owner_alpm, owner_rpm;

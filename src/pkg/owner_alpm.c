// SPDX-License-Identifier: GPL-2.0-or-later
/* owner_alpm.c - package ownership from pacman's local database (libalpm). */
#include <stddef.h>

#include "pkg/owner.h"

#ifdef HAVE_ALPM
#include <alpm.h>
#include <string.h>

#include "util/fs.h"
#include "util/macro.h"

static void *alpm_open(const char *root)
{
	_cleanup_free_ char *dbpath = path_join(root, "var/lib/pacman");
	_cleanup_free_ char *local = path_join(dbpath, "local");
	alpm_errno_t err;

	if (!is_dir(local))
		return NULL;
	return alpm_initialize(root, dbpath, &err);
}

static char *alpm_owner(void *h, const char *abs)
{
	alpm_list_t *pkgs = alpm_db_get_pkgcache(alpm_get_localdb(h));
	const char *rel = abs + strspn(abs, "/");
	_cleanup_free_ char *as_dir = xasprintf("%s/", rel);

	for (alpm_list_t *i = pkgs; i; i = alpm_list_next(i)) {
		alpm_pkg_t *p = i->data;
		alpm_filelist_t *files = alpm_pkg_get_files(p);
		if (alpm_filelist_contains(files, rel) || alpm_filelist_contains(files, as_dir))
			return xasprintf("%s %s", alpm_pkg_get_name(p), alpm_pkg_get_version(p));
	}
	return NULL;
}

static void alpm_close(void *h)
{
	alpm_release(h);
}

const struct owner_backend owner_alpm = {alpm_open, alpm_owner, alpm_close};
#else
const struct owner_backend owner_alpm = {NULL, NULL, NULL};
#endif

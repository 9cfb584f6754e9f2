// SPDX-License-Identifier: GPL-2.0-or-later
/* dl_alpm.c - the few libalpm functions owner_alpm.c calls, loaded with dlopen() on first use. */
#ifdef HAVE_ALPM
#include <alpm.h>
#include <dlfcn.h>
#include <stdbool.h>

/*
 * ndkms does not link libalpm: its dependency tree (curl, gpgme, ...) would cost every
 * command several milliseconds of dynamic linking.  These definitions stand in for the
 * library's, with its prototypes from <alpm.h>, and forward to it once loaded.  Only
 * alpm_initialize() can be reached first; when the library is missing it fails like a
 * missing database, and the other functions are only called on the handle it returned.
 */
static struct {
	alpm_handle_t *(*initialize)(const char *, const char *, alpm_errno_t *);
	int (*release)(alpm_handle_t *);
	alpm_db_t *(*get_localdb)(alpm_handle_t *);
	alpm_list_t *(*db_get_pkgcache)(alpm_db_t *);
	alpm_list_t *(*list_next)(const alpm_list_t *);
	alpm_filelist_t *(*pkg_get_files)(alpm_pkg_t *);
	alpm_file_t *(*filelist_contains)(alpm_filelist_t *, const char *);
	const char *(*pkg_get_name)(alpm_pkg_t *);
	const char *(*pkg_get_version)(alpm_pkg_t *);
} fn;

#define RESOLVE(field, name) (*(void **)&fn.field = dlsym(h, name)) != NULL

static bool loaded(void)
{
	static int state; /* 0 not tried, 1 loaded, -1 unavailable */

	if (state)
		return state > 0;
	state = -1;
	void *h = dlopen(ALPM_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return false;
	if (RESOLVE(initialize, "alpm_initialize") && RESOLVE(release, "alpm_release") &&
	    RESOLVE(get_localdb, "alpm_get_localdb") &&
	    RESOLVE(db_get_pkgcache, "alpm_db_get_pkgcache") &&
	    RESOLVE(list_next, "alpm_list_next") && RESOLVE(pkg_get_files, "alpm_pkg_get_files") &&
	    RESOLVE(filelist_contains, "alpm_filelist_contains") &&
	    RESOLVE(pkg_get_name, "alpm_pkg_get_name") &&
	    RESOLVE(pkg_get_version, "alpm_pkg_get_version"))
		state = 1;
	else
		dlclose(h);
	return state > 0;
}

alpm_handle_t *alpm_initialize(const char *root, const char *dbpath, alpm_errno_t *err)
{
	if (!loaded()) {
		*err = ALPM_ERR_SYSTEM;
		return NULL;
	}
	return fn.initialize(root, dbpath, err);
}

int alpm_release(alpm_handle_t *handle)
{
	return fn.release(handle);
}

alpm_db_t *alpm_get_localdb(alpm_handle_t *handle)
{
	return fn.get_localdb(handle);
}

alpm_list_t *alpm_db_get_pkgcache(alpm_db_t *db)
{
	return fn.db_get_pkgcache(db);
}

alpm_list_t *alpm_list_next(const alpm_list_t *list)
{
	return fn.list_next(list);
}

alpm_filelist_t *alpm_pkg_get_files(alpm_pkg_t *pkg)
{
	return fn.pkg_get_files(pkg);
}

alpm_file_t *alpm_filelist_contains(alpm_filelist_t *filelist, const char *path)
{
	return fn.filelist_contains(filelist, path);
}

const char *alpm_pkg_get_name(alpm_pkg_t *pkg)
{
	return fn.pkg_get_name(pkg);
}

const char *alpm_pkg_get_version(alpm_pkg_t *pkg)
{
	return fn.pkg_get_version(pkg);
}
#endif

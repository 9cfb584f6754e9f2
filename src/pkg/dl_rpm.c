// SPDX-License-Identifier: GPL-2.0-or-later
/* dl_rpm.c - the few librpm functions owner_rpm.c calls, loaded with dlopen() on first use. */
#ifdef HAVE_RPM
#include <dlfcn.h>
#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmts.h>
#include <stdbool.h>

/*
 * ndkms does not link librpm: its dependency tree (lua, sqlite, gcrypt, ...) would cost every
 * command several milliseconds of dynamic linking.  These definitions stand in for the
 * library's, with its prototypes from the rpm headers, and forward to it once loaded (dlsym()
 * on the librpm handle also finds what librpmio defines).  Only rpmReadConfigFiles() can be
 * reached first; when the library is missing it fails, and owner_rpm.c then uses no database.
 */
static struct {
	int (*read_config_files)(const char *, const char *);
	int (*push_macro)(rpmMacroContext, const char *, const char *, const char *, int);
	rpmts (*ts_create)(void);
	int (*ts_set_root_dir)(rpmts, const char *);
	int (*ts_open_db)(rpmts, int);
	rpmts (*ts_free)(rpmts);
	rpmdbMatchIterator (*ts_init_iterator)(const rpmts, rpmDbiTagVal, const void *, size_t);
	Header (*db_next_iterator)(rpmdbMatchIterator);
	rpmdbMatchIterator (*db_free_iterator)(rpmdbMatchIterator);
	char *(*header_get_as_string)(Header, rpmTagVal);
} fn;

#define RESOLVE(field, name) (*(void **)&fn.field = dlsym(h, name)) != NULL

static bool loaded(void)
{
	static int state; /* 0 not tried, 1 loaded, -1 unavailable */

	if (state)
		return state > 0;
	state = -1;
	void *h = dlopen(RPM_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return false;
	if (RESOLVE(read_config_files, "rpmReadConfigFiles") &&
	    RESOLVE(push_macro, "rpmPushMacro") && RESOLVE(ts_create, "rpmtsCreate") &&
	    RESOLVE(ts_set_root_dir, "rpmtsSetRootDir") && RESOLVE(ts_open_db, "rpmtsOpenDB") &&
	    RESOLVE(ts_free, "rpmtsFree") && RESOLVE(ts_init_iterator, "rpmtsInitIterator") &&
	    RESOLVE(db_next_iterator, "rpmdbNextIterator") &&
	    RESOLVE(db_free_iterator, "rpmdbFreeIterator") &&
	    RESOLVE(header_get_as_string, "headerGetAsString"))
		state = 1;
	else
		dlclose(h);
	return state > 0;
}

int rpmReadConfigFiles(const char *file, const char *target)
{
	return loaded() ? fn.read_config_files(file, target) : -1;
}

int rpmPushMacro(rpmMacroContext mc, const char *n, const char *o, const char *b, int level)
{
	return fn.push_macro(mc, n, o, b, level);
}

rpmts rpmtsCreate(void)
{
	return fn.ts_create();
}

int rpmtsSetRootDir(rpmts ts, const char *rootDir)
{
	return fn.ts_set_root_dir(ts, rootDir);
}

int rpmtsOpenDB(rpmts ts, int dbmode)
{
	return fn.ts_open_db(ts, dbmode);
}

rpmts rpmtsFree(rpmts ts)
{
	return fn.ts_free(ts);
}

rpmdbMatchIterator rpmtsInitIterator(const rpmts ts, rpmDbiTagVal rpmtag, const void *keyp,
				     size_t keylen)
{
	return fn.ts_init_iterator(ts, rpmtag, keyp, keylen);
}

Header rpmdbNextIterator(rpmdbMatchIterator mi)
{
	return fn.db_next_iterator(mi);
}

rpmdbMatchIterator rpmdbFreeIterator(rpmdbMatchIterator mi)
{
	return fn.db_free_iterator(mi);
}

char *headerGetAsString(Header h, rpmTagVal tag)
{
	return fn.header_get_as_string(h, tag);
}
#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/* owner_rpm.c - package ownership from the rpm database (librpm). */
#include <stddef.h>

#include "pkg/owner.h"

#ifdef HAVE_RPM
#include <fcntl.h>
#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmts.h>
#include <stdlib.h>

#include "util/fs.h"
#include "util/macro.h"

/* The in-root database folders rpm uses (Fedora's current one first). */
static const char *const dbpaths[] = {"/usr/lib/sysimage/rpm", "/var/lib/rpm"};

static bool has_db(const char *root, const char *dbpath)
{
	static const char *const files[] = {"rpmdb.sqlite", "Packages.db", "Packages"};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s/%s", root, dbpath, files[i]);
		if (is_reg(p))
			return true;
	}
	return false;
}

static void *rpm_open(const char *root)
{
	static bool configured;

	for (size_t i = 0; i < ARRAY_SIZE(dbpaths); i++) {
		if (!has_db(root, dbpaths[i]))
			continue;
		if (!configured && rpmReadConfigFiles(NULL, NULL) != 0)
			return NULL;
		configured = true;
		rpmPushMacro(NULL, "_dbpath", NULL, dbpaths[i], RMIL_CMDLINE);
		rpmts ts = rpmtsCreate();
		rpmtsSetRootDir(ts, root);
		if (rpmtsOpenDB(ts, O_RDONLY) != 0) {
			rpmtsFree(ts);
			return NULL;
		}
		return ts;
	}
	return NULL;
}

static char *rpm_owner(void *h, const char *abs)
{
	rpmdbMatchIterator mi = rpmtsInitIterator(h, RPMDBI_INSTFILENAMES, abs, 0);
	Header hdr = mi ? rpmdbNextIterator(mi) : NULL;
	char *o = NULL;

	if (hdr) {
		char *name = headerGetAsString(hdr, RPMTAG_NAME);
		char *evr = headerGetAsString(hdr, RPMTAG_EVR);
		o = xasprintf("%s %s", name, evr);
		free(name);
		free(evr);
	}
	rpmdbFreeIterator(mi);
	return o;
}

static void rpm_close(void *h)
{
	rpmtsFree(h);
}

const struct owner_backend owner_rpm = {rpm_open, rpm_owner, rpm_close};
#else
const struct owner_backend owner_rpm = {NULL, NULL, NULL};
#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* errors.h - the kinds of failure a function reports besides -errno. */
#pragma once

#include <stdbool.h>

/*
 * The rule: below src/cmd/ a function returns 0 (or a positive count) on success and, on
 * failure, -errno or one of the kinds below, which say what went wrong in dkms's terms.  The
 * cause (path, strerror, the line of the file) is logged once, where it is found; a kind never
 * replaces a cause that was known without logging it first.  Only the command layer turns a
 * code into the dkms exit status a user sees (cmd/exitcode.c, one table); nothing below it
 * chooses those numbers (test/layers.sh checks it).
 *
 * The kinds lie below -errno's range (errno values end at 4095), counting up from
 * -(NDKMS_E_BASE + 255) to at most -(NDKMS_E_BASE + 1).
 */
#define NDKMS_E_BASE 8192

enum ndkms_err {
	/* the command line */
	NDKMS_E_USAGE = -(NDKMS_E_BASE + 255), /* module/version missing or invalid, -a/-k not 1:1 */
	NDKMS_E_NOTROOT,        /* the command needs root */
	NDKMS_E_ALL_BANNED,     /* --all given to an action that does not take it */
	NDKMS_E_ALL_KERNEL,     /* -k and --all together */
	NDKMS_E_ALL_ARCH,       /* -a and --all together */
	NDKMS_E_KERNELS,        /* more than one kernel for an action that takes one */
	NDKMS_E_EMPTY_TARGET,   /* an empty kernel version or arch */
	NDKMS_E_NOROOTDIR,      /* the --root folder does not exist */
	NDKMS_E_TAR_OPTS,       /* --source-only with --binaries-only */
	/* configuration */
	NDKMS_E_NOCONF,         /* no dkms.conf where the module's should be */
	NDKMS_E_BADCONF,        /* a dkms.conf, framework.conf or ndkms.conf that is not valid */
	NDKMS_E_TREE_NOCONF,    /* add: the source folder named has no dkms.conf */
	NDKMS_E_TREE_BADCONF,   /* add: the source folder's dkms.conf names no valid module */
	/* the state tree */
	NDKMS_E_NOSOURCE,       /* the source folder or archive named is not there */
	NDKMS_E_ADDED,          /* the module/version is added already */
	NDKMS_E_NOTADDED,       /* the module/version is not in the DKMS tree */
	NDKMS_E_BUILT,          /* the module/version is built for the kernel already */
	NDKMS_E_BROKEN,         /* the module/version lost its source folder */
	/* build */
	NDKMS_E_NOHEADERS,      /* no headers for the kernel */
	NDKMS_E_DEPENDS,        /* a BUILD_DEPENDS module is not installed for the kernel */
	NDKMS_E_SKIPPED,        /* BUILD_EXCLUSIVE_* rule the kernel out: not an error for autoinstall */
	NDKMS_E_EMPTYSRC,       /* the source folder holds (almost) nothing */
	NDKMS_E_NOPATCH,        /* a PATCH is missing or leaves patches/ */
	NDKMS_E_PATCH,          /* a PATCH did not apply */
	NDKMS_E_BUILD,          /* make failed */
	NDKMS_E_COLLECT,        /* a built module is missing, or could not be stored */
	/* install */
	NDKMS_E_PREINSTALL,     /* PRE_INSTALL failed */
	NDKMS_E_INSTALL,        /* the modules could not be installed or indexed */
	/* tarballs */
	NDKMS_E_NOTBUILT,       /* mktarball: nothing built to put in */
	NDKMS_E_TAR_DEST,       /* mktarball: the tarball's folder is not writable */
	NDKMS_E_TARBALL,        /* the tarball could not be written, or is refused or unreadable */
	NDKMS_E_TAR_NOCONF,     /* ldtarball: no dkms.conf in the tarball */
	NDKMS_E_TAR_BADCONF,    /* ldtarball: the tarball's dkms.conf is not valid */
	NDKMS_E_TAR_ADDED,      /* ldtarball: the module/version is added already */
	NDKMS_E_RPM,            /* ldtarball: an RPM package, which a package manager installs */
	/* anything else whose cause was logged and had no errno */
	NDKMS_E_FAILED,
	NDKMS_E_LAST = NDKMS_E_FAILED,
};
_Static_assert(NDKMS_E_LAST < -NDKMS_E_BASE, "the error kinds stay below -NDKMS_E_BASE");

/*
 * A PRE_BUILD, POST_BUILD or POST_ADD script that exited with status n (1-255): dkms exits with
 * the script's own status, so the status travels with the failure.
 */
#define NDKMS_E_SCRIPT_BASE (NDKMS_E_BASE + 4096)
#define NDKMS_E_SCRIPT(n) (-(NDKMS_E_SCRIPT_BASE + (n)))

/* r is one of the kinds above (not -errno, not a script's status). */
static inline bool ndkms_is_kind(int r)
{
	return r >= NDKMS_E_USAGE && r <= NDKMS_E_LAST;
}

/* The status of the script behind r, or 0 when r is not NDKMS_E_SCRIPT(n). */
static inline int ndkms_script_status(int r)
{
	return r < -NDKMS_E_SCRIPT_BASE && r >= -(NDKMS_E_SCRIPT_BASE + 255) ?
		       -r - NDKMS_E_SCRIPT_BASE : 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* exitcode.c - the table of dkms exit statuses for the error kinds of util/errors.h. */
#include "cmd/exitcode.h"
#include "util/macro.h"

/* What dkms exits with for each kind (dkms-compat §2.4); indexed by KIND(). */
#define KIND(k) ((k) - NDKMS_E_USAGE)
static const unsigned char statuses[] = {
	[KIND(NDKMS_E_USAGE)]        = 1,
	[KIND(NDKMS_E_NOTROOT)]      = 1,
	[KIND(NDKMS_E_ALL_BANNED)]   = 5,
	[KIND(NDKMS_E_ALL_KERNEL)]   = 2,
	[KIND(NDKMS_E_ALL_ARCH)]     = 3,
	[KIND(NDKMS_E_KERNELS)]      = 4,
	[KIND(NDKMS_E_EMPTY_TARGET)] = 16,
	[KIND(NDKMS_E_NOROOTDIR)]    = 2,
	[KIND(NDKMS_E_TAR_OPTS)]     = 8,
	[KIND(NDKMS_E_NOCONF)]       = 4,
	[KIND(NDKMS_E_BADCONF)]      = 8,
	[KIND(NDKMS_E_TREE_NOCONF)]  = 9,
	[KIND(NDKMS_E_TREE_BADCONF)] = 10,
	[KIND(NDKMS_E_NOSOURCE)]     = 2,
	[KIND(NDKMS_E_ADDED)]        = 3,
	[KIND(NDKMS_E_NOTADDED)]     = 3,
	[KIND(NDKMS_E_BUILT)]        = 3,
	[KIND(NDKMS_E_BROKEN)]       = 4,
	[KIND(NDKMS_E_NOHEADERS)]    = 21,
	[KIND(NDKMS_E_DEPENDS)]      = 13,
	[KIND(NDKMS_E_SKIPPED)]      = 77,
	[KIND(NDKMS_E_EMPTYSRC)]     = 8,
	[KIND(NDKMS_E_NOPATCH)]      = 5,
	[KIND(NDKMS_E_PATCH)]        = 6,
	[KIND(NDKMS_E_BUILD)]        = 10,
	[KIND(NDKMS_E_COLLECT)]      = 7,
	[KIND(NDKMS_E_PREINSTALL)]   = 101,
	[KIND(NDKMS_E_INSTALL)]      = 6,
	[KIND(NDKMS_E_NOTBUILT)]     = 6,
	[KIND(NDKMS_E_TAR_DEST)]     = 9,
	[KIND(NDKMS_E_TARBALL)]      = 6,
	[KIND(NDKMS_E_TAR_NOCONF)]   = 3,
	[KIND(NDKMS_E_TAR_BADCONF)]  = 7,
	[KIND(NDKMS_E_TAR_ADDED)]    = 8,
	[KIND(NDKMS_E_RPM)]          = 9,
	[KIND(NDKMS_E_FAILED)]       = 1,
};

_Static_assert(ARRAY_SIZE(statuses) == KIND(NDKMS_E_LAST) + 1, "a status for every kind");

int exit_status_of(int r)
{
	if (r >= 0)
		return 0;
	if (is_dkms_exit(r))
		return -r - NDKMS_EXIT_BASE;
	if (ndkms_script_status(r))
		return ndkms_script_status(r);
	if (ndkms_is_kind(r))
		return statuses[KIND(r)];
	return 1;
}

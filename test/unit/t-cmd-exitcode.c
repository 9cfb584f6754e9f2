// SPDX-License-Identifier: GPL-2.0-or-later
/* t-cmd-exitcode.c - unit tests of the map from result codes to dkms exit statuses. */
#include <errno.h>

#include "cmd/exitcode.h"
#include "harness.h"

static void t_every_kind_has_a_status(void)
{
	for (int k = NDKMS_E_USAGE; k <= NDKMS_E_LAST; k++) {
		CHECK(ndkms_is_kind(k));
		CHECK(exit_status_of(k) > 0);
		CHECK_INT(ndkms_script_status(k), 0);
	}
	CHECK(!ndkms_is_kind(NDKMS_E_USAGE - 1));
	CHECK(!ndkms_is_kind(NDKMS_E_LAST + 1));
	CHECK(!ndkms_is_kind(-NDKMS_E_BASE));
}

static void t_dkms_statuses(void)
{
	CHECK_INT(exit_status_of(NDKMS_E_NOTADDED), 3);
	CHECK_INT(exit_status_of(NDKMS_E_NOCONF), 4);
	CHECK_INT(exit_status_of(NDKMS_E_BADCONF), 8);
	CHECK_INT(exit_status_of(NDKMS_E_BUILD), 10);
	CHECK_INT(exit_status_of(NDKMS_E_NOHEADERS), 21);
	CHECK_INT(exit_status_of(NDKMS_E_SKIPPED), 77);
	CHECK_INT(exit_status_of(NDKMS_E_PREINSTALL), 101);
	CHECK_INT(exit_status_of(NDKMS_E_INSTALL), 6);
}

static void t_errno_scripts_and_direct(void)
{
	CHECK_INT(exit_status_of(0), 0);
	CHECK_INT(exit_status_of(3), 0);
	CHECK_INT(exit_status_of(-ENOENT), 1);
	CHECK_INT(exit_status_of(-4095), 1);
	for (int n = 1; n <= 255; n++) {
		CHECK_INT(ndkms_script_status(NDKMS_E_SCRIPT(n)), n);
		CHECK_INT(exit_status_of(NDKMS_E_SCRIPT(n)), n);
		CHECK(!ndkms_is_kind(NDKMS_E_SCRIPT(n)));
		CHECK_INT(exit_status_of(DKMS_EXIT(n)), n);
	}
	CHECK_INT(exit_status_of(DKMS_EXIT(0)), 0);
}

static const struct test_case tests[] = {
	{"every error kind has a dkms exit status", t_every_kind_has_a_status},
	{"the kinds map to dkms's statuses", t_dkms_statuses},
	{"-errno, script statuses and direct statuses", t_errno_scripts_and_direct},
};

HARNESS_MAIN(tests)

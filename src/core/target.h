/* SPDX-License-Identifier: GPL-2.0-or-later */
/* target.h - what one lifecycle step works on: a module version, a kernel and an arch. */
#pragma once

/*
 * Passed explicitly into every lifecycle, state and dkms.conf function; nothing below the
 * command layer reads the module or version from the command line.  kver and arch are NULL
 * for the module-wide steps (prune, recovery).  The strings are the caller's.
 */
struct target {
	const char *module;
	const char *version;
	const char *kver;
	const char *arch;
};

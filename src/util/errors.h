/* SPDX-License-Identifier: GPL-2.0-or-later */
/* errors.h - internal return codes that carry a dkms exit status up to main(). */
#pragma once

#include <stdbool.h>

/*
 * Functions return 0 (or a positive count) on success and a negative value on failure:
 * either -errno, or DKMS_EXIT(n) when the failure has a documented dkms exit status n
 * (dkms-compat §2.4).  The message is logged where the failure is found; callers only pass
 * the code up.  main() turns DKMS_EXIT(n) into exit status n and any -errno into 1.
 */
#define NDKMS_EXIT_BASE 4096
#define DKMS_EXIT(n) (-(NDKMS_EXIT_BASE + (n)))

static inline bool is_dkms_exit(int r)
{
	return r <= -NDKMS_EXIT_BASE;
}

static inline int exit_status_of(int r)
{
	if (r >= 0)
		return 0;
	if (is_dkms_exit(r))
		return -r - NDKMS_EXIT_BASE;
	return 1;
}

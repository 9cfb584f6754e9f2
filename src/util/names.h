/* SPDX-License-Identifier: GPL-2.0-or-later */
/* names.h - the one validation of module names, versions, kernel versions and architectures. */
#pragma once

#include <stdbool.h>

/* Longest module name or version, and longest kernel version (the kernel's __NEW_UTS_LEN). */
#define NAME_MAX_LEN 128
#define KVER_MAX_LEN 64

/*
 * A module name or version becomes a path component (/usr/src/M-V, /var/lib/dkms/M/V): not
 * empty, not "." or "..", no '/', no control character, at most NAME_MAX_LEN bytes.
 */
bool name_valid(const char *s);

/*
 * A kernel version (or an architecture) becomes a path component and a make argument:
 * only [A-Za-z0-9._+~-], not starting with '-' or '.', at most KVER_MAX_LEN bytes.
 */
bool kver_valid(const char *s);

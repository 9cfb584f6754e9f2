// SPDX-License-Identifier: GPL-2.0-or-later
/* names.c - the one validation of module names, versions, kernel versions and architectures. */
#include <string.h>

#include "util/macro.h"
#include "util/names.h"

bool name_valid(const char *s)
{
	size_t n = 0;

	if (!s || !*s || streq(s, ".") || streq(s, ".."))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f || n >= NAME_MAX_LEN)
			return false;
	return true;
}

bool kver_valid(const char *s)
{
	size_t n = 0;

	if (!s || !*s || s[0] == '-' || s[0] == '.')
		return false; /* "." and ".." start with a dot */
	for (const char *p = s; *p; p++, n++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  strchr("._+~-", c);
		if (!ok || n >= KVER_MAX_LEN)
			return false;
	}
	return true;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* version.c - dkms-compatible version comparison. */
#include <ctype.h>
#include <string.h>

#include "util/version.h"

static size_t digits(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]))
		n++;
	return n;
}

int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		size_t na = digits(a), nb = digits(b);

		if (na && nb) {
			const char *pa = a, *pb = b;
			size_t la = na, lb = nb;

			while (la > 1 && *pa == '0')
				pa++, la--;
			while (lb > 1 && *pb == '0')
				pb++, lb--;
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = memcmp(pa, pb, la);
			if (c)
				return c < 0 ? -1 : 1;
			a += na;
			b += nb;
			continue;
		}
		if ((unsigned char)*a != (unsigned char)*b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return 0;
}

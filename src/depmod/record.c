// SPDX-License-Identifier: GPL-2.0-or-later
/* record.c - checks a module record blob (see internal.h) before anything reads it. */
#include <errno.h>
#include <string.h>

#include "depmod/internal.h"

/* Skip count entries of fixed-size prefix + NUL-terminated string; false when out of bounds. */
static bool skip_entries(const char **pos, const char *end, uint32_t count, size_t fixed)
{
	const char *p = *pos;

	for (uint32_t i = 0; i < count; i++) {
		if ((size_t)(end - p) < fixed + 1)
			return false;
		p += fixed;
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul)
			return false;
		p = nul + 1;
	}
	*pos = p;
	return true;
}

int dm_rec_decode(const void *blob, size_t len, struct dm_rec *rec)
{
	const char *p = blob, *end = p + len;

	if (len < DM_REC_HDR)
		return -EBADMSG;
	rec->nexp = dm_load32(p);
	rec->ndep = dm_load32(p + 4);
	rec->nalias = dm_load32(p + 8);
	rec->nsoft = dm_load32(p + 12);
	p += DM_REC_HDR;
	rec->exp = p;
	if (!skip_entries(&p, end, rec->nexp, 8))
		return -EBADMSG;
	rec->dep = p;
	if (!skip_entries(&p, end, rec->ndep, 9))
		return -EBADMSG;
	rec->alias = p;
	if (!skip_entries(&p, end, rec->nalias, 0))
		return -EBADMSG;
	rec->soft = p;
	if (!skip_entries(&p, end, rec->nsoft, 0))
		return -EBADMSG;
	if (p != end)
		return -EBADMSG;
	rec->blob = blob;
	rec->len = len;
	return 0;
}

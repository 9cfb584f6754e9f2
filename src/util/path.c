// SPDX-License-Identifier: GPL-2.0-or-later
/* path.c - path strings: joining, splitting, containment, relative paths (no file system access). */
#include <string.h>

#include "util/macro.h"
#include "util/path.h"
#include "util/strbuf.h"

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	if (!*b)
		return xstrndup(a, la);
	if (la == 1 && a[0] == '/')
		la = 0;
	return xasprintf("%.*s/%s", (int)la, a, b);
}

char *path_dirname(const char *p)
{
	const char *s = strrchr(p, '/');

	if (!s)
		return xstrdup(".");
	if (s == p)
		return xstrdup("/");
	return xstrndup(p, (size_t)(s - p));
}

const char *path_basename(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

bool path_is_contained(const char *rel)
{
	if (!rel || rel[0] == '/')
		return false;
	for (const char *p = rel; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += n;
		while (*p == '/')
			p++;
	}
	return true;
}

char *path_relative(const char *from_dir, const char *to)
{
	const char *f = from_dir, *t = to, *f_cut = from_dir, *t_cut = to;

	/* the longest run of whole components both paths share */
	while (*f && *f == *t) {
		f++;
		t++;
		if ((*f == '/' || !*f) && (*t == '/' || !*t)) {
			f_cut = f;
			t_cut = t;
		}
	}
	if (!*f && *t == '/') {
		f_cut = f;
		t_cut = t;
	}
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = f_cut; *p;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		sb_adds(&sb, "../");
		p += strcspn(p, "/");
	}
	while (*t_cut == '/')
		t_cut++;
	sb_adds(&sb, t_cut);
	return sb_steal(&sb);
}

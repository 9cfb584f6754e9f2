// SPDX-License-Identifier: GPL-2.0-or-later
/* pattern.c - bash glob patterns (* ? [...]) over text with quoted characters, and glob checks. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>

#include "conf/sh.h"
#include "util/fs.h"

#define QUOTED(i) (q && q[i])

bool sh_pattern_is_extglob(const char *pat, const unsigned char *q, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (!QUOTED(i) && strchr("?*+@!", pat[i]) && pat[i + 1] == '(' && !QUOTED(i + 1))
			return true;
	return false;
}

/* Length of a bracket expression starting at pat[i] == '[', or 0 when it does not close. */
static size_t bracket_len(const char *pat, const unsigned char *q, size_t n, size_t i)
{
	size_t j = i + 1;

	if (j < n && (pat[j] == '!' || pat[j] == '^'))
		j++;
	if (j < n && pat[j] == ']')
		j++;
	while (j < n) {
		if (pat[j] == '[' && j + 1 < n && (pat[j + 1] == ':' || pat[j + 1] == '.' ||
						    pat[j + 1] == '=')) {
			char d = pat[j + 1];
			size_t k = j + 2;
			while (k + 1 < n && !(pat[k] == d && pat[k + 1] == ']'))
				k++;
			if (k + 1 >= n)
				return 0;
			j = k + 2;
			continue;
		}
		if (pat[j] == '\\' && !QUOTED(j) && j + 1 < n) {
			j += 2;
			continue;
		}
		if (pat[j] == ']')
			return j - i + 1;
		j++;
	}
	return 0;
}

bool sh_pattern_has_magic(const char *pat, const unsigned char *q, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (QUOTED(i))
			continue;
		if (pat[i] == '*' || pat[i] == '?')
			return true;
		if (pat[i] == '[' && bracket_len(pat, q, n, i))
			return true;
	}
	return sh_pattern_is_extglob(pat, q, n);
}

static bool class_match(const char *name, size_t n, unsigned char c)
{
	static const struct {
		const char *name;
		int (*fn)(int);
	} classes[] = {
		{"alnum", isalnum}, {"alpha", isalpha}, {"blank", isblank}, {"cntrl", iscntrl},
		{"digit", isdigit}, {"graph", isgraph}, {"lower", islower}, {"print", isprint},
		{"punct", ispunct}, {"space", isspace}, {"upper", isupper}, {"xdigit", isxdigit},
	};

	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if (strlen(classes[i].name) == n && strneq(classes[i].name, name, n))
			return c < 128 && classes[i].fn(c);
	return false;
}

/* Match one character against the bracket expression pat[i .. i+blen). */
static bool bracket_match(const char *pat, const unsigned char *q, size_t i, size_t blen,
			  unsigned char c)
{
	size_t j = i + 1, end = i + blen - 1;
	bool neg = false, hit = false;

	if (pat[j] == '!' || pat[j] == '^') {
		neg = true;
		j++;
	}
	bool first = true;
	while (j < end || (first && j == end)) {
		unsigned char lo;

		if (pat[j] == ']' && !first)
			break;
		first = false;
		if (pat[j] == '[' && j + 1 < end && pat[j + 1] == ':') {
			size_t k = j + 2;
			while (k + 1 < end + 1 && !(pat[k] == ':' && pat[k + 1] == ']'))
				k++;
			if (class_match(pat + j + 2, k - j - 2, c))
				hit = true;
			j = k + 2;
			continue;
		}
		if (pat[j] == '\\' && !QUOTED(j) && j + 1 < end)
			j++;
		lo = (unsigned char)pat[j++];
		if (j + 1 < end && pat[j] == '-' && pat[j + 1] != ']') {
			unsigned char hi;

			j++;
			if (pat[j] == '\\' && !QUOTED(j) && j + 1 < end)
				j++;
			hi = (unsigned char)pat[j++];
			if (c >= lo && c <= hi)
				hit = true;
			continue;
		}
		if (c == lo)
			hit = true;
	}
	return hit != neg;
}

/*
 * Classic iterative glob matching with one backtrack point for the last '*': exact for patterns
 * built of literals, '?', '*' and bracket expressions.  pathname: '/' is only matched literally
 * and a leading '.' only by a literal '.'.
 */
bool sh_pattern_match(const char *pat, const unsigned char *q, size_t pn, const char *s, size_t sn,
		      bool pathname)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;

	if (pathname && sn && s[0] == '.' && !(pn && pat[0] == '.'))
		return false;
	while (si < sn) {
		if (pi < pn) {
			char pc = pat[pi];
			bool lit = QUOTED(pi);

			if (!lit && pc == '*') {
				while (pi < pn && pat[pi] == '*' && !QUOTED(pi))
					pi++;
				star_p = pi;
				star_s = si;
				continue;
			}
			if (!lit && pc == '?' && !(pathname && s[si] == '/')) {
				pi++;
				si++;
				continue;
			}
			if (!lit && pc == '[') {
				size_t bl = bracket_len(pat, q, pn, pi);
				if (bl) {
					if (!(pathname && s[si] == '/') &&
					    bracket_match(pat, q, pi, bl, (unsigned char)s[si])) {
						pi += bl;
						si++;
						continue;
					}
					goto backtrack;
				}
			}
			if (!lit && pc == '\\' && pi + 1 < pn) {
				pi++;
				pc = pat[pi];
			}
			if (pc == s[si]) {
				pi++;
				si++;
				continue;
			}
		}
backtrack:
		if (star_p == (size_t)-1 || (pathname && s[star_s] == '/'))
			return false;
		pi = star_p;
		si = ++star_s;
	}
	while (pi < pn && pat[pi] == '*' && !QUOTED(pi))
		pi++;
	return pi == pn;
}

int sh_glob_check(struct sh *sh, const char *pat, const unsigned char *q, size_t n, int line)
{
	size_t comp = 0, i;

	if (!sh_pattern_has_magic(pat, q, n))
		return 0;
	/* find the first path component holding a special character */
	for (i = 0; i < n; i++) {
		if (pat[i] == '/') {
			comp = i + 1;
			continue;
		}
		if (QUOTED(i))
			continue;
		if (pat[i] == '\\')
			return sh_decline(sh, line, "pathname expansion of '%.*s'", (int)n, pat);
		if (pat[i] == '*' || pat[i] == '?' || pat[i] == '[' ||
		    (i + 1 < n && strchr("+@!", pat[i]) && pat[i + 1] == '('))
			break;
	}
	size_t cend = comp;
	while (cend < n && pat[cend] != '/')
		cend++;
	if (sh_pattern_is_extglob(pat + comp, q ? q + comp : NULL, cend - comp))
		return sh_decline(sh, line, "pathname expansion with an extended pattern");

	_cleanup_free_ char *dir = comp ? xstrndup(pat, comp) : xstrdup(".");
	_cleanup_free_ char *host = sh_host_path(sh, dir);
	DIR *d = opendir(host);
	if (!d)
		return 0; /* nothing can match below a missing directory */
	int r = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (sh_pattern_match(pat + comp, q ? q + comp : NULL, cend - comp, de->d_name,
				     strlen(de->d_name), true)) {
			r = sh_decline(sh, line, "pathname expansion of '%.*s' (it matches files)",
				       (int)(n > 60 ? 60 : n), pat);
			break;
		}
	}
	closedir(d);
	return r;
}

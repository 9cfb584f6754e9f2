// SPDX-License-Identifier: GPL-2.0-or-later
/* weak_tree.c - module paths below lib/modules, weak link texts, and the walks of a kernel tree. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kabi/weak_internal.h"
#include "util/fs.h"
#include "util/macro.h"
#include "util/strbuf.h"

#define MAX_DEPTH 16

/* Split a normalised absolute path into components; false on "." or ".." or empty ones. */
static bool clean_components(const char *p, struct strv *out)
{
	const char *s = p;

	while (*s == '/')
		s++;
	while (*s) {
		size_t n = strcspn(s, "/");
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		strv_push_take(out, xstrndup(s, n));
		s += n;
		while (*s == '/')
			s++;
	}
	return true;
}

int weak_path_parse(const char *base, const char *in, struct weak_path *p, const char **why)
{
	_cleanup_strv_ struct strv c = STRV_INIT;
	_cleanup_free_ char *abs = NULL;
	size_t bl = strlen(base), i = 0;
	char cwd[PATH_MAX];

	memset(p, 0, sizeof(*p));
	if (!*in) {
		*why = "empty line";
		return -EINVAL;
	}
	if (in[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		abs = xasprintf("%s/%s", cwd, in);
	} else {
		abs = xstrdup(in);
	}
	const char *rel = abs;
	if (bl && strneq(abs, base, bl) && abs[bl] == '/')
		rel = abs + bl;
	if (!clean_components(rel, &c)) {
		*why = "the path has '.' or '..' in it";
		return -EINVAL;
	}
	if (c.n > 0 && streq(c.v[0], "usr"))
		i = 1;
	/* lib modules KVER TOP [SUB...] FILE */
	if (c.n < i + 5 || !streq(c.v[i], "lib") || !streq(c.v[i + 1], "modules")) {
		*why = "it is not below /lib/modules/KVER/<folder>/";
		return -EINVAL;
	}
	if (streq(c.v[i + 3], "weak-updates")) {
		*why = "it is a weak-updates link itself";
		return -EINVAL;
	}
	if (!is_module_file_name(c.v[c.n - 1])) {
		*why = "it is not a .ko[.xz|.gz|.zst] file";
		return -EINVAL;
	}
	struct strbuf sub = STRBUF_INIT;
	for (size_t k = i + 4; k < c.n; k++) {
		if (sub.len)
			sb_addch(&sub, '/');
		sb_adds(&sub, c.v[k]);
	}
	p->kver = xstrdup(c.v[i + 2]);
	p->top = xstrdup(c.v[i + 3]);
	p->sub = sb_steal(&sub);
	p->shown = xasprintf("/lib/modules/%s/%s/%s", p->kver, p->top, p->sub);
	p->host = xasprintf("%s%s", base, p->shown);
	return 0;
}

void weak_path_release(struct weak_path *p)
{
	free(p->kver);
	free(p->top);
	free(p->sub);
	free(p->host);
	free(p->shown);
	memset(p, 0, sizeof(*p));
}

char *weak_link_text(const struct weak_path *p)
{
	struct strbuf sb = STRBUF_INIT;

	/* out of <sub dirs>, weak-updates/ and <kver>/ */
	sb_adds(&sb, "../../");
	for (const char *s = p->sub; (s = strchr(s, '/')); s++)
		sb_adds(&sb, "../");
	sb_addf(&sb, "%s/%s/%s", p->kver, p->top, p->sub);
	return sb_steal(&sb);
}

char *weak_link_resolve(const char *sub, const char *text)
{
	_cleanup_strv_ struct strv parts = STRV_INIT;
	_cleanup_free_ char *full = NULL;

	if (text[0] == '/') {
		full = xstrdup(text);
	} else {
		_cleanup_free_ char *dir = path_dirname(sub);
		/* a link at lib/modules/K/weak-updates/<sub>, K being any name */
		full = xasprintf("/lib/modules/K/weak-updates/%s/%s", streq(dir, ".") ? "" : dir, text);
	}
	/* lexical normalisation: ".." pops, "." and empty components vanish */
	const char *s = full;
	while (*s) {
		while (*s == '/')
			s++;
		size_t n = strcspn(s, "/");
		if (!n)
			break;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (!parts.n)
				return NULL;
			free(parts.v[--parts.n]);
			parts.v[parts.n] = NULL;
		} else if (!(n == 1 && s[0] == '.')) {
			strv_push_take(&parts, xstrndup(s, n));
		}
		s += n;
	}
	size_t i = parts.n && streq(parts.v[0], "usr") ? 1 : 0;
	if (parts.n < i + 5 || !streq(parts.v[i], "lib") || !streq(parts.v[i + 1], "modules"))
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	for (size_t k = i; k < parts.n; k++)
		sb_addf(&sb, "/%s", parts.v[k]);
	return sb_steal(&sb);
}

static void walk(int depth, const char *dir, const char *rel, bool links, struct strv *out)
{
	DIR *d = opendir(dir);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || streq(de->d_name, "..")))
			continue;
		_cleanup_free_ char *p = path_join(dir, de->d_name);
		_cleanup_free_ char *r = *rel ? xasprintf("%s/%s", rel, de->d_name)
					      : xstrdup(de->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < MAX_DEPTH)
				walk(depth + 1, p, r, links, out);
		} else if (is_module_file_name(de->d_name)) {
			if (links && S_ISLNK(st.st_mode))
				strv_push(out, r);
			else if (!links && (S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) && is_reg(p))))
				strv_push(out, p);
		}
	}
	closedir(d);
}

void weak_list_links(const char *kdir, struct strv *subs)
{
	_cleanup_free_ char *w = path_join(kdir, "weak-updates");

	walk(0, w, "", true, subs);
	strv_sort(subs);
}

void weak_list_real(const char *kdir, struct strv *paths)
{
	DIR *d = opendir(kdir);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		static const char *const skip[] = {".", "..", "kernel", "weak-updates", "build", "source"};
		bool s = false;

		for (size_t i = 0; i < ARRAY_SIZE(skip); i++)
			s = s || streq(de->d_name, skip[i]);
		if (s)
			continue;
		_cleanup_free_ char *p = path_join(kdir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			walk(1, p, de->d_name, false, paths);
	}
	closedir(d);
	strv_sort(paths);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor_indexes.c - a kernel's modules.dep against the module files of its tree. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/doctor_internal.h"
#include "util/fs.h"

#define INDEX_MAX (64u << 20)

/* Relative paths of module files (regular files or links) below kdir, build/ and source/ left out. */
static void walk(const char *kdir, const char *rel, int depth, struct strv *out)
{
	_cleanup_free_ char *dir = *rel ? path_join(kdir, rel) : xstrdup(kdir);
	DIR *d = depth < 24 ? opendir(dir) : NULL;

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (!*rel && (streq(de->d_name, "build") || streq(de->d_name, "source")))
			continue;
		_cleanup_free_ char *sub = *rel ? path_join(rel, de->d_name) : xstrdup(de->d_name);
		_cleanup_free_ char *p = path_join(dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(kdir, sub, depth + 1, out);
		else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
			 is_module_file_name(de->d_name))
			strv_push(out, sub);
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool sorted_has(const struct strv *sv, const char *s)
{
	return sv->n && bsearch(&s, sv->v, sv->n, sizeof(char *), cmp_str) != NULL;
}

static void check_kernel(struct doctor_scope *s, const char *k)
{
	const struct ndkms_ctx *ctx = s->ctx;
	_cleanup_free_ char *kdir = path_join(ctx->env->install_tree, k);
	_cleanup_free_ char *dep = path_join(kdir, "modules.dep");
	_cleanup_free_ char *text = NULL;
	_cleanup_strv_ struct strv entries = STRV_INIT, files = STRV_INIT;
	size_t unindexed = 0, gone = 0;
	const char *first_unindexed = NULL, *first_gone = NULL;

	if (read_file(dep, &text, NULL, INDEX_MAX) < 0)
		return;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *colon = strchr(line, ':');
		if (colon) {
			*colon = '\0';
			const char *p = line;
			size_t kl = strlen(kdir);
			/* an absolute entry inside the tree is the same file */
			_cleanup_free_ char *host = p[0] == '/' ? ctx_path(ctx, p) : NULL;
			if (host && strneq(host, kdir, kl) && host[kl] == '/')
				p = host + kl + 1;
			strv_push(&entries, p);
		}
		line = nl ? nl + 1 : NULL;
	}
	walk(kdir, "", 0, &files);
	if (entries.n)
		qsort(entries.v, entries.n, sizeof(char *), cmp_str);
	if (files.n)
		qsort(files.v, files.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < files.n; i++) {
		if (sorted_has(&entries, files.v[i]))
			continue;
		_cleanup_free_ char *f = path_join(kdir, files.v[i]);
		struct stat st;
		if (stat(f, &st) < 0)
			continue; /* a dangling link: depmod leaves it out, and so does the index */
		if (!unindexed++)
			first_unindexed = files.v[i];
	}
	for (size_t i = 0; i < entries.n; i++) {
		_cleanup_free_ char *f = entries.v[i][0] == '/' ? ctx_path(ctx, entries.v[i])
								: path_join(kdir, entries.v[i]);
		struct stat st;
		if (stat(f, &st) == 0)
			continue;
		if (!gone++)
			first_gone = entries.v[i];
	}
	if (!unindexed && !gone)
		return;
	_cleanup_free_ char *a = unindexed ? xasprintf("%zu module%s not in modules.dep (%s%s)",
							unindexed, unindexed == 1 ? "" : "s",
							first_unindexed, unindexed > 1 ? ", ..." : "")
					   : xstrdup("");
	_cleanup_free_ char *b = gone ? xasprintf("%zu entr%s whose file is gone (%s%s)", gone,
						  gone == 1 ? "y" : "ies", first_gone,
						  gone > 1 ? ", ..." : "")
				      : xstrdup("");
	doctor_add(s, "index-stale", DOCTOR_DEPMOD, NULL, NULL, k, NULL, dep,
		   "the indexes of kernel %s are older than its tree: %s%s%s", k, a,
		   unindexed && gone ? "; " : "", b);
}

void doctor_check_indexes(struct doctor_scope *s)
{
	_cleanup_strv_ struct strv ks = STRV_INIT;

	if (s->module)
		return;
	doctor_list_kernels(s, &ks);
	for (size_t i = 0; i < ks.n; i++)
		check_kernel(s, ks.v[i]);
}

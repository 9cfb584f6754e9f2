// SPDX-License-Identifier: GPL-2.0-or-later
/* modinfo.c - read a module's version fields in-process through libkmod. */
#include <string.h>

#include "core/modinfo.h"
#include "depmod/modfile.h"
#include "util/macro.h"
#include "util/version.h"

void modinfo_reader_close(struct modinfo_reader *r)
{
	modfile_kmod_unref(r->kctx);
	r->kctx = NULL;
	r->tried = false;
}

void modinfo_read(struct modinfo_reader *r, const char *path, struct modver *mv)
{
	struct modfile mf = {0};
	struct kmod_list *it = NULL;
	const char *k, *v;

	mv->version = NULL;
	mv->srcversion = NULL;
	mv->ok = -1;
	if (!r->tried) {
		r->tried = true;
		r->kctx = modfile_kmod_new("/nonexistent");
	}
	if (!r->kctx || modfile_open(r->kctx, path, &mf) < 0)
		goto out;
	if (modfile_read_info(&mf) < 0)
		goto out;
	mv->ok = 0;
	while (modfile_info_next(&mf, &it, &k, &v)) {
		if (!v)
			continue;
		if (streq(k, "version") && !mv->version) {
			/* "version: 1.0 <checksum>": the checksum stands in for a missing srcversion */
			size_t n = strcspn(v, " \t");
			mv->version = xstrndup(v, n);
			const char *rest = v + n + strspn(v + n, " \t");
			if (*rest && !mv->srcversion)
				mv->srcversion = xstrndup(rest, strcspn(rest, " \t"));
		} else if (streq(k, "srcversion")) {
			free(mv->srcversion);
			mv->srcversion = xstrdup(v);
		}
	}
out:
	if (!mv->version)
		mv->version = xstrdup("");
	if (!mv->srcversion)
		mv->srcversion = xstrdup("");
	modfile_close(&mf);
}

void modver_release(struct modver *mv)
{
	free(mv->version);
	free(mv->srcversion);
	mv->version = mv->srcversion = NULL;
}

const char *modver_compare(const struct modver *a, const struct modver *b)
{
	if (streq(a->version, b->version))
		return streq(a->srcversion, b->srcversion) ? "==" : "=";
	if (a->ok < 0 || b->ok < 0)
		return "?";
	return version_cmp(a->version, b->version) > 0 ? ">" : "<";
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* modinfo.c - read a module's version fields in-process through libkmod. */
#include <libkmod.h>
#include <string.h>

#include "core/modinfo.h"
#include "util/macro.h"
#include "util/version.h"

void modinfo_read(const char *path, struct modver *mv)
{
	static const char *const no_config[] = {NULL};
	struct kmod_ctx *kctx;
	struct kmod_module *mod = NULL;
	struct kmod_list *info = NULL, *l;

	mv->version = NULL;
	mv->srcversion = NULL;
	mv->ok = -1;
	/* An empty config list keeps libkmod away from the host's modprobe.d. */
	kctx = kmod_new("/nonexistent", no_config);
	if (!kctx)
		goto out;
	kmod_set_log_priority(kctx, 0);
	if (kmod_module_new_from_path(kctx, path, &mod) < 0)
		goto out;
	if (kmod_module_get_info(mod, &info) < 0)
		goto out;
	mv->ok = 0;
	kmod_list_foreach(l, info)
	{
		const char *k = kmod_module_info_get_key(l);
		const char *v = kmod_module_info_get_value(l);

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
	if (info)
		kmod_module_info_free_list(info);
	if (mod)
		kmod_module_unref(mod);
	if (kctx)
		kmod_unref(kctx);
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

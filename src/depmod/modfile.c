// SPDX-License-Identifier: GPL-2.0-or-later
/* modfile.c - opens a module file with libkmod and walks its exports, __versions and .modinfo. */
#include <string.h>

#include <libkmod.h>

#include "depmod/modfile.h"
#include "util/macro.h"

struct kmod_ctx *modfile_kmod_new(const char *dirname)
{
	/* an empty config list keeps libkmod away from the host's modprobe.d */
	static const char *const no_config[] = {NULL};
	struct kmod_ctx *ctx = kmod_new(dirname, no_config);

	if (ctx)
		kmod_set_log_priority(ctx, 0);
	return ctx;
}

void modfile_kmod_unref(struct kmod_ctx *ctx)
{
	if (ctx)
		kmod_unref(ctx);
}

char *modfile_name(const char *file, size_t *len)
{
	size_t n = strcspn(file, ".");
	char *m = xstrndup(file, n);

	for (size_t i = 0; i < n; i++)
		if (m[i] == '-')
			m[i] = '_';
	if (len)
		*len = n;
	return m;
}

int modfile_open(struct kmod_ctx *ctx, const char *path, struct modfile *mf)
{
	memset(mf, 0, sizeof(*mf));
	return kmod_module_new_from_path(ctx, path, &mf->mod);
}

void modfile_close(struct modfile *mf)
{
	if (mf->info)
		kmod_module_info_free_list(mf->info);
	if (mf->mod)
		kmod_module_unref(mf->mod);
	memset(mf, 0, sizeof(*mf));
}

int modfile_exports(struct modfile *mf, modfile_sym_fn fn, void *data)
{
	struct kmod_list *list = NULL, *l;
	int r = kmod_module_get_symbols(mf->mod, &list), n = 0;

	if (r < 0)
		return r;
	kmod_list_foreach(l, list) {
		fn(data, kmod_module_symbol_get_symbol(l), kmod_module_symbol_get_crc(l));
		n++;
	}
	kmod_module_symbols_free_list(list);
	return n;
}

int modfile_versions(struct modfile *mf, modfile_sym_fn fn, void *data)
{
	struct kmod_list *list = NULL, *l;
	int r = kmod_module_get_versions(mf->mod, &list), n = 0;

	if (r < 0)
		return r;
	kmod_list_foreach(l, list) {
		fn(data, kmod_module_version_get_symbol(l), kmod_module_version_get_crc(l));
		n++;
	}
	kmod_module_versions_free_list(list);
	return n;
}

int modfile_read_info(struct modfile *mf)
{
	if (!mf->info_read) {
		mf->info_read = true;
		mf->info_err = kmod_module_get_info(mf->mod, &mf->info);
		if (mf->info_err < 0)
			mf->info = NULL;
		else
			mf->info_err = 0;
	}
	return mf->info_err;
}

bool modfile_info_next(struct modfile *mf, struct kmod_list **it, const char **key,
		       const char **value)
{
	modfile_read_info(mf);
	*it = *it ? kmod_list_next(mf->info, *it) : mf->info;
	if (!*it)
		return false;
	*key = kmod_module_info_get_key(*it);
	*value = kmod_module_info_get_value(*it);
	return true;
}

char *modfile_vermagic_kver(struct modfile *mf)
{
	struct kmod_list *it = NULL;
	const char *k, *v;

	while (modfile_info_next(mf, &it, &k, &v))
		if (v && streq(k, "vermagic"))
			return xstrndup(v, strcspn(v, " "));
	return NULL;
}

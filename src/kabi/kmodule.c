// SPDX-License-Identifier: GPL-2.0-or-later
/* kmodule.c - reads a module's __versions, exports and vermagic with libkmod. */
#include <errno.h>
#include <string.h>

#include <libkmod.h>

#include "kabi/kmodule.h"
#include "util/fs.h"
#include "util/macro.h"

static void push(struct kabi_symver **v, size_t *n, const char *name, uint64_t crc)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].name = xstrdup(name);
	(*v)[(*n)++].crc = crc;
}

static char *name_of(const char *path)
{
	const char *b = path_basename(path);
	char *n = xstrndup(b, strcspn(b, "."));

	for (char *c = n; *c; c++)
		if (*c == '-')
			*c = '_';
	return n;
}

int kabi_module_read(struct kmod_ctx *kctx, const char *path, struct kabi_module *m)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *l, *list = NULL;

	memset(m, 0, sizeof(*m));
	m->path = xstrdup(path);
	m->name = name_of(path);
	int r = kmod_module_new_from_path(kctx, path, &mod);
	if (r < 0)
		return r;
	r = kmod_module_get_versions(mod, &list);
	if (r >= 0) {
		m->has_versions = true;
		kmod_list_foreach(l, list) push(&m->vers, &m->nvers, kmod_module_version_get_symbol(l),
						kmod_module_version_get_crc(l));
		kmod_module_versions_free_list(list);
	} else if (r != -ENOENT && r != -ENODATA) {
		/* an unreadable or malformed file, not merely one without modversions */
		kmod_module_unref(mod);
		return r;
	}
	list = NULL;
	if (kmod_module_get_symbols(mod, &list) >= 0) {
		kmod_list_foreach(l, list) push(&m->exps, &m->nexps, kmod_module_symbol_get_symbol(l),
						kmod_module_symbol_get_crc(l));
		kmod_module_symbols_free_list(list);
	}
	list = NULL;
	if (kmod_module_get_info(mod, &list) >= 0) {
		kmod_list_foreach(l, list) {
			const char *v = kmod_module_info_get_value(l);

			if (!streq(kmod_module_info_get_key(l), "vermagic") || !v || m->vermagic_kver)
				continue;
			m->vermagic_kver = xstrndup(v, strcspn(v, " "));
		}
		kmod_module_info_free_list(list);
	}
	kmod_module_unref(mod);
	return 0;
}

void kabi_module_release(struct kabi_module *m)
{
	for (size_t i = 0; i < m->nvers; i++)
		free(m->vers[i].name);
	for (size_t i = 0; i < m->nexps; i++)
		free(m->exps[i].name);
	free(m->vers);
	free(m->exps);
	free(m->path);
	free(m->name);
	free(m->vermagic_kver);
	memset(m, 0, sizeof(*m));
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* parse.c - reads one module file through libkmod into a record blob, as kmod's depmod does. */
#include <errno.h>
#include <string.h>

#include <libkmod.h>

#include "depmod/internal.h"

struct kmod_ctx *dm_kmod_new(const char *dirname)
{
	const char *none = NULL;
	struct kmod_ctx *ctx = kmod_new(dirname, &none);

	if (!ctx) {
		DM_ERR("kmod_new(\"%s\", {NULL}) failed: %s", dirname, strerror(errno));
		return NULL;
	}
	dm_log_attach(ctx);
	return ctx;
}

static void put32(struct strbuf *out, size_t at, uint32_t v)
{
	memcpy(out->buf + at, &v, sizeof(v));
}

static void add64(struct strbuf *out, uint64_t v)
{
	sb_addn(out, (const char *)&v, sizeof(v));
}

static void addz(struct strbuf *out, const char *s)
{
	sb_addn(out, s, strlen(s) + 1);
}

static uint32_t add_info(struct strbuf *out, struct kmod_list *info, const char *key)
{
	uint32_t n = 0;
	struct kmod_list *l;

	kmod_list_foreach(l, info) {
		if (!streq(kmod_module_info_get_key(l), key))
			continue;
		const char *v = kmod_module_info_get_value(l);
		addz(out, v ? v : "");
		n++;
	}
	return n;
}

int dm_parse_module(struct kmod_ctx *ctx, const char *path, struct strbuf *out, bool *clean)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *syms = NULL, *info = NULL, *deps = NULL, *l;
	size_t start = out->len;
	uint32_t nexp = 0, ndep = 0;
	int r;

	*clean = true;
	sb_addn(out, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", DM_REC_HDR);
	r = kmod_module_new_from_path(ctx, path, &mod);
	if (r < 0) {
		DM_ERR("could not create module %s: %s", path, strerror(-r));
		*clean = false;
		return 0;
	}
	r = kmod_module_get_symbols(mod, &syms);
	if (r < 0) {
		if (r == -ENOENT) {
			DM_DBG("ignoring %s: no symbols", path);
		} else {
			DM_ERR("failed to load symbols from %s: %s", path, strerror(-r));
			*clean = false;
		}
		syms = NULL;
	}
	kmod_list_foreach(l, syms) {
		add64(out, kmod_module_symbol_get_crc(l));
		addz(out, kmod_module_symbol_get_symbol(l));
		nexp++;
	}
	kmod_module_symbols_free_list(syms);

	if (kmod_module_get_info(mod, &info) < 0)
		info = NULL;
	if (kmod_module_get_dependency_symbols(mod, &deps) < 0)
		deps = NULL;
	kmod_list_foreach(l, deps) {
		int bind = kmod_module_dependency_symbol_get_bind(l);

		add64(out, kmod_module_dependency_symbol_get_crc(l));
		sb_addch(out, (char)bind);
		addz(out, kmod_module_dependency_symbol_get_symbol(l));
		ndep++;
	}
	kmod_module_dependency_symbols_free_list(deps);

	put32(out, start, nexp);
	put32(out, start + 4, ndep);
	put32(out, start + 8, add_info(out, info, "alias"));
	put32(out, start + 12, add_info(out, info, "softdep"));
	kmod_module_info_free_list(info);
	kmod_module_unref(mod);
	return 0;
}

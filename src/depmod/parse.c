// SPDX-License-Identifier: GPL-2.0-or-later
/* parse.c - reads one module file through libkmod into a record blob, as kmod's depmod does. */
#include <errno.h>
#include <string.h>

#include <libkmod.h>

#include "depmod/internal.h"
#include "depmod/modfile.h"

struct kmod_ctx *dm_kmod_new(const char *dirname)
{
	struct kmod_ctx *ctx = modfile_kmod_new(dirname);

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

static void add_export(void *data, const char *symbol, uint64_t crc)
{
	struct strbuf *out = data;

	add64(out, crc);
	addz(out, symbol);
}

static uint32_t add_info(struct strbuf *out, struct modfile *mf, const char *key)
{
	uint32_t n = 0;
	struct kmod_list *it = NULL;
	const char *k, *v;

	while (modfile_info_next(mf, &it, &k, &v)) {
		if (!streq(k, key))
			continue;
		addz(out, v ? v : "");
		n++;
	}
	return n;
}

int dm_parse_module(struct kmod_ctx *ctx, const char *path, struct strbuf *out, bool *clean)
{
	struct modfile mf;
	struct kmod_list *deps = NULL, *l;
	size_t start = out->len;
	uint32_t nexp = 0, ndep = 0;
	int r;

	*clean = true;
	sb_addn(out, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", DM_REC_HDR);
	r = modfile_open(ctx, path, &mf);
	if (r < 0) {
		DM_ERR("could not create module %s: %s", path, strerror(-r));
		*clean = false;
		return 0;
	}
	r = modfile_exports(&mf, add_export, out);
	if (r >= 0) {
		nexp = (uint32_t)r;
	} else if (r == -ENOENT) {
		DM_DBG("ignoring %s: no symbols", path);
	} else {
		DM_ERR("failed to load symbols from %s: %s", path, strerror(-r));
		*clean = false;
	}

	(void)modfile_read_info(&mf); /* before the dependency symbols, as kmod's depmod reads them */
	if (kmod_module_get_dependency_symbols(mf.mod, &deps) < 0)
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
	put32(out, start + 8, add_info(out, &mf, "alias"));
	put32(out, start + 12, add_info(out, &mf, "softdep"));
	modfile_close(&mf);
	return 0;
}

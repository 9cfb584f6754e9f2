// SPDX-License-Identifier: GPL-2.0-or-later
/* kmodule.c - a module's __versions, exports and vermagic, as the kABI checks keep them. */
#include <errno.h>
#include <string.h>

#include "depmod/modfile.h"
#include "kabi/kmodule.h"
#include "util/fs.h"
#include "util/macro.h"

struct symvec {
	struct kabi_symver **v;
	size_t *n;
};

static void push(void *data, const char *name, uint64_t crc)
{
	struct symvec *sv = data;

	*sv->v = xreallocarray(*sv->v, *sv->n + 1, sizeof(**sv->v));
	(*sv->v)[*sv->n].name = xstrdup(name);
	(*sv->v)[(*sv->n)++].crc = crc;
}

int kabi_module_read(struct kmod_ctx *kctx, const char *path, struct kabi_module *m)
{
	struct modfile mf;

	memset(m, 0, sizeof(*m));
	m->path = xstrdup(path);
	m->name = modfile_name(path_basename(path), NULL);
	int r = modfile_open(kctx, path, &mf);
	if (r < 0)
		return r;
	r = modfile_versions(&mf, push, &(struct symvec){&m->vers, &m->nvers});
	if (r >= 0) {
		m->has_versions = true;
	} else if (r != -ENOENT && r != -ENODATA) {
		/* an unreadable or malformed file, not merely one without modversions */
		modfile_close(&mf);
		return r;
	}
	(void)modfile_exports(&mf, push, &(struct symvec){&m->exps, &m->nexps});
	m->vermagic_kver = modfile_vermagic_kver(&mf);
	modfile_close(&mf);
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

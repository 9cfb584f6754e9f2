// SPDX-License-Identifier: GPL-2.0-or-later
/* owner.c - package ownership across the built-in backends, and the paths worth asking about. */
#include <stdlib.h>
#include <string.h>

#include "pkg/owner.h"
#include "util/fs.h"
#include "util/macro.h"

struct owner_db {
	const struct owner_backend *be[2];
	void *h[2];
	size_t n;
};

struct owner_db *owner_open(const char *root)
{
	const struct owner_backend *all[] = {&owner_alpm, &owner_rpm};
	struct owner_db *db = xcalloc(1, sizeof(*db));

	if (!*root)
		root = "/";
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		void *h = all[i]->open ? all[i]->open(root) : NULL;
		if (h) {
			db->be[db->n] = all[i];
			db->h[db->n++] = h;
		}
	}
	if (!db->n) {
		free(db);
		return NULL;
	}
	return db;
}

void owner_close(struct owner_db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++)
		db->be[i]->close(db->h[i]);
	free(db);
}

char *owner_of(struct owner_db *db, const char *abs)
{
	for (size_t i = 0; db && i < db->n; i++) {
		char *o = db->be[i]->owner(db->h[i], abs);
		if (o)
			return o;
	}
	return NULL;
}

char *owner_of_source(struct owner_db *db, const char *dir)
{
	_cleanup_free_ char *conf = path_join(dir, "dkms.conf");
	char *o = owner_of(db, conf);

	return o ? o : owner_of(db, dir);
}

char *owner_of_kernel(struct owner_db *db, const char *kver)
{
	static const char *const prefixes[] = {"/usr/lib/modules/", "/lib/modules/"};
	static const char *const tails[] = {"/modules.order", "/vmlinuz", ""};
	char *o = NULL;

	for (size_t t = 0; t < ARRAY_SIZE(tails) && !o; t++)
		for (size_t p = 0; p < ARRAY_SIZE(prefixes) && !o; p++) {
			_cleanup_free_ char *path = xasprintf("%s%s%s", prefixes[p], kver, tails[t]);
			o = owner_of(db, path);
		}
	return o;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* symvers.c - finds and reads Module.symvers / symvers-KVER.gz (zlib reads both forms). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "kabi/symvers.h"
#include "util/fs.h"
#include "util/macro.h"

#define LINE_MAX_LEN 4096

char *kabi_symvers_find(const char *base, const char *kver)
{
	char *c[3] = {
		xasprintf("%s/boot/symvers-%s.gz", base, kver),
		xasprintf("%s/lib/modules/%s/symvers.gz", base, kver),
		xasprintf("%s/lib/modules/%s/build/Module.symvers", base, kver),
	};
	char *found = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		if (!found && is_reg(c[i]))
			found = TAKE_PTR(c[i]);
		free(c[i]);
	}
	return found;
}

/* One line: true with name cut out of it (NUL-terminated in place) and its CRC. */
static bool parse_line(char *line, const char **name, uint64_t *crc)
{
	char *tab = strchr(line, '\t');

	if (!tab || line[0] != '0' || (line[1] != 'x' && line[1] != 'X'))
		return false;
	*tab = '\0';
	char *end;
	errno = 0;
	unsigned long long v = strtoull(line + 2, &end, 16);
	if (errno || end == line + 2 || *end || v > UINT32_MAX)
		return false;
	char *n = tab + 1, *e = n + strcspn(n, "\t\n");
	if (e == n)
		return false;
	*e = '\0';
	*name = n;
	*crc = v;
	return true;
}

int kabi_symvers_load(const char *path, struct kabi_symtab *t)
{
	gzFile f = gzopen(path, "rb");
	char line[LINE_MAX_LEN];
	int n = 0;
	bool skipping = false;

	if (!f)
		return errno ? -errno : -ENOMEM;
	while (gzgets(f, line, sizeof(line))) {
		size_t len = strlen(line);
		bool whole = len && line[len - 1] == '\n';
		const char *name;
		uint64_t crc;

		/* the tail of an over-long line is not a line of its own */
		if (skipping) {
			skipping = !whole;
			continue;
		}
		skipping = !whole && !gzeof(f);
		if (skipping)
			continue;
		if (parse_line(line, &name, &crc) && kabi_symtab_add(t, name, crc, KABI_OWNER_KERNEL))
			n++;
	}
	int err;
	const char *msg = gzerror(f, &err);
	(void)msg;
	gzclose(f);
	return err && err != Z_STREAM_END ? -EIO : n;
}

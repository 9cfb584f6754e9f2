// SPDX-License-Identifier: GPL-2.0-or-later
/* symvers.c - finds and reads Module.symvers / symvers-KVER.gz (zlib reads both forms). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "kabi/symvers.h"
#include "util/fs.h"
#include "util/macro.h"
#include "util/strbuf.h"

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

/* The whole (decompressed) file; gzread reads plain files as they are. */
static int read_all(gzFile f, struct strbuf *out)
{
	for (;;) {
		sb_grow(out, 1 << 20);
		int n = gzread(f, out->buf + out->len, (unsigned)(out->cap - out->len - 1));

		if (n < 0)
			return -EIO;
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len > ((size_t)1 << 30))
			return -EFBIG;
	}
	out->buf[out->len] = '\0';
	return 0;
}

/*
 * The lines of the file, as reading it with gzgets() into a LINE_MAX_LEN buffer found them: a
 * line that does not fit (newline included) is skipped whole, a line holding a NUL byte too.
 */
int kabi_symvers_load(const char *path, struct kabi_symtab *t)
{
	_cleanup_strbuf_ struct strbuf data = STRBUF_INIT;
	gzFile f = gzopen(path, "rb");
	int n = 0, r;

	if (!f)
		return errno ? -errno : -ENOMEM;
	gzbuffer(f, 128 * 1024);
	r = read_all(f, &data);
	int err;
	gzerror(f, &err);
	gzclose(f);
	if (r < 0)
		return r;
	if (err && err != Z_STREAM_END)
		return -EIO;
	kabi_symtab_reserve(t, t->n + data.len / 48);
	char *p = data.buf, *end = data.buf + data.len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		char *next = p + len;
		const char *name;
		uint64_t crc;

		if (len < LINE_MAX_LEN && !memchr(p, '\0', len)) {
			char saved = p[len];

			p[len] = '\0';
			if (parse_line(p, &name, &crc) &&
			    kabi_symtab_add(t, name, crc, KABI_OWNER_KERNEL))
				n++;
			p[len] = saved;
		}
		p = next;
	}
	return n;
}

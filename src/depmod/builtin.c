// SPDX-License-Identifier: GPL-2.0-or-later
/* builtin.c - modules.builtin.bin and modules.builtin.alias.bin from the kernel build's lists. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "depmod/internal.h"
#include "util/fs.h"

#define KPATH_MAX 4096 /* kmod's PATH_MAX-sized buffers, whose limits show in its output */

static int normalize_slow(const char *alias, char *buf, size_t *len)
{
	size_t i;

	for (i = 0; i < KPATH_MAX - 1; i++) {
		char c = alias[i];

		if (c == '\0')
			break;
		if (c == '-') {
			buf[i] = '_';
		} else if (c == ']') {
			return -EINVAL;
		} else if (c == '[') {
			while (alias[i] != ']' && alias[i] != '\0' && i < KPATH_MAX - 1) {
				buf[i] = alias[i];
				i++;
			}
			if (alias[i] != ']' || i >= KPATH_MAX - 1)
				return -EINVAL;
			buf[i] = alias[i];
		} else {
			buf[i] = c;
		}
	}
	buf[i] = '\0';
	if (len)
		*len = i;
	return 0;
}

/*
 * Most aliases have no brackets: copy the runs between '-' (found with strcspn) and map each '-'
 * to '_'; anything else, and anything near kmod's length limit, takes the byte-wise loop.
 */
int dm_alias_normalize(const char *alias, char *buf, size_t *len)
{
	size_t i = 0;

	for (;;) {
		size_t n = strcspn(alias + i, "-[]");

		if (i + n >= KPATH_MAX - 1)
			break;
		memcpy(buf + i, alias + i, n);
		i += n;
		if (alias[i] == '\0') {
			buf[i] = '\0';
			if (len)
				*len = i;
			return 0;
		}
		if (alias[i] != '-')
			break;
		buf[i++] = '_';
	}
	return normalize_slow(alias, buf, len);
}

static int read_input(const char *dirname, const char *name, char **data, size_t *len,
		      bool *missing)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dirname, name);
	int r = read_file(path, data, len, (size_t)1 << 30);

	*missing = r < 0;
	if (r < 0)
		DM_WRN("could not open %s at %s: %s", name, dirname, strerror(-r));
	return r;
}

int dm_builtin_bin(const char *dirname, struct strbuf *out, bool *missing)
{
	_cleanup_free_ char *data = NULL;
	struct dm_index ix = {0};
	char modname[KPATH_MAX];
	size_t len;

	if (read_input(dirname, "modules.builtin", &data, &len, missing) < 0)
		return 0;
	const char *end = data + len;
	for (const char *p = data; p < end;) {
		/* one fgets() chunk: through '\n', at most KPATH_MAX - 1 bytes */
		size_t max = (size_t)(end - p) < KPATH_MAX - 1 ? (size_t)(end - p) : KPATH_MAX - 1;
		const char *nl = memchr(p, '\n', max);
		size_t n = nl ? (size_t)(nl - p) + 1 : max;
		char line[KPATH_MAX];

		memcpy(line, p, n);
		line[n] = '\0';
		p += n;
		if (!isalpha((unsigned char)line[0])) {
			DM_ERR("Invalid modules.builtin line: %s", line);
			continue;
		}
		const char *base = strrchr(line, '/');
		base = base ? base + 1 : line;
		if (!*base)
			continue;
		size_t k;
		for (k = 0; base[k] && base[k] != '.' && k < KPATH_MAX - 1; k++)
			modname[k] = base[k] == '-' ? '_' : base[k];
		modname[k] = '\0';
		dm_index_add(&ix, dm_index_strdup(&ix, modname, k), "", 0);
	}
	int r = dm_index_write(&ix, out);
	dm_index_release(&ix);
	return r;
}

/* A getc() over a buffer, so kmod's stream parsing can be followed step by step. */
struct reader {
	const char *p, *end;
	bool eof;
};

static int rd_getc(struct reader *r)
{
	if (r->p >= r->end) {
		r->eof = true;
		return EOF;
	}
	return (unsigned char)*r->p++;
}

/* kmod's flush_stream_to(): the field length when it ended with endchar, else 0. */
static size_t read_field(struct reader *r, int endchar, char *dst, size_t dst_sz)
{
	size_t i = 0;
	int c;

	for (c = rd_getc(r); c != EOF && c != endchar && c != '\0' && i < dst_sz; c = rd_getc(r))
		dst[i++] = (char)c;
	if (i == dst_sz) {
		DM_WRN("Could not flush stream: %d. Partial content: %.*s", ENOSPC, (int)dst_sz,
		       dst);
		i--;
	}
	return c == endchar ? i : 0;
}

static void skip_field(struct reader *r, int endchar)
{
	int c;

	for (c = rd_getc(r); c != EOF && c != endchar && c != '\0'; c = rd_getc(r))
		;
}

int dm_builtin_alias_bin(const char *dirname, struct strbuf *out, bool *missing)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *modname = xmalloc(KPATH_MAX);
	_cleanup_free_ char *value = xmalloc(KPATH_MAX);
	_cleanup_free_ char *alias = xmalloc(KPATH_MAX);
	struct dm_index ix = {0};
	size_t len, n;

	if (read_input(dirname, "modules.builtin.modinfo", &data, &len, missing) < 0)
		return 0;
	struct reader rd = {data, data + len, false};
	/* records are "modname.key=value\0" */
	while (!rd.eof) {
		n = read_field(&rd, '.', modname, KPATH_MAX);
		modname[n] = '\0';
		if (!n)
			continue;
		n = read_field(&rd, '=', value, KPATH_MAX);
		value[n] = '\0';
		if (!streq(value, "alias")) {
			skip_field(&rd, '\0');
			continue;
		}
		n = read_field(&rd, '\0', value, KPATH_MAX);
		value[n] = '\0';
		if (!n)
			continue;
		if (dm_alias_normalize(value, alias, &n) < 0) {
			DM_WRN("Unmatched bracket in %s", value);
			continue;
		}
		dm_index_add(&ix, dm_index_strdup(&ix, alias, n),
			     dm_index_strdup(&ix, modname, strlen(modname)), 0);
	}
	int r = dm_index_write(&ix, out);
	dm_index_release(&ix);
	return r;
}

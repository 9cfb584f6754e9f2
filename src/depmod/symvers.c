// SPDX-License-Identifier: GPL-2.0-or-later
/* symvers.c - reads a Module.symvers file (plain or gzip) and cuts it into lines and fields. */
#include <errno.h>
#include <string.h>

#include <zlib.h>

#include "depmod/symvers.h"
#include "util/fs.h"
#include "util/strbuf.h"

#define SYMVERS_MAX ((size_t)1 << 30)
#define KMOD_LINE_BUF 10240 /* kmod's depmod: char line[10240] for fgets() */
#define TABS_LINE_MAX 4096  /* a line this long or longer is skipped */

/* The whole (decompressed) file; gzread reads plain files as they are. */
static int read_gz(const char *path, struct strbuf *out)
{
	gzFile f = gzopen(path, "rb");
	int r = 0, err;

	if (!f)
		return errno ? -errno : -ENOMEM;
	gzbuffer(f, 128 * 1024);
	for (;;) {
		sb_grow(out, 1 << 20);
		int n = gzread(f, out->buf + out->len, (unsigned)(out->cap - out->len - 1));

		if (n < 0) {
			r = -EIO;
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len > SYMVERS_MAX) {
			r = -EFBIG;
			break;
		}
	}
	out->buf[out->len] = '\0';
	gzerror(f, &err);
	gzclose(f);
	if (r == 0 && err && err != Z_STREAM_END)
		r = -EIO;
	return r;
}

int symvers_open(struct symvers_reader *r, const char *path, enum symvers_form form)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->form = form;
	if (form == SYMVERS_KMOD) {
		ret = read_file(path, &r->data, &r->len, SYMVERS_MAX);
	} else {
		struct strbuf sb = STRBUF_INIT;

		ret = read_gz(path, &sb);
		r->data = sb.buf;
		r->len = sb.len;
	}
	if (ret < 0)
		symvers_close(r);
	return ret;
}

static void split_blanks(char *p, const char **f[5])
{
	char *save = NULL;

	for (size_t i = 0; i < 5; i++)
		*f[i] = strtok_r(i ? NULL : p, " \t", &save);
}

static void split_tabs(char *p, size_t n, const char **f[5])
{
	if (n && p[n - 1] == '\n')
		p[n - 1] = '\0';
	for (size_t i = 0; i < 5; i++) {
		*f[i] = p;
		if (!p)
			continue;
		p = strchr(p, '\t');
		if (p)
			*p++ = '\0';
	}
}

bool symvers_next(struct symvers_reader *r, struct symvers_line *l)
{
	if (r->cut)
		*r->cut = r->saved;
	r->cut = NULL;
	while (r->pos < r->len) {
		char *p = r->data + r->pos;
		size_t left = r->len - r->pos;
		size_t max = r->form == SYMVERS_KMOD && left > KMOD_LINE_BUF - 1 ? KMOD_LINE_BUF - 1
										: left;
		char *nl = memchr(p, '\n', max);
		size_t n = nl ? (size_t)(nl - p) + 1 : max;

		r->pos += n;
		r->num++;
		if (r->form == SYMVERS_TABS && (n >= TABS_LINE_MAX || memchr(p, '\0', n)))
			continue;
		r->cut = p + n;
		r->saved = *r->cut;
		*r->cut = '\0';
		const char **f[5] = {&l->crc, &l->symbol, &l->module, &l->export_type, &l->ns};
		if (r->form == SYMVERS_KMOD)
			split_blanks(p, f);
		else
			split_tabs(p, n, f);
		l->num = r->num;
		return true;
	}
	return false;
}

void symvers_close(struct symvers_reader *r)
{
	free(r->data);
	memset(r, 0, sizeof(*r));
}

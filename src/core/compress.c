// SPDX-License-Identifier: GPL-2.0-or-later
/* compress.c - compress a built module in memory as gzip, xz or zstd, as the kernel expects. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "core/compress.h"
#include "util/macro.h"
#include "util/strv.h"

struct copts {
	int level;       /* -1: the tool's default */
	bool extreme;    /* xz -e */
	bool ultra;      /* zstd --ultra */
	lzma_check check;
	unsigned long dict;
};

/* "1MiB", "64KiB", "1048576", "8M" -> bytes; 0 when unreadable. */
static unsigned long parse_size(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s)
		return 0;
	if (*end == 'K' || *end == 'k')
		v <<= 10;
	else if (*end == 'M')
		v <<= 20;
	else if (*end == 'G')
		v <<= 30;
	return v;
}

static void parse_lzma2(struct copts *o, const char *spec)
{
	_cleanup_free_ char *copy = xstrdup(spec);
	char *save = NULL;

	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		if (strneq(kv, "dict=", 5))
			o->dict = parse_size(kv + 5);
		else if (strneq(kv, "preset=", 7)) {
			o->level = kv[7] - '0';
			o->extreme = strchr(kv + 7, 'e') != NULL;
		}
	}
}

static void parse_opts(struct copts *o, const char *opts)
{
	_cleanup_free_ char *copy = xstrdup(opts ? opts : "");
	char *save = NULL;

	*o = (struct copts){.level = -1, .check = LZMA_CHECK_CRC64};
	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (streq(w, "--best"))
			o->level = 9;
		else if (streq(w, "--fast"))
			o->level = 1;
		else if (streq(w, "--ultra"))
			o->ultra = true;
		else if (streq(w, "--extreme"))
			o->extreme = true;
		else if (streq(w, "--check=crc32"))
			o->check = LZMA_CHECK_CRC32;
		else if (streq(w, "--check=crc64"))
			o->check = LZMA_CHECK_CRC64;
		else if (streq(w, "--check=none"))
			o->check = LZMA_CHECK_NONE;
		else if (streq(w, "--check=sha256"))
			o->check = LZMA_CHECK_SHA256;
		else if (strneq(w, "--lzma2=", 8))
			parse_lzma2(o, w + 8);
		else if (w[0] == '-' && w[1] >= '0' && w[1] <= '9') {
			/* -9, -19, -9e */
			char *end;
			o->level = (int)strtol(w + 1, &end, 10);
			if (*end == 'e')
				o->extreme = true;
		} else if (streq(w, "-e"))
			o->extreme = true;
	}
}

static int do_gzip(const struct copts *o, const void *in, size_t n, void **out, size_t *outn,
		   char **why)
{
	z_stream z = {0};
	int level = o->level < 0 ? 6 : o->level > 9 ? 9 : o->level;

	/* windowBits 15 + 16: a gzip wrapper (no name, time 0) */
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		*why = xstrdup("zlib initialisation failed");
		return -ENOMEM;
	}
	size_t cap = deflateBound(&z, (uLong)n);
	unsigned char *buf = xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	int zr = deflate(&z, Z_FINISH);
	size_t len = z.total_out;
	deflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(buf);
		*why = xasprintf("gzip compression failed (%d)", zr);
		return -EIO;
	}
	*out = buf;
	*outn = len;
	return 0;
}

static int do_xz(const struct copts *o, const void *in, size_t n, void **out, size_t *outn,
		 char **why)
{
	lzma_options_lzma lz;
	uint32_t preset = (uint32_t)(o->level < 0 ? 6 : o->level > 9 ? 9 : o->level);

	if (o->extreme)
		preset |= LZMA_PRESET_EXTREME;
	if (lzma_lzma_preset(&lz, preset)) {
		*why = xstrdup("bad xz preset");
		return -EINVAL;
	}
	if (o->dict)
		lz.dict_size = (uint32_t)o->dict;
	lzma_filter filters[] = {
		{.id = LZMA_FILTER_LZMA2, .options = &lz},
		{.id = LZMA_VLI_UNKNOWN, .options = NULL},
	};
	size_t cap = lzma_stream_buffer_bound(n), pos = 0;
	unsigned char *buf = xmalloc(cap);
	lzma_ret lr = lzma_stream_buffer_encode(filters, o->check, NULL, in, n, buf, &pos, cap);
	if (lr != LZMA_OK) {
		free(buf);
		*why = xasprintf("xz compression failed (%d)", (int)lr);
		return -EIO;
	}
	*out = buf;
	*outn = pos;
	return 0;
}

static int do_zstd(const struct copts *o, const void *in, size_t n, void **out, size_t *outn,
		   char **why)
{
	int max = o->ultra ? ZSTD_maxCLevel() : 19;
	int level = o->level < 0 ? ZSTD_CLEVEL_DEFAULT : o->level > max ? max : o->level;
	ZSTD_CCtx *c = ZSTD_createCCtx();

	if (!c) {
		*why = xstrdup("zstd initialisation failed");
		return -ENOMEM;
	}
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	size_t cap = ZSTD_compressBound(n);
	unsigned char *buf = xmalloc(cap);
	size_t len = ZSTD_compress2(c, buf, cap, in, n);
	ZSTD_freeCCtx(c);
	if (ZSTD_isError(len)) {
		*why = xasprintf("zstd compression failed (%s)", ZSTD_getErrorName(len));
		free(buf);
		return -EIO;
	}
	*out = buf;
	*outn = len;
	return 0;
}

int compress_module(const char *suffix, const char *opts, const void *in, size_t n, void **out,
		    size_t *outn, char **why)
{
	struct copts o;

	*out = NULL;
	*outn = 0;
	parse_opts(&o, opts);
	if (!suffix || !*suffix)
		return 0;
	if (streq(suffix, ".gz"))
		return do_gzip(&o, in, n, out, outn, why);
	if (streq(suffix, ".xz"))
		return do_xz(&o, in, n, out, outn, why);
	if (streq(suffix, ".zst"))
		return do_zstd(&o, in, n, out, outn, why);
	*why = xasprintf("unknown compression %s", suffix);
	return -EINVAL;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compress.h - compress a built module in memory as gzip, xz or zstd, as the kernel expects. */
#pragma once

#include <stddef.h>

/*
 * Compress in[0..n) for suffix ".gz", ".xz" or ".zst" ("" copies nothing and returns 0 with
 * *out NULL).  opts are framework.conf's compress_<kind>_opts, the command-line options of
 * gzip/xz/zstd, translated to library settings: levels (-1 .. -19, --ultra, --best, --fast, -e),
 * xz's --check= and --lzma2=dict=/preset=; the rest (-q, --rm, -T0, -f) does not apply in
 * memory and is ignored.  *out is malloc()ed.  Returns 0 or a negative errno; *why on failure.
 */
int compress_module(const char *suffix, const char *opts, const void *in, size_t n, void **out,
		    size_t *outn, char **why);

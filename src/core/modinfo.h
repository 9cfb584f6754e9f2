/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modinfo.h - version and srcversion of a module file, read with libkmod. */
#pragma once

#include <stdbool.h>

#include "util/macro.h"

struct kmod_ctx;

struct modver {
	char *version;    /* "" when the module has none */
	char *srcversion; /* srcversion, or the old checksum after the version */
	int ok;           /* 0 when the file could be read */
};

/* One libkmod context for all of a caller's reads, made on the first modinfo_read(). */
struct modinfo_reader {
	struct kmod_ctx *kctx;
	bool tried;
};

#define MODINFO_READER_INIT {.kctx = NULL, .tried = false}

void modinfo_reader_close(struct modinfo_reader *r);
#define _cleanup_modinfo_reader_ _cleanup_(modinfo_reader_close)

void modinfo_read(struct modinfo_reader *r, const char *path, struct modver *mv);
void modver_release(struct modver *mv);

/*
 * dkms's compare_module_version(a, b): "==" same version and srcversion, "=" same version,
 * ">" a newer, "<" a older, "?" undeterminable.
 */
const char *modver_compare(const struct modver *a, const struct modver *b);

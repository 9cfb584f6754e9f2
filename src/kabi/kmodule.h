/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kmodule.h - what a kABI check needs from one module file: __versions, exports, vermagic. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/macro.h"

struct kmod_ctx;

struct kabi_symver {
	char *name;
	uint64_t crc;
};

struct kabi_module {
	char *path;            /* host path of the file */
	char *name;            /* module name (file name up to the first '.', '-' as '_') */
	char *vermagic_kver;   /* first word of vermagic, or NULL */
	bool has_versions;     /* a __versions section was found */
	struct kabi_symver *vers; /* needed symbols with the CRC the module was linked against */
	size_t nvers;
	struct kabi_symver *exps; /* exported symbols */
	size_t nexps;
};

/*
 * Read path through libkmod (compressed modules included; libkmod checks the ELF bounds).
 * 0 on success (has_versions tells whether there was a __versions table), or a negative errno
 * when the file is not a readable module.
 */
_must_check_ int kabi_module_read(struct kmod_ctx *kctx, const char *path, struct kabi_module *m);
void kabi_module_release(struct kabi_module *m);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modinfo.h - version and srcversion of a module file, read with libkmod. */
#pragma once

struct modver {
	char *version;    /* "" when the module has none */
	char *srcversion; /* srcversion, or the old checksum after the version */
	int ok;           /* 0 when the file could be read */
};

void modinfo_read(const char *path, struct modver *mv);
void modver_release(struct modver *mv);

/*
 * dkms's compare_module_version(a, b): "==" same version and srcversion, "=" same version,
 * ">" a newer, "<" a older, "?" undeterminable.
 */
const char *modver_compare(const struct modver *a, const struct modver *b);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz.h - helpers of the libFuzzer targets: one private scratch folder, inputs as files. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/macro.h"

/* A scratch folder of this process, made on first use. */
static inline const char *fuzz_dir(void)
{
	static char *dir;

	if (!dir) {
		const char *t = getenv("TMPDIR");
		dir = mkdtemp_in(t && *t ? t : "/tmp", "ndkms-fuzz.");
		if (!dir)
			abort();
	}
	return dir;
}

/* The input written to "<scratch>/input"; returns its path. */
static inline char *fuzz_put(const uint8_t *data, size_t size)
{
	char *p = path_join(fuzz_dir(), "input");
	FILE *f = fopen(p, "we");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	return p;
}

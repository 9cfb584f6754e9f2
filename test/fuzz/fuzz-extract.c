// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz-extract.c - libFuzzer target: the tarball reader unpacking untrusted archives. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "pkg/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *path = fuzz_put(data, size);
	_cleanup_free_ char *dest = path_join(fuzz_dir(), "out");
	char *why = NULL;

	rm_rf(dest);
	if (mkdir_p(dest, 0700) < 0)
		abort();
	if (extract_archive(path, dest, &why) > 0)
		abort(); /* 0 or a negative errno */
	free(why);
	rm_rf(dest);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz-bashrec.c - libFuzzer target: the record stream the bash fallback's worker prints. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/bash.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shvars vs = SHVARS_INIT;

	/* the input as it is, not NUL-terminated: the parser must stay within size */
	int r = bash_parse_records((const char *)data, size, &vs);
	if (r != 0 && r != -ECANCELED && r != -EBADMSG && r != -E2BIG)
		abort(); /* only the results bash.h names */
	for (size_t i = 0; i < vs.n; i++)
		for (size_t k = 0; k < vs.v[i].n; k++)
			if (!vs.v[i].elems[k].val || (k && vs.v[i].elems[k - 1].idx >= vs.v[i].elems[k].idx))
				abort(); /* every element has a value, indices ascending */
	shvars_release(&vs);
	return 0;
}

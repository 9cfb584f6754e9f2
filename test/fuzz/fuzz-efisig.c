// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz-efisig.c - libFuzzer target: the EFI signature list parser behind mok status. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sign/efivar.h"

struct span {
	const uint8_t *lo, *hi;
	size_t n;
};

/* Every certificate handed out lies inside the input. */
static int inside(const unsigned char *der, size_t len, void *data)
{
	struct span *s = data;

	if (der < s->lo || der + len > s->hi || len == 0)
		abort();
	s->n++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy: the parser must not read a byte beyond it */
	uint8_t *copy = malloc(size ? size : 1);
	struct span s;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	s = (struct span){copy, copy + size, 0};
	int r = efisig_foreach_x509(copy, size, inside, &s);
	if (r != 0 && r != -EBADMSG)
		abort();
	/* the first 8 bytes as a certificate that may or may not be listed */
	int c = efisig_contains(copy, size, copy, size < 8 ? size : 8);
	if (c != 0 && c != 1 && c != -EBADMSG)
		abort();
	if (r == 0 && c < 0)
		abort();
	free(copy);
	return 0;
}

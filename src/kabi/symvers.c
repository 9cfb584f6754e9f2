// SPDX-License-Identifier: GPL-2.0-or-later
/* symvers.c - finds a kernel's Module.symvers / symvers-KVER.gz and loads it into a symtab. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "depmod/symvers.h"
#include "kabi/symvers.h"
#include "util/fs.h"
#include "util/macro.h"

char *kabi_symvers_find(const char *base, const char *kver)
{
	char *c[3] = {
		xasprintf("%s/boot/symvers-%s.gz", base, kver),
		xasprintf("%s/lib/modules/%s/symvers.gz", base, kver),
		xasprintf("%s/lib/modules/%s/build/Module.symvers", base, kver),
	};
	char *found = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		if (!found && is_reg(c[i]))
			found = TAKE_PTR(c[i]);
		free(c[i]);
	}
	return found;
}

/* The CRC field: "0x" and at most 32 bits of hex, nothing after. */
static bool parse_crc(const char *s, uint64_t *crc)
{
	char *end;

	if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	errno = 0;
	unsigned long long v = strtoull(s + 2, &end, 16);
	if (errno || end == s + 2 || *end || v > UINT32_MAX)
		return false;
	*crc = v;
	return true;
}

int kabi_symvers_load(const char *path, struct kabi_symtab *t)
{
	struct symvers_reader rd;
	struct symvers_line l;
	int n = 0, r = symvers_open(&rd, path, SYMVERS_TABS);

	if (r < 0)
		return r;
	kabi_symtab_reserve(t, t->n + rd.len / 48);
	while (symvers_next(&rd, &l)) {
		uint64_t crc;

		if (parse_crc(l.crc, &crc) && l.symbol && *l.symbol &&
		    kabi_symtab_add(t, l.symbol, crc, KABI_OWNER_KERNEL))
			n++;
	}
	symvers_close(&rd);
	return n;
}

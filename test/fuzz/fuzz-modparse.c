// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz-modparse.c - libFuzzer target: depmod's parser of module files (ELF through libkmod). */
#include <libkmod.h>
#include <stdint.h>
#include <stdlib.h>

#include "depmod/internal.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kmod_ctx *ctx;
	_cleanup_free_ char *in = fuzz_put(data, size);
	_cleanup_free_ char *ko = path_join(fuzz_dir(), "m.ko");
	struct strbuf out = STRBUF_INIT;
	bool clean = false;

	if (!ctx)
		ctx = kmod_new(fuzz_dir(), NULL);
	if (!ctx || rename(in, ko) < 0)
		abort();
	dm_parse_module(ctx, ko, &out, &clean);
	sb_release(&out);
	return 0;
}

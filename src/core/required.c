// SPDX-License-Identifier: GPL-2.0-or-later
/* required.c - the administrator's required modules (names or globs in ndkms.conf). */
#include <fnmatch.h>

#include "core/required.h"

bool required_module(const struct ndkms_ctx *ctx, const char *m)
{
	for (size_t i = 0; i < ctx->env->required.n; i++)
		if (fnmatch(ctx->env->required.v[i], m, 0) == 0)
			return true;
	return false;
}

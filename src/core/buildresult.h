/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buildresult.h - the last build result of a module/version per kernel and arch. */
#pragma once

#include "core/ctx.h"

struct build_result {
	char *kernel, *arch;
	char *result;    /* "built", "failed" or "skipped" (BUILD_EXCLUSIVE) */
	int exit;        /* the dkms exit code of a failure (ctx->exit_status), else 0 */
	long long time;  /* when it ended, seconds since the epoch */
	long ms;         /* how long it took */
	char *log;       /* in-root path of its make.log, or NULL */
};

/* Record one build in M/V/.last-build.K.A (atomically; a failure to write is only logged). */
void build_result_write(const struct ndkms_ctx *ctx, const char *m, const char *v,
			const struct build_result *res);

/* Every recorded result of M/V (k and a NULL: all), sorted by kernel then arch. */
void build_result_list(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *k,
		       const char *a, struct build_result **out, size_t *n);
void build_result_free(struct build_result *res, size_t n);

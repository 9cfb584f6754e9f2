/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.h - one table per transaction: what became of each module on each kernel. */
#pragma once

#include <stdbool.h>

#include "core/batch.h"
#include "core/ctx.h"

enum report_result {
	REPORT_INSTALLED,
	REPORT_ALREADY_BUILT, /* installed from an earlier build (the preflight's, say) */
	REPORT_ALREADY_INSTALLED,
	REPORT_BUILT,         /* built only (the preflight) */
	REPORT_REMOVED,
	REPORT_SKIPPED,       /* BUILD_EXCLUSIVE does not match the kernel */
	REPORT_WAITING,       /* BUILD_DEPENDS missing or failed */
	REPORT_FAILED,
};

struct report_row {
	char *m, *v, *k, *a;
	enum report_result res;
	int status;   /* the exit code of a failure */
	long ms;
	char *log;    /* host path of the make.log of a failed build, or NULL */
	bool required;
};

struct report {
	struct report_row *rows;
	size_t n;
};

void report_add(struct report *rep, const struct ndkms_ctx *ctx, const char *m, const char *v,
		const char *k, const char *a, enum report_result res, int status, long ms);
/* A finished batch job: installed (or already_built when it was built before), skipped, failed. */
void report_add_job(struct report *rep, const struct ndkms_ctx *ctx, const struct batch_job *j,
		    enum report_result ok);

/* The table (nothing when empty). */
void report_print(const struct ndkms_ctx *ctx, const struct report *rep);

/*
 * Required modules that failed (or could not be built for want of their BUILD_DEPENDS):
 * for each, which, why (the last lines of its make.log) and how to proceed.  Returns how many.
 */
int report_required_failures(const struct ndkms_ctx *ctx, const struct report *rep,
			     const char *k);

void report_release(struct report *rep);

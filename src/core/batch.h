/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch.h - run module/kernel jobs in parallel workers, in BUILD_DEPENDS order, in one -j budget. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "core/ctx.h"
#include "util/strv.h"

enum batch_state { BATCH_PENDING, BATCH_RUNNING, BATCH_DONE };

struct batch_job {
	/* set by the caller (strings stay owned by the caller) */
	const char *m, *v, *k, *a;
	struct strv deps;  /* module names whose job on the same k/a must succeed (0 or 77) first */
	void *data;        /* the caller's */
	/* set by batch_run */
	enum batch_state state;
	int status;        /* the worker's exit status (a dkms exit code, 128 + signal) */
	char *output;      /* everything the worker printed, NUL-terminated */
	int share;         /* make -j given to this worker (0: unlimited) */
	bool overlapped;   /* another worker ran at the same time (its output may interleave) */
	long ms;           /* how long the worker ran, in milliseconds */
	pid_t pid;
};

struct batch_opts {
	/* Runs in the forked worker, with stdout and stderr captured; returns 0 or a code. */
	int (*work)(struct ndkms_ctx *ctx, const struct batch_job *j, void *data);
	/* Run in the parent when a worker starts and when it has ended (may be NULL). */
	void (*started)(const struct batch_job *j, void *data);
	void (*ended)(const struct batch_job *j, void *data);
	void *data;
};

/*
 * Run every job whose dependencies are met, in array order, each in a forked worker that gets
 * a share of ctx_jobs() as its make -j; two jobs of one module never overlap (they share the
 * module's build folder).  Kernels of jobs that ran are queued in ctx->ses.depmod_pending; nothing
 * else of the workers' ctx comes back.  Jobs left BATCH_PENDING could not start because a
 * dependency failed or is absent.  Returns 0, or a negative errno when no worker could start.
 */
int batch_run(struct ndkms_ctx *ctx, struct batch_job *jobs, size_t n, const struct batch_opts *o);

/* Free the captured output and the deps of every job. */
void batch_release(struct batch_job *jobs, size_t n);

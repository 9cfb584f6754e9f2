/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jobs.h - what autoinstall and the hooks share: newest registered versions, worker jobs. */
#pragma once

#include "core/batch.h"
#include "core/ctx.h"
#include "util/strv.h"

/* Newest version of every registered module (broken ones reported and left out). */
void jobs_latest_versions(struct ndkms_ctx *ctx, struct strv *names, struct strv *vers);

/* Batch work: install j->m/j->v for j->k/j->a (adding and building as needed). */
int jobs_install(struct ndkms_ctx *ctx, const struct batch_job *j, void *data);
/* Batch work: uninstall and unbuild j->m/j->v for j->k/j->a. */
int jobs_remove(struct ndkms_ctx *ctx, const struct batch_job *j, void *data);

/*
 * Prepare signing once, in this process, for every kernel a job builds for: dkms's prologue is
 * printed once (and any problem with it), and the key and certificate are created here, so
 * that parallel workers never race to generate them; the workers' builds stay quiet about it.
 */
void jobs_prepare_keys(struct ndkms_ctx *ctx, const struct batch_job *jobs, size_t n);

// SPDX-License-Identifier: GPL-2.0-or-later
/* jobs.c - module/kernel jobs run by batch workers for autoinstall and the hooks. */
#include <stdlib.h>

#include "cmd/jobs.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/secureboot.h"
#include "core/signing.h"
#include "core/state.h"
#include "util/log.h"
#include "util/version.h"

void jobs_latest_versions(struct ndkms_ctx *ctx, struct strv *names, struct strv *vers)
{
	_cleanup_strv_ struct strv mods = STRV_INIT;

	state_list_modules(ctx, &mods);
	for (size_t i = 0; i < mods.n; i++) {
		_cleanup_strv_ struct strv vs = STRV_INIT;
		const char *best = NULL;

		state_list_versions(ctx, mods.v[i], &vs);
		for (size_t j = 0; j < vs.n; j++) {
			if (state_is_broken(ctx, mods.v[i], vs.v[j])) {
				log_error("%s/%s is broken! Missing the source directory or the symbolic "
					  "link pointing to it.\nManual intervention is required!",
					  mods.v[i], vs.v[j]);
				continue;
			}
			if (!state_is_added(ctx, mods.v[i], vs.v[j]))
				continue;
			if (!best || version_cmp(vs.v[j], best) > 0)
				best = vs.v[j];
		}
		if (best) {
			strv_push(names, mods.v[i]);
			strv_push(vers, best);
		}
	}
}

/* Take the job's module lock and finish any interrupted build. */
static int enter(struct ndkms_ctx *ctx, const struct batch_job *j)
{
	int lock = lock_module(ctx, j->m);

	if (lock >= 0)
		lifecycle_recover(ctx, j->m, j->v);
	return lock;
}

static struct target job_target(const struct batch_job *j)
{
	return (struct target){j->m, j->v, j->k, j->a};
}

int jobs_install(struct ndkms_ctx *ctx, const struct batch_job *j, _unused_ void *data)
{
	int lock = enter(ctx, j);

	if (lock < 0)
		return lock;
	struct target t = job_target(j);
	int r = lifecycle_maybe_install(ctx, &t);
	lock_release(lock);
	return r;
}

int jobs_remove(struct ndkms_ctx *ctx, const struct batch_job *j, _unused_ void *data)
{
	int lock = enter(ctx, j);

	if (lock < 0)
		return lock;
	struct target t = job_target(j);
	int r = lifecycle_maybe_uninstall(ctx, &t);
	if (r == 0)
		r = lifecycle_maybe_unbuild(ctx, &t);
	lock_release(lock);
	return r;
}

/* The jobs that can ever start: no dependencies, or only on jobs (same kernel and arch) that
 * can start.  One stuck on a missing, unregistered or circular dependency never builds. */
static bool *jobs_startable(const struct batch_job *jobs, size_t n)
{
	bool *ok = xcalloc(n ? n : 1, sizeof(*ok));

	for (bool more = true; more;) {
		more = false;
		for (size_t i = 0; i < n; i++) {
			bool all = !ok[i];
			for (size_t d = 0; all && d < jobs[i].deps.n; d++) {
				bool found = false;
				for (size_t j = 0; j < n && !found; j++)
					found = ok[j] && streq(jobs[j].m, jobs[i].deps.v[d]) &&
						streq(jobs[j].k, jobs[i].k) && streq(jobs[j].a, jobs[i].a);
				all = found;
			}
			if (all)
				ok[i] = more = true;
		}
	}
	return ok;
}

void jobs_prepare_keys(struct ndkms_ctx *ctx, const struct batch_job *jobs, size_t n)
{
	_cleanup_free_ bool *startable = jobs_startable(jobs, n);

	/*
	 * dkms prepares signing once per kernel, before the first module it has to build, and
	 * prints the prologue then (none when every module to build is stuck on a dependency);
	 * the workers' builds stay quiet about it.
	 */
	for (size_t i = 0; i < n; i++) {
		struct sign_plan p = {0};
		if (!startable[i] || strv_contains(&ctx->ses.signing_announced, jobs[i].k) ||
		    state_is_built(ctx, jobs[i].m, jobs[i].v, jobs[i].k, jobs[i].a))
			continue;
		signing_prepare(ctx, jobs[i].k, &p); /* marks the kernel announced */
		signing_release(&p);
	}
	/* the workers inherit the flag: the Secure Boot warning is printed here, once, or never */
	for (size_t i = 0; i < n; i++)
		secureboot_warn_once(ctx, jobs[i].k);
}

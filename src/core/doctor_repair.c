// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor_repair.c - carry out the repairs doctor found that need no one's judgement. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/dkmsconf.h"
#include "core/doctor_internal.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/state.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"

/*
 * The state says M/V is installed on K/A but its build is gone: delete what its dkms.conf says
 * it installed there and the kernel-K-A link (uninstall cannot: it tells its files by the
 * built module's version).  Without a readable dkms.conf only the link goes; the files are
 * then reported as unowned.
 */
static int drop_installed(struct doctor_scope *s, const char *m, const char *v, const char *k,
			  const char *a)
{
	struct ndkms_ctx *ctx = s->ctx;
	_cleanup_free_ char *link = state_active_link(ctx, m, k, a);
	_cleanup_free_ char *active = state_active_version(ctx, m, k, a);
	struct dkms_conf conf;
	int r = 0;

	if (!active || !streq(active, v))
		return 0;
	int klock = lock_kernel(ctx, k);
	if (klock < 0)
		return klock;
	if (doctor_conf(s, m, v, k, a, &conf) == 0) {
		for (size_t i = 0; i < conf.nmods && r == 0; i++) {
			_cleanup_free_ char *f = doctor_installed_file(s, &conf, i, k);
			if (f && unlink(f) < 0 && errno != ENOENT)
				r = -errno;
			if (f && r == 0)
				log_info("Deleted %s", ctx_display(ctx, f));
		}
		dkms_conf_release(&conf);
	}
	if (r == 0 && unlink(link) < 0 && errno != ENOENT)
		r = -errno;
	if (r == 0)
		log_info("Removed %s", ctx_display(ctx, link));
	lock_release(klock);
	_cleanup_free_ char *kdir = path_join(ctx->env->install_tree, k);
	return r < 0 || !is_dir(kdir) ? r : lifecycle_depmod(ctx, k);
}

static int drop_build(struct doctor_scope *s, const struct doctor_problem *p)
{
	_cleanup_free_ char *base = state_mvka_dir(s->ctx, p->module, p->version, p->kver, p->arch);
	_cleanup_free_ char *kdir = path_dirname(base);
	int r = drop_installed(s, p->module, p->version, p->kver, p->arch);

	if (r < 0)
		return r;
	r = rm_rf(base);
	if (r == 0) {
		rmdir(kdir);
		log_info("Deleted the build record %s", ctx_display(s->ctx, base));
	}
	return r;
}

static int reinstall(struct doctor_scope *s, const struct doctor_problem *p)
{
	struct ndkms_ctx *ctx = s->ctx;
	bool force = ctx->opt->force;

	ctx->opt_setup->force = true;
	int r = lifecycle_install(ctx, &(struct target){p->module, p->version, p->kver, p->arch});
	ctx->opt_setup->force = force;
	return r;
}

static int unregister(struct doctor_scope *s, const struct doctor_problem *p)
{
	_cleanup_free_ char *mv = state_mv_dir(s->ctx, p->module, p->version);

	lifecycle_prune(s->ctx, p->module, p->version);
	if (path_exists(mv))
		return -ENOTEMPTY;
	log_info("Unregistered %s/%s", p->module, p->version);
	return 0;
}

static int unlink_weak(struct doctor_scope *s, const struct doctor_problem *p)
{
	int klock = lock_kernel(s->ctx, p->kver);
	int r = 0;

	if (klock < 0)
		return klock;
	if (unlink(p->path) < 0 && errno != ENOENT)
		r = -errno;
	lock_release(klock);
	if (r == 0)
		log_info("Removed %s", ctx_display(s->ctx, p->path));
	return r < 0 ? r : lifecycle_depmod(s->ctx, p->kver);
}

static int drop_lock(struct doctor_scope *s, const struct doctor_problem *p)
{
	struct stat st;

	if (lstat(p->path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	int r = S_ISDIR(st.st_mode) ? rm_rf(p->path) : unlink(p->path) < 0 ? -errno : 0;
	if (r == 0)
		log_info("Deleted %s", ctx_display(s->ctx, p->path));
	return r;
}

static int repair_one(struct doctor_scope *s, struct doctor_problem *p)
{
	struct ndkms_ctx *ctx = s->ctx;
	int lock = -1, r;

	if (p->module) {
		lock = lock_module(ctx, p->module);
		if (lock < 0)
			return lock;
	}
	switch (p->fix) {
	case DOCTOR_UNREGISTER:
		r = unregister(s, p);
		break;
	case DOCTOR_DROP_BUILD:
		r = drop_build(s, p);
		break;
	case DOCTOR_DROP_INSTALLED:
		r = drop_installed(s, p->module, p->version, p->kver, p->arch);
		break;
	case DOCTOR_REINSTALL:
		r = reinstall(s, p);
		break;
	case DOCTOR_UNLINK:
		r = unlink_weak(s, p);
		break;
	case DOCTOR_DROP_LOCK:
		r = drop_lock(s, p);
		break;
	case DOCTOR_DEPMOD:
		r = lifecycle_depmod(ctx, p->kver);
		break;
	default:
		r = 0;
		break;
	}
	lock_release(lock);
	return r;
}

/* The order repairs run in: interrupted changes first, indexes last (once per kernel). */
static const enum doctor_fix order[] = {
	DOCTOR_RECOVER,   DOCTOR_UNREGISTER, DOCTOR_DROP_BUILD, DOCTOR_DROP_INSTALLED,
	DOCTOR_REINSTALL, DOCTOR_UNLINK,     DOCTOR_DROP_LOCK,  DOCTOR_DEPMOD,
};

/* Two problems with one repair (two differing files of one install) get it once. */
static bool done_already(const struct doctor_report *rep, size_t upto, const struct doctor_problem *p)
{
	for (size_t i = 0; i < upto; i++) {
		const struct doctor_problem *q = &rep->p[i];
		if (q->repaired && q->fix == p->fix && q->fix == DOCTOR_REINSTALL &&
		    streq(q->module, p->module) && streq(q->version, p->version) &&
		    streq(q->kver, p->kver) && streq(q->arch, p->arch))
			return true;
	}
	return false;
}

int doctor_repair(struct ndkms_ctx *ctx, struct doctor_report *rep)
{
	struct doctor_scope s = {.ctx = ctx, .rep = rep};
	bool defer = ctx->ses.defer_depmod;
	int err = 0;

	ctx->ses.defer_depmod = true;
	for (size_t o = 0; o < ARRAY_SIZE(order); o++) {
		bool recovered = false;
		for (size_t i = 0; i < rep->n; i++) {
			struct doctor_problem *p = &rep->p[i];
			if (p->fix != order[o])
				continue;
			int r = 0;
			if (p->fix == DOCTOR_RECOVER) {
				/* one pass finishes every marked change, each under its module's lock */
				if (!recovered) {
					lifecycle_recover_all(ctx);
					recovered = true;
				}
				r = path_exists(p->path) ? -EAGAIN : 0;
			} else if (!done_already(rep, i, p)) {
				r = repair_one(&s, p);
			}
			p->repaired = r < 0 ? -1 : 1;
			if (r < 0 && !err)
				err = r;
		}
	}
	ctx->ses.defer_depmod = defer;
	int r = lifecycle_flush_depmod(ctx);
	if (r < 0) {
		for (size_t i = 0; i < rep->n; i++)
			if (rep->p[i].fix == DOCTOR_DEPMOD || rep->p[i].fix == DOCTOR_UNLINK)
				rep->p[i].repaired = -1;
		if (!err)
			err = r;
	}
	return err;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor.c - what the checks share: the problem list, the kernels asked for, conf and paths. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "conf/dkmsconf.h"
#include "core/doctor_internal.h"
#include "core/kernel.h"
#include "core/modconf.h"
#include "core/state.h"
#include "util/fs.h"
#include "util/log.h"

const char *doctor_fix_name(enum doctor_fix fix)
{
	switch (fix) {
	case DOCTOR_RECOVER:
		return "finish or roll back the interrupted change";
	case DOCTOR_UNREGISTER:
		return "unregister it (nothing is built or installed)";
	case DOCTOR_DROP_BUILD:
		return "uninstall it and delete the build record";
	case DOCTOR_DROP_INSTALLED:
		return "uninstall it";
	case DOCTOR_REINSTALL:
		return "reinstall from the built module";
	case DOCTOR_UNLINK:
		return "remove the link and regenerate the indexes";
	case DOCTOR_DEPMOD:
		return "regenerate the indexes";
	case DOCTOR_DROP_LOCK:
		return "delete the lock file";
	case DOCTOR_PERSON:
		break;
	}
	return "needs a person";
}

struct doctor_problem *doctor_add(struct doctor_scope *s, const char *check, enum doctor_fix fix,
				  const char *m, const char *v, const char *k, const char *a,
				  const char *path, const char *fmt, ...)
{
	struct doctor_report *rep = s->rep;
	va_list ap;

	if (rep->n == rep->cap) {
		rep->cap = rep->cap ? rep->cap * 2 : 16;
		rep->p = xreallocarray(rep->p, rep->cap, sizeof(*rep->p));
	}
	struct doctor_problem *p = &rep->p[rep->n++];
	memset(p, 0, sizeof(*p));
	p->check = check;
	p->fix = fix;
	p->module = m ? xstrdup(m) : NULL;
	p->version = v ? xstrdup(v) : NULL;
	p->kver = k ? xstrdup(k) : NULL;
	p->arch = a ? xstrdup(a) : NULL;
	p->path = path ? xstrdup(path) : NULL;
	va_start(ap, fmt);
	if (vasprintf(&p->text, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (fix != DOCTOR_PERSON)
		p->advice = xstrdup(doctor_fix_name(fix));
	return p;
}

void doctor_report_release(struct doctor_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		struct doctor_problem *p = &rep->p[i];
		free(p->module);
		free(p->version);
		free(p->kver);
		free(p->arch);
		free(p->path);
		free(p->text);
		free(p->advice);
	}
	free(rep->p);
	memset(rep, 0, sizeof(*rep));
}

bool doctor_kernel_wanted(const struct doctor_scope *s, const char *kver)
{
	return s->kernels.n == 0 || strv_contains(&s->kernels, kver);
}

bool doctor_version_wanted(const struct doctor_scope *s, const char *v)
{
	return !s->version || streq(s->version, v);
}

void doctor_list_kernels(const struct doctor_scope *s, struct strv *out)
{
	DIR *d = opendir(s->ctx->env->install_tree);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || !doctor_kernel_wanted(s, de->d_name))
			continue;
		_cleanup_free_ char *p = path_join(s->ctx->env->install_tree, de->d_name);
		if (is_dir(p) && !is_symlink(p))
			strv_push(out, de->d_name);
	}
	closedir(d);
	strv_sort_version(out);
}

int doctor_conf(const struct doctor_scope *s, const char *m, const char *v, const char *k,
		const char *a, struct dkms_conf *conf)
{
	_cleanup_free_ char *src = state_source_dir(s->ctx, m, v);
	_cleanup_free_ char *conf_path = src ? path_join(src, "dkms.conf") : NULL;

	memset(conf, 0, sizeof(*conf));
	if (!conf_path || !is_reg(conf_path))
		return -ENOENT;
	log_setup(true, false);
	int r = modconf_read(s->ctx, NULL, &(struct target){m, v, k, a}, false, conf);
	log_setup(s->ctx->opt->quiet, s->ctx->opt->verbose);
	if (r < 0)
		dkms_conf_release(conf);
	return r;
}

char *doctor_installed_file(const struct doctor_scope *s, const struct dkms_conf *conf, size_t i,
			    const char *k)
{
	const struct dkms_module_rec *rec = &conf->mods[i];
	const char *locs[] = {rec->install_location, rec->dest_location};
	_cleanup_free_ char *kdir = path_join(s->ctx->env->install_tree, k);

	for (size_t j = 0; j < ARRAY_SIZE(locs); j++) {
		if (!locs[j])
			continue;
		_cleanup_free_ char *dir = path_join(kdir, locs[j]);
		char *f = find_ko(dir, rec->dest_name);
		if (f)
			return f;
	}
	return NULL;
}


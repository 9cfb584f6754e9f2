// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor_run.c - the doctor's entry: the scope asked for, then every check in turn. */
#include <string.h>

#include "core/doctor_internal.h"
#include "core/state.h"
#include "util/fs.h"

void doctor_check(struct ndkms_ctx *ctx, const struct doctor_filter *f, struct doctor_report *rep)
{
	struct doctor_scope s = {.ctx = ctx, .modules = STRV_INIT, .kernels = STRV_INIT, .rep = rep};

	s.module = f->module && *f->module ? f->module : NULL;
	s.version = f->version && *f->version ? f->version : NULL;
	if (s.module) {
		_cleanup_free_ char *mdir = path_join(ctx->env->dkms_tree, s.module);
		if (is_dir(mdir))
			strv_push(&s.modules, s.module);
	} else {
		state_list_modules(ctx, &s.modules);
	}
	for (size_t i = 0; f->kvers && i < f->kvers->n; i++) {
		const char *k = f->kvers->v[i];
		strv_push_take(&s.kernels, xstrndup(k, strcspn(k, "/")));
	}
	doctor_check_leftovers(&s);
	doctor_check_state(&s);
	doctor_check_tree(&s);
	doctor_check_modules(&s);
	doctor_check_indexes(&s);
	strv_release(&s.modules);
	strv_release(&s.kernels);
}

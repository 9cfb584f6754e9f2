// SPDX-License-Identifier: GPL-2.0-or-later
/* rebuild.c - BUILD_DEPENDS_REBUILD: which modules' dependencies changed version since built. */
#include <string.h>

#include "core/lifecycle.h"
#include "core/modconf.h"
#include "core/state.h"
#include "util/fs.h"
#include "util/log.h"

/* Did any BUILD_DEPENDS module change version since m/v was built for k/a (its .dep_* files)? */
static bool deps_changed(const struct ndkms_ctx *ctx, const struct dkms_conf *conf, const char *m,
			 const char *v, const char *k, const char *a)
{
	_cleanup_free_ char *base = state_mvka_dir(ctx, m, v, k, a);

	for (size_t i = 0; i < conf->build_depends.n; i++) {
		const char *dep = conf->build_depends.v[i];
		_cleanup_free_ char *now = state_newest_built(ctx, dep, k, a);
		_cleanup_free_ char *f = xasprintf("%s/.dep_%s", base, dep);
		_cleanup_free_ char *was = NULL;

		if (!now)
			continue; /* a dependency that is not there is not an update */
		if (read_file(f, &was, NULL, 4096) < 0)
			return true;
		was[strcspn(was, "\n")] = '\0';
		if (!streq(was, now))
			return true;
	}
	return false;
}

void lifecycle_stale_dependents(struct ndkms_ctx *ctx, const struct target *t, struct strv *todo)
{
	const char *k = t->kver, *a = t->arch;
	_cleanup_strv_ struct strv mods = STRV_INIT;

	log_setup(true, false); /* reading other modules' dkms.conf here stays quiet */
	state_list_modules(ctx, &mods);
	for (size_t i = 0; i < mods.n; i++) {
		_cleanup_strv_ struct strv vers = STRV_INIT;

		state_list_versions(ctx, mods.v[i], &vers);
		for (size_t j = 0; j < vers.n; j++) {
			struct dkms_conf conf = {0};
			const char *m = mods.v[i], *v = vers.v[j];

			if (!state_is_built(ctx, m, v, k, a) ||
			    modconf_read(ctx, NULL, &(struct target){m, v, k, a}, false, &conf) < 0) {
				dkms_conf_release(&conf);
				continue;
			}
			if (conf.build_depends.n && conf.build_depends_rebuild &&
			    deps_changed(ctx, &conf, m, v, k, a))
				strv_pushf(todo, "%s/%s", m, v);
			dkms_conf_release(&conf);
		}
	}
	log_setup(ctx->opt->quiet, ctx->opt->verbose);
}

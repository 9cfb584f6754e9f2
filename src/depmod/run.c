// SPDX-License-Identifier: GPL-2.0-or-later
/* run.c - depmod_run(): for now, kmod's depmod through the spawn helper. */
#include <errno.h>
#include <string.h>

#include "depmod/depmod.h"
#include "util/log.h"
#include "util/spawn.h"
#include "util/strv.h"

int depmod_run(const struct depmod_opts *o)
{
	_cleanup_strv_ struct strv argv = STRV_INIT;
	int status;

	strv_push(&argv, o->program ? o->program : "depmod");
	strv_push(&argv, o->quick ? "-A" : "-a");
	if (o->basedir && *o->basedir) {
		strv_push(&argv, "-b");
		strv_push(&argv, o->basedir);
	}
	if (o->system_map) {
		strv_push(&argv, "-F");
		strv_push(&argv, o->system_map);
	}
	if (o->symvers) {
		strv_push(&argv, "-E");
		strv_push(&argv, o->symvers);
	}
	for (const char *const *c = o->config_paths; c && *c; c++) {
		strv_push(&argv, "-C");
		strv_push(&argv, *c);
	}
	if (o->dry_run)
		strv_push(&argv, "-n");
	if (o->errsyms)
		strv_push(&argv, "-e");
	if (o->verbose)
		strv_push(&argv, "-v");
	strv_push(&argv, o->kver);

	struct spawn_opts so = {.argv = (const char *const *)strv_get(&argv)};
	int r = spawn_run(&so, &status);
	if (r < 0) {
		log_warn("could not run %s: %s", argv.v[0], strerror(-r));
		return r;
	}
	return status ? -EIO : 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* runlog.c - described, logged command runs in the dkms make.log section format. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/runlog.h"
#include "util/log.h"
#include "util/spawn.h"

static void log_append(const char *path, const char *fmt, ...) _printf_(2, 3);

static void log_append(const char *path, const char *fmt, ...)
{
	FILE *f = fopen(path, "ae");
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

void runlog_run(const struct runlog_opts *o, int *status)
{
	const char *shown = o->show_cmd ? o->show_cmd : o->cmd;
	struct timespec t0, t1;
	int r;

	if (log_is_verbose())
		log_info("%s", shown);
	else
		log_partial("%s...", o->desc);
	if (o->log)
		log_append(o->log, "\n%s\n# command: %s\n", o->desc, shown);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct spawn_opts so = {
		.cwd = o->cwd,
		.log_path = o->log,
		.env = o->env,
		.path_prepend = o->path_prepend,
		.quiet = !o->log && (o->quiet_output || !log_is_verbose()) && o->progress,
		.dots = o->progress && !log_is_verbose() && !log_is_quiet(),
	};
	r = spawn_shell(o->cmd, &so, status);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r < 0) {
		*status = 127;
		if (o->log)
			log_append(o->log, "%s: %s\n", spawn_shell_path(), strerror(-r));
	}
	if (o->log) {
		long s = (long)(t1.tv_sec - t0.tv_sec);
		log_append(o->log, "\n# exit code: %d\n# elapsed time: %02ld:%02ld:%02ld\n%s\n",
			   *status, s / 3600, s / 60 % 60, s % 60,
			   "----------------------------------------------------------------");
	}
	if (*status) {
		log_partial("(bad exit status: %d)", *status);
		if (!log_is_verbose())
			log_info("\nFailed command:\n%s", shown);
		else
			log_info("%s", "");
	} else {
		log_info(" done.");
	}
}

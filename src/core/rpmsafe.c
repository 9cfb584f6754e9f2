// SPDX-License-Identifier: GPL-2.0-or-later
/* rpmsafe.c - markers that let an RPM upgrade's add cancel the matching remove. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rpmsafe.h"
#include "util/fs.h"
#include "util/log.h"

/* Fields 4 (ppid) and 22 (start time) of /proc/PID/stat; the name may hold spaces and ')'. */
static int proc_stat(pid_t pid, pid_t *ppid, unsigned long long *start)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/stat", (int)pid);
	_cleanup_free_ char *text = NULL;

	if (read_file(path, &text, NULL, 4096) < 0)
		return -1;
	char *p = strrchr(text, ')');
	if (!p)
		return -1;
	int pp = 0;
	unsigned long long st = 0;
	/* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
	 * stime cutime cstime priority nice threads itrealvalue starttime */
	if (sscanf(p + 1, " %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			  "%*d %*d %llu",
		   &pp, &st) != 2)
		return -1;
	*ppid = pp;
	*start = st;
	return 0;
}

/* The rpm process: the parent of the scriptlet shell that ran us. */
static int rpm_process(pid_t *pid, unsigned long long *start)
{
	pid_t parent, grand;
	unsigned long long ignored;

	if (proc_stat(getppid(), &grand, &ignored) < 0)
		return -1;
	parent = grand;
	if (proc_stat(parent, &grand, start) < 0)
		return -1;
	*pid = parent;
	return 0;
}

int rpmsafe_mark(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	unsigned long long start;
	pid_t pid;

	if (rpm_process(&pid, &start) < 0)
		return 0; /* no process to tie the marker to: nothing to cancel later */
	_cleanup_free_ char *tmpl =
		xasprintf("%s/dkms_rpm_safe_upgrade_lock.%d.XXXXXX", ctx->tmp_dir, (int)pid);
	int fd = mkstemp(tmpl);
	if (fd < 0) {
		log_error("Unable to make temporary file.");
		return -1;
	}
	dprintf(fd, "%s-%s\n%llu\n", m, v, start);
	close(fd);
	return 0;
}

bool rpmsafe_cancel(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	unsigned long long start;
	pid_t pid;
	bool cancel = false;

	if (rpm_process(&pid, &start) < 0)
		return false;
	_cleanup_free_ char *prefix = xasprintf("dkms_rpm_safe_upgrade_lock.%d.", (int)pid);
	_cleanup_free_ char *want = xasprintf("%s-%s\n%llu\n", m, v, start);
	DIR *d = opendir(ctx->tmp_dir);
	if (!d)
		return false;
	for (struct dirent *de; !cancel && (de = readdir(d));) {
		if (!strneq(de->d_name, prefix, strlen(prefix)))
			continue;
		_cleanup_free_ char *f = path_join(ctx->tmp_dir, de->d_name);
		_cleanup_free_ char *text = NULL;
		if (read_file(f, &text, NULL, 4096) == 0 && streq(text, want)) {
			unlink(f);
			cancel = true;
		}
	}
	closedir(d);
	if (cancel)
		log_warn("Remove cancelled because --rpm_safe_upgrade scenario detected.");
	return cancel;
}

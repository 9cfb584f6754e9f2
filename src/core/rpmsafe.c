// SPDX-License-Identifier: GPL-2.0-or-later
/* rpmsafe.c - markers that let an RPM upgrade's add cancel the matching remove. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/rpmsafe.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/private.h"

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

/* <root>/run/ndkms: root's alone, so that no other user can plant or read a marker. */
static char *marker_dir(const struct ndkms_ctx *ctx)
{
	return ctx_path(ctx, "/run/ndkms");
}

int rpmsafe_mark(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	unsigned long long start;
	pid_t pid;

	if (rpm_process(&pid, &start) < 0)
		return 0; /* no process to tie the marker to: nothing to cancel later */
	_cleanup_free_ char *dir = marker_dir(ctx);
	int r = mkdir_private(dir);
	if (r < 0) {
		log_error("Cannot use %s for the rpm-safe-upgrade marker: %s", ctx_display(ctx, dir),
			  r == -EPERM ? "it is not a folder of root's alone" : strerror(-r));
		return -1;
	}
	_cleanup_free_ char *tmpl =
		xasprintf("%s/dkms_rpm_safe_upgrade_lock.%d.XXXXXX", dir, (int)pid);
	int fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		log_error("Unable to make temporary file.");
		return -1;
	}
	dprintf(fd, "%s-%s\n%llu\n", m, v, start);
	close(fd);
	return 0;
}

/* A marker counts only when it is a regular file of root's (ours) in root's own folder. */
static bool read_marker(int dfd, const char *name, char *buf, size_t size)
{
	_cleanup_close_ int fd =
		openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1)
		return false;
	ssize_t n = read(fd, buf, size - 1);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

bool rpmsafe_cancel(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	unsigned long long start;
	struct stat st;
	pid_t pid;
	bool cancel = false;

	if (rpm_process(&pid, &start) < 0)
		return false;
	_cleanup_free_ char *dir = marker_dir(ctx);
	_cleanup_free_ char *prefix = xasprintf("dkms_rpm_safe_upgrade_lock.%d.", (int)pid);
	_cleanup_free_ char *want = xasprintf("%s-%s\n%llu\n", m, v, start);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return false;
	if (fstat(dfd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
		close(dfd);
		return false; /* not root's alone: whatever is in it proves nothing */
	}
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return false;
	}
	for (struct dirent *de; !cancel && (de = readdir(d));) {
		char text[4096];
		if (!strneq(de->d_name, prefix, strlen(prefix)))
			continue;
		if (read_marker(dfd, de->d_name, text, sizeof(text)) && streq(text, want)) {
			unlinkat(dfd, de->d_name, 0);
			cancel = true;
		}
	}
	closedir(d);
	if (cancel)
		log_warn("Remove cancelled because --rpm_safe_upgrade scenario detected.");
	return cancel;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* outfile.c - the one way to create an output file: a fresh temporary beside it, renamed in. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fault.h"
#include "util/macro.h"
#include "util/outfile.h"
#include "util/path.h"
#include "util/strbuf.h"

static void release(struct outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
}

/* The descriptor is a fresh regular file of ours, still under its temporary name. */
static int check_fresh(const struct outfile *o)
{
	struct stat st, ln;

	if (fstat(o->fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1 ||
	    (st.st_mode & 0077))
		return -EPERM;
	if (lstat(o->tmp, &ln) < 0)
		return -errno;
	if (ln.st_dev != st.st_dev || ln.st_ino != st.st_ino)
		return -EPERM;
	return 0;
}

int outfile_open(struct outfile *o, const char *path)
{
	_cleanup_free_ char *d = path_dirname(path);

	o->fd = -1;
	o->path = xstrdup(path);
	o->tmp = xasprintf("%s/.%s.XXXXXX", d, path_basename(path));
	fault_point("create");
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		int e = -errno;
		release(o);
		return e;
	}
	int r = check_fresh(o);
	if (r < 0)
		outfile_abort(o);
	return r;
}

int fsync_dir_of(const char *path)
{
	_cleanup_free_ char *d = path_dirname(path);
	_cleanup_close_ int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return fsync(fd) < 0 && errno != EINVAL ? -errno : 0;
}

int outfile_commit(struct outfile *o, mode_t mode, int r)
{
	if (o->fd < 0)
		return r ? r : -EBADF;
	if (!r)
		r = check_fresh(o);
	if (!r && fchmod(o->fd, mode) < 0)
		r = -errno;
	if (!r && !o->no_sync && fsync(o->fd) < 0)
		r = -errno;
	if (close(o->fd) < 0 && !r)
		r = -errno;
	o->fd = -1;
	if (!r)
		fault_point("rename");
	if (!r && rename(o->tmp, o->path) < 0)
		r = -errno;
	if (r)
		unlink(o->tmp);
	else if (!o->no_sync)
		r = fsync_dir_of(o->path);
	release(o);
	return r;
}

void outfile_abort(struct outfile *o)
{
	if (o->tmp && o->fd >= 0)
		unlink(o->tmp);
	release(o);
}

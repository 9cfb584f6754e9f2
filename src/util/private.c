// SPDX-License-Identifier: GPL-2.0-or-later
/* private.c - root's private state: folders 0700 and lock files 0600 no other user can open. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/macro.h"
#include "util/private.h"

/* fd is ours and of the wanted type; group and other bits are dropped. */
static int own_it(int fd, mode_t type, mode_t mode)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((st.st_mode & S_IFMT) != type || st.st_uid != geteuid())
		return -EPERM;
	if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
		return -errno;
	return 0;
}

int mkdir_private(const char *dir)
{
	_cleanup_free_ char *parent = path_dirname(dir);
	int r = mkdir_p(parent, 0755);

	if (r < 0)
		return r;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENOTDIR ? -EPERM : -errno;
	return own_it(fd, S_IFDIR, 0700);
}

int lockfile_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	int r = own_it(fd, S_IFREG, 0600);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

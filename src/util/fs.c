// SPDX-License-Identifier: GPL-2.0-or-later
/* fs.c - filesystem helpers with atomic replacement and no symlink following on removal. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "util/fault.h"
#include "util/fs.h"
#include "util/macro.h"
#include "util/outfile.h"
#include "util/path.h"
#include "util/strbuf.h"

bool path_exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_reg(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

bool is_symlink(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0 && S_ISLNK(st.st_mode);
}

int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = xstrdup(path);

	if (is_dir(p))
		return 0;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		fault_point("mkdir");
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	fault_point("mkdir");
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return is_dir(p) ? 0 : -ENOTDIR;
}

static int rm_rf_at(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	fault_point("unlink");
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;

	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	int r = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		int q = rm_rf_at(dirfd(d), de->d_name);
		if (q < 0 && !r)
			r = q;
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && !r)
		r = -errno;
	return r;
}

int rm_rf(const char *path)
{
	return rm_rf_at(AT_FDCWD, path);
}

void rmdir_parents(const char *path, const char *stop)
{
	_cleanup_free_ char *p = xstrdup(path);
	size_t ls = strlen(stop);

	while (strlen(p) > ls && strneq(p, stop, ls) && p[ls] == '/') {
		fault_point("rmdir");
		if (rmdir(p) < 0 && errno != ENOENT)
			return;
		char *s = strrchr(p, '/');
		if (!s)
			return;
		*s = '\0';
	}
}

int read_file(const char *path, char **out, size_t *len, size_t max)
{
	/* O_NONBLOCK: a FIFO planted at path must not hang the open; it is refused below */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;

	size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
	if (max && cap > max + 1)
		cap = max + 1;
	_cleanup_free_ char *buf = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (max && n > max)
				return -EFBIG;
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (max && n > max)
		return -EFBIG;
	buf[n] = '\0';
	*out = TAKE_PTR(buf);
	if (len)
		*len = n;
	return 0;
}

char *read_link(const char *p)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

bool is_module_file_name(const char *name)
{
	static const char *const ext[] = {".ko", ".ko.gz", ".ko.xz", ".ko.zst"};
	size_t n = strlen(name);

	for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
		size_t l = strlen(ext[i]);
		if (n > l && streq(name + n - l, ext[i]))
			return true;
	}
	return false;
}

mode_t copied_mode(mode_t m)
{
	return m & 0755;
}

int rename_sync(const char *src, const char *dst)
{
	fault_point("rename");
	if (rename(src, dst) < 0)
		return -errno;
	return fsync_dir_of(dst);
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		fault_point("write");
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	struct outfile o = OUTFILE_INIT;
	int r = outfile_open(&o, path);

	if (r < 0)
		return r;
	return outfile_commit(&o, mode, write_all(o.fd, data, len));
}

static int copy_fd(int in, int out)
{
	char buf[65536];

	for (;;) {
		ssize_t r = read(in, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return 0;
		int q = write_all(out, buf, (size_t)r);
		if (q < 0)
			return q;
	}
}

int copy_file_atomic(const char *src, const char *dst, mode_t mode)
{
	_cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
	struct outfile o = OUTFILE_INIT;
	struct stat st;

	if (in < 0)
		return -errno;
	if (fstat(in, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	int r = outfile_open(&o, dst);
	if (r < 0)
		return r;
	return outfile_commit(&o, mode ? mode : copied_mode(st.st_mode), copy_fd(in, o.fd));
}

static int copy_entry(int sfd, int dfd, const char *name, const struct stat *st);

static int copy_dir_contents(int sfd, int dfd)
{
	int fd = dup(sfd);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	int r = 0;
	struct dirent *de;
	while (!r && (de = readdir(d))) {
		struct stat st;

		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (fstatat(sfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
		else
			r = copy_entry(sfd, dfd, de->d_name, &st);
	}
	closedir(d);
	return r;
}

static int copy_entry(int sfd, int dfd, const char *name, const struct stat *st)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	int r = 0;

	fault_point("copy");
	if (S_ISDIR(st->st_mode)) {
		if (mkdirat(dfd, name, 0700) < 0)
			return -errno;
		_cleanup_close_ int s = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int d = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return -errno;
		r = copy_dir_contents(s, d);
		if (!r && fchmod(d, copied_mode(st->st_mode)) < 0)
			r = -errno;
		if (!r)
			futimens(d, ts);
		return r;
	}
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(sfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (symlinkat(target, dfd, name) < 0)
			return -errno;
		utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	if (!S_ISREG(st->st_mode))
		return 0; /* sockets, fifos and devices have no place in a module source tree */

	_cleanup_close_ int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	_cleanup_close_ int out =
		openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return -errno;
	r = copy_fd(in, out);
	if (!r && fchmod(out, copied_mode(st->st_mode)) < 0)
		r = -errno;
	if (!r)
		futimens(out, ts);
	return r;
}

int copy_tree(const char *src, const char *dst)
{
	struct stat st;

	if (stat(src, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	_cleanup_free_ char *dparent = path_dirname(dst);
	_cleanup_close_ int sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int pfd = open(dparent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0 || pfd < 0)
		return -errno;
	const char *base = path_basename(dst);
	fault_point("mkdir");
	if (mkdirat(pfd, base, 0700) < 0)
		return -errno;
	_cleanup_close_ int dfd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	int r = copy_dir_contents(sfd, dfd);
	if (!r && fchmod(dfd, copied_mode(st.st_mode)) < 0)
		r = -errno;
	if (!r) {
		struct timespec ts[2] = {st.st_atim, st.st_mtim};
		futimens(dfd, ts);
	}
	return r;
}

int symlink_atomic(const char *target, const char *linkpath)
{
	_cleanup_free_ char *d = path_dirname(linkpath);

	for (int i = 0; i < 100; i++) {
		_cleanup_free_ char *tmp =
			xasprintf("%s/.%s.%d.%d", d, path_basename(linkpath), (int)getpid(), i);
		fault_point("symlink");
		if (symlink(target, tmp) < 0) {
			if (errno == EEXIST)
				continue;
			return -errno;
		}
		fault_point("rename");
		if (rename(tmp, linkpath) < 0) {
			int e = -errno;
			unlink(tmp);
			return e;
		}
		return fsync_dir_of(linkpath);
	}
	return -EEXIST;
}

int files_equal(const char *a, const char *b)
{
	_cleanup_close_ int fa = open(a, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int fb = open(b, O_RDONLY | O_CLOEXEC);
	struct stat sa, sb;
	char ba[65536], bb[65536];

	if (fa < 0 || fb < 0)
		return -errno;
	if (fstat(fa, &sa) < 0 || fstat(fb, &sb) < 0)
		return -errno;
	if (sa.st_size != sb.st_size)
		return 0;
	for (;;) {
		ssize_t na = read(fa, ba, sizeof(ba));
		if (na < 0)
			return -errno;
		if (na == 0)
			return 1;
		size_t got = 0;
		while (got < (size_t)na) {
			ssize_t nb = read(fb, bb + got, (size_t)na - got);
			if (nb < 0)
				return -errno;
			if (nb == 0)
				return 0;
			got += (size_t)nb;
		}
		if (memcmp(ba, bb, (size_t)na))
			return 0;
	}
}

int dir_count(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;

	if (!d)
		return -errno;
	for (struct dirent *de; (de = readdir(d));)
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

char *mkdtemp_in(const char *dir, const char *prefix)
{
	char *t = xasprintf("%s/%sXXXXXX", dir, prefix);

	fault_point("mkdir");

	if (!mkdtemp(t)) {
		free(t);
		return NULL;
	}
	return t;
}

void rm_stale_tmp(const char *dir, const char *base)
{
	DIR *d = opendir(dir);
	size_t lb = strlen(base);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		const char *n = de->d_name;
		if (n[0] != '.' || strlen(n) != lb + 8 || !strneq(n + 1, base, lb) || n[lb + 1] != '.')
			continue;
		fault_point("unlink");
		unlinkat(dirfd(d), n, 0);
	}
	closedir(d);
}

int rm_rf_atomic(const char *path, const char *trash_prefix)
{
	_cleanup_free_ char *dir = path_dirname(path);
	_cleanup_free_ char *trash =
		xasprintf("%s/%s%s_%d", dir, trash_prefix, path_basename(path), (int)getpid());
	int r = rm_rf(trash);

	if (r < 0)
		return r;
	fault_point("rename");
	if (rename(path, trash) < 0)
		return errno == ENOENT ? 0 : -errno;
	return rm_rf(trash);
}

static bool rmdir_empty_walk(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	bool empty = true;

	if (fd < 0)
		return false;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	for (struct dirent *de; (de = readdir(d));) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR && rmdir_empty_walk(dirfd(d), de->d_name) &&
		    (fault_point("rmdir"), true) && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) == 0)
			continue;
		empty = false;
	}
	closedir(d);
	return empty;
}

void rmdir_empty_below(const char *dir)
{
	rmdir_empty_walk(AT_FDCWD, dir);
}

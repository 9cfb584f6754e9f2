// SPDX-License-Identifier: GPL-2.0-or-later
/* tarwrite.c - write a tar archive (compressed as its name says) from folders and small files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "pkg/tarwrite.h"
#include "util/fs.h"
#include "util/macro.h"
#include "util/strv.h"

static bool ends_with(const char *s, const char *sfx)
{
	size_t a = strlen(s), b = strlen(sfx);

	return a >= b && streq(s + a - b, sfx);
}

static int fail(struct tarw *t, const char *what)
{
	free(t->why);
	t->why = xasprintf("%s (%s)", what, t->a ? archive_error_string(t->a) : "no archive");
	return -EIO;
}

int tarw_open(struct tarw *t, const char *file)
{
	const char *name = path_basename(file);
	int r = ARCHIVE_OK;

	t->why = NULL;
	t->out = (struct outfile)OUTFILE_INIT;
	if ((r = outfile_open(&t->out, file)) < 0) {
		t->why = xasprintf("cannot create a file beside it: %s", strerror(-r));
		return r;
	}
	t->a = archive_write_new();
	archive_write_set_format_pax_restricted(t->a);
	if (ends_with(name, ".gz") || ends_with(name, ".tgz"))
		r = archive_write_add_filter_gzip(t->a);
	else if (ends_with(name, ".xz"))
		r = archive_write_add_filter_xz(t->a);
	else if (ends_with(name, ".zst"))
		r = archive_write_add_filter_zstd(t->a);
	else if (ends_with(name, ".bz2"))
		r = archive_write_add_filter_bzip2(t->a);
	if (r != ARCHIVE_OK)
		return fail(t, "unsupported compression");
	if (archive_write_open_fd(t->a, t->out.fd) != ARCHIVE_OK)
		return fail(t, "cannot create the archive");
	return 0;
}

static int add_entry(struct tarw *t, const char *arcpath, const struct stat *st,
		     const char *link_target, const char *file)
{
	struct archive_entry *e = archive_entry_new();
	int r = 0;

	archive_entry_copy_stat(e, st);
	archive_entry_set_pathname(e, arcpath);
	archive_entry_set_uname(e, "root");
	archive_entry_set_gname(e, "root");
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_nlink(e, 1);
	if (link_target)
		archive_entry_set_symlink(e, link_target);
	if (!S_ISREG(st->st_mode))
		archive_entry_set_size(e, 0);
	if (archive_write_header(t->a, e) != ARCHIVE_OK) {
		archive_entry_free(e);
		return fail(t, "cannot write an archive entry");
	}
	archive_entry_free(e);
	if (file) {
		_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		char buf[1 << 16];
		ssize_t n;
		off_t left = st->st_size;

		if (fd < 0) {
			t->why = xasprintf("cannot read %s: %s", file, strerror(errno));
			return -errno;
		}
		while (left > 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
			if (n > left)
				n = (ssize_t)left;
			if (archive_write_data(t->a, buf, (size_t)n) != n)
				return fail(t, "cannot write archive data");
			left -= n;
		}
		if (left)
			r = fail(t, "a file changed while it was archived");
	}
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tarw_add_tree(struct tarw *t, const char *dir, const char *arcdir)
{
	struct stat st;
	_cleanup_strv_ struct strv names = STRV_INIT;
	DIR *d;
	int r;

	if (stat(dir, &st) < 0) {
		t->why = xasprintf("cannot read %s: %s", dir, strerror(errno));
		return -errno;
	}
	if ((r = add_entry(t, arcdir, &st, NULL, NULL)) < 0)
		return r;
	if (!(d = opendir(dir))) {
		t->why = xasprintf("cannot read %s: %s", dir, strerror(errno));
		return -errno;
	}
	for (struct dirent *de; (de = readdir(d));)
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			strv_push(&names, de->d_name);
	closedir(d);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (size_t i = 0; i < names.n && r == 0; i++) {
		_cleanup_free_ char *full = path_join(dir, names.v[i]);
		_cleanup_free_ char *arc = xasprintf("%s/%s", arcdir, names.v[i]);
		if (lstat(full, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			r = tarw_add_tree(t, full, arc);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlink(full, target, sizeof(target) - 1);
			if (n < 0)
				continue;
			target[n] = '\0';
			r = add_entry(t, arc, &st, target, NULL);
		} else if (S_ISREG(st.st_mode)) {
			r = add_entry(t, arc, &st, NULL, full);
		}
	}
	return r;
}

int tarw_add_data(struct tarw *t, const char *arcpath, const void *data, size_t n, mode_t mode)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, arcpath);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, mode);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_entry_set_mtime(e, time(NULL), 0);
	archive_entry_set_uname(e, "root");
	archive_entry_set_gname(e, "root");
	int ok = archive_write_header(t->a, e) == ARCHIVE_OK &&
		 archive_write_data(t->a, data, n) == (la_ssize_t)n;
	archive_entry_free(e);
	return ok ? 0 : fail(t, "cannot write an archive entry");
}

int tarw_close(struct tarw *t)
{
	int r = archive_write_close(t->a) == ARCHIVE_OK ? 0 : fail(t, "cannot finish the archive");

	archive_write_free(t->a);
	t->a = NULL;
	r = outfile_commit(&t->out, 0644, r);
	if (r < 0 && !t->why)
		t->why = xasprintf("cannot put the archive in place: %s", strerror(-r));
	return r;
}

void tarw_abort(struct tarw *t)
{
	if (t->a)
		archive_write_free(t->a);
	t->a = NULL;
	outfile_abort(&t->out);
	free(t->why);
	t->why = NULL;
}

int tarw_tree(const char *file, const char *dir, const char *arcdir, char **why)
{
	struct tarw t = {0};
	int r = tarw_open(&t, file);

	if (r == 0)
		r = tarw_add_tree(&t, dir, arcdir);
	if (r == 0)
		r = tarw_close(&t);
	else
		tarw_abort(&t);
	*why = t.why;
	return r;
}

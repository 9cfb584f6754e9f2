// SPDX-License-Identifier: GPL-2.0-or-later
/* extract.c - unpack an untrusted tar archive into an empty folder, refusing anything hostile. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "pkg/extract.h"
#include "util/fs.h"
#include "util/macro.h"
#include "util/strbuf.h"
#include "util/strv.h"

struct member {
	char *path;   /* normalized, relative */
	char *target; /* symlink target as written, or hard link target (normalized) */
	mode_t type;  /* AE_IFREG, AE_IFDIR, AE_IFLNK, or 0 for a hard link */
	mode_t perm;
	int64_t mtime;
};

struct plan {
	struct member *m;
	size_t n, cap;
};

static void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->m[i].path);
		free(p->m[i].target);
	}
	free(p->m);
}

static struct archive *open_archive(const char *file, char **why)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, file, 1 << 16) != ARCHIVE_OK) {
		*why = xasprintf("not a readable tar archive (%s)", archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* "./a//b/" -> "a/b"; NULL for absolute names or ".." components; "" for the top folder. */
static char *normalize(const char *name)
{
	char *out = xmalloc(strlen(name) + 1);
	size_t n = 0;
	const char *p = name;

	if (*p == '/') {
		free(out);
		return NULL;
	}
	while (*p) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			return NULL;
		}
		if (len && !(len == 1 && p[0] == '.')) {
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	out[n] = '\0';
	return out;
}

static struct member *find_member(const struct plan *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++)
		if (streq(p->m[i].path, path))
			return &p->m[i];
	return NULL;
}

/* The symlink member at some proper prefix of path, if any. */
static const struct member *symlink_prefix(const struct plan *p, const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);

	for (char *s = strrchr(copy, '/'); s; s = strrchr(copy, '/')) {
		*s = '\0';
		const struct member *m = find_member(p, copy);
		if (m && m->type == AE_IFLNK)
			return m;
	}
	return NULL;
}

/*
 * A symlink's target, taken from the link's folder (link is its path relative to the top of the
 * tree), must stay inside that tree and must not pass through another symlink before its last
 * component (a chain could climb out).  is_link says whether a relative path is a symlink.
 */
static bool target_inside(const char *link, const char *t,
			  bool (*is_link)(const void *arg, const char *rel), const void *arg)
{
	_cleanup_strv_ struct strv stack = STRV_INIT;
	_cleanup_free_ char *dir = xstrdup(link);
	char *slash = strrchr(dir, '/');

	if (!*t || *t == '/')
		return false;
	if (slash) {
		*slash = '\0';
		_cleanup_free_ char *d = xstrdup(dir);
		for (char *c = strtok(d, "/"); c; c = strtok(NULL, "/"))
			strv_push(&stack, c);
	}
	_cleanup_free_ char *tc = xstrdup(t);
	char *save = NULL;
	for (char *c = strtok_r(tc, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (streq(c, "."))
			continue;
		if (streq(c, "..")) {
			if (!stack.n)
				return false;
			free(stack.v[--stack.n]);
			stack.v[stack.n] = NULL;
		} else {
			strv_push(&stack, c);
		}
		/* every step but the last must not be a symlink */
		if (save && *save) {
			_cleanup_strbuf_ struct strbuf pre = STRBUF_INIT;
			for (size_t i = 0; i < stack.n; i++)
				sb_addf(&pre, "%s%s", i ? "/" : "", stack.v[i]);
			if (is_link(arg, sb_str(&pre)))
				return false;
		}
	}
	return true;
}

static bool member_is_link(const void *arg, const char *rel)
{
	const struct member *m = find_member(arg, rel);

	return m && m->type == AE_IFLNK;
}

static bool symlink_ok(const struct plan *p, const struct member *l)
{
	return target_inside(l->path, l->target, member_is_link, p);
}

/* A name a terminal or a later path component must never see: control characters. */
static bool has_control(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return true;
	return false;
}

static int refuse(char **why, const char *name, const char *what)
{
	*why = xasprintf("member '%s' %s", name, what);
	return -EPERM;
}

/* Pass 1: read every header and all data (to find corruption), build and check the plan. */
static int check_archive(const char *file, struct plan *p, char **why)
{
	struct archive *a = open_archive(file, why);
	struct archive_entry *e;
	uint64_t total = 0;
	int ar, r = 0;

	if (!a)
		return -EINVAL;
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		const char *hard = archive_entry_hardlink(e);
		mode_t type = archive_entry_filetype(e);
		int64_t size = archive_entry_size(e);

		if (!name) {
			*why = xstrdup("a member has no name");
			r = -EINVAL;
			break;
		}
		if (has_control(name) || (hard && has_control(hard)) ||
		    (type == AE_IFLNK && archive_entry_symlink(e) &&
		     has_control(archive_entry_symlink(e)))) {
			*why = xstrdup("a member's name or link target holds control characters");
			r = -EPERM;
			break;
		}
		_cleanup_free_ char *path = normalize(name);
		if (!path) {
			r = refuse(why, name, name[0] == '/' ? "has an absolute name"
							      : "has a '..' component");
			break;
		}
		if (!*path && (type == AE_IFDIR || hard == NULL)) {
			if (type == AE_IFDIR) {
				archive_read_data_skip(a);
				continue;
			}
			r = refuse(why, name, "has no usable name");
			break;
		}
		if (p->n >= EXTRACT_MAX_MEMBERS) {
			*why = xasprintf("more than %d members", EXTRACT_MAX_MEMBERS);
			r = -EFBIG;
			break;
		}
		if (size < 0 || (uint64_t)size > EXTRACT_MAX_MEMBER) {
			refuse(why, name, "is larger than the 512 MiB a member may have");
			r = -EFBIG;
			break;
		}
		total += (uint64_t)size;
		if (total > EXTRACT_MAX_TOTAL) {
			*why = xstrdup("the members add up to more than 4 GiB");
			r = -EFBIG;
			break;
		}
		if (find_member(p, path)) {
			r = refuse(why, name, "appears twice");
			break;
		}
		struct member m = {.path = TAKE_PTR(path),
				   .perm = archive_entry_perm(e) & 0777,
				   .mtime = archive_entry_mtime(e)};
		if (hard) {
			m.type = 0;
			m.target = normalize(hard);
			const struct member *t = m.target ? find_member(p, m.target) : NULL;
			if (!t || t->type != AE_IFREG) {
				r = refuse(why, name, "is a hard link to something other than an "
						      "earlier file of the archive");
				free(m.path);
				free(m.target);
				break;
			}
		} else if (type == AE_IFLNK) {
			m.type = AE_IFLNK;
			const char *lt = archive_entry_symlink(e);
			m.target = xstrdup(lt ? lt : "");
		} else if (type == AE_IFREG || type == AE_IFDIR) {
			m.type = type;
		} else {
			free(m.path);
			r = refuse(why, name,
				   type == AE_IFIFO ? "is a FIFO"
				   : type == AE_IFCHR || type == AE_IFBLK ? "is a device node"
				   : type == AE_IFSOCK ? "is a socket"
								  : "has an unknown type");
			break;
		}
		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 64;
			p->m = xreallocarray(p->m, p->cap, sizeof(*p->m));
		}
		p->m[p->n++] = m;
		/* skipping decompresses: truncation inside compressed streams shows here */
		if (archive_read_data_skip(a) != ARCHIVE_OK) {
			*why = xasprintf("corrupt or truncated archive (%s)",
					 archive_error_string(a));
			r = -EINVAL;
			break;
		}
	}
	if (r == 0 && ar != ARCHIVE_EOF) {
		*why = xasprintf("corrupt or truncated archive (%s)", archive_error_string(a));
		r = -EINVAL;
	}
	if (r == 0 && !p->n) {
		*why = xstrdup("the archive is empty");
		r = -EINVAL;
	}
	for (size_t i = 0; r == 0 && i < p->n; i++) {
		const struct member *m = &p->m[i];
		if (symlink_prefix(p, m->path))
			r = refuse(why, m->path, "lies below a symlink of the archive");
		else if (m->type == AE_IFLNK && !symlink_ok(p, m))
			r = refuse(why, m->path, "is a symlink pointing outside the archive");
		else if (m->type == 0 && symlink_prefix(p, m->target))
			r = refuse(why, m->path, "is a hard link through a symlink");
	}
	archive_read_free(a);
	return r;
}

static int write_member(struct archive *a, const char *dest, const struct member *m, char **why)
{
	_cleanup_free_ char *full = path_join(dest, m->path);
	_cleanup_free_ char *parent = path_dirname(full);
	_cleanup_close_ int fd = -1;
	int r = mkdir_p(parent, 0755);

	if (r < 0)
		goto fail;
	if (m->type == AE_IFDIR) {
		r = mkdir_p(full, 0755);
		if (r < 0)
			goto fail;
		return 0;
	}
	if (m->type == 0) {
		_cleanup_free_ char *target = path_join(dest, m->target);
		if (link(target, full) < 0) {
			r = -errno;
			goto fail;
		}
		return 0;
	}
	fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, copied_mode(m->perm) | 0600);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	uint64_t got = 0;
	for (;;) {
		char buf[1 << 16];
		la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			*why = xasprintf("corrupt archive member '%s' (%s)", m->path,
					 archive_error_string(a));
			return -EINVAL;
		}
		got += (uint64_t)n;
		if (got > EXTRACT_MAX_MEMBER) {
			*why = xasprintf("member '%s' is larger than it claimed", m->path);
			return -EFBIG;
		}
		if (write(fd, buf, (size_t)n) != n) {
			r = errno ? -errno : -EIO;
			goto fail;
		}
	}
	struct timespec ts[2] = {{.tv_sec = m->mtime}, {.tv_sec = m->mtime}};
	futimens(fd, ts);
	return 0;
fail:
	*why = xasprintf("could not write '%s': %s", m->path, strerror(-r));
	return r;
}

/* Pass 2: files, folders and hard links in archive order, then the symlinks. */
static int unpack(const char *file, const char *dest, const struct plan *p, char **why)
{
	struct archive *a = open_archive(file, why);
	struct archive_entry *e;
	int r = 0;

	if (!a)
		return -EINVAL;
	while (r == 0 && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		_cleanup_free_ char *path = normalize(archive_entry_pathname(e));
		const struct member *m = path && *path ? find_member(p, path) : NULL;
		if (!m || m->type == AE_IFLNK)
			continue;
		r = write_member(a, dest, m, why);
	}
	for (size_t i = 0; r == 0 && i < p->n; i++) {
		if (p->m[i].type != AE_IFLNK)
			continue;
		_cleanup_free_ char *full = path_join(dest, p->m[i].path);
		_cleanup_free_ char *parent = path_dirname(full);
		if ((r = mkdir_p(parent, 0755)) < 0 || (symlink(p->m[i].target, full) < 0 &&
							 (r = -errno) < 0))
			*why = xasprintf("could not create '%s': %s", p->m[i].path, strerror(-r));
	}
	archive_read_free(a);
	return r;
}

int extract_archive(const char *archive, const char *dest, char **why)
{
	struct plan p = {0};
	int r = check_archive(archive, &p, why);

	if (r == 0)
		r = unpack(archive, dest, &p, why);
	plan_release(&p);
	return r;
}

struct disk_tree {
	const char *top;
};

static bool disk_is_link(const void *arg, const char *rel)
{
	const struct disk_tree *t = arg;
	_cleanup_free_ char *p = path_join(t->top, rel);

	return is_symlink(p);
}

static int walk_links(const struct disk_tree *t, const char *rel, int depth, char **why)
{
	_cleanup_free_ char *dir = *rel ? path_join(t->top, rel) : xstrdup(t->top);
	_cleanup_strv_ struct strv names = STRV_INIT;
	DIR *d;
	int r = 0;

	if (depth > 64) {
		*why = xasprintf("'%s' is nested too deep", rel);
		return -EPERM;
	}
	if (!(d = opendir(dir))) {
		*why = xasprintf("cannot read '%s': %s", *rel ? rel : ".", strerror(errno));
		return -errno;
	}
	for (struct dirent *de; (de = readdir(d));)
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			strv_push(&names, de->d_name);
	closedir(d);
	for (size_t i = 0; r == 0 && i < names.n; i++) {
		_cleanup_free_ char *child = *rel ? xasprintf("%s/%s", rel, names.v[i])
						  : xstrdup(names.v[i]);
		_cleanup_free_ char *full = path_join(t->top, child);
		struct stat st;
		char target[4096];

		if (lstat(full, &st) < 0) {
			r = -errno;
			*why = xasprintf("cannot read '%s': %s", child, strerror(-r));
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(full, target, sizeof(target) - 1);
			if (n < 0) {
				r = -errno;
				*why = xasprintf("cannot read '%s': %s", child, strerror(-r));
				break;
			}
			target[n] = '\0';
			if (!target_inside(child, target, disk_is_link, t))
				r = refuse(why, child, "is a symlink pointing outside the folder it is "
						       "kept in");
		} else if (S_ISDIR(st.st_mode)) {
			r = walk_links(t, child, depth + 1, why);
		}
	}
	return r;
}

int extract_links_within(const char *dir, char **why)
{
	struct disk_tree t = {dir};

	return walk_links(&t, "", 0, why);
}

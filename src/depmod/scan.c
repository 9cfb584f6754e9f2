// SPDX-License-Identifier: GPL-2.0-or-later
/* scan.c - the module directory walk and kmod 30's rules for which duplicate module wins. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod/internal.h"
#include "depmod/modfile.h"

/* Debian's kmod 30 is built with xz and zstd, without zlib: ".ko.gz" files are not modules. */
static const char *const exts[] = {".ko", ".ko.xz", ".ko.zst"};

static bool has_module_ext(const char *name, size_t namelen)
{
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		size_t l = strlen(exts[i]);

		if (namelen > l && streq(name + namelen - l, exts[i]))
			return true;
	}
	return false;
}

static bool starts_with_dir(const char *path, size_t pathlen, const char *prefix, size_t plen)
{
	return pathlen > plen && path[plen] == '/' && memcmp(path, prefix, plen) == 0;
}

/*
 * kmod 30's depmod_module_is_higher_priority(): true when the module already registered
 * (old) beats the file at newpath.  Lengths cover the directory part plus the module name's
 * length of the file name, exactly as kmod compares them, quirks included.
 */
static bool old_wins(const struct dm_cfg *cfg, const struct dm_mod *old, size_t newbase,
		     size_t modnamelen, const char *newpath)
{
	size_t newlen = newbase + modnamelen;
	size_t oldlen = old->baselen + old->modnamelen + 1;
	const char *oldpath = old->path;
	const char *relnew = NULL, *relold = NULL;
	size_t relnewlen = 0, reloldlen = 0;
	long i, bprio = -1, oldprio = -1, newprio = -1;

	if (strncmp(newpath, cfg->dirname, cfg->dirnamelen) == 0 && newlen > cfg->dirnamelen) {
		relnew = newpath + cfg->dirnamelen + 1;
		relnewlen = newlen - (cfg->dirnamelen + 1);
	}
	if (strncmp(oldpath, cfg->dirname, cfg->dirnamelen) == 0 && oldlen > cfg->dirnamelen) {
		relold = oldpath + cfg->dirnamelen + 1;
		reloldlen = oldlen - (cfg->dirnamelen + 1);
	}

	for (size_t k = 0; k < cfg->overrides.n; k++) {
		const char *ov = cfg->overrides.v[k];
		size_t ovlen = strlen(ov);

		if (relnew && relnewlen == ovlen && memcmp(ov, relnew, ovlen) == 0)
			return false;
		if (relold && reloldlen == ovlen && memcmp(ov, relold, ovlen) == 0)
			return true;
	}

	i = 0;
	for (size_t k = 0; k < cfg->nsearches; k++, i++) {
		const struct dm_search *se = &cfg->searches[k];

		if (se->type == DM_SEARCH_BUILTIN) {
			bprio = i;
		} else if (se->type == DM_SEARCH_EXTERNAL) {
			for (size_t x = 0; x < cfg->externals.n; x++, i++) {
				const char *ext = cfg->externals.v[x];
				size_t extlen = strlen(ext);

				if (starts_with_dir(newpath, newlen, ext, extlen))
					newprio = i;
				if (starts_with_dir(oldpath, oldlen, ext, extlen))
					oldprio = i;
			}
		} else if (relnew && relnewlen > se->len && relnew[se->len] == '/' &&
			   memcmp(se->path, relnew, se->len) == 0) {
			newprio = i;
		} else if (relold && reloldlen > se->len && relold[se->len] == '/' &&
			   memcmp(se->path, relold, se->len) == 0) {
			oldprio = i;
		}
	}
	if (newprio < 0)
		newprio = bprio;
	if (oldprio < 0)
		oldprio = bprio;
	return newprio <= oldprio;
}

void dm_mod_free(struct dm_mod *m)
{
	if (!m)
		return;
	free(m->path);
	free(m->uncrelpath);
	free(m->modname);
	free(m->deps);
	free(m->line);
	free(m);
}

static struct dm_mod *mod_new(const struct dm_cfg *cfg, const char *path, char *modname,
			      size_t modnamelen, const struct stat *st)
{
	struct dm_mod *m = xcalloc(1, sizeof(*m));

	m->path = xstrdup(path);
	m->modname = modname;
	m->modnamelen = modnamelen;
	m->baselen = (size_t)(strrchr(m->path, '/') - m->path);
	if (strncmp(m->path, cfg->dirname, cfg->dirnamelen) == 0 &&
	    m->path[cfg->dirnamelen] == '/') {
		m->relpath = m->path + cfg->dirnamelen + 1;
		/* directory part, '/', then modname-length bytes of the file name and ".ko" */
		size_t want = (size_t)(m->path + m->baselen - m->relpath) + modnamelen + 1 + 3;
		size_t have = strlen(m->relpath);

		m->uncrelpath = xstrndup(m->relpath, want < have ? want : have);
	}
	m->dev = (uint64_t)st->st_dev;
	m->ino = (uint64_t)st->st_ino;
	m->size = (uint64_t)st->st_size;
	m->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	m->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
	m->sort_idx = 1;
	return m;
}

static void search_file(struct dm_state *st, int dfd, const char *name, size_t namelen,
			struct strbuf *path, size_t base)
{
	size_t modnamelen;
	char *modname;
	struct stat sb;
	bool found;

	if (!has_module_ext(name, namelen))
		return;
	modname = modfile_name(name, &modnamelen);
	if (!modnamelen) {
		DM_ERR("could not get modname from path %s", path->buf);
		free(modname);
		return;
	}
	struct dm_mod *old = dm_map_get(&st->by_name, modname);
	if (old && old->dropped)
		old = NULL;
	if (old) {
		if (old_wins(&st->cfg, old, base, modnamelen, path->buf)) {
			DM_DBG("Ignored lower priority: %s, higher: %s", path->buf, old->path);
			free(modname);
			return;
		}
		DM_DBG("Replace lower priority %s with new module %s", old->path, path->buf);
	}
	/* always stat()ed, listing from the cache or not: this is the module's cache key */
	if (fstatat(dfd, name, &sb, 0) < 0) {
		int r = -errno;

		DM_ERR("could not create module %s: %s", path->buf, strerror(-r));
		DM_ERR("failed %s: %s", path->buf, strerror(-r));
		/* kmod dropped the old module before failing on the new one */
		if (old)
			old->dropped = true;
		free(modname);
		return;
	}
	struct dm_mod *m = mod_new(&st->cfg, path->buf, modname, modnamelen, &sb);
	struct dm_map_ent *e = dm_map_slot(&st->by_name, m->modname, &found);
	if (found)
		dm_mod_free(e->val);
	e->key = m->modname;
	e->val = m;
}

static bool excluded(const struct dm_cfg *cfg, const char *name)
{
	if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
		return true;
	if (streq(name, "build") || streq(name, "source"))
		return true;
	for (size_t i = 0; i < cfg->excludes.n; i++)
		if (streq(name, cfg->excludes.v[i]))
			return true;
	return false;
}

/* Read a directory's entries into a listing (see dircache.c), in raw readdir order. */
static int read_listing(int fd, struct strbuf *list)
{
	_cleanup_free_ char *buf = xmalloc(32768);

	for (;;) {
		ssize_t n = getdents64(fd, buf, 32768);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		for (ssize_t off = 0; off < n;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);
			const char *name = de->d_name;

			off += de->d_reclen;
			if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
				continue;
			sb_addch(list, de->d_type == DT_REG ? 'f' : de->d_type == DT_DIR ? 'd' : '?');
			sb_addn(list, name, strlen(name) + 1);
		}
	}
}

/*
 * The directory name (relative to pdfd) whose path, with a trailing '/', is in path; entries
 * in raw readdir order, depth first.  It is opened O_PATH (no read access needed, one path
 * component) for its identity and for stat()ing its entries; the listing comes from the
 * directory cache when the directory is unchanged, else from the disk.
 */
static void search_dir(struct dm_state *st, int pdfd, const char *name, struct strbuf *path,
		       bool top)
{
	_cleanup_strbuf_ struct strbuf fresh = STRBUF_INIT;
	_cleanup_close_ int dfd = openat(pdfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	size_t base = path->len, len = 0;
	const char *list = NULL;
	struct stat sb;
	int r = dfd < 0 ? -errno : 0;

	if (!r && fstat(dfd, &sb) < 0)
		r = -errno;
	if (!r && st->dirs)
		list = dm_dirs_get(st->dirs, path->buf, &sb, &len);
	if (list) {
		dm_dirs_put(st->dirs, path->buf, &sb, list, len, false);
		st->ndirs_cached++;
	} else {
		int fd = r ? -1 : openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (!r && fd < 0)
			r = -errno;
		if (!r && fstat(fd, &sb) < 0)
			r = -errno;
		if (!r)
			r = read_listing(fd, &fresh);
		if (fd >= 0)
			close(fd);
		if (r < 0) {
			if (top)
				DM_ERR("could not open directory %s: %s", path->buf, strerror(-r));
			else
				DM_ERR("openat(%s, O_RDONLY): %s", path->buf, strerror(-r));
			return;
		}
		list = fresh.buf ? fresh.buf : "";
		len = fresh.len;
		st->ndirs_read++;
		dm_dirs_put(st->dirs, path->buf, &sb, list, len, true);
	}

	for (const char *p = list, *end = list + len; p < end;) {
		char type = *p++;
		const char *ename = p;
		size_t namelen = strlen(ename);
		bool is_dir;

		p += namelen + 1;
		if (excluded(&st->cfg, ename))
			continue;
		path->len = base;
		sb_addn(path, ename, namelen);

		if (type == 'f') {
			is_dir = false;
		} else if (type == 'd') {
			is_dir = true;
		} else {
			struct stat esb;

			if (fstatat(dfd, ename, &esb, 0) < 0) {
				DM_ERR("fstatat(%s): %s", path->buf, strerror(errno));
				continue;
			}
			if (S_ISREG(esb.st_mode)) {
				is_dir = false;
			} else if (S_ISDIR(esb.st_mode)) {
				is_dir = true;
			} else {
				DM_ERR("unsupported file type %s: %o", path->buf,
				       (unsigned)(esb.st_mode & S_IFMT));
				continue;
			}
		}
		if (is_dir) {
			sb_addch(path, '/');
			search_dir(st, dfd, ename, path, false);
		} else {
			search_file(st, dfd, ename, namelen, path, base);
		}
	}
	path->len = base;
	path->buf[base] = '\0';
}

static int search_path(struct dm_state *st, const char *dir)
{
	_cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		int r = -errno;

		DM_ERR("could not open directory %s: %s", dir, strerror(-r));
		return r;
	}
	close(fd);
	sb_adds(&path, dir);
	sb_addch(&path, '/');
	search_dir(st, AT_FDCWD, dir, &path, true);
	return 0;
}

int dm_scan(struct dm_state *st)
{
	int r = search_path(st, st->cfg.dirname);

	if (r < 0) {
		DM_ERR("could not search modules: %s", strerror(-r));
		return r;
	}
	for (size_t i = 0; i < st->cfg.externals.n; i++)
		search_path(st, st->cfg.externals.v[i]);
	return 0;
}

/* 1: up to date, 0: a module is newer than modules.dep. */
static int up_to_date_dir(DIR *d, time_t mtime)
{
	int dfd = dirfd(d);
	struct dirent *de;

	while ((de = readdir(d))) {
		const char *name = de->d_name;
		struct stat sb;

		if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
			continue;
		if (streq(name, "build") || streq(name, "source"))
			continue;
		if (fstatat(dfd, name, &sb, 0) < 0) {
			DM_ERR("fstatat(%d, %s): %s", dfd, name, strerror(errno));
			continue;
		}
		if (S_ISDIR(sb.st_mode)) {
			int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			DIR *sub;

			if (fd < 0)
				continue;
			sub = fdopendir(fd);
			if (!sub) {
				close(fd);
				continue;
			}
			int r = up_to_date_dir(sub, mtime);
			closedir(sub);
			if (r == 0)
				return 0;
		} else if (S_ISREG(sb.st_mode)) {
			if (has_module_ext(name, strlen(name)) && sb.st_mtime > mtime)
				return 0;
		}
	}
	return 1;
}

int dm_up_to_date(const char *dirname)
{
	struct stat sb;
	DIR *d = opendir(dirname);

	if (!d) {
		int r = -errno;

		DM_ERR("could not open directory %s: %s", dirname, strerror(-r));
		return r;
	}
	if (fstatat(dirfd(d), "modules.dep", &sb, 0) != 0) {
		int r = -errno;

		DM_ERR("could not fstatat(%s, modules.dep): %s", dirname, strerror(-r));
		closedir(d);
		return r;
	}
	int r = up_to_date_dir(d, sb.st_mtime);
	closedir(d);
	return r;
}

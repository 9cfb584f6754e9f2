// SPDX-License-Identifier: GPL-2.0-or-later
/* config.c - depmod.d reading with kmod 30's folders, file precedence and line syntax. */
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <string.h>
#include <sys/stat.h>

#include "depmod/internal.h"
#include "util/fs.h"

static const char *const default_dirs[] = {
	"/etc/depmod.d",
	"/run/depmod.d",
	"/usr/local/lib/depmod.d",
	"/lib/depmod.d",
};

struct cfg_file {
	char *name; /* base name: the sort and de-duplication key */
	char *path;
};

struct cfg_files {
	struct cfg_file *f;
	size_t n;
};

/* Insert keeping strcmp order of base names; the first folder that has a name wins. */
static void files_insert(struct cfg_files *fl, const char *dir, const char *name)
{
	size_t i;

	for (i = 0; i < fl->n; i++) {
		int c = strcmp(name, fl->f[i].name);

		if (c == 0) {
			DM_DBG("Ignoring duplicate config file: %s/%s", dir, name);
			return;
		}
		if (c < 0)
			break;
	}
	fl->f = xreallocarray(fl->f, fl->n + 1, sizeof(*fl->f));
	memmove(fl->f + i + 1, fl->f + i, (fl->n - i) * sizeof(*fl->f));
	fl->f[i].name = xstrdup(name);
	fl->f[i].path = xasprintf("%s/%s", dir, name);
	fl->n++;
}

static void files_list(struct cfg_files *fl, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return;
	if (S_ISREG(st.st_mode)) {
		_cleanup_free_ char *dir = path_dirname(path);
		const char *base = path_basename(path);

		if (!*base)
			return;
		files_insert(fl, dir, base);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		DM_ERR("unsupported file mode %s: %#x", path, st.st_mode);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		DM_ERR("files list %s: %s", path, strerror(errno));
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		size_t len = strlen(name);

		if (name[0] == '.')
			continue;
		if (len < 6 || !streq(name + len - 5, ".conf")) {
			DM_INF("All cfg files need .conf: %s/%s", path, name);
			continue;
		}
		if (fstatat(dirfd(d), name, &st, 0) == 0 && S_ISDIR(st.st_mode)) {
			DM_ERR("Directories inside directories are not supported: %s/%s", path, name);
			continue;
		}
		files_insert(fl, path, name);
	}
	closedir(d);
}

static bool kernel_matches(const char *kver, const char *pattern)
{
	regex_t re;
	int status;

	if (streq(pattern, "*"))
		return true;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	status = regexec(&re, kver, 0, NULL, 0);
	regfree(&re);
	return status == 0;
}

/*
 * One logical line as kmod's freadline_wrapped() reads it: a backslash before a newline joins
 * lines, a backslash before anything else is dropped.  Returns false at the end of the data.
 */
static bool next_line(const char **pos, const char *end, struct strbuf *line, unsigned *linenum)
{
	const char *p = *pos;
	unsigned n = 0;

	sb_reset(line);
	if (p >= end)
		return false;
	while (p < end) {
		char c = *p++;

		if (c == '\n') {
			n++;
			break;
		}
		if (c == '\\' && p < end) {
			c = *p++;
			if (c == '\n') {
				n++;
				continue;
			}
		} else if (c == '\\') {
			continue;
		}
		sb_addch(line, c);
	}
	if (p >= end && !n)
		n = 1;
	*linenum += n;
	*pos = p;
	return true;
}

static void search_add(struct dm_cfg *cfg, const char *path)
{
	struct dm_search *s;

	cfg->searches = xreallocarray(cfg->searches, cfg->nsearches + 1, sizeof(*s));
	s = &cfg->searches[cfg->nsearches++];
	if (streq(path, "built-in")) {
		s->type = DM_SEARCH_BUILTIN;
		s->path = NULL;
		s->len = 0;
	} else if (streq(path, "external")) {
		s->type = DM_SEARCH_EXTERNAL;
		s->path = NULL;
		s->len = 0;
	} else {
		s->type = DM_SEARCH_PATH;
		s->path = xstrdup(path);
		s->len = strlen(path);
	}
}

static void parse_file(struct dm_cfg *cfg, const char *filename)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_strbuf_ struct strbuf line = STRBUF_INIT;
	size_t len;
	unsigned linenum = 0;
	int r = read_file(filename, &data, &len, 16 << 20);

	if (r < 0) {
		DM_ERR("file parse %s: %s", filename, strerror(-r));
		return;
	}
	const char *pos = data, *end = data + len;
	while (next_line(&pos, end, &line, &linenum)) {
		char *save = NULL, *cmd;

		if (!line.len || line.buf[0] == '#')
			continue;
		cmd = strtok_r(line.buf, "\t ", &save);
		if (!cmd)
			continue;
		if (streq(cmd, "search")) {
			const char *sp;

			while ((sp = strtok_r(NULL, "\t ", &save)))
				search_add(cfg, sp);
		} else if (streq(cmd, "override")) {
			const char *modname = strtok_r(NULL, "\t ", &save);
			const char *version = strtok_r(NULL, "\t ", &save);
			const char *subdir = strtok_r(NULL, "\t ", &save);

			if (!modname || !version || !subdir)
				goto syntax_error;
			if (!kernel_matches(cfg->kver, version)) {
				DM_INF("%s:%u: override kernel did not match %s", filename, linenum,
				       version);
				continue;
			}
			strv_pushf(&cfg->overrides, "%s/%s", subdir, modname);
		} else if (streq(cmd, "external")) {
			const char *version = strtok_r(NULL, "\t ", &save);
			const char *dir = strtok_r(NULL, "\t ", &save);

			if (!version || !dir)
				goto syntax_error;
			if (!kernel_matches(cfg->kver, version)) {
				DM_INF("%s:%u: external directory did not match %s", filename,
				       linenum, version);
				continue;
			}
			strv_push(&cfg->externals, dir);
		} else if (streq(cmd, "exclude")) {
			const char *sp;

			while ((sp = strtok_r(NULL, "\t ", &save)))
				strv_push(&cfg->excludes, sp);
		} else if (streq(cmd, "include") || streq(cmd, "make_map_files")) {
			DM_INF("%s:%u: command %s not implemented yet", filename, linenum, cmd);
		} else {
syntax_error:
			DM_ERR("%s:%u: ignoring bad line starting with '%s'", filename, linenum, cmd);
		}
	}
}

static void reverse_strv(struct strv *sv)
{
	for (size_t i = 0; i < sv->n / 2; i++) {
		char *t = sv->v[i];

		sv->v[i] = sv->v[sv->n - 1 - i];
		sv->v[sv->n - 1 - i] = t;
	}
}

int dm_cfg_load(struct dm_cfg *cfg, const char *config_root, const char *const *paths)
{
	struct cfg_files fl = {NULL, 0};

	if (paths) {
		for (const char *const *p = paths; *p; p++)
			files_list(&fl, *p);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(default_dirs); i++) {
			_cleanup_free_ char *dir = config_root && *config_root ?
				path_join(config_root, default_dirs[i]) : xstrdup(default_dirs[i]);

			files_list(&fl, dir);
		}
	}
	for (size_t i = 0; i < fl.n; i++) {
		parse_file(cfg, fl.f[i].path);
		free(fl.f[i].name);
		free(fl.f[i].path);
	}
	free(fl.f);

	/* kmod prepends every entry: its lists run from the last configured entry to the first. */
	for (size_t i = 0; i < cfg->nsearches / 2; i++) {
		struct dm_search t = cfg->searches[i];

		cfg->searches[i] = cfg->searches[cfg->nsearches - 1 - i];
		cfg->searches[cfg->nsearches - 1 - i] = t;
	}
	reverse_strv(&cfg->overrides);
	reverse_strv(&cfg->externals);
	reverse_strv(&cfg->excludes);
	if (!cfg->nsearches)
		search_add(cfg, "updates");
	return 0;
}

void dm_cfg_release(struct dm_cfg *cfg)
{
	for (size_t i = 0; i < cfg->nsearches; i++)
		free(cfg->searches[i].path);
	free(cfg->searches);
	cfg->searches = NULL;
	cfg->nsearches = 0;
	strv_release(&cfg->overrides);
	strv_release(&cfg->externals);
	strv_release(&cfg->excludes);
	free(cfg->dirname);
	cfg->dirname = NULL;
}

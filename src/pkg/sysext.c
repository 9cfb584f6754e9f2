// SPDX-License-Identifier: GPL-2.0-or-later
/* sysext.c - a systemd-sysext extension: the modules, the merged tree's indexes, extension-release. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod/depmod.h"
#include "pkg/kmodpkg.h"
#include "pkg/tarwrite.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strbuf.h"

/* The ten indexes depmod writes: the extension's copies shadow the base's when merged. */
static const char *const indexes[] = {
	"modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin",
	"modules.softdep", "modules.symbols", "modules.symbols.bin", "modules.builtin.bin",
	"modules.builtin.alias.bin", "modules.devname",
};

static bool is_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(indexes); i++)
		if (streq(name, indexes[i]))
			return true;
	return false;
}

/* os-release values we write back: nothing that could start another line or need quoting. */
static bool release_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(*s == '.' || *s == '-' || *s == '_' || *s == '~' || *s == '+' ||
		      (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

/* The value of KEY= in os-release text (unquoted; NULL when absent). */
static char *release_value(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, kl) || l[kl] != '=')
			continue;
		const char *v = l + kl + 1;
		size_t n = strcspn(v, "\n");
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v++;
			n -= 2;
		}
		return xstrndup(v, n);
	}
	return NULL;
}

int sysext_release_text(const char *root, char **out)
{
	static const char *const where[] = {"etc/os-release", "usr/lib/os-release"};
	_cleanup_free_ char *text = NULL;
	int r = -ENOENT;

	for (size_t i = 0; i < ARRAY_SIZE(where) && r < 0; i++) {
		_cleanup_free_ char *p = path_join(*root ? root : "/", where[i]);
		r = read_file(p, &text, NULL, 1 << 16);
	}
	if (r < 0) {
		log_error("mkkmod: the base has no os-release (etc/os-release, usr/lib/os-release).");
		return r;
	}
	_cleanup_free_ char *id = release_value(text, "ID");
	_cleanup_free_ char *ver = release_value(text, "VERSION_ID");
	_cleanup_free_ char *lvl = release_value(text, "SYSEXT_LEVEL");
	if (!id || !release_word(id) || (ver && !release_word(ver)) || (lvl && !release_word(lvl)) ||
	    (!ver && !lvl)) {
		log_error("mkkmod: the base's os-release needs ID and VERSION_ID or SYSEXT_LEVEL, "
			  "made of letters, digits and . _ - ~ +.");
		return -EINVAL;
	}
	/* VERSION_ID is the stricter match: an OS update changes it, and with it the indexes */
	*out = ver ? xasprintf("ID=%s\nVERSION_ID=%s\n", id, ver)
		   : xasprintf("ID=%s\nSYSEXT_LEVEL=%s\n", id, lvl);
	return 0;
}

/* Link every entry of host dir src into dst (a new folder), except indexes and skip. */
static int link_entries(const char *src, const char *dst, const char *skip)
{
	DIR *d = opendir(src);
	int r = mkdir_p(dst, 0755);

	if (!d)
		return r < 0 ? r : -errno;
	for (struct dirent *de; r == 0 && (de = readdir(d));) {
		if (streq(de->d_name, ".") || streq(de->d_name, "..") || is_index(de->d_name) ||
		    streq(de->d_name, "build") || streq(de->d_name, "source") ||
		    (skip && streq(de->d_name, skip)))
			continue;
		_cleanup_free_ char *s = path_join(src, de->d_name);
		_cleanup_free_ char *t = path_join(dst, de->d_name);
		if (symlink(s, t) < 0)
			r = -errno;
	}
	closedir(d);
	return r;
}

/*
 * The indexes of the merged tree for one kernel: a staging tree of links to the base's entries
 * (its updates/ a folder of links plus ours) that ndkms's depmod indexes; the indexes are then
 * copied into the extension.
 */
static int merged_indexes(const struct kmodpkg_sysext_opts *s, const struct kmodpkg_kernel *k,
			  const char *extkdir)
{
	_cleanup_free_ char *base = path_join(s->modules_dir, k->kver);
	_cleanup_free_ char *stage = mkdtemp_in(s->pkg->tmp_dir, "mkkmod-sysext.");
	int r;

	if (!stage)
		return -errno;
	if (!is_dir(base)) {
		log_error("mkkmod: the base has no module tree for %s (%s).", k->kver, base);
		rm_rf(stage);
		return -ENOENT;
	}
	_cleanup_free_ char *kdir = xasprintf("%s/lib/modules/%s", stage, k->kver);
	_cleanup_free_ char *upd = path_join(kdir, "updates");
	_cleanup_free_ char *bupd = path_join(base, "updates");
	r = link_entries(base, kdir, "updates");
	if (r == 0)
		r = is_dir(bupd) ? link_entries(bupd, upd, NULL) : mkdir_p(upd, 0755);
	for (size_t i = 0; i < k->files.n && r == 0; i++) {
		_cleanup_free_ char *t = path_join(upd, path_basename(k->files.v[i]));
		_cleanup_free_ char *e = xasprintf("%s/updates/%s", extkdir,
						   path_basename(k->files.v[i]));
		unlink(t); /* ours shadows a base file of the same name, as the overlay does */
		if (symlink(e, t) < 0)
			r = -errno;
	}
	if (r < 0)
		log_error("mkkmod: cannot stage the merged tree of %s: %s", k->kver, strerror(-r));
	if (r == 0) {
		struct depmod_opts d = {.basedir = stage, .kver = k->kver,
					.config_root = s->config_root};
		r = depmod_run(&d);
		if (r < 0)
			log_error("mkkmod: depmod of the merged tree of %s failed.", k->kver);
	}
	for (size_t i = 0; i < ARRAY_SIZE(indexes) && r == 0; i++) {
		_cleanup_free_ char *from = path_join(kdir, indexes[i]);
		_cleanup_free_ char *to = path_join(extkdir, indexes[i]);
		r = copy_file_atomic(from, to, 0644);
		if (r < 0)
			log_error("mkkmod: cannot copy %s: %s", indexes[i], strerror(-r));
	}
	rm_rf(stage);
	return r;
}

static int fill(const struct kmodpkg_sysext_opts *s, const struct kmodpkg_kernel *k, size_t nk,
		const char *tree, const char *release)
{
	int r = 0;

	for (size_t i = 0; i < nk && r == 0; i++) {
		_cleanup_free_ char *kdir = xasprintf("%s/usr/lib/modules/%s", tree, k[i].kver);
		_cleanup_free_ char *upd = path_join(kdir, "updates");
		r = mkdir_p(upd, 0755);
		for (size_t j = 0; j < k[i].files.n && r == 0; j++) {
			_cleanup_free_ char *t = path_join(upd, path_basename(k[i].files.v[j]));
			r = copy_file_atomic(k[i].files.v[j], t, 0644);
		}
		if (r == 0)
			r = merged_indexes(s, &k[i], kdir);
	}
	_cleanup_free_ char *reldir = path_join(tree, "usr/lib/extension-release.d");
	_cleanup_free_ char *rel = xasprintf("%s/extension-release.%s", reldir, s->name);
	if (r == 0)
		r = mkdir_p(reldir, 0755);
	if (r == 0)
		r = write_file_atomic(rel, release, strlen(release), 0644);
	return r;
}

/* The tarball of tree, written inside the private folder priv. */
static int write_archive(const struct kmodpkg_sysext_opts *s, const char *priv, const char *tree)
{
	_cleanup_free_ char *tmp = xasprintf("%s/%s.tar.zst", priv, s->name);
	_cleanup_free_ char *why = NULL;
	int r = tarw_tree(tmp, tree, ".", &why);

	if (r == 0)
		r = chmod(tmp, 0644) < 0 ? -errno : 0;
	if (r < 0)
		log_error("mkkmod: cannot write %s.tar.zst: %s", s->name, why ? why : strerror(-r));
	return r;
}

int kmodpkg_put_in_place(const char *priv, const char *out, const char *name)
{
	_cleanup_free_ char *from = path_join(priv, name);
	_cleanup_free_ char *to = path_join(out, name);
	struct stat st;
	int r = 0;

	if (lstat(to, &st) == 0 && S_ISDIR(st.st_mode))
		r = rm_rf_atomic(to, ".old-mkkmod.");
	if (r == 0)
		r = rename_sync(from, to);
	if (r < 0)
		log_error("mkkmod: could not write %s: %s", to, strerror(-r));
	else
		log_info("Wrote %s", to);
	return r;
}

int kmodpkg_sysext_write(const struct kmodpkg_sysext_opts *s, const struct kmodpkg_kernel *k,
			 size_t nk)
{
	_cleanup_free_ char *release = NULL;
	int r = sysext_release_text(s->root, &release);

	if (r < 0)
		return r;
	r = mkdir_p(s->pkg->out_dir, 0755);
	if (r < 0)
		return r;
	/*
	 * Everything is made in a fresh private (0700) folder in --out, which nobody else can
	 * enter, and renamed out of it at the end: the folder whole, then the tarball.
	 */
	_cleanup_free_ char *prefix = xasprintf(".%s.", s->name);
	_cleanup_free_ char *priv = mkdtemp_in(s->pkg->out_dir, prefix);
	if (!priv) {
		r = -errno;
		log_error("mkkmod: cannot create a folder in %s: %s", s->pkg->out_dir, strerror(-r));
		return r;
	}
	_cleanup_free_ char *tree = path_join(priv, s->name);
	_cleanup_free_ char *tarname = xasprintf("%s.tar.zst", s->name);
	r = mkdir(tree, 0755) < 0 ? -errno : 0;
	if (r == 0)
		r = chmod(tree, 0755) < 0 ? -errno : 0;
	if (r == 0)
		r = fill(s, k, nk, tree, release);
	if (r == 0 && s->archive)
		r = write_archive(s, priv, tree);
	if (r == 0)
		r = kmodpkg_put_in_place(priv, s->pkg->out_dir, s->name);
	if (r == 0 && s->archive)
		r = kmodpkg_put_in_place(priv, s->pkg->out_dir, tarname);
	rm_rf(priv);
	return r;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hook_preflight.c - "ndkms hook alpm preflight": before pacman installs a kernel's headers,
 * build every AUTOINSTALL module for that kernel against the headers in the package pacman is
 * about to install, and fail (pacman aborts the transaction) when a required module cannot be
 * built.  The files are not on disk yet: the package is the one named on pacman's command line
 * (pacman -U FILE) or the newest one in a CacheDir that holds usr/lib/modules/KVER/build/.
 * The builds land in the DKMS tree, so the PostTransaction install hook only installs them.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/exitcode.h"
#include "cmd/hook.h"
#include "cmd/jobs.h"
#include "cmd/report.h"
#include "core/lifecycle.h"
#include "core/lock.h"
#include "core/modconf.h"
#include "core/state.h"
#include "pkg/extract.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/private.h"
#include "util/strbuf.h"

#define MAX_CMDLINE (1 << 20)
#define MTREE_MAX ((size_t)64 << 20)

/* What pacman's command line says: -U's files and the cache folders, as paths we can open. */
struct pacman_args {
	struct strv files;
	struct strv cachedirs;
	char *config;
};

/* A path of pacman's (absolute or relative to its folder) as one we can open from our chroot. */
static char *parent_path(pid_t pp, const char *p)
{
	if (pp <= 1)
		return xstrdup(p);
	return p[0] == '/' ? xasprintf("/proc/%d/root%s", (int)pp, p)
			   : xasprintf("/proc/%d/cwd/%s", (int)pp, p);
}

/* A path made by parent_path as pacman names it, for messages (points into p). */
static const char *shown_path(const char *p)
{
	if (!strneq(p, "/proc/", 6))
		return p;
	const char *q = p + 6 + strspn(p + 6, "0123456789");
	if (q == p + 6)
		return p;
	if (strneq(q, "/root/", 6))
		return q + 5;
	if (strneq(q, "/cwd/", 5))
		return q + 5;
	return p;
}

/* pacman's options that take a value as the next word */
static bool takes_value(const char *o)
{
	static const char *const opts[] = {"--root",     "--dbpath",  "--cachedir", "--config",
					   "--hookdir",  "--logfile", "--gpgdir",   "--arch",
					   "--sysroot",  "--ignore",  "--ignoregroup",
					   "--overwrite", "--assume-installed", "--assumeinstalled",
					   "--color",    "--print-format", "-r",       "-b"};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (streq(o, opts[i]))
			return true;
	return false;
}

static void read_pacman_args(pid_t pp, struct pacman_args *pa)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/cmdline", (int)pp);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	bool upgrade = false;

	if (pp <= 1 || read_file(path, &buf, &len, MAX_CMDLINE) < 0 || !len)
		return;
	_cleanup_strv_ struct strv words = STRV_INIT;
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		strv_push(&words, buf + i);
	for (size_t i = 1; i < words.n; i++) {
		const char *w = words.v[i];
		if (strneq(w, "--cachedir=", 11)) {
			strv_push(&pa->cachedirs, w + 11);
		} else if (strneq(w, "--config=", 9)) {
			free(pa->config);
			pa->config = xstrdup(w + 9);
		} else if (takes_value(w) && i + 1 < words.n) {
			if (streq(w, "--cachedir"))
				strv_push(&pa->cachedirs, words.v[i + 1]);
			if (streq(w, "--config")) {
				free(pa->config);
				pa->config = xstrdup(words.v[i + 1]);
			}
			i++;
		} else if (streq(w, "--upgrade") || (w[0] == '-' && w[1] != '-' && strchr(w, 'U'))) {
			upgrade = true;
		} else if (w[0] != '-' && strstr(w, ".pkg.tar")) {
			strv_push(&pa->files, w);
		}
	}
	if (!upgrade)
		strv_release(&pa->files);
}

/* CacheDir lines of a pacman.conf's [options] (values split at blanks). */
static void read_cachedirs(const char *conf, struct strv *out)
{
	_cleanup_free_ char *text = NULL;
	bool options = false;

	if (read_file(conf, &text, NULL, 1 << 20) < 0)
		return;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		l += strspn(l, " \t");
		if (*l == '[') {
			options = strneq(l, "[options]", 9);
			continue;
		}
		if (!options || !strneq(l, "CacheDir", 8))
			continue;
		char *v = l + 8 + strspn(l + 8, " \t");
		if (*v++ != '=')
			continue;
		for (char *s2 = NULL, *w = strtok_r(v, " \t\r", &s2); w; w = strtok_r(NULL, " \t\r", &s2))
			strv_push(out, w);
	}
}

/* The member names of a kernel's headers in a package, with or without the usr/ prefix. */
static bool names_headers(const char *name, const char *k)
{
	if (name[0] == '.' && name[1] == '/')
		name += 2;
	if (strneq(name, "usr/", 4))
		name += 4;
	size_t n = strlen(k);
	return strneq(name, "lib/modules/", 12) && strneq(name + 12, k, n) &&
	       strneq(name + 12 + n, "/build/include", 14);
}

/* .MTREE (gzip text) holds "./usr/lib/modules/K/build/include ..." lines. */
static int mtree_names(struct archive *a, const char *k)
{
	struct strbuf raw = STRBUF_INIT;
	char chunk[65536];
	la_ssize_t n;
	int found = 0;

	while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0 && raw.len < MTREE_MAX)
		sb_addn(&raw, chunk, (size_t)n);
	struct archive *m = archive_read_new();
	archive_read_support_filter_all(m);
	archive_read_support_format_raw(m);
	struct archive_entry *e;
	if (archive_read_open_memory(m, raw.buf ? raw.buf : "", raw.len) == ARCHIVE_OK &&
	    archive_read_next_header(m, &e) == ARCHIVE_OK) {
		struct strbuf text = STRBUF_INIT;
		while ((n = archive_read_data(m, chunk, sizeof(chunk))) > 0 && text.len < MTREE_MAX)
			sb_addn(&text, chunk, (size_t)n);
		_cleanup_free_ char *a1 = xasprintf("./usr/lib/modules/%s/build/include ", k);
		_cleanup_free_ char *a2 = xasprintf("./lib/modules/%s/build/include ", k);
		found = strstr(sb_str(&text), a1) || strstr(sb_str(&text), a2);
		sb_release(&text);
	} else {
		found = -1;
	}
	archive_read_free(m);
	sb_release(&raw);
	return found;
}

/* Does the package file hold kernel k's headers? */
static bool package_has_headers(const char *file, const char *k)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	bool found = false;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, file, 1 << 16) != ARCHIVE_OK) {
		archive_read_free(a);
		return false;
	}
	while (!found && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (!name)
			continue;
		if (streq(name, ".MTREE")) {
			int r = mtree_names(a, k);
			if (r >= 0) {
				found = r;
				break;
			}
			continue;
		}
		found = names_headers(name, k);
	}
	archive_read_free(a);
	return found;
}

struct cand {
	char *path;
	time_t mtime;
};

static int cand_newest_first(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	return a->mtime < b->mtime ? 1 : a->mtime > b->mtime ? -1 : strcmp(a->path, b->path);
}

/* The package that brings kernel k's headers, or NULL. */
static char *find_package(const struct pacman_args *pa, const struct strv *cachedirs,
			  const char *k)
{
	struct cand *c = NULL;
	size_t n = 0;
	char *found = NULL;

	for (size_t i = 0; i < pa->files.n; i++)
		if (is_reg(pa->files.v[i]) && package_has_headers(pa->files.v[i], k))
			return xstrdup(pa->files.v[i]);
	for (size_t i = 0; i < cachedirs->n; i++) {
		DIR *d = opendir(cachedirs->v[i]);
		struct dirent *de;
		if (!d)
			continue;
		while ((de = readdir(d))) {
			const char *dot = strstr(de->d_name, ".pkg.tar");
			struct stat st;
			if (!dot || strstr(dot, ".sig") || strstr(dot, ".part") || de->d_name[0] == '.')
				continue;
			char *p = path_join(cachedirs->v[i], de->d_name);
			if (stat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
				free(p);
				continue;
			}
			c = xreallocarray(c, n + 1, sizeof(*c));
			c[n++] = (struct cand){p, st.st_mtime};
		}
		closedir(d);
	}
	if (n)
		qsort(c, n, sizeof(*c), cand_newest_first);
	for (size_t i = 0; i < n && !found; i++)
		if (package_has_headers(c[i].path, k))
			found = xstrdup(c[i].path);
	for (size_t i = 0; i < n; i++)
		free(c[i].path);
	free(c);
	return found;
}

struct preflight {
	struct ndkms_ctx *ctx;
	struct report table;
	int failed;
};

static int build_work(struct ndkms_ctx *ctx, const struct batch_job *j, _unused_ void *data)
{
	const struct target t = {j->m, j->v, j->k, j->a};
	int lock = lock_module(ctx, j->m);
	if (lock < 0)
		return lock;
	lifecycle_recover(ctx, j->m, j->v);
	int r = lifecycle_maybe_build(ctx, &t);
	lock_release(lock);
	return r;
}

static void build_ended(const struct batch_job *j, void *data)
{
	struct preflight *pf = data;

	report_add_job(&pf->table, pf->ctx, j, REPORT_BUILT);
	if (j->status == 0) {
		log_info("%s/%s, %s, %s: built before the transaction", j->m, j->v, j->k, j->a);
	} else if (j->status == 77) {
		log_info("%s/%s, %s, %s: skipped (BUILD_EXCLUSIVE does not match this kernel)", j->m,
			 j->v, j->k, j->a);
	} else {
		log_info("%s/%s, %s, %s: failed to build (exit %d)", j->m, j->v, j->k, j->a,
			 j->status);
		pf->failed++;
	}
}

/* Build every AUTOINSTALL module not yet built for k against the headers in ksd. */
static int build_all(struct preflight *pf, const char *k, const char *ksd)
{
	struct ndkms_ctx *ctx = pf->ctx;
	const char *a = ctx->env->running_arch;
	_cleanup_strv_ struct strv names = STRV_INIT, vers = STRV_INIT;
	struct batch_job *jobs = NULL;
	size_t n = 0;

	char *saved = ctx->opt->kernel_source_dir_opt;
	ctx->opt_setup->kernel_source_dir_opt = xstrdup(ksd);
	jobs_latest_versions(ctx, &names, &vers);
	for (size_t i = 0; i < names.n; i++) {
		struct dkms_conf conf = {0};
		if (state_is_built(ctx, names.v[i], vers.v[i], k, a))
			continue;
		if (modconf_read(ctx, NULL, &(struct target){names.v[i], vers.v[i], k, a}, false, &conf) < 0) {
			log_info("%s/%s, %s, %s: failed (its dkms.conf cannot be read)", names.v[i],
				 vers.v[i], k, a);
			report_add(&pf->table, ctx, names.v[i], vers.v[i], k, a, REPORT_FAILED, 1, 0);
			pf->failed++;
			continue;
		}
		if (conf.autoinstall) {
			jobs = xreallocarray(jobs, n + 1, sizeof(*jobs));
			jobs[n] = (struct batch_job){.m = names.v[i], .v = vers.v[i], .k = k, .a = a};
			for (size_t d = 0; d < conf.build_depends.n; d++)
				if (strv_contains(&names, conf.build_depends.v[d]))
					strv_push(&jobs[n].deps, conf.build_depends.v[d]);
			n++;
		}
		dkms_conf_release(&conf);
	}
	/* a dependency built already (not queued here) does not hold a job back */
	for (size_t i = 0; i < n; i++) {
		struct strv keep = STRV_INIT;
		for (size_t d = 0; d < jobs[i].deps.n; d++)
			for (size_t x = 0; x < n; x++)
				if (streq(jobs[x].m, jobs[i].deps.v[d])) {
					strv_push(&keep, jobs[i].deps.v[d]);
					break;
				}
		strv_release(&jobs[i].deps);
		jobs[i].deps = keep;
	}
	int r = 0;
	if (n) {
		struct batch_opts o = {.work = build_work, .ended = build_ended, .data = pf};
		ctx->ses.defer_depmod = true;
		jobs_prepare_keys(ctx, jobs, n);
		r = batch_run(ctx, jobs, n, &o);
		ctx->ses.defer_depmod = false;
		strv_release(&ctx->ses.depmod_pending); /* nothing was installed */
		for (size_t i = 0; i < n; i++)
			if (jobs[i].state == BATCH_PENDING) {
				report_add_job(&pf->table, ctx, &jobs[i], REPORT_BUILT);
				pf->failed++;
			}
	}
	batch_release(jobs, n);
	free(jobs);
	free(ctx->opt_setup->kernel_source_dir_opt);
	ctx->opt_setup->kernel_source_dir_opt = saved;
	return r;
}

static void rm_stale_stages(const char *priv)
{
	DIR *d = opendir(priv);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (!strneq(de->d_name, "stage-", 6))
			continue;
		_cleanup_free_ char *p = path_join(priv, de->d_name);
		rm_rf(p);
	}
	closedir(d);
}

/* Kernel k: find its headers package, unpack it privately, build, clean up. */
static int preflight_kernel(struct preflight *pf, const struct pacman_args *pa,
			    const struct strv *cachedirs, const char *k)
{
	struct ndkms_ctx *ctx = pf->ctx;
	_cleanup_free_ char *inc = xasprintf("%s/%s/build/include", ctx->env->install_tree, k);

	if (is_dir(inc)) {
		/* a rebuild of the same kernel version: the upgrade and install hooks handle it */
		log_info("preflight: kernel %s has headers on disk already; its modules are built "
			 "after the transaction.",
			 k);
		return 0;
	}
	_cleanup_free_ char *pkg = find_package(pa, cachedirs, k);
	if (!pkg) {
		log_warn("preflight: no package with the headers of kernel %s was found on pacman's "
			 "command line or in its cache; the modules are built after the transaction.",
			 k);
		return 0;
	}
	log_info("preflight: building modules for kernel %s against %s", k, shown_path(pkg));
	/* <dkms_tree>/.preflight: private to root (the tree itself keeps its mode) */
	_cleanup_free_ char *priv = path_join(ctx->env->dkms_tree, ".preflight");
	int r = mkdir_p(ctx->env->dkms_tree, 0755);
	if (r == 0)
		r = mkdir_private(priv);
	if (r < 0) {
		log_error("preflight: cannot make the private folder %s: %s", ctx_display(ctx, priv),
			  r == -EPERM ? "it is a link or not root's" : strerror(-r));
		return DKMS_EXIT(1);
	}
	/* what an interrupted preflight left (pacman's lock keeps two from running at once) */
	rm_stale_stages(priv);
	_cleanup_free_ char *stage = mkdtemp_in(priv, "stage-");
	if (!stage) {
		log_error("preflight: cannot create a staging folder in %s: %m", ctx_display(ctx, priv));
		return DKMS_EXIT(1);
	}
	char *why = NULL;
	_cleanup_free_ char *ksd = NULL;
	r = extract_archive(pkg, stage, &why);
	if (r == 0) {
		_cleanup_free_ char *u = xasprintf("%s/usr/lib/modules/%s/build", stage, k);
		_cleanup_free_ char *l = xasprintf("%s/lib/modules/%s/build", stage, k);
		ksd = xstrdup(is_dir(u) ? u : l);
		r = extract_links_within(ksd, &why);
	}
	if (r < 0) {
		log_warn("preflight: the headers of kernel %s in %s cannot be used (%s); the modules "
			 "are built after the transaction.",
			 k, shown_path(pkg), why ? why : strerror(-r));
		free(why);
		rm_rf(stage);
		rmdir(priv);
		return 0;
	}
	r = build_all(pf, k, ksd);
	rm_rf(stage);
	rmdir(priv);
	return r < 0 ? r : 0;
}

int hook_preflight(struct ndkms_ctx *ctx)
{
	struct hook_input in = {STRV_INIT, STRV_INIT};
	struct pacman_args pa = {STRV_INIT, STRV_INIT, NULL};
	_cleanup_strv_ struct strv cachedirs = STRV_INIT, confdirs = STRV_INIT;
	struct preflight pf = {.ctx = ctx};
	_cleanup_free_ char *noauto = NULL, *proot = NULL, *pdir = NULL;
	pid_t pp = getppid();
	int r = 0, missing = 0;

	hook_read_input(stdin, false, &in);
	if (!in.kernels.n)
		goto out;
	noauto = path_join(ctx->env->etc_dkms, "no-autoinstall");
	if (path_exists(noauto)) {
		log_info("Automatic installation of modules has been disabled.");
		goto out;
	}
	/* pacman's paths are its own (outside its chroot): reached through /proc/PID/root */
	/* (only a parent of root's names the files: a hook called from another user's process
	 * takes nothing from that process's command line) */
	proot = xasprintf("/proc/%d/root", (int)pp);
	struct stat pst;
	pdir = xasprintf("/proc/%d", (int)pp);
	if (!is_dir(proot) || stat(pdir, &pst) < 0 || pst.st_uid != 0)
		pp = 0;
	read_pacman_args(pp, &pa);
	for (size_t i = 0; i < pa.files.n; i++) {
		char *p = parent_path(pp, pa.files.v[i]);
		free(pa.files.v[i]);
		pa.files.v[i] = p;
	}
	for (size_t i = 0; i < pa.cachedirs.n; i++) {
		strv_push_take(&cachedirs, parent_path(pp, pa.cachedirs.v[i]));
		strv_push_take(&cachedirs, ctx_path(ctx, pa.cachedirs.v[i]));
	}
	if (pa.config) {
		_cleanup_free_ char *c = parent_path(pp, pa.config);
		read_cachedirs(c, &confdirs);
	} else {
		_cleanup_free_ char *c = ctx_path(ctx, "/etc/pacman.conf");
		read_cachedirs(c, &confdirs);
	}
	if (!pa.cachedirs.n && !confdirs.n)
		strv_push(&confdirs, "/var/cache/pacman/pkg/");
	for (size_t i = 0; i < confdirs.n; i++) {
		strv_push_take(&cachedirs, ctx_path(ctx, confdirs.v[i]));
		if (pp)
			strv_push_take(&cachedirs, parent_path(pp, confdirs.v[i]));
	}
	for (size_t i = 0; i < in.kernels.n; i++) {
		int q = preflight_kernel(&pf, &pa, &cachedirs, in.kernels.v[i]);
		if (q < 0 && r == 0)
			r = q;
	}
	report_print(ctx, &pf.table);
	for (size_t i = 0; i < in.kernels.n; i++)
		missing += report_required_failures(ctx, &pf.table, in.kernels.v[i]);
	if (missing) {
		log_error("ndkms: the transaction is stopped, so that the machine keeps its current "
			  "kernel and modules.");
		r = DKMS_EXIT(1);
	} else if (pf.failed) {
		log_warn("Some modules could not be built for the incoming kernel (see above); none "
			 "of them is required, so the transaction goes on.");
		r = 0;
	} else if (r < 0) {
		log_warn("preflight: the builds could not be run; the modules are built after the "
			 "transaction.");
		r = 0;
	}
out:
	report_release(&pf.table);
	hook_input_release(&in);
	strv_release(&pa.files);
	strv_release(&pa.cachedirs);
	free(pa.config);
	return r;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* build.c - build a module for one kernel: copy, patch, make, collect, stage, rename into place. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buildresult.h"
#include "core/compress.h"
#include "core/kernel.h"
#include "core/lifecycle.h"
#include "core/modconf.h"
#include "core/runlog.h"
#include "core/script.h"
#include "core/secureboot.h"
#include "core/signing.h"
#include "core/state.h"
#include "core/uname_shim.h"
#include "util/errors.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/spawn.h"
#include "util/strbuf.h"

#define NDKMS_RELEASE "ndkms-0.1.0"

struct build {
	struct ndkms_ctx *ctx;
	struct target t;
	struct dkms_conf conf;
	char *mv;        /* M/V */
	char *src;       /* M/V/source, resolved */
	char *bdir;      /* M/V/build */
	char *log;       /* M/V/build/make.log */
	char *kdir;      /* M/V/K */
	char *base;      /* M/V/K/A */
	char *ksd;       /* kernel headers */
	struct strv env; /* CC, KERNEL_CC, LD, ... */
	bool llvm;
	struct sign_plan sign;
	char *shim;      /* private folder with the uname that names the target kernel */
};

static void build_release(struct build *b)
{
	dkms_conf_release(&b->conf);
	free(b->mv);
	free(b->src);
	free(b->bdir);
	free(b->log);
	free(b->kdir);
	free(b->base);
	free(b->ksd);
	strv_release(&b->env);
	signing_release(&b->sign);
	uname_shim_remove(b->shim);
}

/* dkms's shell variables, set (not exported) in front of every command it evals. */
static char *with_dkms_vars(const struct build *b, const char *cmd)
{
	struct strbuf sb = STRBUF_INIT;
	const char *names[] = {"kernelver", "arch", "kernel_source_dir", "dkms_tree", "source_tree",
			       "install_tree", "module", "module_version"};
	const char *vals[] = {b->t.kver, b->t.arch, b->ksd, b->ctx->env->dkms_tree, b->ctx->env->source_tree,
			      b->ctx->env->install_tree, b->t.module, b->t.version};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		sb_addf(&sb, "%s=", names[i]);
		sb_add_shell_word(&sb, vals[i]);
		sb_addch(&sb, ' ');
	}
	sb_addf(&sb, "parallel_jobs=%d; %s", ctx_jobs(b->ctx), cmd);
	return sb_steal(&sb);
}

static int check_build_depends(const struct build *b)
{
	struct strbuf missing = STRBUF_INIT;

	for (size_t i = 0; i < b->conf.build_depends.n; i++) {
		const char *dep = b->conf.build_depends.v[i];
		_cleanup_free_ char *av = state_active_version(b->ctx, dep, b->t.kver, b->t.arch);
		if (!av || !state_is_installed(b->ctx, dep, av, b->t.kver, b->t.arch))
			sb_addf(&missing, " %s", dep);
	}
	if (!missing.len)
		return 0;
	int r = 0;
	if (b->ctx->opt->force) {
		log_warn("Trying to build module %s/%s for kernel %s (%s) despite of missing "
			 "BUILD_DEPENDS:%s.",
			 b->t.module, b->t.version, b->t.kver, b->t.arch, sb_str(&missing));
	} else {
		log_error("Aborting build of module %s/%s for kernel %s (%s) due to missing "
			  "BUILD_DEPENDS:%s.\nYou may override by specifying --force.",
			  b->t.module, b->t.version, b->t.kver, b->t.arch, sb_str(&missing));
		r = NDKMS_E_DEPENDS;
	}
	sb_release(&missing);
	return r;
}

static int apply_patches(struct build *b)
{
	for (size_t i = 0; i < b->conf.patches.n; i++) {
		const char *p = b->conf.patches.v[i];
		_cleanup_free_ char *rel = xasprintf("patches/%s", p);
		_cleanup_free_ char *full = path_join(b->bdir, rel);
		int status;

		if (!path_is_contained(rel)) {
			log_error("Patch %s as specified in dkms.conf contains '..' path component.", p);
			return NDKMS_E_NOPATCH;
		}
		if (!path_exists(full)) {
			log_error("Patch %s as specified in dkms.conf cannot be\nfound in %s/patches/.", p,
				  ctx_display(b->ctx, b->bdir));
			return NDKMS_E_NOPATCH;
		}
		struct strbuf psb = STRBUF_INIT;
		sb_adds(&psb, "patch -p1 < ./"); /* as dkms writes it in make.log */
		sb_add_shell_word(&psb, rel);
		_cleanup_free_ char *cmd = sb_steal(&psb);
		_cleanup_free_ char *desc = xasprintf("Applying patch %s", p);
		struct runlog_opts o = {.cmd = cmd, .desc = desc, .log = b->log, .cwd = b->bdir,
					.env = (const char *const *)strv_get(&b->env), .progress = true};
		runlog_run(&o, &status);
		if (status) {
			log_error("Application of patch %s failed.\nConsult %s for more information.", p,
				  ctx_display(b->ctx, b->log));
			return NDKMS_E_PATCH;
		}
	}
	return 0;
}

/* dkms prints no progress dots for its own test modules (dkms*_test); its test suite relies on it. */
static bool quiet_progress(const char *module)
{
	return fnmatch("dkms*_test", module, 0) == 0;
}

/* kbuild cannot take an M= holding a space or other make-special characters. */
static bool make_safe_path(const char *p)
{
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("._/+,@~-", *p)))
			return false;
	return true;
}

/*
 * The M= folder: the build folder itself, or, when its path has characters kbuild cannot take
 * (a --root with a space), a link to it in a fresh private folder (mkdtemp, 0700) that *alias
 * names and the caller removes with make_alias_release.
 */
/*
 * A make killed with ndkms leaves its /tmp/ndkms-build.PID.XXXXXX behind: remove those of ndkms
 * runs that are gone.  Only our own (owned by us, a folder of mode 0700, which nobody else can
 * create, rename or fill in sticky /tmp) holding nothing but the "build" link.
 */
static void make_alias_sweep(void)
{
	DIR *d = opendir("/tmp");

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		char *end;
		struct stat st;
		if (strncmp(de->d_name, "ndkms-build.", 12))
			continue;
		long pid = strtol(de->d_name + 12, &end, 10);
		if (end == de->d_name + 12 || *end != '.' || pid <= 0 || pid == getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 07777) != 0700)
			continue;
		int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstatat(fd, "build", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			unlinkat(fd, "build", 0);
		close(fd);
		unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR); /* fails unless empty */
	}
	closedir(d);
}

static char *make_m_path(const struct build *b, char **alias)
{
	*alias = NULL;
	if (make_safe_path(b->bdir))
		return xstrdup(b->bdir);
	make_alias_sweep();
	_cleanup_free_ char *prefix = xasprintf("ndkms-build.%ld.", (long)getpid());
	*alias = mkdtemp_in("/tmp", prefix);
	char *link = *alias ? path_join(*alias, "build") : NULL;
	if (link && symlink(b->bdir, link) == 0)
		return link;
	free(link);
	if (*alias)
		rmdir(*alias);
	free(*alias);
	*alias = NULL;
	return xstrdup(b->bdir); /* quoted; kbuild will say what it cannot take */
}

static void make_alias_release(char *alias)
{
	if (!alias)
		return;
	_cleanup_free_ char *link = path_join(alias, "build");
	unlink(link);
	rmdir(alias);
	free(alias);
}

static char *make_command(const struct build *b, const char *mdir)
{
	struct strbuf sb = STRBUF_INIT;

	/* Every value ndkms puts into the command is quoted (paths may hold spaces). */
	if (!b->conf.make_cmd || !*b->conf.make_cmd) {
		sb_adds(&sb, "make -C ");
		sb_add_shell_word(&sb, b->ksd);
		sb_adds(&sb, " M=");
		sb_add_shell_word(&sb, mdir);
	} else {
		sb_adds(&sb, b->conf.make_cmd);
	}
	_cleanup_free_ char *base = sb_steal(&sb);

	/* A leading literal "make" gets dkms's -j and KERNELRELEASE; "'make'" opts out. */
	if (strneq(base, "make", 4)) {
		int j = ctx_jobs(b->ctx);
		if (j > 0)
			sb_addf(&sb, "make -j%d KERNELRELEASE=", j);
		else
			sb_adds(&sb, "make -j KERNELRELEASE=");
		sb_add_shell_word(&sb, b->t.kver);
		sb_adds(&sb, base + 4);
	} else {
		sb_adds(&sb, base);
	}
	if (b->llvm)
		sb_adds(&sb, " LLVM=1");
	return sb_steal(&sb);
}

static int write_log_header(const struct build *b)
{
	time_t t = time(NULL);
	char date[64];
	struct tm tm;
	FILE *f = fopen(b->log, "ae");

	if (!f)
		return -errno;
	strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Z %Y", localtime_r(&t, &tm));
	fprintf(f, "DKMS (%s) make.log for %s/%s for kernel %s (%s)\n%s\n", NDKMS_RELEASE,
		b->t.module, b->t.version, b->t.kver, b->t.arch, date);
	return fclose(f) == 0 ? 0 : -errno;
}

static void strip_module(const struct build *b, const char *path)
{
	const char *strip = "strip";
	int status;

	for (size_t i = 0; i < b->env.n; i++)
		if (streq(b->env.v[i], "CC=clang"))
			strip = "llvm-strip";
	const char *argv[] = {strip, "-g", path, NULL};
	struct spawn_opts so = {.argv = argv, .log_path = b->log};
	if (spawn_run(&so, &status) < 0 || status)
		log_warn("Could not strip %s.", ctx_display(b->ctx, path));
}

/* One built module into the staging folder: signed, then compressed as the kernel's are. */
static int store_module(struct build *b, const char *built, const char *dest_name,
			const char *moddir)
{
	const char *sfx = kernel_compress_suffix(b->ctx, b->t.kver);
	const char *opts = streq(sfx, ".gz")   ? b->ctx->env->compress_gzip_opts
			   : streq(sfx, ".xz") ? b->ctx->env->compress_xz_opts
					       : b->ctx->env->compress_zstd_opts;
	_cleanup_free_ char *dst = xasprintf("%s/%s.ko%s", moddir, dest_name, sfx);
	_cleanup_free_ char *why = NULL;
	unsigned char *data = NULL;
	void *packed = NULL;
	size_t len, plen;
	int r = read_file(built, (char **)&data, &len, (size_t)1 << 30);

	if (r < 0) {
		log_error("Could not read %s: %s", ctx_display(b->ctx, built), strerror(-r));
		return NDKMS_E_COLLECT;
	}
	r = signing_apply(b->ctx, &b->sign, built, &data, &len);
	if (r == 0 && *sfx) {
		r = compress_module(sfx, opts, data, len, &packed, &plen, &why);
		if (r < 0) {
			log_error("Could not compress %s: %s", ctx_display(b->ctx, built), why);
			r = NDKMS_E_COLLECT;
		}
	}
	if (r == 0)
		r = packed ? write_file_atomic(dst, packed, plen, 0644)
			   : write_file_atomic(dst, data, len, 0644);
	free(data);
	free(packed);
	return r;
}

/* Strip, sign, compress and store every built module in <staging>/module/, plus Module.symvers. */
static int collect(struct build *b, const char *staging)
{
	_cleanup_free_ char *moddir = path_join(staging, "module");
	_cleanup_free_ char *logdir = path_join(staging, "log");
	_cleanup_free_ char *symvers = path_join(b->bdir, "Module.symvers");
	int r;

	if ((r = mkdir_p(moddir, 0755)) < 0 || (r = mkdir_p(logdir, 0755)) < 0)
		return r;
	if (is_reg(symvers)) {
		_cleanup_free_ char *dst = path_join(moddir, "Module.symvers");
		if ((r = copy_file_atomic(symvers, dst, 0644)) < 0)
			return r;
	}
	for (size_t i = 0; i < b->conf.nmods; i++) {
		const struct dkms_module_rec *rec = &b->conf.mods[i];
		if (!kernel_exclusive_ok(b->ctx, &b->conf, (long)i, b->t.kver, b->t.arch))
			continue;
		_cleanup_free_ char *built =
			xasprintf("%s/%s%s.ko", b->bdir, rec->built_location, rec->built_name);
		if (!is_reg(built)) {
			log_warn("%s has disappeared", ctx_display(b->ctx, built));
			continue;
		}
		if (rec->strip)
			strip_module(b, built);
		if ((r = store_module(b, built, rec->dest_name, moddir)) < 0)
			return r;
	}
	for (size_t i = 0; i < b->conf.nmods; i++) {
		if (!kernel_exclusive_ok(b->ctx, &b->conf, (long)i, b->t.kver, b->t.arch))
			continue;
		_cleanup_free_ char *f = find_ko(moddir, b->conf.mods[i].dest_name);
		if (!f) {
			log_error("Missing module '%s' in %s", b->conf.mods[i].dest_name,
				  ctx_display(b->ctx, moddir));
			return NDKMS_E_COLLECT;
		}
	}
	return 0;
}

/* Record the dependency versions a BUILD_DEPENDS_REBUILD module was built against. */
static void write_dep_versions(const struct build *b)
{
	for (size_t i = 0; i < b->conf.build_depends.n; i++) {
		const char *dep = b->conf.build_depends.v[i];
		_cleanup_free_ char *dv = state_newest_built(b->ctx, dep, b->t.kver, b->t.arch);
		_cleanup_free_ char *f = xasprintf("%s/.dep_%s", b->base, dep);
		_cleanup_free_ char *line = xasprintf("%s\n", dv ? dv : "");
		int r = dv ? write_file_atomic(f, line, strlen(line), 0644) : 0;
		/* without it the next install of dep rebuilds this module once more */
		if (r < 0)
			log_warn("Could not write %s: %s", ctx_display(b->ctx, f), strerror(-r));
	}
}

/* Phase 1: everything that must hold before the build folder is touched. */
static int build_check(struct build *b, bool replace)
{
	struct ndkms_ctx *ctx = b->ctx;
	const char *k = b->t.kver;
	int r;

	if (path_exists(b->base) && !replace) {
		log_error("This module/version has already been built on: %s\nDirectory %s already "
			  "exists. Use the dkms remove function before trying to build again.",
			  k, ctx_display(ctx, b->base));
		return NDKMS_E_BUILT;
	}
	if ((r = modconf_read(ctx, NULL, &b->t, true, &b->conf)) < 0)
		return r;
	if (!kernel_exclusive_ok(ctx, &b->conf, -1, k, b->t.arch)) {
		_cleanup_free_ char *conf = path_join(b->base, "dkms.conf");
		log_warn("The %s\nfor module %s/%s includes BUILD_EXCLUSIVE directives\nwhich do not "
			 "match this kernel/arch/config for any modules.\nThis indicates that it "
			 "should not be built.",
			 ctx_display(ctx, conf), b->t.module, b->t.version);
		return NDKMS_E_SKIPPED;
	}
	if (dir_count(b->src) < 2) {
		_cleanup_free_ char *link = path_join(b->mv, "source");
		log_error("The directory %s does not appear to have module source located within "
			  "it.\nBuild halted.",
			  ctx_display(ctx, link));
		return NDKMS_E_EMPTYSRC;
	}
	if ((r = kernel_check_headers(ctx, k)) < 0)
		return r;
	if ((r = signing_prepare(ctx, k, &b->sign)) < 0)
		return r;
	if (b->sign.enabled)
		secureboot_warn_once(ctx, k);
	kernel_toolchain_env(ctx, k, &b->env, &b->llvm);
	return check_build_depends(b);
}

static int copy_source(const struct build *b, const char *src, const char *dst)
{
	int r = rm_rf(dst);

	if (r == 0)
		r = copy_tree(src, dst);
	if (r < 0)
		log_error("Could not copy %s to %s: %s", ctx_display(b->ctx, src),
			  ctx_display(b->ctx, dst), strerror(-r));
	return r;
}

/*
 * Phase 2: a fresh copy of the source in M/V/build (the module lock keeps others out of it),
 * /etc/dkms/M/patches over its own patches, the make.log header, the patches applied.
 */
static int build_prepare(struct build *b)
{
	_cleanup_free_ char *etc_patches =
		xasprintf("%s/%s/patches", b->ctx->env->etc_dkms, b->t.module);
	int r = copy_source(b, b->src, b->bdir);

	if (r < 0)
		return r;
	if (is_dir(etc_patches)) {
		_cleanup_free_ char *dst = path_join(b->bdir, "patches");
		if ((r = copy_source(b, etc_patches, dst)) < 0)
			return r;
	}
	if ((r = write_log_header(b)) < 0) {
		log_error("Could not write %s: %s", ctx_display(b->ctx, b->log), strerror(-r));
		return r;
	}
	return apply_patches(b);
}

/* Phase 3: PRE_BUILD, make, and every module the build should make is there. */
static int build_make(struct build *b)
{
	struct ndkms_ctx *ctx = b->ctx;
	const char *k = b->t.kver, *a = b->t.arch;
	int r, status;

	if ((r = uname_shim_create(ctx, k, a, &b->shim)) < 0)
		return r;
	r = script_run(ctx, b->t.module, b->t.version, "pre_build", b->conf.pre_build, b->log,
		       b->shim, &status);
	if (r < 0)
		return r;
	if (status)
		return NDKMS_E_SCRIPT(status);

	char *alias;
	_cleanup_free_ char *mdir = make_m_path(b, &alias);
	_cleanup_free_ char *make = make_command(b, mdir);
	_cleanup_free_ char *cmd = with_dkms_vars(b, make);
	struct runlog_opts o = {.cmd = cmd, .desc = "Building module(s)", .log = b->log,
				.cwd = b->bdir, .env = (const char *const *)strv_get(&b->env),
				.show_cmd = make, .path_prepend = b->shim,
				.progress = !quiet_progress(b->t.module)};
	runlog_run(&o, &status);
	make_alias_release(alias);
	if (status) {
		log_error("Bad return status for module build on kernel: %s (%s)\nConsult %s for "
			  "more information.",
			  k, a, ctx_display(ctx, b->log));
		return NDKMS_E_BUILD;
	}
	for (size_t i = 0; i < b->conf.nmods; i++) {
		const struct dkms_module_rec *rec = &b->conf.mods[i];
		if (!kernel_exclusive_ok(ctx, &b->conf, (long)i, k, a))
			continue;
		_cleanup_free_ char *rel = xasprintf("%s%s.ko", rec->built_location, rec->built_name);
		_cleanup_free_ char *f = path_join(b->bdir, rel);
		if (!is_reg(f)) {
			log_error("Build of %s failed for: %s (%s)\nMake sure the name and location of "
				  "the generated module are correct,\nor consult %s for more "
				  "information.",
				  rel, k, a, ctx_display(ctx, b->log));
			return NDKMS_E_COLLECT;
		}
	}
	return 0;
}

/*
 * Rename the finished staging folder to K/A.  With --force the old build (and the install
 * using it) stays until this one is ready, and comes back when the rename fails.
 */
static int build_swap(const struct build *b, const char *staging)
{
	const struct ndkms_ctx *ctx = b->ctx;
	_cleanup_free_ char *old = NULL;
	int r;

	if (path_exists(b->base)) {
		old = xasprintf("%s/.old_%s_%d", b->kdir, b->t.arch, (int)getpid());
		if ((r = rm_rf(old)) == 0) {
			fault_point("rename");
			if (rename(b->base, old) < 0)
				r = -errno;
		}
		if (r < 0) {
			log_error("do_build: final mv failed (%s)", strerror(-r));
			return NDKMS_E_COLLECT;
		}
	}
	if (rename_sync(staging, b->base) < 0) {
		r = -errno;
		log_error("do_build: final mv failed (%s)", strerror(-r));
		if (old && rename(old, b->base) < 0)
			log_error("The previous build stays in %s: %s", ctx_display(ctx, old),
				  strerror(errno));
		return NDKMS_E_COLLECT;
	}
	if (old && (r = rm_rf(old)) < 0)
		log_warn("Could not remove the previous build %s: %s", ctx_display(ctx, old),
			 strerror(-r));
	return 0;
}

/* Phase 4: stage K/.tmp_A_XXXXXX, then rename it to K/A: a build is there whole or not at all. */
static int build_stage(struct build *b)
{
	struct ndkms_ctx *ctx = b->ctx;
	int r;

	if ((r = mkdir_p(b->kdir, 0755)) < 0) {
		log_error("Could not create %s: %s", ctx_display(ctx, b->kdir), strerror(-r));
		return NDKMS_E_COLLECT;
	}
	_cleanup_free_ char *prefix = xasprintf(".tmp_%s_", b->t.arch);
	_cleanup_free_ char *staging = mkdtemp_in(b->kdir, prefix);
	if (!staging) {
		r = -errno;
		log_error("Unable to make temporary directory in %s.", ctx_display(ctx, b->kdir));
		return r;
	}
	r = collect(b, staging);
	if (r == 0 && chmod(staging, 0755) < 0)
		r = -errno;
	if (r == 0)
		r = build_swap(b, staging);
	else if (!ndkms_is_kind(r))
		log_error("Could not store the built modules in %s: %s", ctx_display(ctx, staging),
			  strerror(-r));
	if (r < 0)
		rm_rf(staging); /* a leftover is swept by prune and the next build */
	return r < 0 && !ndkms_is_kind(r) ? NDKMS_E_COLLECT : r;
}

/* Phase 5: POST_BUILD, make.log beside the build, the build folder gone, dependencies noted. */
static int build_finish(struct build *b)
{
	struct ndkms_ctx *ctx = b->ctx;
	_cleanup_free_ char *final_log = xasprintf("%s/log/make.log", b->base);
	int r, status;

	r = script_run(ctx, b->t.module, b->t.version, "post_build", b->conf.post_build, b->log,
		       b->shim, &status);
	if (r < 0)
		return r;
	if (status)
		return NDKMS_E_SCRIPT(status);
	fault_point("rename");
	if (rename(b->log, final_log) < 0) {
		/* the build is in place; its log stays in the build folder */
		log_warn("Could not move %s to %s: %s", ctx_display(ctx, b->log),
			 ctx_display(ctx, final_log), strerror(errno));
	} else if ((r = rm_rf(b->bdir)) < 0) {
		log_warn("Could not remove %s: %s", ctx_display(ctx, b->bdir), strerror(-r));
	}
	if (b->conf.build_depends_rebuild && !ctx->opt->force)
		write_dep_versions(b);
	return 0;
}

static int do_build(struct build *b, bool replace)
{
	int r;

	if ((r = build_check(b, replace)) < 0 || (r = build_prepare(b)) < 0 ||
	    (r = build_make(b)) < 0 || (r = build_stage(b)) < 0)
		return r;
	return build_finish(b);
}

/* M/V/.last-build.K.A: what this build came to, when, and where its make.log is. */
static void record_result(const struct build *b, int r, long ms)
{
	_cleanup_free_ char *final_log = xasprintf("%s/log/make.log", b->base);
	const char *log = r == 0 && is_reg(final_log) ? final_log : is_reg(b->log) ? b->log : NULL;
	/* a PRE_BUILD or POST_BUILD script exiting 77 skips the build as BUILD_EXCLUSIVE does */
	bool skipped = r == NDKMS_E_SKIPPED || ndkms_script_status(r) == 77;
	struct build_result res = {
		.kernel = (char *)b->t.kver,
		.arch = (char *)b->t.arch,
		.result = (char *)(r == 0 ? "built" : skipped ? "skipped" : "failed"),
		.exit = r == 0 ? 0 : b->ctx->exit_status(r),
		.time = (long long)time(NULL),
		.ms = ms,
		.log = log ? (char *)ctx_display(b->ctx, log) : NULL,
	};

	build_result_write(b->ctx, b->t.module, b->t.version, &res);
}

static int build_one(struct ndkms_ctx *ctx, const struct target *t, bool replace)
{
	struct build b = {.ctx = ctx, .t = *t};
	int r = lifecycle_maybe_add(ctx, t);

	if (r < 0)
		return r;
	b.mv = state_mv_dir(ctx, t->module, t->version);
	b.src = state_source_dir(ctx, t->module, t->version);
	b.bdir = path_join(b.mv, "build");
	b.log = path_join(b.bdir, "make.log");
	b.kdir = path_join(b.mv, t->kver);
	b.base = path_join(b.kdir, t->arch);
	b.ksd = ctx_kernel_source_dir(ctx, t->kver);
	if (!b.src) {
		r = state_check_added(ctx, t->module, t->version);
	} else {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = do_build(&b, replace);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (r != NDKMS_E_BUILT)
			record_result(&b, r,
				      (long)((t1.tv_sec - t0.tv_sec) * 1000 +
					     (t1.tv_nsec - t0.tv_nsec) / 1000000));
	}
	build_release(&b);
	return r;
}

int lifecycle_build(struct ndkms_ctx *ctx, const struct target *t)
{
	return build_one(ctx, t, false);
}

int lifecycle_maybe_build(struct ndkms_ctx *ctx, const struct target *t)
{
	if (state_is_built(ctx, t->module, t->version, t->kver, t->arch)) {
		if (!ctx->opt->force) {
			log_info("Module %s/%s already built for kernel %s (%s), skip. You may override "
				 "by specifying --force.",
				 t->module, t->version, t->kver, t->arch);
			return 0;
		}
		return build_one(ctx, t, true);
	}
	return build_one(ctx, t, false);
}

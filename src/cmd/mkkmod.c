// SPDX-License-Identifier: GPL-2.0-or-later
/* mkkmod.c - "ndkms mkkmod M/V": kmod packages (RPM, pacman) and system extensions from builds. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/exitcode.h"
#include "cmd/opts.h"
#include "core/state.h"
#include "pkg/kmodpkg.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/names.h"

static const char help_text[] =
	"Usage: ndkms mkkmod MODULE/VERSION [-k KVER]... [--style fedora|kabi]\n"
	"                    [--format rpm|srpm|pacman|pkgbuild|sysext] [--out DIR|--repo DIR]\n"
	"                    [--archive]\n"
	"Package the modules built for each kernel as binary kmod packages, or as a\n"
	"systemd-sysext extension for the base system given with --root.\n"
	"  -k KVER             a kernel the module is built for (repeatable; default: all)\n"
	"  --style fedora      kmod-M-KVER per kernel plus a kmod-M meta package (default)\n"
	"  --style kabi        one kmod-M linked into compatible kernels by weak-modules\n"
	"  --format rpm|pacman the package format (default: rpm)\n"
	"  --format srpm       a source RPM: the sources and a spec that rpmbuild --rebuild,\n"
	"                      mock, Koji, Copr or OBS build with ndkms into the packages of\n"
	"                      --format rpm, for the kernels of %{kernels} (default: the\n"
	"                      kernel-devel trees of the build root); signed with\n"
	"                      --define 'ndkms_sign_key KEY' --define 'ndkms_sign_cert CERT'\n"
	"  --format pkgbuild   a folder kmod-M with a PKGBUILD and the sources that makepkg\n"
	"                      builds with ndkms into the packages of --format pacman, for\n"
	"                      $NDKMS_KERNELS (default: the kernels with headers there)\n"
	"  --format sysext     a folder kmod-M: the modules in usr/lib/modules/KVER/updates/,\n"
	"                      the indexes of the base tree plus them, and an extension-release\n"
	"                      matching the base's os-release\n"
	"  --archive           with sysext: also write kmod-M.tar.zst of the folder\n"
	"  --out DIR           where the packages go (default: the current folder)\n"
	"  --repo DIR          rpm, pacman: write the packages into the repository folder DIR\n"
	"                      and update its index with createrepo_c or repo-add (database\n"
	"                      DIR/NAME.db.tar.gz, NAME the folder's name)\n"
	"  -h, --help          show this help\n";

static int kernel_arg(void *data, _unused_ const struct opt *opt, const char *arg)
{
	int r = cmd_check_kver(arg, "kernel version");

	if (r < 0)
		return r;
	strv_push(data, arg);
	return 0;
}

static int help(_unused_ void *data, _unused_ const struct opt *opt, _unused_ const char *arg)
{
	fputs(help_text, stdout);
	return OPTS_STOP;
}

/* The arch M/V is built for on k (the running arch when it is among them). */
static char *built_arch(struct ndkms_ctx *ctx, const char *m, const char *v, const char *k)
{
	_cleanup_strv_ struct strv kas = STRV_INIT;
	char *found = NULL;

	state_list_kernels(ctx, m, v, &kas);
	for (size_t i = 0; i < kas.n; i++) {
		char *slash = strchr(kas.v[i], '/');
		if (!slash || strncmp(kas.v[i], k, (size_t)(slash - kas.v[i])) ||
		    k[slash - kas.v[i]] || !state_is_built(ctx, m, v, k, slash + 1))
			continue;
		if (!found || streq(slash + 1, ctx->env->running_arch)) {
			free(found);
			found = xstrdup(slash + 1);
		}
	}
	return found;
}

static void module_files(const char *dir, struct strv *out)
{
	DIR *d = opendir(dir);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (is_module_file_name(de->d_name)) {
			_cleanup_free_ char *p = path_join(dir, de->d_name);
			if (is_reg(p))
				strv_push(out, p);
		}
	}
	closedir(d);
	strv_sort(out);
}

static int cmd_mkkmod_run(struct ndkms_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ struct strv kvers = STRV_INIT;
	const char *style = "fedora", *format = "rpm", *out = NULL, *repo_arg = NULL;
	char cwd[PATH_MAX];
	bool archive = false;
	int r = 0;

	if (!argv || argc < 1)
		return -EINVAL;
	const struct opt opts[] = {
		OPT_CALL("kernelver", 'k', true, kernel_arg),
		OPT_STR("style", 0, &style),
		OPT_STR("format", 0, &format),
		OPT_STR("out", 0, &out),
		OPT_BOOL("archive", 0, &archive),
		OPT_STR("repo", 0, &repo_arg),
		OPT_CALL("help", 'h', false, help),
	};
	const struct opts p = {.opt = opts, .n = ARRAY_SIZE(opts), .data = &kvers};
	const char *bad;
	int first;
	r = opts_parse(&p, argc, argv, &first, &bad);
	if (r == OPTS_STOP)
		return 0;
	if (r == OPTS_BAD) {
		fputs(help_text, stderr);
		return DKMS_EXIT(2);
	}
	if (r < 0)
		return r;
	_cleanup_free_ char *repo = repo_arg ? xstrdup(repo_arg) : NULL;
	if (first + 1 != argc || !strchr(argv[first], '/') ||
	    (!streq(style, "fedora") && !streq(style, "kabi")) ||
	    (!streq(format, "rpm") && !streq(format, "pacman") && !streq(format, "sysext") &&
	     !streq(format, "srpm") && !streq(format, "pkgbuild")) ||
	    (archive && !streq(format, "sysext")) ||
	    (repo && ((!streq(format, "rpm") && !streq(format, "pacman")) || out || !*repo))) {
		fputs(help_text, stderr);
		return DKMS_EXIT(2);
	}
	_cleanup_free_ char *m = xstrndup(argv[first], strcspn(argv[first], "/"));
	const char *v = strchr(argv[first], '/') + 1;
	if (!name_valid(m) || !name_valid(v)) {
		log_error("Invalid module name or version: %s/%s", m, v);
		return DKMS_EXIT(1);
	}
	if (!state_is_added(ctx, m, v)) {
		log_error("%s/%s is not added.", m, v);
		return DKMS_EXIT(3);
	}
	if (repo) {
		/* the packages are written into the repository folder, then indexed */
		for (size_t n = strlen(repo); n > 1 && repo[n - 1] == '/'; n--)
			repo[n - 1] = '\0';
		out = repo;
	}
	if (!out)
		out = getcwd(cwd, sizeof(cwd)) ? cwd : ".";
	if (streq(format, "srpm") || streq(format, "pkgbuild")) {
		/* the sources only: the build farm builds them for its own kernels */
		_cleanup_free_ char *mv = xasprintf("%s-%s", m, v);
		_cleanup_free_ char *src = path_join(ctx->env->source_tree, mv);
		struct kmodpkg_opts so = {.module = m, .version = v, .release = "1",
					  .out_dir = out, .tmp_dir = ctx->env->tmp_dir,
					  .kabi = streq(style, "kabi")};
		if (kvers.n)
			log_warn("mkkmod: --format %s builds for the kernels named at build time; "
				 "-k is ignored.", format);
		if (!is_dir(src)) {
			log_error("The sources of %s/%s are not in %s.", m, v, ctx_display(ctx, src));
			return DKMS_EXIT(3);
		}
		r = streq(format, "srpm") ? kmodpkg_srpm_build(&so, src)
					    : kmodpkg_pkgbuild_write(&so, src);
		return r < 0 && !is_dkms_exit(r) ? DKMS_EXIT(1) : r;
	}
	if (!kvers.n) {
		_cleanup_strv_ struct strv kas = STRV_INIT;
		state_list_kernels(ctx, m, v, &kas);
		for (size_t i = 0; i < kas.n; i++) {
			kas.v[i][strcspn(kas.v[i], "/")] = '\0';
			if (!strv_contains(&kvers, kas.v[i]))
				strv_push(&kvers, kas.v[i]);
		}
	}
	strv_sort_version(&kvers);
	if (!kvers.n) {
		log_error("%s/%s is not built for any kernel.", m, v);
		return DKMS_EXIT(7);
	}
	if (streq(style, "kabi") && kvers.n > 1) {
		log_error("mkkmod: --style kabi packages the build of one kernel; name it with -k.");
		return DKMS_EXIT(2);
	}
	struct kmodpkg_kernel *k = xcalloc(kvers.n, sizeof(*k));
	_cleanup_free_ char *arch = NULL;
	for (size_t i = 0; i < kvers.n && r == 0; i++) {
		_cleanup_free_ char *a = built_arch(ctx, m, v, kvers.v[i]);
		k[i].kver = kvers.v[i];
		if (!a) {
			log_error("%s/%s is not built for kernel %s.", m, v, kvers.v[i]);
			r = DKMS_EXIT(7);
			break;
		}
		if (!arch)
			arch = xstrdup(a);
		_cleanup_free_ char *base = state_mvka_dir(ctx, m, v, kvers.v[i], a);
		_cleanup_free_ char *dir = path_join(base, "module");
		module_files(dir, &k[i].files);
		if (!k[i].files.n) {
			log_error("No built module files in %s.", ctx_display(ctx, dir));
			r = DKMS_EXIT(7);
		}
	}
	if (r == 0) {
		struct kmodpkg_opts o = {.module = m, .version = v, .release = "1", .arch = arch,
					 .out_dir = out, .tmp_dir = ctx->env->tmp_dir,
					 .kabi = streq(style, "kabi")};
		_cleanup_free_ char *name = xasprintf("kmod-%s", m);
		struct kmodpkg_sysext_opts so = {.pkg = &o, .name = name, .root = ctx->env->root,
						 .modules_dir = ctx->env->install_tree,
						 .config_root = ctx->env->root, .archive = archive};
		if (streq(format, "rpm"))
			r = kmodpkg_rpm_build(&o, k, kvers.n);
		else if (streq(format, "pacman"))
			r = kmodpkg_pacman_write(&o, k, kvers.n);
		else
			r = kmodpkg_sysext_write(&so, k, kvers.n);
		if (r == 0 && repo)
			r = kmodpkg_repo_update(&o, streq(format, "pacman"), k, kvers.n);
		if (r < 0 && !is_dkms_exit(r))
			r = DKMS_EXIT(1);
	}
	for (size_t i = 0; i < kvers.n; i++)
		strv_release(&k[i].files);
	free(k);
	return r;
}

const struct cmd cmd_mkkmod = {"mkkmod", cmd_mkkmod_run, help_text, CMD_OWN_ARGS};

// SPDX-License-Identifier: GPL-2.0-or-later
/* kmodpkg_repo.c - --repo DIR: the new kmod packages indexed with repo-add or createrepo_c. */
#include <errno.h>
#include <string.h>

#include "pkg/kmodpkg.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/spawn.h"
#include "util/strv.h"

static int run_tool(const char *const *argv, const char *repo)
{
	_cleanup_free_ char *text = NULL;
	struct spawn_opts so = {.argv = argv, .capture = &text, .capture_max = 1 << 20};
	int status = 0;
	int r = spawn_run(&so, &status);

	if (r < 0) {
		log_error("mkkmod: cannot run %s: %s", argv[0], strerror(-r));
		return r;
	}
	if (status) {
		log_error("mkkmod: %s failed on %s (exit %d):\n%s", argv[0], repo, status,
			  text ? text : "");
		return -EIO;
	}
	log_info("Updated the repository %s with %s", repo, argv[0]);
	return 0;
}

/* The pacman files kmodpkg_pacman_write() wrote, in o->out_dir. */
static void pacman_files(const struct kmodpkg_opts *o, const struct kmodpkg_kernel *k, size_t nk,
			 struct strv *out)
{
	_cleanup_free_ char *ver = kmodpkg_version_field(o->version);

	if (o->kabi) {
		strv_pushf(out, "%s/kmod-%s-%s-%s-%s.pkg.tar.zst", o->out_dir, o->module, ver,
			   o->release, o->arch);
		return;
	}
	for (size_t i = 0; i < nk; i++)
		strv_pushf(out, "%s/kmod-%s-%s-%s-%s-%s.pkg.tar.zst", o->out_dir, o->module,
			   k[i].kver, ver, o->release, o->arch);
}

int kmodpkg_repo_update(const struct kmodpkg_opts *o, bool pacman, const struct kmodpkg_kernel *k,
			size_t nk)
{
	if (!pacman) {
		_cleanup_free_ char *tool = spawn_which("createrepo_c");
		if (!tool) {
			log_warn("mkkmod: createrepo_c is not installed: the packages are in %s, "
				 "its repodata is not updated.", o->out_dir);
			return 0;
		}
		const char *argv[] = {tool, "--quiet", "--update", o->out_dir, NULL};
		return run_tool(argv, o->out_dir);
	}
	const char *name = path_basename(o->out_dir);
	if (!kmodpkg_safe_word(name)) {
		log_error("mkkmod: the repository is named after its folder: '%s' cannot be a "
			  "pacman repository name.", name);
		return -EINVAL;
	}
	_cleanup_free_ char *tool = spawn_which("repo-add");
	if (!tool) {
		log_warn("mkkmod: repo-add is not installed: the packages are in %s, its database "
			 "is not updated.", o->out_dir);
		return 0;
	}
	_cleanup_strv_ struct strv argv = STRV_INIT;
	strv_push(&argv, tool);
	strv_push(&argv, "--quiet");
	strv_pushf(&argv, "%s/%s.db.tar.gz", o->out_dir, name);
	pacman_files(o, k, nk, &argv);
	return run_tool((const char *const *)strv_get(&argv), o->out_dir);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctx.h - one invocation's world: root, trees, targets, options and configuration. */
/*
 * Layer core: includes every layer below (util/, conf/, depmod/, kabi/, sign/, pkg/) and
 * core/, never cmd/ or main.c; cmd/ and main.c may include it.
 */
#pragma once

#include <stdbool.h>

#include "util/macro.h"
#include "util/strv.h"

struct kernel_target {
	char *kver;
	char *arch;
};

/*
 * The environment: root, trees, host facts and the settings of framework.conf and ndkms.conf.
 * ctx_init and ctx_setup build it once; everything after reads it through a const pointer.
 *
 * Every path ndkms touches is derived from it.  Tree paths are host paths with the root
 * already applied ("/mnt/sys/var/lib/dkms" for --root /mnt/sys); symlinks written into the
 * trees and every path shown to the user are in-root paths ("/var/lib/dkms/..."), so a root
 * prepared here is valid once booted or chrooted into.
 */
struct ndkms_env {
	char *root; /* "" for the real / */

	char *dkms_tree;
	char *source_tree;
	char *install_tree;
	char *etc_dkms;
	char *etc_ndkms;
	char *cache_dir;
	char *tmp_dir;

	/* host facts */
	char *distro;           /* "debian", "fedora", ... (dkms's running_distribution) */
	char *running_kernel;
	char *running_arch;
	bool is_root;

	/* framework.conf (the signing settings are read per kernel: core/signing.c) */
	char *post_transaction;
	char *compress_gzip_opts;
	char *compress_xz_opts;
	char *compress_zstd_opts;

	/* ndkms.conf */
	bool shell_fallback;    /* evaluate dkms.conf files outside the native subset with bash */
	int shell_timeout_ms;   /* bound on one bash evaluation */
	char *depmod_program;   /* NULL: ndkms's own depmod */
	bool weak_modules;
	struct strv required;   /* required = [...]: module names or globs (core/required.h) */
};

/*
 * The command line, with framework.conf's defaults for the options it also sets (verbose,
 * symlink_modules, modprobe_on_install, parallel_jobs).  Only the command layer reads module
 * and version: it turns them into the explicit targets the lifecycle functions take.
 */
struct ndkms_opts {
	char *action;
	char *module;
	char *version;
	char *src_tree_arg;     /* a source folder (or a dkms.conf's folder) named on the line */
	char *tarball_arg;      /* an existing non-tree file named on the line */
	struct strv kvers;      /* -k, as given (KVER or KVER/ARCH) */
	struct strv arches;     /* -a */
	struct strv directives; /* --directive NAME=value, then DKMS_DIRECTIVE* */
	char *kernel_source_dir_opt;
	char *conf_file;
	char *kconfig_opt;
	char *templatekernel;
	char *archive;
	int jobs;               /* 0: unlimited (-j0), -1: unset (nproc) */
	bool force;
	bool force_version_override;
	bool no_depmod;
	bool all;
	bool json;
	bool repair;            /* doctor --repair */
	bool symlink_modules;
	bool binaries_only;
	bool source_only;
	bool rpm_safe_upgrade;
	bool modprobe_on_install;
	bool verbose;
	bool quiet;
	bool as_dkms; /* invoked as "dkms": no output of ndkms's own (the result table) */
};

/* Run state: what one command has done so far that later steps of it depend on. */
struct ndkms_session {
	/* kernels whose signing prologue was printed already (builds then stay quiet about it) */
	struct strv signing_announced;
	/* the Secure Boot warning (certificate not trusted by the firmware) was printed */
	bool secureboot_warned;

	/* kernels whose initramfs is due at the end of the run (core/initrd.h), and those whose
	 * own kernel transaction makes it */
	struct strv initrd_pending;
	struct strv initrd_exempt;

	/* depmod batching: kernels whose indexes are due once the command ends; batch workers
	 * hand these back to the parent */
	bool defer_depmod;
	struct strv depmod_pending;
};

struct ndkms_ctx {
	const struct ndkms_env *env;
	const struct ndkms_opts *opt;
	struct kernel_target *targets; /* -k/-a resolved by cmd_resolve_targets() */
	size_t ntargets;
	struct ndkms_session ses;
	/* the environment while ctx_init and ctx_setup build it; NULL once ctx_setup returned */
	struct ndkms_env *env_setup;
	/* the options while ctx_init, the parser and ctx_setup fill them in */
	struct ndkms_opts *opt_setup;
	/* the command layer's map of a result code to its dkms exit status (cmd/exitcode.c):
	 * what a batch worker exits with and a build's record keeps */
	int (*exit_status)(int r);
};

/* Defaults, environment (NDKMS_ROOT, TMPDIR, parallel_jobs, DKMS_DIRECTIVE*) and host facts. */
void ctx_init(struct ndkms_ctx *ctx);
void ctx_release(struct ndkms_ctx *ctx);

/*
 * Apply root (NULL: NDKMS_ROOT or "/") to every default tree not overridden on the command
 * line and read the configuration: the last step that writes the environment.
 */
int ctx_setup(struct ndkms_ctx *ctx, const char *root, const char *dkmstree,
	      const char *sourcetree, const char *installtree);

/* Host path of an in-root absolute path ("/etc/dkms" -> "<root>/etc/dkms"). */
char *ctx_path(const struct ndkms_ctx *ctx, const char *abs);
/* In-root view of a host path, for messages and symlink targets (points into host). */
const char *ctx_display(const struct ndkms_ctx *ctx, const char *host);

/*
 * The folder that holds lib/modules (depmod's -b, weak-modules' --basedir): the install tree
 * without its /lib/modules or /usr/lib/modules tail; NULL when it has neither.
 */
char *ctx_depmod_basedir(const struct ndkms_ctx *ctx);
/* Kernel headers directory for kver (--kernelsourcedir or <install_tree>/kver/build). */
char *ctx_kernel_source_dir(const struct ndkms_ctx *ctx, const char *kver);
/* Kernel config used for BUILD_EXCLUSIVE_CONFIG and signing (--config, auto.conf or .config). */
char *ctx_kernel_config(const struct ndkms_ctx *ctx, const char *kver);
/* Make parallelism to use (-j, parallel_jobs, or the number of CPUs). */
int ctx_jobs(const struct ndkms_ctx *ctx);
/* A -j or parallel_jobs value: 0 (unlimited) to 4096; -EINVAL for anything else. */
_must_check_ int ctx_parse_jobs(const char *s, int *jobs);

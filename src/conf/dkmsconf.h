/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dkmsconf.h - dkms.conf semantics: directives, defaults, overrides, validation. */
/*
 * Layer conf: includes util/ and conf/ only; depmod/, kabi/, sign/, pkg/, core/, cmd/
 * may include it.  Inside, the evaluator's files depend one way (see sh.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "conf/vars.h"
#include "util/macro.h"
#include "util/strv.h"

struct dkms_module_rec {
	char *built_name;       /* BUILT_MODULE_NAME[i], defaulted to PACKAGE_NAME for one record */
	char *built_location;   /* BUILT_MODULE_LOCATION[i]: "" or a relative dir ending in "/" */
	char *dest_name;        /* DEST_MODULE_NAME[i] or built_name */
	char *dest_location;    /* DEST_MODULE_LOCATION[i] as written ("/kernel/...", "/updates/...") */
	char *install_location; /* where it is installed: dest_location after the distro override */
	bool strip;
	/* dkms 3.4 per-module BUILD_EXCLUSIVE_*[i]; NULL when unset */
	char *excl_kernel;
	char *excl_kernel_min;
	char *excl_kernel_max;
	char *excl_arch;
	char *excl_config;
};

struct dkms_conf {
	char *path;
	char *package_name;
	char *package_version;
	struct dkms_module_rec *mods;
	size_t nmods;
	char *make_cmd;         /* MAKE after MAKE_MATCH for this kernel; NULL: the kbuild default */
	struct strv patches;    /* PATCH entries that apply to this kernel, in order */
	char *pre_build;
	char *post_build;
	char *post_add;
	char *pre_install;
	char *post_install;
	char *post_remove;
	struct strv build_depends;
	char *excl_kernel;      /* package-wide BUILD_EXCLUSIVE_*; NULL when unset */
	char *excl_kernel_min;
	char *excl_kernel_max;
	char *excl_arch;
	char *excl_config;
	char *obsolete_by;
	bool autoinstall;
	bool remake_initrd;     /* REMAKE_INITRD="yes" (deprecated by dkms): needed at boot */
	bool no_weak_modules;
	bool build_depends_rebuild;
	bool used_fallback;
	struct shvars vars;     /* every directive as evaluated (after overrides and --directive) */
};

struct dkms_conf_opts {
	const char *path;                /* host path of dkms.conf */
	const char *shown_path;          /* how messages name it (NULL: path) */
	const char *const *overrides;    /* host paths of /etc/dkms/M.conf ... in order; missing skipped */
	const struct shvars *preset;     /* kernelver arch kernel_source_dir dkms_tree source_tree ... */
	const char *const *directives;   /* NAME=value, applied after all files, echoed as dkms does */
	const char *kver;                /* for MAKE_MATCH / PATCH_MATCH */
	const char *arch;
	const char *distro;              /* running_distribution, for DEST_MODULE_LOCATION */
	const char *addon_modules_dir;   /* $ADDON_MODULES_DIR, overrides every install location */
	const char *cwd;                 /* evaluation cwd (NULL: unchanged) */
	bool strict;                     /* read_conf_strict: add, build, install */
	bool allow_fallback;
	int timeout_ms;
};

/*
 * Evaluate and validate.  Every problem is reported as dkms does ("dkms.conf: Error! ..." on
 * stderr, deprecation and zero-module warnings when strict), then a negative errno is
 * returned: -EINVAL or -E2BIG for a file dkms would refuse, the evaluation's error (logged
 * with its cause) when the file could not be evaluated, -ENOENT only when the file does not
 * exist (the caller words that message).  core/modconf.c makes these NDKMS_E_BADCONF or
 * NDKMS_E_NOCONF.
 * When the file cannot be read or evaluated, conf is left empty (nothing to free); after a
 * validation failure it holds what was read, for the caller to release (releasing twice is
 * harmless).
 */
_must_check_ int dkms_conf_read(const struct dkms_conf_opts *o, struct dkms_conf *conf);

/*
 * Where validation problems go: error or warning, the directive concerned (may be NULL) and
 * dkms's text ("dkms.conf: Error! ...").  NULL report: the text is printed on stderr.
 */
typedef void dkms_conf_report_fn(void *ud, bool error, const char *directive, const char *text);

/* More module records than this are refused. */
#define DKMS_CONF_MAX_RECORDS 100000

/*
 * The three steps of dkms_conf_validate, on a zeroed conf (conf->vars is never touched):
 * extract: the records and directives from evaluated variables, with the defaults dkms's
 * read_conf gives (BUILT_MODULE_NAME from PACKAGE_NAME, DEST_MODULE_NAME, a "/" after
 * BUILT_MODULE_LOCATION, STRIP inherited from record 0, install locations by distribution);
 * -E2BIG when there are more than DKMS_CONF_MAX_RECORDS records, nothing reported.
 */
_must_check_ int dkms_conf_extract(const struct shvars *vars, const struct dkms_conf_opts *o,
				   struct dkms_conf *conf);
/*
 * select: what depends on the target kernel: MAKE by MAKE_MATCH, PATCH by PATCH_MATCH, and
 * OBSOLETE_BY as the BUILD_EXCLUSIVE_KERNEL_MAX bound when no other bound is set.
 */
void dkms_conf_select(const struct shvars *vars, const char *kver, struct dkms_conf *conf);
/* check: report every problem as read_conf (strict: read_conf_strict) does; -EINVAL if any. */
_must_check_ int dkms_conf_check(const struct shvars *vars, const struct dkms_conf *conf,
				 bool strict, dkms_conf_report_fn *report, void *ud);

/*
 * Extract, select and check: conf from evaluated variables, validated as read_conf (and
 * read_conf_strict when o->strict) does.  Returns 0, or -EINVAL (-E2BIG: too many records)
 * after reporting every problem.
 */
int dkms_conf_validate(const struct shvars *vars, const struct dkms_conf_opts *o,
		       struct dkms_conf *conf, dkms_conf_report_fn *report, void *ud);
void dkms_conf_release(struct dkms_conf *conf);

/* The directives dkms 3.x warns about as deprecated, in dkms's order (NULL-terminated). */
extern const char *const dkms_conf_deprecated_names[];
/* Does vars set the deprecated directive name (a CLEAN of true, /bin/true... does not count)? */
bool dkms_conf_uses_deprecated(const struct shvars *vars, const char *name);

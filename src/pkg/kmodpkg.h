/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kmodpkg.h - binary kmod packages (RPM via rpmbuild, pacman via libarchive) from built modules. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/macro.h"
#include "util/strv.h"

/* The built modules of one kernel: host paths of .ko[.xz|.zst|.gz] files. */
struct kmodpkg_kernel {
	const char *kver;
	struct strv files;
};

struct kmodpkg_opts {
	const char *module;
	const char *version;
	const char *release;
	const char *arch;
	const char *out_dir; /* host path; packages land here */
	const char *tmp_dir; /* host path for the staging folders */
	bool kabi;           /* one kABI-tracking kmod-M with weak-modules scriptlets */
};

/* fedora: kmod-M-KVER per kernel plus kmod-M; kabi: one kmod-M for k[0].  Prints each file. */
_must_check_ int kmodpkg_rpm_build(const struct kmodpkg_opts *o, const struct kmodpkg_kernel *k,
				   size_t nk);
/* kmod-M-KVER per kernel (fedora) or kmod-M for k[0] (kabi), .pkg.tar.zst. */
_must_check_ int kmodpkg_pacman_write(const struct kmodpkg_opts *o, const struct kmodpkg_kernel *k,
				      size_t nk);

/*
 * A source RPM kmod-M-V-1.src.rpm: the sources of src_dir (a /usr/src/M-V tree) and a spec that
 * builds them with ndkms for the kernels of %{kernels} (default: the kernel-devel trees of the
 * build root) into the packages kmodpkg_rpm_build() makes for the same style.
 */
_must_check_ int kmodpkg_srpm_build(const struct kmodpkg_opts *o, const char *src_dir);
/*
 * A folder kmod-M with a PKGBUILD and the sources of src_dir that makepkg builds with ndkms into
 * the packages kmodpkg_pacman_write() makes for the same style, for $NDKMS_KERNELS (default: the
 * kernels with headers on the build host).
 */
_must_check_ int kmodpkg_pkgbuild_write(const struct kmodpkg_opts *o, const char *src_dir);
/* Rename priv/name over out/name (an older folder there is moved aside and deleted first). */
_must_check_ int kmodpkg_put_in_place(const char *priv, const char *out, const char *name);
/*
 * --repo: index the packages just written to o->out_dir (the repository folder) with
 * createrepo_c --update (RPM) or repo-add into OUT/NAME.db.tar.gz, NAME the folder's name
 * (pacman).  A missing tool is a warning: the packages are there, the index is not updated.
 */
_must_check_ int kmodpkg_repo_update(const struct kmodpkg_opts *o, bool pacman,
				     const struct kmodpkg_kernel *k, size_t nk);
/* Run rpmbuild -bb (or -bs with source) on spec, written to spec_path; packages to o->out_dir. */
_must_check_ int kmodpkg_rpmbuild(const struct kmodpkg_opts *o, const char *top,
				  const char *spec_path, const char *spec, bool source);
/* Only [A-Za-z0-9._+-]: safe in a package name, a spec and a shell word. */
bool kmodpkg_safe_word(const char *s);

/* An RPM/pacman version field: '-' is not allowed there, so each one becomes '_'. */
char *kmodpkg_version_field(const char *v);
/* A kernel release as a dependency version: the first '-' kept, later ones made '_'. */
char *kmodpkg_kver_evr(const char *kver);
/* Whether the module file carries an appended signature (it must then not be stripped). */
bool kmodpkg_is_signed(const char *path);

struct kmodpkg_sysext_opts {
	const struct kmodpkg_opts *pkg;
	const char *name;        /* the extension's name: OUT/NAME and extension-release.NAME */
	const char *root;        /* the base system (host path, "" for /): its os-release */
	const char *modules_dir; /* the base's module trees (host path of lib/modules) */
	const char *config_root; /* where depmod.d is read ("" for /) */
	bool archive;            /* also OUT/NAME.tar.zst */
};

/*
 * A systemd-sysext folder OUT/NAME: the modules in usr/lib/modules/KVER/updates/, the ten indexes
 * of the base tree plus them (ndkms's depmod), usr/lib/extension-release.d/extension-release.NAME
 * with the base's ID and VERSION_ID (or SYSEXT_LEVEL).  Replaces an older OUT/NAME whole.
 */
_must_check_ int kmodpkg_sysext_write(const struct kmodpkg_sysext_opts *s,
				      const struct kmodpkg_kernel *k, size_t nk);
/* The extension-release text for the base at root ("ID=..\nVERSION_ID=..\n"). */
_must_check_ int sysext_release_text(const char *root, char **out);

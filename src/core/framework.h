/* SPDX-License-Identifier: GPL-2.0-or-later */
/* framework.h - /etc/dkms/framework.conf and framework.conf.d, as dkms reads them. */
#pragma once

#include "core/ctx.h"

struct framework {
	char *source_tree;
	char *dkms_tree;
	char *install_tree;
	char *tmp_location;
	char *verbose;
	char *symlink_modules;
	char *autoinstall_all_kernels;
	char *modprobe_on_install;
	char *parallel_jobs;
	char *compress_gzip_opts;
	char *compress_xz_opts;
	char *compress_zstd_opts;
	char *post_transaction;
	char *sign_file;
	char *mok_signing_key;
	char *mok_certificate;
	char *try_sign_modules;
};

/* Evaluate the files (later wins; only these names survive, as in dkms's safe_source). */
int framework_read(const struct ndkms_ctx *ctx, struct framework *fw);
/* The same with $kernelver set, as dkms reads the signing settings for each target kernel. */
int framework_read_kernel(const struct ndkms_ctx *ctx, const char *kver, struct framework *fw);
/* Copy the non-tree settings into the environment being built, and into the options the
 * command line has not set. */
void framework_apply(struct ndkms_env *env, struct ndkms_opts *opt, const struct framework *fw);
void framework_release(struct framework *fw);

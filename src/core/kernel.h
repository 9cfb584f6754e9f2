/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kernel.h - facts about a target kernel: headers, config, toolchain, BUILD_EXCLUSIVE checks. */
#pragma once

#include <stdbool.h>

#include "conf/dkmsconf.h"
#include "core/ctx.h"
#include "util/strv.h"

/*
 * The kernel folders of the install tree (/lib/modules/K, not hidden), unsorted.  A folder whose
 * name is not a valid kernel version (see kver_valid) is skipped, with a warning when warn is set.
 */
void kernel_list_installed(const struct ndkms_ctx *ctx, bool warn, struct strv *out);

/* Headers present (<kernel_source_dir>/include exists)?  Logs dkms's text and returns 21 if not. */
int kernel_check_headers(const struct ndkms_ctx *ctx, const char *kver);

/* "CONFIG_X=y" or "=m" in the config file (false when the file is missing). */
bool kernel_config_has(const char *config_path, const char *sym);

/* The raw value of "SYM=value" in the config file, or NULL. */
char *kernel_config_value(const char *config_path, const char *sym);

/* bash's [[ s =~ ere ]]: unanchored POSIX extended match; an invalid pattern does not match. */
bool ere_match(const char *ere, const char *s);

/* Whether module record i (or the package, i < 0) may be built for kver/arch (dkms 3.4 rules). */
bool kernel_exclusive_ok(const struct ndkms_ctx *ctx, const struct dkms_conf *conf, long i,
			 const char *kver, const char *arch);

/*
 * CC/KERNEL_CC (from CONFIG_CC_VERSION_TEXT, or clang), LD/KERNEL_LD (ld.lld) as dkms exports
 * them for the build; *llvm tells whether " LLVM=1" belongs on the make line.
 */
void kernel_toolchain_env(const struct ndkms_ctx *ctx, const char *kver, struct strv *env,
			  bool *llvm);

/*
 * The module suffix for kver: "", ".gz", ".xz" or ".zst" from CONFIG_MODULE_COMPRESS_* of the
 * kernel config, else dkms's choice from the installed modules.
 */
const char *kernel_compress_suffix(const struct ndkms_ctx *ctx, const char *kver);

/* Find "<dir>/<name>.ko" or "<dir>/<name>.ko<ext>" (any compression); NULL when neither exists. */
char *find_ko(const char *dir, const char *name);

/* Every regular file "<name>.ko[.gz|.xz|.zst]" below dir (links not followed), sorted. */
void kernel_find_modules(const char *dir, const char *name, struct strv *out);

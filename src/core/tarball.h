/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tarball.h - dkms's mktarball and ldtarball: built modules and sources in a dkms-layout tar. */
#pragma once

#include <stddef.h>

#include "core/ctx.h"

/*
 * mktarball of m/v for the kernels ks[0..nk) (none with --source-only), in dkms's
 * layout (./dkms_main_tree/K/A/{module,log}, ./dkms_source_tree or ./dkms_binaries_only),
 * written atomically to --archive or <dkms_tree>/M/V/tarball/<dkms's default name>.
 */
int tarball_make(struct ndkms_ctx *ctx, const char *m, const char *v,
		 const struct kernel_target *ks, size_t nk);

/*
 * ldtarball / add FILE: check and unpack the archive into a temporary folder inside the dkms
 * tree, then load it: a plain source tarball is added like a source folder; a dkms tarball
 * puts its source in /usr/src/M-V and its builds in the tree (built state), then adds.  Its
 * dkms.conf is read for kernel k/a.
 */
int tarball_load(struct ndkms_ctx *ctx, const char *file, const char *k, const char *a);

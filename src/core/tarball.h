/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tarball.h - dkms's mktarball and ldtarball: built modules and sources in a dkms-layout tar. */
#pragma once

#include "core/ctx.h"

/*
 * mktarball of ctx->opt.module/version for ctx->targets (or none with --source-only), in dkms's
 * layout (./dkms_main_tree/K/A/{module,log}, ./dkms_source_tree or ./dkms_binaries_only),
 * written atomically to --archive or <dkms_tree>/M/V/tarball/<dkms's default name>.
 */
int tarball_make(struct ndkms_ctx *ctx);

/*
 * ldtarball / add FILE: check and unpack the archive into a temporary folder inside the dkms
 * tree, then load it: a plain source tarball is added like a source folder; a dkms tarball
 * puts its source in /usr/src/M-V and its builds in the tree (built state), then adds.
 */
int tarball_load(struct ndkms_ctx *ctx, const char *file);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modconf.h - read a module's dkms.conf for one kernel, with dkms's variables and overrides. */
#pragma once

#include <stdbool.h>

#include "conf/dkmsconf.h"
#include "core/ctx.h"
#include "core/target.h"
#include "util/macro.h"

/*
 * Evaluate path (NULL: -c, else the module's source/dkms.conf) for t (module, version, kver
 * and arch; module and version "" when the file names them):
 * presets $kernelver $arch $kernel_source_dir $dkms_tree ... as dkms has them, the
 * /etc/dkms/M.conf, M-V, M-V-K, M-V-K-A, M--K, M--K-A overrides, --directive.  On a bad file
 * logs "Bad conf file." with the file and returns NDKMS_E_BADCONF; a missing file:
 * NDKMS_E_NOCONF.
 */
_must_check_ int modconf_read(const struct ndkms_ctx *ctx, const char *path, const struct target *t,
			      bool strict, struct dkms_conf *conf);

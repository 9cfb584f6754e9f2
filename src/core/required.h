/* SPDX-License-Identifier: GPL-2.0-or-later */
/* required.h - which modules a kernel must not be without. */
#pragma once

#include <stdbool.h>

#include "core/ctx.h"

/* The module matches a name or glob of "required" in /etc/ndkms/ndkms.conf. */
bool required_module(const struct ndkms_ctx *ctx, const char *m);

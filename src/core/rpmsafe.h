/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rpmsafe.h - dkms's --rpm_safe_upgrade: the new package's add cancels the old one's remove. */
#pragma once

#include <stdbool.h>

#include "core/ctx.h"

/*
 * During an RPM upgrade the new package's %post runs "add --rpm_safe_upgrade" before the old
 * package's %preun runs "remove --rpm_safe_upgrade" for the same module/version.  add leaves a
 * marker in the temporary folder naming the module/version and the rpm process (the caller's
 * grandparent, with its start time, so a reused pid never matches); remove finds it, deletes
 * it and is cancelled.
 */
int rpmsafe_mark(const struct ndkms_ctx *ctx, const char *m, const char *v);
bool rpmsafe_cancel(const struct ndkms_ctx *ctx, const char *m, const char *v);

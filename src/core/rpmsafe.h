/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rpmsafe.h - dkms's --rpm_safe_upgrade: the new package's add cancels the old one's remove. */
#pragma once

#include <stdbool.h>

#include "core/ctx.h"

/*
 * During an RPM upgrade the new package's %post runs "add --rpm_safe_upgrade" before the old
 * package's %preun runs "remove --rpm_safe_upgrade" for the same module/version.  add leaves a
 * marker naming the module/version and the rpm process (the caller's grandparent, with its
 * start time, so a reused pid never matches); remove finds it, deletes it and is cancelled.
 * Unlike dkms (world-writable /tmp, where anyone can plant one: its content is public), the
 * markers live in <root>/run/ndkms, a folder of root's alone (0700), and count only as regular
 * root-owned files opened without following links or blocking.
 */
int rpmsafe_mark(const struct ndkms_ctx *ctx, const char *m, const char *v);
bool rpmsafe_cancel(const struct ndkms_ctx *ctx, const char *m, const char *v);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status_owner.h - the package-ownership part of status: owners shown, orphans flagged. */
#pragma once

#include "core/ctx.h"

/* Open the package databases once per status run (nothing happens when none is there). */
void status_owner_begin(const struct ndkms_ctx *ctx);
void status_owner_end(void);
/*
 * After a text line for m/v (and kernel k, or NULL): with --verbose, "  source ...: owner" and
 * "  kernel ...: owner" lines; always, one warning per m/v whose sources no package owns.
 */
void status_owner_text(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *k);
/* Inside a JSON object: , "source_owner": ..., "source_orphan": ..., "kernel_owner": ... */
void status_owner_json(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *k);

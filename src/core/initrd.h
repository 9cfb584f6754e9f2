/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initrd.h - regenerate a kernel's initramfs when a module needed at boot changed. */
#pragma once

#include "core/ctx.h"

/* Kernel k needs a new initramfs at the end of the run (unless its own transaction makes one). */
void initrd_note(struct ndkms_ctx *ctx, const char *k);
/* The same when M/V is needed at boot (REMAKE_INITRD="yes" in its dkms.conf for k/a). */
void initrd_note_module(struct ndkms_ctx *ctx, const char *m, const char *v, const char *k,
			const char *a);
/* Kernel k is in a kernel transaction: its hooks (initramfs-tools, dracut, mkinitcpio) run later. */
void initrd_exempt(struct ndkms_ctx *ctx, const char *k);

/*
 * Once per noted kernel: the distribution's tool found in the root (update-initramfs -u,
 * dracut -f, mkinitcpio -p PKGBASE), chrooted when the root is not /.  Returns 0, or
 * NDKMS_E_FAILED when a tool failed (it has been reported).
 */
int initrd_flush(struct ndkms_ctx *ctx);

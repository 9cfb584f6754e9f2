/* SPDX-License-Identifier: GPL-2.0-or-later */
/* signing.h - dkms's module signing decisions for one kernel, and signing a built module. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/ctx.h"
#include "sign/keys.h"

struct sign_plan {
	bool enabled;
	const EVP_MD *md;
	struct sign_keys keys;
	char *external;   /* a sign_file configured in framework.conf (host path), run instead */
	char *hash;       /* its hash argument */
	char *key_host;   /* its key and certificate arguments */
	char *cert_host;
};

/*
 * dkms 3.4's prepare_signing for kver: nothing to do when try_sign_modules says so (or inside a
 * chroot by default), when the kernel config is missing or has no CONFIG_MODULE_SIG_HASH (each
 * with dkms's message); otherwise print the key and certificate in use, create a new pair when
 * either is missing (a lone key or certificate is moved aside to NAME.orig-DATE first, never
 * destroyed), or build unsigned with dkms's message when none can be made, and load them.  An
 * unsupported hash, an unreadable key or certificate, or a pair that does not match is an
 * error: the build stops before anything is built.  Prints dkms's blank line after the
 * prologue.  The prologue is printed once per run and kernel (ctx->ses.signing_announced): later
 * calls for that kernel prepare silently.
 */
int signing_prepare(struct ndkms_ctx *ctx, const char *kver, struct sign_plan *p);

/* Replace *data (malloc()ed, *len bytes) with its signed form; logs dkms's line first. */
int signing_apply(const struct ndkms_ctx *ctx, const struct sign_plan *p, const char *path,
		  unsigned char **data, size_t *len);

void signing_release(struct sign_plan *p);

/* Create the MOK key and certificate named by framework.conf (the generate_mok action). */
int signing_generate_mok(const struct ndkms_ctx *ctx);

/* The running system is a chroot (the root is not pid 1's root); false when it cannot tell. */
bool signing_in_chroot(void);

/* The in-root path of the certificate modules for kver are signed with (framework.conf). */
char *signing_certificate(const struct ndkms_ctx *ctx, const char *kver);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secureboot.h - whether the firmware trusts the certificate ndkms signs modules with. */
#pragma once

#include <stdbool.h>

#include "core/ctx.h"
#include "sign/certinfo.h"

enum sb_trust {
	SB_UNKNOWN = -1, /* the variable is missing, unreadable or malformed */
	SB_NO = 0,
	SB_YES = 1,
};

struct sb_status {
	int secure_boot;       /* 1 on, 0 off (or no UEFI), -1 unknown (efivar_secure_boot) */
	bool uefi;             /* <root>/sys/firmware/efi exists */
	const char *sb_why;    /* why Secure Boot counts as off although SecureBoot is 1 */
	char *cert;            /* in-root path of the signing certificate */
	bool have_cert;        /* it exists and parses */
	char *cert_error;      /* why not, when it exists */
	struct certinfo ci;
	enum sb_trust enrolled; /* in MokListRT */
	enum sb_trust pending;  /* in MokNew */
	char *moklist_error;    /* a MokListRT that is there but malformed */
};

/* Everything mok status shows, for the certificate used for kver (never fails). */
void secureboot_status(const struct ndkms_ctx *ctx, const char *kver, struct sb_status *s);
void sb_status_release(struct sb_status *s);

/* Secure Boot is on and the certificate exists, but is neither enrolled nor pending. */
bool secureboot_untrusted(const struct sb_status *s);

/*
 * Print, once per run, the warning that modules signed for kver will not load because Secure
 * Boot is on and the certificate is neither enrolled nor pending, with the command to run.
 */
void secureboot_warn_once(struct ndkms_ctx *ctx, const char *kver);

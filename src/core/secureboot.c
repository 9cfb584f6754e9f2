// SPDX-License-Identifier: GPL-2.0-or-later
/* secureboot.c - whether the firmware trusts the certificate ndkms signs modules with. */
#include <errno.h>
#include <string.h>

#include "core/secureboot.h"
#include "core/signing.h"
#include "sign/efivar.h"
#include "util/fs.h"
#include "util/log.h"

/*
 * Whether a MOK variable holds the certificate.  Shim splits a long MokListRT into MokListRT,
 * MokListRT1, MokListRT2, ...: each is a complete run of signature lists.
 */
static enum sb_trust mok_holds(const char *efi, const char *name, const struct certinfo *ci,
			       char **err)
{
	enum sb_trust t = SB_UNKNOWN;

	for (int i = 0; i < 64; i++) {
		_cleanup_free_ char *var = i ? xasprintf("%s%d", name, i) : xstrdup(name);
		_cleanup_free_ unsigned char *data = NULL;
		size_t len;
		int r = efivar_read(efi, var, EFI_SHIM_LOCK_GUID, &data, &len);

		if (r == -ENOENT)
			return i == 0 ? SB_NO : t; /* no variable: nothing enrolled (or pending) */
		if (r < 0) {
			if (err && !*err)
				*err = xasprintf("%s: %s", var, strerror(-r));
			return SB_UNKNOWN;
		}
		r = efisig_contains(data, len, ci->der, ci->der_len);
		if (r < 0) {
			if (err && !*err)
				*err = xasprintf("%s is not a valid EFI signature list", var);
			return SB_UNKNOWN;
		}
		if (r)
			return SB_YES;
		t = SB_NO;
	}
	return t;
}

void secureboot_status(const struct ndkms_ctx *ctx, const char *kver, struct sb_status *s)
{
	_cleanup_free_ char *efi = ctx_path(ctx, "/sys/firmware/efi");

	memset(s, 0, sizeof(*s));
	s->uefi = is_dir(efi);
	s->secure_boot = efivar_secure_boot_effective(efi, &s->sb_why);
	s->enrolled = s->pending = SB_UNKNOWN;
	s->cert = signing_certificate(ctx, kver);
	if (!s->cert)
		return;
	_cleanup_free_ char *host = ctx_path(ctx, s->cert);
	if (!path_exists(host))
		return;
	if (certinfo_load(host, s->cert, &s->ci, &s->cert_error) < 0)
		return;
	s->have_cert = true;
	if (!s->uefi)
		return;
	s->enrolled = mok_holds(efi, "MokListRT", &s->ci, &s->moklist_error);
	s->pending = mok_holds(efi, "MokNew", &s->ci, NULL);
}

void sb_status_release(struct sb_status *s)
{
	free(s->cert);
	free(s->cert_error);
	free(s->moklist_error);
	certinfo_release(&s->ci);
	memset(s, 0, sizeof(*s));
}

bool secureboot_untrusted(const struct sb_status *s)
{
	return s->secure_boot == 1 && s->have_cert && s->enrolled != SB_YES && s->pending != SB_YES;
}

void secureboot_warn_once(struct ndkms_ctx *ctx, const char *kver)
{
	struct sb_status s;

	if (ctx->ses.secureboot_warned)
		return;
	secureboot_status(ctx, kver, &s);
	if (secureboot_untrusted(&s)) {
		log_warn("Secure Boot is on and the signing certificate %s is not enrolled in the "
			 "firmware (MokListRT) nor waiting for enrollment (MokNew): the modules "
			 "signed with it will not load until it is.\nEnroll it with: ndkms mok enroll "
			 "(then reboot and confirm the enrollment in the MOK manager)",
			 s.cert);
		ctx->ses.secureboot_warned = true;
	}
	sb_status_release(&s);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* efivar.h - EFI variables from efivarfs or mok-variables files, and EFI signature lists. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/macro.h"

#define EFI_GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define EFI_SHIM_LOCK_GUID "605dab50-e046-4300-abb6-3dd810dd8b23"
#define EFI_CERT_X509_GUID "a5c059a1-94e4-4aa7-87b5-ab155c2bf072"

/* Bound on one variable's size (shim splits MokListRT into MokListRT1, ... beyond 64 KiB). */
#define EFIVAR_MAX (1u << 24)

/* "8be4df61-93ca-..." to the 16 bytes of an EFI_GUID (first three fields little-endian). */
_must_check_ int efi_guid_parse(const char *s, unsigned char out[16]);

/*
 * Variable NAME of vendor GUID under efi_dir (a host path of .../sys/firmware/efi): first
 * efivars/NAME-GUID (efivarfs: a 4-byte attribute word, then the data), else mok-variables/NAME
 * (shim's raw copies).  *data is malloc()ed (NUL-terminated beyond *len).  Returns 0, -ENOENT
 * when neither file exists, -EBADMSG for an efivarfs file shorter than its attribute word, or
 * another negative errno.
 */
_must_check_ int efivar_read(const char *efi_dir, const char *name, const char *guid,
			     unsigned char **data, size_t *len);

/*
 * The SecureBoot variable: 1 on, 0 off (also when efi_dir does not exist: not booted with
 * UEFI), -1 unknown (UEFI, but the variable is missing, unreadable or malformed).
 */
_must_check_ int efivar_secure_boot(const char *efi_dir);

/*
 * Whether the kernel booted by this firmware enforces Secure Boot, as its EFI stub decides:
 * SecureBoot on, unless the firmware is in setup mode (SetupMode 1) or shim's validation was
 * turned off (MokSBStateRT 1, mokutil --disable-validation).  1, 0 or -1 as efivar_secure_boot;
 * *why (static text, may be NULL) says which exception made it 0.
 */
_must_check_ int efivar_secure_boot_effective(const char *efi_dir, const char **why);

/*
 * Every X.509 certificate (DER, without its owner GUID) in a buffer of EFI_SIGNATURE_LISTs, in
 * order; lists of other types (SHA-256 hashes, ...) are skipped.  Every length is checked
 * against the buffer: a list whose sizes do not fit is -EBADMSG (callbacks may have run for
 * the lists before it).  A callback returning non-zero stops the walk with that value.
 */
typedef int (*efisig_x509_fn)(const unsigned char *der, size_t len, void *data);
_must_check_ int efisig_foreach_x509(const unsigned char *buf, size_t len, efisig_x509_fn fn,
				     void *data);

/* 1 when the lists hold exactly this DER certificate, 0 when not, -EBADMSG when malformed. */
_must_check_ int efisig_contains(const unsigned char *buf, size_t len, const unsigned char *der,
				 size_t derlen);

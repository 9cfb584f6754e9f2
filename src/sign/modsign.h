/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modsign.h - append a kernel module signature (PKCS#7 detached, sign-file's format) in memory. */
/*
 * Layer sign (beside kabi and pkg): includes util/, conf/, depmod/ and sign/ (kabi/ or
 * pkg/ only if neither includes sign/: no circle between folders); core/ and cmd/ may include it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sign/keys.h"
#include "util/macro.h"

#define MODSIGN_MAGIC "~Module signature appended~\n"

/*
 * The signed module: the input bytes, a DER CMS SignedData with no content, no certificates and
 * no signed attributes (signer identified by issuer and serial), the 12-byte struct
 * module_signature (id_type PKCS#7, big-endian signature length) and the magic string.  This
 * is exactly what the kernel's scripts/sign-file writes.  *out is malloc()ed.
 * Returns 0, or a negative errno with *why set.
 */
_must_check_ int modsign_buffer(const struct sign_keys *k, const EVP_MD *md, const void *mod,
				size_t len, unsigned char **out, size_t *outlen, char **why);

/* The module already ends with a signature trailer. */
bool modsign_is_signed(const void *mod, size_t len);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mok.h - create a Machine Owner Key: RSA key and self-signed code-signing certificate. */
#pragma once

/*
 * Generate an RSA 2048 key and a self-signed X.509 certificate ("/CN=DKMS module signing key",
 * extendedKeyUsage codeSigning, valid 36500 days), as dkms's openssl req does, and write the
 * key as PEM with mode 0600 and the certificate as DER, each created new: an existing file is
 * never replaced (-EEXIST; nothing is written then).  Host paths.  On failure *why is set.
 */
int mok_generate(const char *key_path, const char *cert_path, char **why);

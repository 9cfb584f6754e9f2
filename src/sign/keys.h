/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keys.h - load a module signing key and its X.509 certificate, and check they belong together. */
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "util/macro.h"

struct sign_keys {
	EVP_PKEY *key;
	X509 *cert;
};

/*
 * Read an unencrypted PEM (or DER) private key and a DER (or PEM) certificate from host paths
 * and check that the certificate's public key is the key's.  On failure returns a negative
 * errno and sets *why to a sentence naming the bad file (shown_* are the names to print).
 */
_must_check_ int sign_keys_load(struct sign_keys *k, const char *key_path, const char *key_shown,
				const char *cert_path, const char *cert_shown, char **why);
void sign_keys_release(struct sign_keys *k);

/* The digest for a CONFIG_MODULE_SIG_HASH value the kernel can verify, or NULL. */
const EVP_MD *sign_hash_lookup(const char *name);

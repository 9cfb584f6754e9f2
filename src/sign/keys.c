// SPDX-License-Identifier: GPL-2.0-or-later
/* keys.c - load a module signing key and its X.509 certificate, and check they belong together. */
#include <errno.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "sign/keys.h"
#include "sign/sslerr.h"
#include "util/fs.h"
#include "util/macro.h"

#define KEYFILE_MAX (1 << 20)

/* No passphrase prompt: an encrypted key is an error, not a question on the terminal. */
static int no_passphrase(_unused_ char *buf, _unused_ int size, _unused_ int rwflag,
			 _unused_ void *u)
{
	return -1;
}

static int read_small(const char *path, const char *shown, char **data, size_t *len, char **why)
{
	int r = read_file(path, data, len, KEYFILE_MAX);

	if (r < 0)
		*why = xasprintf("%s: %s", shown, strerror(-r));
	return r;
}

static EVP_PKEY *parse_key(const char *data, size_t len)
{
	BIO *b = BIO_new_mem_buf(data, (int)len);
	EVP_PKEY *k;

	if (!b)
		return NULL;
	k = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
	if (!k) {
		/* not PEM: try DER */
		ERR_clear_error();
		(void)BIO_reset(b);
		k = d2i_PrivateKey_bio(b, NULL);
	}
	BIO_free(b);
	return k;
}

static X509 *parse_cert(const char *data, size_t len)
{
	BIO *b = BIO_new_mem_buf(data, (int)len);
	X509 *x;

	if (!b)
		return NULL;
	x = d2i_X509_bio(b, NULL);
	if (!x) {
		ERR_clear_error();
		(void)BIO_reset(b);
		x = PEM_read_bio_X509(b, NULL, no_passphrase, NULL);
	}
	BIO_free(b);
	return x;
}

int sign_keys_load(struct sign_keys *k, const char *key_path, const char *key_shown,
		   const char *cert_path, const char *cert_shown, char **why)
{
	_cleanup_free_ char *kdata = NULL, *cdata = NULL;
	size_t klen, clen;
	int r;

	memset(k, 0, sizeof(*k));
	if (strneq(key_shown, "pkcs11:", 7)) {
		*why = xasprintf("%s: PKCS#11 keys are not supported by the built-in signer",
				 key_shown);
		return -ENOTSUP;
	}
	if ((r = read_small(key_path, key_shown, &kdata, &klen, why)) < 0)
		return r;
	if ((r = read_small(cert_path, cert_shown, &cdata, &clen, why)) < 0)
		return r;
	k->key = parse_key(kdata, klen);
	OPENSSL_cleanse(kdata, klen);
	if (!k->key) {
		_cleanup_free_ char *w = xasprintf("%s is not a readable unencrypted private key",
						   key_shown);
		*why = ssl_error_text(w);
		return -EINVAL;
	}
	k->cert = parse_cert(cdata, clen);
	if (!k->cert) {
		_cleanup_free_ char *w = xasprintf("%s is not an X.509 certificate", cert_shown);
		*why = ssl_error_text(w);
		sign_keys_release(k);
		return -EINVAL;
	}
	if (X509_check_private_key(k->cert, k->key) != 1) {
		ERR_clear_error();
		*why = xasprintf("the certificate %s does not match the key %s", cert_shown,
				 key_shown);
		sign_keys_release(k);
		return -EINVAL;
	}
	return 0;
}

void sign_keys_release(struct sign_keys *k)
{
	EVP_PKEY_free(k->key);
	X509_free(k->cert);
	k->key = NULL;
	k->cert = NULL;
}

const EVP_MD *sign_hash_lookup(const char *name)
{
	/* The digests the kernel's module signature checker accepts. */
	static const char *const ok[] = {"sha1",	"sha224",   "sha256",	"sha384",
					 "sha512",	"sha3-256", "sha3-384", "sha3-512"};

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (streq(name, ok[i]))
			return EVP_get_digestbyname(name);
	return NULL;
}

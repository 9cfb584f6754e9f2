// SPDX-License-Identifier: GPL-2.0-or-later
/* modsign.c - append a kernel module signature (PKCS#7 detached, sign-file's format) in memory. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>

#include "sign/modsign.h"
#include "sign/sslerr.h"
#include "util/macro.h"

/* The kernel's struct module_signature (include/linux/module_signature.h), 12 bytes. */
struct modsig_trailer {
	uint8_t algo;       /* 0: given by the PKCS#7 message */
	uint8_t hash;       /* 0: given by the PKCS#7 message */
	uint8_t id_type;    /* 2: PKEY_ID_PKCS7 */
	uint8_t signer_len; /* 0 */
	uint8_t key_id_len; /* 0 */
	uint8_t pad[3];
	uint32_t sig_len;   /* big endian */
};

_Static_assert(sizeof(struct modsig_trailer) == 12, "module_signature is 12 bytes");

#define PKEY_ID_PKCS7 2

bool modsign_is_signed(const void *mod, size_t len)
{
	size_t m = strlen(MODSIGN_MAGIC);

	return len >= m && memcmp((const char *)mod + len - m, MODSIGN_MAGIC, m) == 0;
}

/* DER of a detached CMS SignedData over the module bytes; *der is OPENSSL_malloc()ed. */
static int make_signature(const struct sign_keys *k, const EVP_MD *md, const void *mod,
			  size_t len, unsigned char **der, long *derlen, char **why)
{
	const unsigned flags = CMS_NOCERTS | CMS_BINARY;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *mem = NULL;
	int r = -EINVAL;

	if (len > INT32_MAX) {
		*why = xstrdup("module too large to sign");
		return -EFBIG;
	}
	in = BIO_new_mem_buf(mod, (int)len);
	mem = BIO_new(BIO_s_mem());
	if (!in || !mem)
		goto fail;
	cms = CMS_sign(NULL, NULL, NULL, NULL,
		       flags | CMS_PARTIAL | CMS_DETACHED | CMS_STREAM);
	if (!cms)
		goto fail;
	if (!CMS_add1_signer(cms, k->cert, k->key, md, flags | CMS_NOSMIMECAP | CMS_NOATTR))
		goto fail;
	if (CMS_final(cms, in, NULL, flags) != 1)
		goto fail;
	if (i2d_CMS_bio_stream(mem, cms, NULL, 0) != 1)
		goto fail;
	char *p;
	long n = BIO_get_mem_data(mem, &p);
	if (n <= 0)
		goto fail;
	*der = OPENSSL_malloc((size_t)n);
	if (!*der)
		goto fail;
	memcpy(*der, p, (size_t)n);
	*derlen = n;
	r = 0;
	goto out;
fail:
	*why = ssl_error_text("could not create the module signature");
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(mem);
	return r;
}

int modsign_buffer(const struct sign_keys *k, const EVP_MD *md, const void *mod, size_t len,
		   unsigned char **out, size_t *outlen, char **why)
{
	unsigned char *der = NULL;
	long derlen = 0;
	int r = make_signature(k, md, mod, len, &der, &derlen, why);

	if (r < 0)
		return r;
	struct modsig_trailer t = {.id_type = PKEY_ID_PKCS7, .sig_len = htonl((uint32_t)derlen)};
	size_t mlen = strlen(MODSIGN_MAGIC);
	size_t total = len + (size_t)derlen + sizeof(t) + mlen;
	unsigned char *buf = xmalloc(total), *w = buf;

	memcpy(w, mod, len);
	w += len;
	memcpy(w, der, (size_t)derlen);
	w += derlen;
	memcpy(w, &t, sizeof(t));
	w += sizeof(t);
	memcpy(w, MODSIGN_MAGIC, mlen);
	OPENSSL_free(der);
	*out = buf;
	*outlen = total;
	return 0;
}

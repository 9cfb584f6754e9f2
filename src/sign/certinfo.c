// SPDX-License-Identifier: GPL-2.0-or-later
/* certinfo.c - an X.509 certificate file as DER bytes, with its fingerprint and expiry. */
#include <errno.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sign/certinfo.h"
#include "sign/sslerr.h"
#include "util/fs.h"
#include "util/macro.h"

static char *subject_line(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	if (!b)
		return xstrdup("");
	X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_get_mem_data(b, &p);
	out = xstrndup(p, n > 0 ? (size_t)n : 0);
	BIO_free(b);
	return out;
}

static void expiry(X509 *x, struct certinfo *ci)
{
	const ASN1_TIME *t = X509_get0_notAfter(x);
	struct tm tm;
	char buf[64];
	int day, sec;

	if (!t || !ASN1_TIME_to_tm(t, &tm)) {
		ci->not_after = xstrdup("unknown");
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	ci->not_after = xstrdup(buf);
	ci->expired = ASN1_TIME_diff(&day, &sec, NULL, t) && (day < 0 || sec < 0);
}

int certinfo_load(const char *path, const char *shown, struct certinfo *ci, char **why)
{
	_cleanup_free_ char *data = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t len;
	int r = read_file(path, &data, &len, 1 << 20);

	memset(ci, 0, sizeof(*ci));
	if (r < 0) {
		*why = xasprintf("%s: %s", shown, strerror(-r));
		return r;
	}
	const unsigned char *p = (const unsigned char *)data;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	ci->was_der = x != NULL;
	if (!x) {
		BIO *b = BIO_new_mem_buf(data, (int)len);
		x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
		BIO_free(b);
	}
	if (!x) {
		_cleanup_free_ char *what = xasprintf("%s is not an X.509 certificate", shown);
		*why = ssl_error_text(what);
		return -EBADMSG;
	}
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	if (n <= 0 || !X509_digest(x, EVP_sha256(), md, &mdlen)) {
		X509_free(x);
		*why = ssl_error_text(shown);
		return -EBADMSG;
	}
	ci->der = xmalloc((size_t)n);
	memcpy(ci->der, der, (size_t)n);
	ci->der_len = (size_t)n;
	OPENSSL_free(der);
	ci->sha256 = xmalloc(mdlen * 3 + 1);
	for (unsigned int i = 0; i < mdlen; i++)
		sprintf(ci->sha256 + 3 * i, "%02X%s", md[i], i + 1 < mdlen ? ":" : "");
	ci->subject = subject_line(x);
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	int sn = bn ? BN_num_bytes(bn) : 0;
	unsigned char *sb = xmalloc((size_t)sn + 1);
	if (bn)
		BN_bn2bin(bn, sb);
	ci->serial = xmalloc((size_t)sn * 3 + 1);
	ci->serial[0] = '\0';
	for (int i = 0; i < sn; i++)
		sprintf(ci->serial + 3 * i, "%02X%s", sb[i], i + 1 < sn ? ":" : "");
	free(sb);
	BN_free(bn);
	expiry(x, ci);
	X509_free(x);
	return 0;
}

void certinfo_release(struct certinfo *ci)
{
	free(ci->der);
	free(ci->sha256);
	free(ci->subject);
	free(ci->serial);
	free(ci->not_after);
	memset(ci, 0, sizeof(*ci));
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* mok.c - create a Machine Owner Key: RSA key and self-signed code-signing certificate. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "sign/mok.h"
#include "sign/sslerr.h"
#include "util/fs.h"
#include "util/macro.h"

#define MOK_CN "DKMS module signing key"
#define MOK_DAYS 36500

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* A positive random 159-bit serial, like openssl req -x509. */
static int set_serial(X509 *x)
{
	BIGNUM *bn = BN_new();
	int ok = 0;

	if (bn && BN_rand(bn, 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		ok = 1;
	BN_free(bn);
	return ok;
}

static X509 *make_cert(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name;

	if (!x || !X509_set_version(x, 2) || !set_serial(x))
		goto fail;
	if (!X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), MOK_DAYS, 0, NULL))
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)MOK_CN,
					-1, -1, 0) ||
	    !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, key))
		goto fail;
	if (!add_ext(x, NID_subject_key_identifier, "hash") ||
	    !add_ext(x, NID_authority_key_identifier, "keyid:always") ||
	    !add_ext(x, NID_basic_constraints, "critical,CA:TRUE") ||
	    !add_ext(x, NID_ext_key_usage, "codeSigning"))
		goto fail;
	if (!X509_sign(x, key, EVP_sha256()))
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

/* Write a new file: a temporary name, then link() to the final name, which must not exist. */
static int write_new(const char *path, const void *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *dir = path_dirname(path);
	_cleanup_free_ char *tmp = xasprintf("%s/.%s.XXXXXX", dir, path_basename(path));
	int r = 0, fd = mkostemp(tmp, O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0 || write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && link(tmp, path) < 0)
		r = -errno;
	unlink(tmp);
	return r;
}

static int mem_of(BIO *b, char **p, size_t *n)
{
	long l = BIO_get_mem_data(b, p);

	if (l <= 0)
		return 0;
	*n = (size_t)l;
	return 1;
}

int mok_generate(const char *key_path, const char *cert_path, char **why)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	char *kp, *cp;
	size_t kn, cn;
	_cleanup_free_ char *kdir = path_dirname(key_path);
	_cleanup_free_ char *cdir = path_dirname(cert_path);
	int r = -EINVAL;

	if (path_exists(key_path) || path_exists(cert_path)) {
		*why = xstrdup("the key or the certificate exists already");
		r = -EEXIST;
		goto out;
	}
	if (!kb || !cb || !(key = EVP_RSA_gen(2048)) || !(cert = make_cert(key)) ||
	    !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
	    !i2d_X509_bio(cb, cert) || !mem_of(kb, &kp, &kn) || !mem_of(cb, &cp, &cn)) {
		*why = ssl_error_text("could not generate the key and certificate");
		goto out;
	}
	if ((r = mkdir_p(kdir, 0755)) < 0 || (r = mkdir_p(cdir, 0755)) < 0) {
		*why = xasprintf("could not create the key's folder: %s", strerror(-r));
		goto out;
	}
	if ((r = write_new(key_path, kp, kn, 0600)) < 0) {
		*why = xasprintf("could not write the key: %s", strerror(-r));
		goto out;
	}
	if ((r = write_new(cert_path, cp, cn, 0644)) < 0) {
		/* the key is ours and useless without its certificate */
		unlink(key_path);
		*why = xasprintf("could not write the certificate: %s", strerror(-r));
		goto out;
	}
	r = 0;
out:
	if (kb && mem_of(kb, &kp, &kn))
		OPENSSL_cleanse(kp, kn);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(cert);
	EVP_PKEY_free(key);
	return r;
}

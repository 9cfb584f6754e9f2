// SPDX-License-Identifier: GPL-2.0-or-later
/* mok.c - create a Machine Owner Key: RSA key and self-signed code-signing certificate. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* A temporary file beside path holding data (mkostemp, mode set before any byte is written). */
static char *write_tmp(const char *path, const void *data, size_t len, mode_t mode, int *err)
{
	_cleanup_free_ char *dir = path_dirname(path);
	char *tmp = xasprintf("%s/.%s.XXXXXX", dir, path_basename(path));
	int r = 0, fd = mkostemp(tmp, O_CLOEXEC);

	if (fd < 0) {
		*err = -errno;
		free(tmp);
		return NULL;
	}
	if (fchmod(fd, mode) < 0 || write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		free(tmp);
		*err = r;
		return NULL;
	}
	return tmp;
}

static int mem_of(BIO *b, char **p, size_t *n)
{
	long l = BIO_get_mem_data(b, p);

	if (l <= 0)
		return 0;
	*n = (size_t)l;
	return 1;
}

/* rename() that never replaces: renameat2(RENAME_NOREPLACE), or link()+unlink() where the
 * file system lacks it. */
static int rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	if (link(from, to) < 0)
		return -errno;
	return unlink(from) < 0 ? -errno : 0;
}

/* Move path aside to path.orig-YYYYmmdd-HHMMSS (.1, .2, ... when taken); the new name in *to. */
static int move_aside(const char *path, char **to)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int r = -EEXIST;

	if (!localtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm))
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	for (int i = 0; i < 100 && r == -EEXIST; i++) {
		free(*to);
		*to = i ? xasprintf("%s.orig-%s.%d", path, stamp, i)
			: xasprintf("%s.orig-%s", path, stamp);
		r = rename_noreplace(path, *to);
	}
	if (r < 0) {
		free(*to);
		*to = NULL;
	}
	return r;
}

int mok_generate(const char *key_path, const char *cert_path, bool move_lone, char **moved,
		 char **why)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	char *kp, *cp;
	size_t kn, cn;
	_cleanup_free_ char *ktmp = NULL, *ctmp = NULL;
	bool have_key = path_exists(key_path), have_cert = path_exists(cert_path);
	const char *lone = have_key ? key_path : cert_path;
	int r = -EINVAL;

	*moved = NULL;
	if ((have_key && have_cert) || ((have_key || have_cert) && !move_lone)) {
		*why = xstrdup("the key or the certificate exists already");
		r = -EEXIST;
		goto out;
	}
	/* both made in memory first: nothing is written unless both exist */
	if (!kb || !cb || !(key = EVP_RSA_gen(2048)) || !(cert = make_cert(key)) ||
	    !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
	    !i2d_X509_bio(cb, cert) || !mem_of(kb, &kp, &kn) || !mem_of(cb, &cp, &cn)) {
		*why = ssl_error_text("could not generate the key and certificate");
		goto out;
	}
	if (!(ktmp = write_tmp(key_path, kp, kn, 0600, &r))) {
		*why = xasprintf("could not write the key: %s", strerror(-r));
		goto out;
	}
	if (!(ctmp = write_tmp(cert_path, cp, cn, 0644, &r))) {
		*why = xasprintf("could not write the certificate: %s", strerror(-r));
		goto out;
	}
	/* only now, with the new pair ready beside its names, the lone old file steps aside */
	if ((have_key || have_cert) && (r = move_aside(lone, moved)) < 0) {
		*why = xasprintf("could not move %s aside: %s", lone, strerror(-r));
		goto out;
	}
	/* link(): the final names must still be free */
	if (link(ktmp, key_path) < 0) {
		r = -errno;
		*why = xasprintf("could not write the key: %s", strerror(-r));
		goto undo;
	}
	if (link(ctmp, cert_path) < 0) {
		r = -errno;
		/* the key is ours (the name was free a moment ago) and useless alone */
		unlink(key_path);
		*why = xasprintf("could not write the certificate: %s", strerror(-r));
		goto undo;
	}
	r = 0;
	goto out;
undo:
	/* put the old file back where it was, if its name is still free */
	if (*moved && rename_noreplace(*moved, lone) == 0) {
		free(*moved);
		*moved = NULL;
	}
out:
	if (ktmp)
		unlink(ktmp);
	if (ctmp)
		unlink(ctmp);
	if (kb && mem_of(kb, &kp, &kn))
		OPENSSL_cleanse(kp, kn);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(cert);
	EVP_PKEY_free(key);
	return r;
}

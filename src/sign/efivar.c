// SPDX-License-Identifier: GPL-2.0-or-later
/* efivar.c - EFI variables from efivarfs or mok-variables files, and EFI signature lists. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sign/efivar.h"
#include "util/fs.h"
#include "util/macro.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int efi_guid_parse(const char *s, unsigned char out[16])
{
	/* the byte order in memory of each text byte: Data1..3 little-endian, Data4 as written */
	static const unsigned char order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
	unsigned char b[16];
	size_t n = 0;

	if (strlen(s) != 36)
		return -EINVAL;
	for (size_t i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return -EINVAL;
			continue;
		}
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		b[n++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	for (size_t i = 0; i < 16; i++)
		out[order[i]] = b[i];
	return 0;
}

int efivar_read(const char *efi_dir, const char *name, const char *guid, unsigned char **data,
		size_t *len)
{
	_cleanup_free_ char *vars = path_join(efi_dir, "efivars");
	_cleanup_free_ char *leaf = xasprintf("%s-%s", name, guid);
	_cleanup_free_ char *file = path_join(vars, leaf);
	char *buf = NULL;
	size_t n = 0;
	int r = read_file(file, &buf, &n, EFIVAR_MAX);

	*data = NULL;
	*len = 0;
	if (r == 0) {
		if (n < 4) {
			free(buf);
			return -EBADMSG;
		}
		memmove(buf, buf + 4, n - 4 + 1); /* with read_file's NUL */
		*data = (unsigned char *)buf;
		*len = n - 4;
		return 0;
	}
	if (r != -ENOENT)
		return r;
	_cleanup_free_ char *mokdir = path_join(efi_dir, "mok-variables");
	_cleanup_free_ char *raw = path_join(mokdir, name);
	r = read_file(raw, &buf, &n, EFIVAR_MAX);
	if (r < 0)
		return r;
	*data = (unsigned char *)buf;
	*len = n;
	return 0;
}

int efivar_secure_boot(const char *efi_dir)
{
	_cleanup_free_ unsigned char *v = NULL;
	size_t n;

	if (!is_dir(efi_dir))
		return 0;
	if (efivar_read(efi_dir, "SecureBoot", EFI_GLOBAL_GUID, &v, &n) < 0 || n != 1 || v[0] > 1)
		return -1;
	return v[0];
}

/* A one-byte variable equal to 1. */
static bool var_is_one(const char *efi_dir, const char *name, const char *guid)
{
	_cleanup_free_ unsigned char *v = NULL;
	size_t n;

	return efivar_read(efi_dir, name, guid, &v, &n) == 0 && n >= 1 && v[0] == 1;
}

int efivar_secure_boot_effective(const char *efi_dir, const char **why)
{
	int sb = efivar_secure_boot(efi_dir);

	if (why)
		*why = NULL;
	if (sb != 1)
		return sb;
	if (var_is_one(efi_dir, "SetupMode", EFI_GLOBAL_GUID)) {
		if (why)
			*why = "the firmware is in setup mode";
		return 0;
	}
	if (var_is_one(efi_dir, "MokSBStateRT", EFI_SHIM_LOCK_GUID)) {
		if (why)
			*why = "shim's validation is disabled, MokSBStateRT";
		return 0;
	}
	return 1;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define ESL_HEADER 28 /* SignatureType, SignatureListSize, SignatureHeaderSize, SignatureSize */
#define ESD_OWNER 16  /* EFI_SIGNATURE_DATA's SignatureOwner before the data */

int efisig_foreach_x509(const unsigned char *buf, size_t len, efisig_x509_fn fn, void *data)
{
	unsigned char x509[16];
	size_t off = 0;

	if (efi_guid_parse(EFI_CERT_X509_GUID, x509) < 0)
		return -EINVAL;
	while (off < len) {
		size_t left = len - off;
		if (left < ESL_HEADER)
			return -EBADMSG;
		const unsigned char *l = buf + off;
		size_t list = le32(l + 16), hdr = le32(l + 20), sig = le32(l + 24);
		/* every size is at most 2^32 - 1, so these sums cannot wrap a 64-bit size_t */
		if (list < ESL_HEADER || list > left || hdr > list - ESL_HEADER)
			return -EBADMSG;
		size_t body = list - ESL_HEADER - hdr;
		if (sig <= ESD_OWNER || body % sig != 0)
			return -EBADMSG;
		if (memcmp(l, x509, 16) == 0) {
			for (size_t p = ESL_HEADER + hdr; p < list; p += sig) {
				int r = fn(l + p + ESD_OWNER, sig - ESD_OWNER, data);
				if (r)
					return r;
			}
		}
		off += list;
	}
	return 0;
}

struct want {
	const unsigned char *der;
	size_t len;
};

static int same_cert(const unsigned char *der, size_t len, void *data)
{
	const struct want *w = data;

	return len == w->len && memcmp(der, w->der, len) == 0;
}

int efisig_contains(const unsigned char *buf, size_t len, const unsigned char *der, size_t derlen)
{
	struct want w = {der, derlen};
	int r = efisig_foreach_x509(buf, len, same_cert, &w);

	return r < 0 ? r : r > 0;
}

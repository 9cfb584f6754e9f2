// SPDX-License-Identifier: GPL-2.0-or-later
/* t-sign-efivar.c - unit tests of EFI variable files and EFI signature list parsing. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sign/efivar.h"
#include "util/fs.h"

struct buf {
	unsigned char b[4096];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put32(struct buf *b, uint32_t v)
{
	unsigned char le[4] = {v & 255, v >> 8 & 255, v >> 16 & 255, v >> 24 & 255};
	put(b, le, 4);
}

/* a list header with explicit (possibly lying) sizes */
static void header(struct buf *b, const char *type, uint32_t list, uint32_t hdr, uint32_t sig)
{
	unsigned char g[16];
	CHECK_INT(efi_guid_parse(type, g), 0);
	put(b, g, 16);
	put32(b, list);
	put32(b, hdr);
	put32(b, sig);
}

static void list1(struct buf *b, const char *type, const char *data)
{
	static const unsigned char owner[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	size_t n = strlen(data);
	header(b, type, (uint32_t)(28 + 16 + n), 0, (uint32_t)(16 + n));
	put(b, owner, 16);
	put(b, data, n);
}

#define SHA256_GUID "c1c41626-504c-4092-aca9-41f936934328"

struct seen {
	int n;
	char last[64];
};

static int collect(const unsigned char *der, size_t len, void *data)
{
	struct seen *s = data;
	s->n++;
	snprintf(s->last, sizeof(s->last), "%.*s", (int)len, (const char *)der);
	return 0;
}

static void t_guid(void)
{
	unsigned char g[16];
	static const unsigned char want[16] = {0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
					       0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72};
	CHECK_INT(efi_guid_parse(EFI_CERT_X509_GUID, g), 0);
	CHECK(memcmp(g, want, 16) == 0);
	CHECK_INT(efi_guid_parse("a5c059a1-94e4-4aa7-87b5-ab155c2bf07", g), -EINVAL);
	CHECK_INT(efi_guid_parse("a5c059a1x94e4-4aa7-87b5-ab155c2bf072", g), -EINVAL);
	CHECK_INT(efi_guid_parse("g5c059a1-94e4-4aa7-87b5-ab155c2bf072", g), -EINVAL);
}

static void t_lists(void)
{
	struct buf b = {.n = 0};
	struct seen s = {0};
	list1(&b, SHA256_GUID, "0123456789abcdef0123456789abcdef");
	list1(&b, EFI_CERT_X509_GUID, "CERT-ONE");
	/* one list holding two certificates of the same size */
	header(&b, EFI_CERT_X509_GUID, 28 + 2 * (16 + 8), 0, 16 + 8);
	put(&b, "OWNER-OWNER-OWNRCERT-TWO", 24);
	put(&b, "OWNER-OWNER-OWNRCERT-TRI", 24);
	CHECK_INT(efisig_foreach_x509(b.b, b.n, collect, &s), 0);
	CHECK_INT(s.n, 3);
	CHECK_STR(s.last, "CERT-TRI");
	CHECK_INT(efisig_contains(b.b, b.n, (const unsigned char *)"CERT-TWO", 8), 1);
	CHECK_INT(efisig_contains(b.b, b.n, (const unsigned char *)"CERT-TW", 7), 0);
	/* the hash entry is not a certificate */
	CHECK_INT(efisig_contains(b.b, b.n, (const unsigned char *)"0123456789abcdef0123456789abcdef",
				  32), 0);
	CHECK_INT(efisig_foreach_x509(b.b, 0, collect, &s), 0); /* empty: nothing enrolled */
}

static void t_hostile(void)
{
	static const uint32_t bad[][3] = {
		{27, 0, 17},                  /* shorter than its own header */
		{0xffffffffu, 0, 17},         /* longer than the buffer */
		{28 + 24, 0xffffffffu, 24},   /* header larger than the list */
		{28 + 24, 25, 24},            /* header and entries do not fit */
		{28 + 24, 0, 0},              /* zero-sized entries (no division by zero) */
		{28 + 24, 0, 16},             /* entries that are only an owner GUID */
		{28 + 24, 0, 23},             /* entries that do not divide the body */
		{28 + 24, 0, 0xffffffffu},    /* one entry larger than the list */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf b = {.n = 0};
		struct seen s = {0};
		header(&b, EFI_CERT_X509_GUID, bad[i][0], bad[i][1], bad[i][2]);
		memset(b.b + b.n, 'x', 24);
		b.n += 24;
		int r = efisig_foreach_x509(b.b, b.n, collect, &s);
		if (r != -EBADMSG)
			printf("# case %zu: %d\n", i, r);
		CHECK_INT(r, -EBADMSG);
		CHECK_INT(s.n, 0);
	}
	/* a good list followed by a truncated header */
	struct buf b = {.n = 0};
	struct seen s = {0};
	list1(&b, EFI_CERT_X509_GUID, "CERT-ONE");
	put(&b, "short", 5);
	CHECK_INT(efisig_foreach_x509(b.b, b.n, collect, &s), -EBADMSG);
	CHECK_INT(efisig_contains(b.b, b.n, (const unsigned char *)"CERT-ONE", 8), 1);
	CHECK_INT(efisig_contains(b.b, b.n, (const unsigned char *)"CERT-TWO", 8), -EBADMSG);
	/* every truncation of a valid buffer is rejected, never read beyond */
	struct buf v = {.n = 0};
	list1(&v, SHA256_GUID, "0123456789abcdef0123456789abcdef");
	list1(&v, EFI_CERT_X509_GUID, "CERT-ONE");
	for (size_t n = 1; n < v.n; n++) {
		if (n == 28 + 16 + 32)
			continue; /* exactly the first list: valid */
		unsigned char *copy = malloc(n);
		memcpy(copy, v.b, n);
		CHECK_INT(efisig_foreach_x509(copy, n, collect, &s), -EBADMSG);
		free(copy);
	}
}

static void t_read(void)
{
	char tmpl[] = "/tmp/t-efivar.XXXXXX";
	char *dir = mkdtemp(tmpl);
	unsigned char *data;
	size_t len;
	CHECK(dir != NULL);
	if (!dir)
		return;
	char *vars = path_join(dir, "efivars"), *mok = path_join(dir, "mok-variables");
	CHECK_INT(mkdir_p(vars, 0755), 0);
	char *sb = path_join(vars, "SecureBoot-" EFI_GLOBAL_GUID);
	CHECK_INT(efivar_secure_boot(dir), -1); /* UEFI, no variable */
	CHECK_INT(write_file_atomic(sb, "\x06\0\0\0\x01", 5, 0644), 0);
	CHECK_INT(efivar_secure_boot(dir), 1);
	CHECK_INT(write_file_atomic(sb, "\x06\0\0\0\0", 5, 0644), 0);
	CHECK_INT(efivar_secure_boot(dir), 0);
	CHECK_INT(write_file_atomic(sb, "\x06\0\0", 3, 0644), 0); /* shorter than the attributes */
	CHECK_INT(efivar_read(dir, "SecureBoot", EFI_GLOBAL_GUID, &data, &len), -EBADMSG);
	CHECK_INT(efivar_secure_boot(dir), -1);
	CHECK_INT(write_file_atomic(sb, "\x06\0\0\0\x07", 5, 0644), 0); /* not a boolean */
	CHECK_INT(efivar_secure_boot(dir), -1);
	CHECK_INT(write_file_atomic(sb, "\x06\0\0\0\x01\x01", 6, 0644), 0); /* too long */
	CHECK_INT(efivar_secure_boot(dir), -1);
	/* setup mode and shim's disabled validation turn enforcement off */
	const char *why = "x";
	CHECK_INT(write_file_atomic(sb, "\x06\0\0\0\x01", 5, 0644), 0);
	CHECK_INT(efivar_secure_boot_effective(dir, &why), 1);
	CHECK(why == NULL);
	char *setup = path_join(vars, "SetupMode-" EFI_GLOBAL_GUID);
	CHECK_INT(write_file_atomic(setup, "\x06\0\0\0\x01", 5, 0644), 0);
	CHECK_INT(efivar_secure_boot_effective(dir, &why), 0);
	CHECK(why && strstr(why, "setup mode"));
	CHECK_INT(write_file_atomic(setup, "\x06\0\0\0\0", 5, 0644), 0);
	CHECK_INT(efivar_secure_boot_effective(dir, &why), 1);
	char *moksb = path_join(vars, "MokSBStateRT-" EFI_SHIM_LOCK_GUID);
	CHECK_INT(write_file_atomic(moksb, "\x06\0\0\0\x01", 5, 0644), 0);
	CHECK_INT(efivar_secure_boot_effective(dir, &why), 0);
	CHECK(why && strstr(why, "MokSBStateRT"));
	unlink(moksb);
	unlink(setup);
	free(setup);
	free(moksb);
	CHECK_INT(write_file_atomic(sb, "\x06\0\0\0\x01\x01", 6, 0644), 0);
	char *nodir = path_join(dir, "missing");
	CHECK_INT(efivar_secure_boot(nodir), 0); /* not booted with UEFI */

	CHECK_INT(efivar_read(dir, "MokListRT", EFI_SHIM_LOCK_GUID, &data, &len), -ENOENT);
	CHECK_INT(mkdir_p(mok, 0755), 0);
	char *raw = path_join(mok, "MokListRT");
	CHECK_INT(write_file_atomic(raw, "RAW", 3, 0644), 0);
	CHECK_INT(efivar_read(dir, "MokListRT", EFI_SHIM_LOCK_GUID, &data, &len), 0);
	CHECK_INT(len, 3);
	CHECK(memcmp(data, "RAW", 3) == 0);
	free(data);
	char *fs = path_join(vars, "MokListRT-" EFI_SHIM_LOCK_GUID);
	CHECK_INT(write_file_atomic(fs, "\x07\0\0\0EFIVARFS", 12, 0644), 0); /* efivarfs wins */
	CHECK_INT(efivar_read(dir, "MokListRT", EFI_SHIM_LOCK_GUID, &data, &len), 0);
	CHECK_INT(len, 8);
	CHECK(memcmp(data, "EFIVARFS", 8) == 0);
	free(data);
	rm_rf(dir);
	free(vars);
	free(mok);
	free(sb);
	free(nodir);
	free(raw);
	free(fs);
}

static const struct test_case tests[] = {
	{"GUID text to EFI_GUID bytes", t_guid},
	{"signature lists: X.509 entries found, other types skipped", t_lists},
	{"signature lists: hostile sizes and truncations rejected", t_hostile},
	{"efivarfs and mok-variables files, SecureBoot values", t_read},
};

HARNESS_MAIN(tests)

// SPDX-License-Identifier: GPL-2.0-or-later
/* t-depmod-index.c - the trie index writer, alias normalisation and record checks of depmod. */
#include <errno.h>
#include <string.h>

#include "depmod/internal.h"
#include "harness.h"

/* The worked example of a two-module modules.dep.bin (kmod 30 layout, post-order). */
static void test_index_bytes(void)
{
	static const unsigned char want[] = {
		0xB0, 0x07, 0xF4, 0x57, 0x00, 0x02, 0x00, 0x01, 0x20, 0x00, 0x00, 0x51,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 'k', 'e', 'r', 'n', 'e', 'l',
		'/', 'l', 'i', 'b', '/', 'c', 'r', 'c', '7', '.', 'k', 'o', ':', 0,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 'k', 'e', 'r', 'n', 'e', 'l',
		'/', 'l', 'i', 'b', '/', 'c', 'r', 'c', '8', '.', 'k', 'o', ':', 0,
		'r', 'c', 0, '7', '8', 0x40, 0x00, 0x00, 0x0C, 0x40, 0x00, 0x00, 0x28,
		'c', 'c', 0xA0, 0x00, 0x00, 0x44,
	};
	struct dm_index ix = {0};
	struct strbuf out = STRBUF_INIT;

	dm_index_add(&ix, "crc8", "kernel/lib/crc8.ko:", 1);
	dm_index_add(&ix, "crc7", "kernel/lib/crc7.ko:", 0);
	CHECK_INT(dm_index_write(&ix, &out), 0);
	CHECK_INT(out.len, sizeof(want));
	CHECK(out.len == sizeof(want) && memcmp(out.buf, want, sizeof(want)) == 0);
	dm_index_release(&ix);
	sb_release(&out);
}

static void test_index_empty(void)
{
	static const unsigned char want[] = {0xB0, 0x07, 0xF4, 0x57, 0, 2, 0, 1, 0, 0, 0, 0x0C};
	struct dm_index ix = {0};
	struct strbuf out = STRBUF_INIT;

	CHECK_INT(dm_index_write(&ix, &out), 0);
	CHECK(out.len == sizeof(want) && memcmp(out.buf, want, sizeof(want)) == 0);
	dm_index_release(&ix);
	sb_release(&out);
}

/* Equal priorities: the value added last comes first; lower priorities before higher. */
static void test_index_value_order(void)
{
	struct dm_index ix = {0};
	struct strbuf out = STRBUF_INIT;

	dm_index_add(&ix, "k", "first", 0);
	dm_index_add(&ix, "k", "second", 0);
	dm_index_add(&ix, "k", "low", 5);
	dm_index_add(&ix, "k", "lowest", 3);
	CHECK_INT(dm_index_write(&ix, &out), 0);
	const char *vals = out.buf + 12 + 4 + 4; /* leaf "k": count, then prio + value */
	CHECK(out.len > 40);
	CHECK_STR(vals, "second");
	CHECK(memmem(out.buf, out.len, "first", 5) > (void *)vals);
	char *lowest = memmem(out.buf, out.len, "lowest", 6);
	char *low = memmem(out.buf, out.len, "low\0", 4);
	CHECK(lowest && low && lowest < low);
	dm_index_release(&ix);
	sb_release(&out);
}

/*
 * Bytes >= 0x80: a value holding one is written as kmod 30's depmod writes it (these bytes are
 * its modules.dep.bin for kernel/caf\xc3\xa9/hb.ko), and keys branching on one get children in
 * unsigned byte order.
 */
static void test_index_8bit(void)
{
	static const unsigned char want[] = {
		0xb0, 0x07, 0xf4, 0x57, 0x00, 0x02, 0x00, 0x01, 0x20, 0x00, 0x00, 0x2a,
		0x62, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x6b, 0x65,
		0x72, 0x6e, 0x65, 0x6c, 0x2f, 0x63, 0x61, 0x66, 0xc3, 0xa9, 0x2f, 0x68,
		0x62, 0x2e, 0x6b, 0x6f, 0x3a, 0x00, 0x68, 0x68, 0xc0, 0x00, 0x00, 0x0c,
	};
	struct dm_index ix = {0};
	struct strbuf out = STRBUF_INIT;

	dm_index_add(&ix, "hb", "kernel/caf\xc3\xa9/hb.ko:", 0);
	CHECK_INT(dm_index_write(&ix, &out), 0);
	CHECK(out.len == sizeof(want) && memcmp(out.buf, want, sizeof(want)) == 0);
	dm_index_release(&ix);

	for (int i = 0; i < 20; i++) /* more than 16 entries: the counting split */
		dm_index_add(&ix, i & 1 ? "caf\xc3\xa9" : "cafe", "x", (uint32_t)i);
	dm_index_add(&ix, "caf\xff", "y", 0);
	CHECK_INT(dm_index_write(&ix, &out), 0);
	const unsigned char range[] = {'e', 0xff};
	CHECK(memmem(out.buf, out.len, range, sizeof(range)) != NULL);
	dm_index_release(&ix);
	sb_release(&out);
}

static void test_alias_normalize(void)
{
	char buf[4096];
	size_t n;

	CHECK_INT(dm_alias_normalize("pci:v-d*sv[A-Z]-x", buf, &n), 0);
	CHECK_STR(buf, "pci:v_d*sv[A-Z]_x");
	CHECK_INT(n, strlen("pci:v_d*sv[A-Z]_x"));
	CHECK_INT(dm_alias_normalize("a]b", buf, NULL), -EINVAL);
	CHECK_INT(dm_alias_normalize("a[b-c", buf, NULL), -EINVAL);
	CHECK_INT(dm_alias_normalize("", buf, &n), 0);
	CHECK_INT(n, 0);
}

static void test_record_checks(void)
{
	/* 1 export "f" (crc 7), 1 dep "g" weak, 1 alias "a", 0 softdeps */
	char blob[64] = {0};
	uint32_t hdr[4] = {1, 1, 1, 0};
	uint64_t crc = 7;
	size_t n = 0;
	struct dm_rec rec;

	memcpy(blob, hdr, 16);
	n = 16;
	memcpy(blob + n, &crc, 8);
	n += 8;
	memcpy(blob + n, "f", 2);
	n += 2;
	memcpy(blob + n, &crc, 8);
	n += 8;
	blob[n++] = 'W';
	memcpy(blob + n, "g", 2);
	n += 2;
	memcpy(blob + n, "a", 2);
	n += 2;
	CHECK_INT(dm_rec_decode(blob, n, &rec), 0);
	CHECK_STR(rec.exp + 8, "f");
	CHECK_STR(rec.dep + 9, "g");
	CHECK_STR(rec.alias, "a");
	for (size_t cut = 0; cut < n; cut++)
		CHECK_INT(dm_rec_decode(blob, cut, &rec), -EBADMSG);
	CHECK_INT(dm_rec_decode(blob, n + 1, &rec), -EBADMSG);
	hdr[0] = 0xffffffffu;
	memcpy(blob, hdr, 16);
	CHECK_INT(dm_rec_decode(blob, n, &rec), -EBADMSG);
}

static void test_checksum(void)
{
	char a[100], b[100];

	for (int i = 0; i < 100; i++)
		a[i] = b[i] = (char)i;
	CHECK(dm_checksum(a, 100, 1) == dm_checksum(b, 100, 1));
	b[77] ^= 1;
	CHECK(dm_checksum(a, 100, 1) != dm_checksum(b, 100, 1));
	CHECK(dm_checksum(a, 99, 1) != dm_checksum(a, 100, 1));
}

static const struct test_case tests[] = {
	{"index bytes match kmod's layout", test_index_bytes},
	{"empty index is a 12-byte header", test_index_empty},
	{"index value order", test_index_value_order},
	{"index with 8-bit bytes", test_index_8bit},
	{"alias_normalize", test_alias_normalize},
	{"record blobs are checked", test_record_checks},
	{"cache checksum", test_checksum},
};

HARNESS_MAIN(tests)

// SPDX-License-Identifier: GPL-2.0-or-later
/* t-depmod-symvers.c - Module.symvers lines and fields, as depmod -E and the kABI checks cut them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "depmod/symvers.h"
#include "harness.h"
#include "util/macro.h"

static char *put(const char *data, size_t len, bool gz)
{
	char *path = xstrdup("/tmp/t-depmod-symvers.XXXXXX");
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	if (gz) {
		gzFile f = gzopen(path, "wb");
		CHECK(f && gzwrite(f, data, (unsigned)len) == (int)len);
		gzclose(f);
	} else {
		FILE *f = fopen(path, "w");
		CHECK(f && fwrite(data, 1, len, f) == len);
		fclose(f);
	}
	return path;
}

static const char sample[] = "0x0badc0de\t_printk\tvmlinux\tEXPORT_SYMBOL\t\n"
			     "0x12345678\tns_sym\tdrivers/foo\tEXPORT_SYMBOL_GPL\tFOO_NS\n"
			     "0x1 spaced  vmlinux\n"
			     "0x2\tshort";

static void test_tabs(void)
{
	_cleanup_free_ char *p = put(sample, sizeof(sample) - 1, true);
	struct symvers_reader r;
	struct symvers_line l;

	CHECK_INT(symvers_open(&r, p, SYMVERS_TABS), 0);
	CHECK(symvers_next(&r, &l));
	CHECK_INT(l.num, 1);
	CHECK_STR(l.crc, "0x0badc0de");
	CHECK_STR(l.symbol, "_printk");
	CHECK_STR(l.module, "vmlinux");
	CHECK_STR(l.export_type, "EXPORT_SYMBOL");
	CHECK_STR(l.ns, "");
	CHECK(symvers_next(&r, &l));
	CHECK_STR(l.module, "drivers/foo");
	CHECK_STR(l.ns, "FOO_NS");
	CHECK(symvers_next(&r, &l));
	CHECK_STR(l.crc, "0x1 spaced  vmlinux");
	CHECK(!l.symbol);
	CHECK(symvers_next(&r, &l));
	CHECK_INT(l.num, 4);
	CHECK_STR(l.symbol, "short");
	CHECK(!l.module);
	CHECK(!symvers_next(&r, &l));
	symvers_close(&r);
	unlink(p);
}

static void test_kmod(void)
{
	_cleanup_free_ char *p = put(sample, sizeof(sample) - 1, false);
	struct symvers_reader r;
	struct symvers_line l;

	CHECK_INT(symvers_open(&r, p, SYMVERS_KMOD), 0);
	CHECK(symvers_next(&r, &l));
	CHECK_STR(l.module, "vmlinux");
	CHECK_STR(l.ns, "\n");
	CHECK(symvers_next(&r, &l));
	CHECK_STR(l.ns, "FOO_NS\n");
	CHECK(symvers_next(&r, &l));
	CHECK_STR(l.symbol, "spaced");
	CHECK_STR(l.module, "vmlinux\n");
	CHECK(symvers_next(&r, &l));
	CHECK_INT(l.num, 4);
	CHECK(!symvers_next(&r, &l));
	symvers_close(&r);
	unlink(p);
}

/* A long line: pieces of 10239 bytes for depmod -E, skipped whole by the kABI form. */
static void test_long_lines(void)
{
	size_t n = 12000;
	_cleanup_free_ char *data = xmalloc(n + 64);
	memset(data, 'a', n);
	memcpy(data, "0x1\t", 4);
	strcpy(data + n, "\n0x2\tnext\n");
	_cleanup_free_ char *p = put(data, strlen(data), false);
	struct symvers_reader r;
	struct symvers_line l;

	CHECK_INT(symvers_open(&r, p, SYMVERS_KMOD), 0);
	CHECK(symvers_next(&r, &l));
	CHECK_INT(strlen(l.symbol), 10239 - 4);
	CHECK(symvers_next(&r, &l));
	CHECK_INT(l.num, 2);
	CHECK_INT(strlen(l.crc), n - 10239 + 1);
	CHECK(symvers_next(&r, &l));
	CHECK_STR(l.symbol, "next\n");
	CHECK(!symvers_next(&r, &l));
	symvers_close(&r);

	CHECK_INT(symvers_open(&r, p, SYMVERS_TABS), 0);
	CHECK(symvers_next(&r, &l));
	CHECK_INT(l.num, 2);
	CHECK_STR(l.symbol, "next");
	CHECK(!symvers_next(&r, &l));
	symvers_close(&r);
	unlink(p);
}

static void test_missing(void)
{
	struct symvers_reader r;

	CHECK(symvers_open(&r, "/nonexistent/Module.symvers", SYMVERS_KMOD) < 0);
	CHECK(symvers_open(&r, "/nonexistent/Module.symvers", SYMVERS_TABS) < 0);
}

static const struct test_case tests[] = {
	{"tab-separated fields, gzip", test_tabs},
	{"kmod's blank-separated tokens", test_kmod},
	{"long lines in each form", test_long_lines},
	{"a missing file", test_missing},
};

HARNESS_MAIN(tests)

// SPDX-License-Identifier: GPL-2.0-or-later
/* t-conf-bashrec.c - the bash fallback's record parser fed good, truncated and hostile streams. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/bash.h"
#include "harness.h"
#include "util/strbuf.h"

/* Parse s from a buffer of exactly its length (no NUL after it: an overread is an ASan error). */
static int parse(const char *s, size_t len, struct shvars *out)
{
	char *buf = malloc(len ? len : 1);

	memcpy(buf, s, len);
	int r = bash_parse_records(buf, len, out);
	free(buf);
	return r;
}

static int parse_str(const char *s)
{
	struct shvars vs = {0};
	int r = parse(s, strlen(s), &vs);

	shvars_release(&vs);
	return r;
}

static void t_good(void)
{
	static const char s[] = "PACKAGE_NAME s 0 5:hello\nMAKE a 0 9:make -C x\nMAKE a 7 0:\n"
				"V s 0 6:a\nb:c \nEND\n";
	struct shvars vs = {0};

	CHECK_INT(parse(s, sizeof(s) - 1, &vs), 0);
	CHECK_STR(shvars_get(&vs, "PACKAGE_NAME", 0), "hello");
	CHECK_STR(shvars_get(&vs, "MAKE", 0), "make -C x");
	CHECK_STR(shvars_get(&vs, "MAKE", 7), "");
	CHECK_STR(shvars_get(&vs, "V", 0), "a\nb:c ");
	CHECK(shvars_find(&vs, "MAKE")->is_array);
	CHECK(!shvars_find(&vs, "PACKAGE_NAME")->is_array);
	shvars_release(&vs);
	CHECK_INT(parse_str("END\n"), 0);
}

/* The crash: a header that ends the stream, its length pointing far past the buffer. */
static void t_truncated(void)
{
	CHECK_INT(parse_str("A s 0 99999999:"), -EBADMSG);
	CHECK_INT(parse_str("A s 0 5:"), -EBADMSG);
	CHECK_INT(parse_str("A s 0 5:abc"), -EBADMSG);
	CHECK_INT(parse_str("A s 0 3:abc"), -EBADMSG);
	CHECK_INT(parse_str("A s 0 3:abc\n"), -ECANCELED); /* no END: the shell ended first */
	CHECK_INT(parse_str("A s 0 1"), -EBADMSG);
	CHECK_INT(parse_str("A s 0"), -EBADMSG);
	CHECK_INT(parse_str("A s"), -EBADMSG);
	CHECK_INT(parse_str("A"), -EBADMSG);
	CHECK_INT(parse_str("EN"), -EBADMSG);
	CHECK_INT(parse_str(""), -ECANCELED);
	/* every prefix of a good stream is refused without reading past it */
	static const char s[] = "PACKAGE_NAME s 0 5:hello\nMAKE a 3 4:make\nEND\n";
	for (size_t n = 0; n < sizeof(s) - 1; n++) {
		struct shvars vs = {0};
		CHECK(parse(s, n, &vs) < 0);
		shvars_release(&vs);
	}
}

static void t_hostile(void)
{
	CHECK_INT(parse_str("A s 0 18446744073709551615:x\nEND\n"), -EBADMSG);
	CHECK_INT(parse_str("A s 0 18446744073709551617:x\nEND\n"), -EBADMSG);
	CHECK_INT(parse_str("A s 0 2:x\nEND\n"), -EBADMSG);
	CHECK_INT(parse_str("A a -1 1:x\nEND\n"), -EBADMSG);
	CHECK_INT(parse_str("A a 99999999999999999999 1:x\nEND\n"), -EBADMSG);
	CHECK_INT(parse_str("A x 0 1:x\nEND\n"), -EBADMSG);
	CHECK_INT(parse_str("1A s 0 1:x\nEND\n"), -EBADMSG);
	CHECK_INT(parse_str("A;B s 0 1:x\nEND\n"), -EBADMSG);
	CHECK_INT(parse_str(" s 0 1:x\nEND\n"), -EBADMSG);
	CHECK_INT(parse_str("A s 0 1:x\nEND\nX"), -EBADMSG);
	CHECK_INT(parse_str("A  s 0 1:x\nEND\n"), -EBADMSG);
	/* indices descending, or a variable printed twice: not what the worker prints */
	CHECK_INT(parse_str("A a 3 1:x\nA a 1 1:y\nEND\n"), -EBADMSG);
	CHECK_INT(parse_str("A a 1 1:x\nA a 1 1:y\nEND\n"), -EBADMSG);
	CHECK_INT(parse_str("A a 1 1:x\nB s 0 1:y\nA a 2 1:z\nEND\n"), -EBADMSG);
	/* a name longer than any variable the worker is asked for */
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < BASH_MAX_NAME + 1; i++)
		sb_addch(&sb, 'N');
	sb_adds(&sb, " s 0 1:x\nEND\n");
	CHECK_INT(parse_str(sb_str(&sb)), -EBADMSG);
	sb_release(&sb);
}

static void t_bounded(void)
{
	struct strbuf sb = STRBUF_INIT;

	for (long i = 0; i <= BASH_MAX_RECORDS; i++)
		sb_addf(&sb, "A a %ld 0:\n", i);
	sb_adds(&sb, "END\n");
	CHECK_INT(parse_str(sb_str(&sb)), -E2BIG);
	sb_release(&sb);
	for (long i = 0; i < BASH_MAX_RECORDS; i++)
		sb_addf(&sb, "A a %ld 0:\n", i);
	sb_adds(&sb, "END\n");
	struct shvars vs = {0};
	CHECK_INT(parse(sb_str(&sb), sb.len, &vs), 0);
	CHECK_INT(shvars_find(&vs, "A")->n, BASH_MAX_RECORDS);
	CHECK_STR(shvars_get(&vs, "A", BASH_MAX_RECORDS - 1), "");
	shvars_release(&vs);
	sb_release(&sb);
	for (int i = 0; i <= BASH_MAX_VARS; i++)
		sb_addf(&sb, "V%d s 0 1:x\n", i);
	sb_adds(&sb, "END\n");
	CHECK_INT(parse_str(sb_str(&sb)), -E2BIG);
	sb_release(&sb);
}

static const struct test_case tests[] = {
	{"a good record stream", t_good},
	{"truncated streams are refused within their length", t_truncated},
	{"hostile streams are refused", t_hostile},
	{"the record and variable counts are bounded", t_bounded},
};

HARNESS_MAIN(tests)

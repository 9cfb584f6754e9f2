// SPDX-License-Identifier: GPL-2.0-or-later
/* t-cmd-opts.c - unit tests of the option-table parser of the commands that read their argv. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd/opts.h"
#include "harness.h"
#include "util/macro.h"

struct seen {
	bool flag, dry;
	const char *str;
	struct strv list;
	int op;
	char last_short;
	int calls;
	const char *operands[4];
	int nops;
};

static int count(void *data, const struct opt *o, _unused_ const char *arg)
{
	struct seen *s = data;

	s->calls++;
	s->last_short = o->short_name;
	return 0;
}

static int stop(_unused_ void *data, _unused_ const struct opt *o, _unused_ const char *arg)
{
	return OPTS_STOP;
}

static int fail(_unused_ void *data, _unused_ const struct opt *o, _unused_ const char *arg)
{
	return -EDOM;
}

static int operand(void *data, const char *arg)
{
	struct seen *s = data;

	if (s->nops == (int)ARRAY_SIZE(s->operands))
		return -E2BIG;
	s->operands[s->nops++] = arg;
	return 0;
}

/* A writable copy of a NULL-ended word list, as argv is (getopt_long permutes it). */
static struct strv words(const char *const *src)
{
	struct strv w = STRV_INIT;

	for (size_t i = 0; src[i]; i++)
		strv_push(&w, src[i]);
	return w;
}
#define WORDS(...) words((const char *[]){__VA_ARGS__, NULL})

/* Parse w (argv[0] "cmd") with a table of every kind; *bad and *next are returned. */
static int parse(struct seen *s, bool in_order, struct strv *w, int *next, const char **bad)
{
	const struct opt opts[] = {
		OPT_BOOL("flag", 'f', &s->flag),
		OPT_BOOL("dry-run", 'n', &s->dry),
		OPT_BOOL("show", 'n', &s->dry),
		OPT_STR("string", 's', &s->str),
		OPT_STRV("list", 'l', &s->list),
		OPT_INT("add-kernel", 0, &s->op, 1),
		OPT_INT("add-modules", 0, &s->op, 2),
		OPT_CALL("quiet", 'q', false, count),
		OPT_CALL(NULL, 'r', false, count),
		OPT_IGNORE("ignored", 0, true),
		OPT_CALL("help", 'h', false, stop),
		OPT_CALL("fail", 0, false, fail),
	};
	const struct opts p = {.opt = opts, .n = ARRAY_SIZE(opts), .in_order = in_order,
			       .operand = in_order ? operand : NULL, .data = s};
	/* getopt's own messages are not what is tested here */
	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
	if (null >= 0) {
		dup2(null, STDERR_FILENO);
		close(null);
	}
	int r = opts_parse(&p, (int)w->n, w->v, next, bad);
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	return r;
}

static void t_kinds(void)
{
	_cleanup_strv_ struct strv w = WORDS("cmd", "-f", "--string=x", "-l", "a", "--list", "b",
					     "--add-m", "-q", "-r", "--ignored", "v", "-n", "op");
	struct seen s = {.list = STRV_INIT};
	const char *bad = "unset";
	int next = -1;

	CHECK_INT(parse(&s, false, &w, &next, &bad), 0);
	CHECK(s.flag && s.dry);
	CHECK_STR(s.str, "x");
	CHECK_INT(s.list.n, 2);
	CHECK_STR(s.list.v[1], "b");
	CHECK_INT(s.op, 2);
	CHECK_INT(s.calls, 2);
	CHECK_INT(s.last_short, 'r');
	CHECK_INT(next, 13);
	CHECK_STR(w.v[next], "op");
	CHECK(bad == NULL);
	strv_release(&s.list);
}

static void t_gnu_rules(void)
{
	/* operands mix with options and come last; flags group; "--" ends the options */
	_cleanup_strv_ struct strv w = WORDS("cmd", "one", "-fn", "--str", "y", "two", "--", "-q");
	struct seen s = {.list = STRV_INIT};
	const char *bad;
	int next;

	CHECK_INT(parse(&s, false, &w, &next, &bad), 0);
	CHECK(s.flag && s.dry);
	CHECK_STR(s.str, "y");
	CHECK_INT(s.calls, 0);
	CHECK_INT(next, 5);
	CHECK_STR(w.v[5], "one");
	CHECK_STR(w.v[6], "two");
	CHECK_STR(w.v[7], "-q");
}

static void t_bad_words(void)
{
	struct seen s = {.list = STRV_INIT};
	const char *bad;
	int next;

	_cleanup_strv_ struct strv amb = WORDS("cmd", "--add"); /* add-kernel or add-modules */
	CHECK_INT(parse(&s, false, &amb, &next, &bad), OPTS_BAD);
	_cleanup_strv_ struct strv unknown = WORDS("cmd", "--nosuch");
	CHECK_INT(parse(&s, false, &unknown, &next, &bad), OPTS_BAD);
	_cleanup_strv_ struct strv noarg = WORDS("cmd", "-s");
	CHECK_INT(parse(&s, false, &noarg, &next, &bad), OPTS_BAD);
	_cleanup_strv_ struct strv flagval = WORDS("cmd", "--flag=1");
	CHECK_INT(parse(&s, false, &flagval, &next, &bad), OPTS_BAD);
	_cleanup_strv_ struct strv help = WORDS("cmd", "--he", "--nosuch");
	CHECK_INT(parse(&s, false, &help, &next, &bad), OPTS_STOP);
	_cleanup_strv_ struct strv failing = WORDS("cmd", "--fail");
	CHECK_INT(parse(&s, false, &failing, &next, &bad), -EDOM);
}

static void t_in_order(void)
{
	struct seen s = {.list = STRV_INIT};
	const char *bad;
	int next;

	_cleanup_strv_ struct strv w = WORDS("cmd", "a", "--fl", "-sVALUE", "-", "b");
	CHECK_INT(parse(&s, true, &w, &next, &bad), 0);
	CHECK(s.flag);
	CHECK_STR(s.str, "VALUE");
	CHECK_INT(s.nops, 3);
	CHECK_STR(s.operands[0], "a");
	CHECK_STR(s.operands[1], "-");
	CHECK_STR(s.operands[2], "b");
	CHECK_INT(next, 6);

	/* the word of the first bad option, before the operands after it */
	struct seen t = {.list = STRV_INIT};
	_cleanup_strv_ struct strv grouped = WORDS("cmd", "x", "-fn", "y");
	CHECK_INT(parse(&t, true, &grouped, &next, &bad), OPTS_BAD);
	CHECK_STR(bad, "-fn");
	CHECK_INT(t.nops, 1);
	_cleanup_strv_ struct strv dashes = WORDS("cmd", "--", "y");
	CHECK_INT(parse(&t, true, &dashes, &next, &bad), OPTS_BAD);
	CHECK_STR(bad, "--");
	_cleanup_strv_ struct strv missing = WORDS("cmd", "-s");
	CHECK_INT(parse(&t, true, &missing, &next, &bad), OPTS_BAD);
	CHECK_STR(bad, "-s");
	_cleanup_strv_ struct strv longmissing = WORDS("cmd", "--string");
	CHECK_INT(parse(&t, true, &longmissing, &next, &bad), OPTS_BAD);
	CHECK_STR(bad, "--string");
	_cleanup_strv_ struct strv unknown = WORDS("cmd", "--str=1", "--nosuch=2");
	CHECK_INT(parse(&t, true, &unknown, &next, &bad), OPTS_BAD);
	CHECK_STR(bad, "--nosuch=2");
	CHECK_STR(t.str, "1");
	_cleanup_strv_ struct strv shortbad = WORDS("cmd", "-z");
	CHECK_INT(parse(&t, true, &shortbad, &next, &bad), OPTS_BAD);
	CHECK_STR(bad, "-z");
}

static const struct test_case tests[] = {
	{"every kind of table entry", t_kinds},
	{"getopt_long's rules: permuted operands, grouped flags, --", t_gnu_rules},
	{"unknown, ambiguous, missing argument, help and a callback's error", t_bad_words},
	{"in order: operands as met, flags alone, the bad word", t_in_order},
};

HARNESS_MAIN(tests)

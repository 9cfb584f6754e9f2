// SPDX-License-Identifier: GPL-2.0-or-later
/* t-conf-eval.c - the native dkms.conf evaluator, dkms's second pass and the bash fallback. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/eval.h"
#include "harness.h"
#include "util/fs.h"
#include "util/strbuf.h"

static const char *const names[] = {"A", "B", "C", "D", "E", "F", "G", "X", "Y", "Z", "MAKE",
				    "PACKAGE_NAME", "N", NULL};

static char *tmpdir;

/* Evaluate text as a file; returns the r, fills res. */
static int run(const char *text, bool reeval, bool fallback, int timeout_ms,
	       struct eval_result *res)
{
	_cleanup_free_ char *path = path_join(tmpdir, "dkms.conf");
	struct shvars preset = SHVARS_INIT;
	int r;

	CHECK_INT(write_file_atomic(path, text, strlen(text), 0644), 0);
	shvars_set(&preset, "kernelver", -1, "6.1.0-56-amd64");
	shvars_set(&preset, "arch", -1, "x86_64");
	shvars_set(&preset, "dkms_tree", -1, "/var/lib/dkms");
	struct eval_opts o = {
		.path = path, .cwd = tmpdir, .preset = &preset, .names = names, .reeval = reeval,
		.allow_fallback = fallback, .timeout_ms = timeout_ms,
	};
	r = conf_eval_file(&o, res);
	shvars_release(&preset);
	return r;
}

static const char *get(struct eval_result *res, const char *n, long i)
{
	return shvars_get(&res->vars, n, i);
}

static void test_quoting(void)
{
	struct eval_result res;

	CHECK_INT(run("A=\"x  y\"\nB='a $b'\nC=a\\ b\nD=\"q\\\"x\\$\"\nE=pre\"mid\"'s'post\n"
		      "F=\"line1\nline2\"\n# comment\nG=a\\\nb\n",
		      false, false, 0, &res), 0);
	CHECK(!res.used_fallback);
	CHECK_STR(get(&res, "A", 0), "x  y");
	CHECK_STR(get(&res, "B", 0), "a $b");
	CHECK_STR(get(&res, "C", 0), "a b");
	CHECK_STR(get(&res, "D", 0), "q\"x$");
	CHECK_STR(get(&res, "E", 0), "premidspost");
	CHECK_STR(get(&res, "F", 0), "line1\nline2");
	CHECK_STR(get(&res, "G", 0), "ab");
	eval_result_release(&res);
}

static void test_arrays(void)
{
	struct eval_result res;

	CHECK_INT(run("A[0]=a\nA[3]=b\nB=(x \"y z\")\nB+=(w)\nC=1\nC+=2\nD=s\nD[2]=t\n"
		      "E=(p q r)\nF=${E[1]}\nG=${#E[@]}\nX=\"${E[*]}\"\nY=\nfor i in \"${!A[@]}\"; "
		      "do Y=\"$Y$i,\"; done\n",
		      false, false, 0, &res), 0);
	const struct shvar *a = shvars_find(&res.vars, "A");
	CHECK(a && a->is_array && a->n == 2);
	CHECK_STR(get(&res, "A", 3), "b");
	CHECK_STR(get(&res, "B", 1), "y z");
	CHECK_STR(get(&res, "B", 2), "w");
	CHECK_STR(get(&res, "C", 0), "12");
	CHECK(!shvars_find(&res.vars, "C")->is_array);
	CHECK_STR(get(&res, "D", 0), "s");
	CHECK_STR(get(&res, "D", 2), "t");
	CHECK_STR(get(&res, "F", 0), "q");
	CHECK_STR(get(&res, "G", 0), "3");
	CHECK_STR(get(&res, "X", 0), "p q r");
	CHECK_STR(get(&res, "Y", 0), "0,3,");
	eval_result_release(&res);
}

static void test_operators(void)
{
	struct eval_result res;

	CHECK_INT(run("v=Hello.World.txt\nA=${kernelver%%-*}\nB=${nope:-def}${v:+set}\n"
		      "C=${v#*.}/${v##*.}/${v%.*}/${v%%.*}\nD=${v/o/0}/${v//o/0}/${v/#H/h}/${v/%txt/c}\n"
		      "E=${v,,}/${v^^}/${#v}\nF=${nope-x}${empty-y}\nempty=\nG=${empty:-z}${empty-w}\n"
		      "X=${v:6:5}\nY=$((2 + 3 * 4))\n",
		      false, false, 0, &res), 0);
	CHECK_STR(get(&res, "A", 0), "6.1.0");
	CHECK_STR(get(&res, "B", 0), "defset");
	CHECK_STR(get(&res, "C", 0), "World.txt/txt/Hello.World/Hello");
	CHECK_STR(get(&res, "D", 0), "Hell0.World.txt/Hell0.W0rld.txt/hello.World.txt/Hello.World.c");
	CHECK_STR(get(&res, "E", 0), "hello.world.txt/HELLO.WORLD.TXT/15");
	CHECK_STR(get(&res, "F", 0), "xy");
	CHECK_STR(get(&res, "G", 0), "z");
	CHECK_STR(get(&res, "X", 0), "World");
	CHECK_STR(get(&res, "Y", 0), "14");
	eval_result_release(&res);
}

static void test_control(void)
{
	struct eval_result res;

	CHECK_INT(run("N=3\n[ $N -gt 2 ] && A=yes\n[ $N -gt 5 ] && B=no || B=else\n"
		      "if [ -n \"\" ]; then C=1; elif test \"$arch\" = x86_64; then C=2; else C=3; fi\n"
		      "if [ -f /nonexistent/x ]; then D=file; fi\n[ ! -d / ] || E=dir\n"
		      "local F=local\nexport G=exp\ntrue && : && X=chain\n",
		      false, false, 0, &res), 0);
	CHECK(!res.used_fallback);
	CHECK_STR(get(&res, "A", 0), "yes");
	CHECK_STR(get(&res, "B", 0), "else");
	CHECK_STR(get(&res, "C", 0), "2");
	CHECK(!get(&res, "D", 0));
	CHECK_STR(get(&res, "E", 0), "dir");
	CHECK(!get(&res, "F", 0)); /* local: gone once the sourcing function returns */
	CHECK_STR(get(&res, "G", 0), "exp");
	CHECK_STR(get(&res, "X", 0), "chain");
	eval_result_release(&res);
}

static void test_substitutions(void)
{
	struct eval_result res;
	char buf[64];

	CHECK_INT(run("A=$(nproc)\nB=`uname -r`\nC=$(echo a   b)\nD=${kernelver:-$(git describe)}\n",
		      false, false, 0, &res), 0);
	CHECK(!res.used_fallback);
	snprintf(buf, sizeof(buf), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	CHECK(get(&res, "A", 0) && atol(get(&res, "A", 0)) > 0);
	CHECK(get(&res, "B", 0) && *get(&res, "B", 0));
	CHECK_STR(get(&res, "C", 0), "a b");
	CHECK_STR(get(&res, "D", 0), "6.1.0-56-amd64");
	eval_result_release(&res);
	(void)buf;
}

static void test_second_pass(void)
{
	struct eval_result res;

	CHECK_INT(run("MAKE[0]=\"make KVER=\\$kernelver  -C   x\"\nA='$dkms_tree/x'\n"
		      "B=\"\\\"${kernelver}\\\"\"\nC=\"a\tb\"\nD=\"x\r\"\nPACKAGE_NAME=p\n",
		      true, false, 0, &res), 0);
	CHECK(!res.used_fallback);
	CHECK_STR(get(&res, "MAKE", 0), "make KVER=6.1.0-56-amd64 -C x");
	CHECK(shvars_find(&res.vars, "MAKE")->is_array);
	CHECK_STR(get(&res, "A", 0), "/var/lib/dkms/x");
	CHECK(!shvars_find(&res.vars, "A")->is_array);
	CHECK_STR(get(&res, "B", 0), "6.1.0-56-amd64");
	CHECK_STR(get(&res, "C", 0), "a b");
	CHECK_STR(get(&res, "D", 0), "x");
	eval_result_release(&res);
}

static void test_decline_and_fallback(void)
{
	struct eval_result res;
	int r;

	r = run("A=1\nB=$(echo hi | tr a-z A-Z)\n", true, false, 0, &res);
	CHECK_INT(r, -ENOTSUP);
	CHECK(res.diag && strstr(res.diag, "dkms.conf:2: ") &&
	      strstr(res.diag, "needs the shell fallback, which is disabled in "
			       "/etc/ndkms/ndkms.conf"));
	CHECK(res.declined && res.declined_line == 2);
	eval_result_release(&res);

	r = run("A=1\nB=$(echo hi | tr a-z A-Z)\nMAKE='make $kernelver'\n", true, true, 10000, &res);
	CHECK_INT(r, 0);
	CHECK(res.used_fallback);
	CHECK_STR(get(&res, "B", 0), "HI");
	CHECK_STR(get(&res, "MAKE", 0), "make 6.1.0-56-amd64");
	CHECK(!shvars_find(&res.vars, "MAKE")->is_array);
	eval_result_release(&res);

	r = run("while read x; do :; done </dev/null\nA=ok\n", false, false, 0, &res);
	CHECK_INT(r, -ENOTSUP);
	CHECK(res.diag && strstr(res.diag, "'while'"));
	eval_result_release(&res);
}

static void test_exit_and_timeout(void)
{
	struct eval_result res;

	CHECK_INT(run("A=1\nexit 1\n", true, true, 10000, &res), -ECANCELED);
	CHECK(res.diag != NULL);
	eval_result_release(&res);
	CHECK_INT(run("A=1\nwhile :; do :; done\n", true, true, 500, &res), -ETIMEDOUT);
	CHECK(res.diag && strstr(res.diag, "did not finish"));
	eval_result_release(&res);
}

static void test_hostile_sizes(void)
{
	struct eval_result res;
	struct strbuf sb = STRBUF_INIT;

	sb_adds(&sb, "A=\"");
	for (int i = 0; i < (1 << 20); i++)
		sb_addch(&sb, 'x');
	sb_adds(&sb, "\"\n");
	for (int i = 0; i < 10000; i++)
		sb_addf(&sb, "N[%d]=v%d\n", i, i);
	CHECK_INT(run(sb_str(&sb), true, false, 0, &res), 0);
	CHECK(get(&res, "A", 0) && strlen(get(&res, "A", 0)) == (1u << 20));
	CHECK(shvars_find(&res.vars, "N") && shvars_find(&res.vars, "N")->n == 10000);
	CHECK_STR(get(&res, "N", 9999), "v9999");
	eval_result_release(&res);
	sb_release(&sb);

	/* doubling a value is refused natively long before it hurts */
	sb_adds(&sb, "A=xxxxxxxxxxxxxxxx\n");
	for (int i = 0; i < 40; i++)
		sb_adds(&sb, "A=$A$A\n");
	CHECK_INT(run(sb_str(&sb), false, false, 0, &res), -ENOTSUP);
	eval_result_release(&res);
	sb_release(&sb);

	/* deep nesting is refused, not recursed into */
	for (int i = 0; i < 200; i++)
		sb_adds(&sb, "${A:-");
	for (int i = 0; i < 200; i++)
		sb_addch(&sb, '}');
	sb_addch(&sb, '\n');
	char *t = xasprintf("X=%s", sb_str(&sb));
	CHECK_INT(run(t, false, false, 0, &res), -ENOTSUP);
	free(t);
	eval_result_release(&res);
	sb_release(&sb);
}

static void test_escape(void)
{
	char *e = conf_escape_value("a\\b\nc\td\re\x01");
	CHECK_STR(e, "a\\\\b\\nc\\td\\re\\x01");
	free(e);
}

static const struct test_case tests[] = {
	{"quoting, escapes, continuations", test_quoting},
	{"arrays, +=, array literals", test_arrays},
	{"parameter operators and arithmetic", test_operators},
	{"[ ], if/elif/else, && ||, local, export", test_control},
	{"emulated command substitutions", test_substitutions},
	{"dkms second pass: re-expansion, squeeze, quotes, CR", test_second_pass},
	{"declines name file and line; bash fallback", test_decline_and_fallback},
	{"exit ends with -ECANCELED, endless loop with -ETIMEDOUT", test_exit_and_timeout},
	{"hostile sizes are bounded", test_hostile_sizes},
	{"value escaping as eval-dkms-conf.sh", test_escape},
};

static void setup(void) __attribute__((constructor));
static void setup(void)
{
	tmpdir = mkdtemp_in("/tmp", "t-conf-eval.");
}

static void teardown(void) __attribute__((destructor));
static void teardown(void)
{
	if (tmpdir)
		rm_rf(tmpdir);
	free(tmpdir);
}

HARNESS_MAIN(tests)

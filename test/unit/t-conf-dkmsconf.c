// SPDX-License-Identifier: GPL-2.0-or-later
/* t-conf-dkmsconf.c - dkms.conf semantics: defaults, overrides, MAKE_MATCH, validation, escapes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/dkmsconf.h"
#include "harness.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/strbuf.h"

static char *tmpdir;

struct msgs {
	struct strbuf all;
	int errors;
	int warnings;
};

static void collect(void *ud, bool error, _unused_ const char *directive, const char *text)
{
	struct msgs *m = ud;

	sb_addf(&m->all, "%s\n", text);
	if (error)
		m->errors++;
	else
		m->warnings++;
}

static char *put(const char *name, const char *text)
{
	char *p = path_join(tmpdir, name);

	CHECK_INT(write_file_atomic(p, text, strlen(text), 0644), 0);
	return p;
}

static struct shvars preset;

static int read_conf(const char *text, const char *distro, bool strict, struct dkms_conf *c)
{
	_cleanup_free_ char *p = put("dkms.conf", text);
	struct dkms_conf_opts o = {
		.path = p, .preset = &preset, .kver = "6.1.0-56-amd64", .arch = "x86_64",
		.distro = distro, .cwd = tmpdir, .strict = strict, .allow_fallback = false,
	};
	return dkms_conf_read(&o, c);
}

/* Evaluate, then validate with the messages collected. */
static int validate(const char *text, bool strict, struct msgs *m)
{
	struct dkms_conf c;
	int r = read_conf(text, "debian", false, &c);
	struct dkms_conf_opts o = {.kver = "6.1.0-56-amd64", .distro = "debian", .strict = strict};
	struct dkms_conf c2;

	memset(&c2, 0, sizeof(c2));
	if (r < 0 && r != -EINVAL) {
		dkms_conf_release(&c);
		return r;
	}
	r = dkms_conf_validate(&c.vars, &o, &c2, collect, m);
	dkms_conf_release(&c2);
	dkms_conf_release(&c);
	return r;
}

static void test_defaults(void)
{
	struct dkms_conf c;

	CHECK_INT(read_conf("PACKAGE_NAME=hello\nPACKAGE_VERSION=1.0\nBUILT_MODULE_LOCATION=src\n"
			    "DEST_MODULE_LOCATION=/kernel/extra\nAUTOINSTALL=YES\n",
			    "debian", true, &c), 0);
	CHECK_STR(c.package_name, "hello");
	CHECK_INT(c.nmods, 1);
	CHECK_STR(c.mods[0].built_name, "hello");
	CHECK_STR(c.mods[0].dest_name, "hello");
	CHECK_STR(c.mods[0].built_location, "src/");
	CHECK_STR(c.mods[0].dest_location, "/kernel/extra");
	CHECK_STR(c.mods[0].install_location, "/updates/dkms");
	CHECK(c.mods[0].strip);
	CHECK(c.autoinstall);
	CHECK(c.make_cmd == NULL);
	dkms_conf_release(&c);

	CHECK_INT(read_conf("PACKAGE_NAME=a\nPACKAGE_VERSION=1\nBUILT_MODULE_NAME[0]=x\n"
			    "DEST_MODULE_LOCATION[0]=/extra\nBUILT_MODULE_NAME[1]=y\n"
			    "DEST_MODULE_LOCATION[1]=/updates\nDEST_MODULE_NAME[1]=z\nSTRIP[0]=no\n"
			    "STRIP[1]=\n",
			    "fedora", true, &c), 0);
	CHECK_INT(c.nmods, 2);
	CHECK_STR(c.mods[1].dest_name, "z");
	CHECK(!c.mods[0].strip && !c.mods[1].strip);
	CHECK_STR(c.mods[1].install_location, "/extra");
	dkms_conf_release(&c);

	CHECK_INT(read_conf("PACKAGE_NAME=a\nPACKAGE_VERSION=1\nBUILT_MODULE_NAME=x\n"
			    "DEST_MODULE_LOCATION=/kernel/drivers\n", "alpine", false, &c), 0);
	CHECK_STR(c.mods[0].install_location, "/kernel/drivers");
	dkms_conf_release(&c);
}

static void test_make_patch(void)
{
	struct dkms_conf c;

	CHECK_INT(read_conf("PACKAGE_NAME=a\nPACKAGE_VERSION=1\nBUILT_MODULE_NAME=x\n"
			    "DEST_MODULE_LOCATION=/extra\nMAKE[0]='make old'\nMAKE_MATCH[0]='^5\\.'\n"
			    "MAKE[1]='make new'\nMAKE_MATCH[1]='^6\\.'\nMAKE[2]='make never'\n"
			    "MAKE_MATCH[2]='^7'\nPATCH[0]=a.patch\nPATCH[1]=b.patch\n"
			    "PATCH_MATCH[1]='^5'\nPATCH[2]=c.patch\nOBSOLETE_BY=6.5\n"
			    "BUILD_DEPENDS=(dep1 dep2)\n",
			    "debian", false, &c), 0);
	CHECK_STR(c.make_cmd, "make new");
	CHECK_INT(c.patches.n, 2);
	CHECK_STR(c.patches.v[1], "c.patch");
	CHECK_STR(c.excl_kernel_max, "6.5");
	CHECK_INT(c.build_depends.n, 2);
	dkms_conf_release(&c);
}

static void test_overrides_directives(void)
{
	struct dkms_conf c;
	_cleanup_free_ char *p = put("dkms.conf", "PACKAGE_NAME=a\nPACKAGE_VERSION=1\n"
						  "BUILT_MODULE_NAME=x\nDEST_MODULE_LOCATION=/extra\n"
						  "MAKE='make one'\n");
	_cleanup_free_ char *o1 = put("a.conf", "MAKE=\"$MAKE two\"\nAUTOINSTALL=yes\n");
	_cleanup_free_ char *missing = path_join(tmpdir, "a-1.conf");
	const char *const ov[] = {o1, missing, NULL};
	const char *const dirs[] = {"NO_WEAK_MODULES=yes", NULL};
	struct dkms_conf_opts o = {
		.path = p, .overrides = ov, .directives = dirs, .preset = &preset,
		.kver = "6.1.0-56-amd64", .distro = "debian", .cwd = tmpdir,
	};

	CHECK_INT(dkms_conf_read(&o, &c), 0);
	CHECK_STR(c.make_cmd, "make one two");
	CHECK(c.autoinstall);
	CHECK(c.no_weak_modules);
	dkms_conf_release(&c);
}

static void test_messages(void)
{
	struct msgs m = {STRBUF_INIT, 0, 0};

	CHECK_INT(validate("BUILT_MODULE_NAME[1]=x.ko\nDEST_MODULE_LOCATION[1]=/lib\n"
			   "AUTOINSTALL=maybe\n", false, &m), -EINVAL);
	const char *s = sb_str(&m.all);
	CHECK(strstr(s, "dkms.conf: Error! No 'PACKAGE_NAME' directive specified.\n"));
	CHECK(strstr(s, "dkms.conf: Error! No 'PACKAGE_VERSION' directive specified.\n"));
	CHECK(strstr(s, "dkms.conf: Error! No 'BUILT_MODULE_NAME' directive specified for "
			"record #0.\n"));
	CHECK(strstr(s, "dkms.conf: Error! No 'DEST_MODULE_LOCATION' directive specified for "
			"record #0.\n"));
	CHECK(strstr(s, "dkms.conf: Error! 'BUILT_MODULE_NAME' directive ends in '.o' or '.ko' in "
			"record #1.\n"));
	CHECK(strstr(s, "dkms.conf: Error! Directive 'DEST_MODULE_LOCATION' does not begin with\n"
			"'/kernel', '/updates', or '/extra' in record #1.\n"));
	CHECK(strstr(s, "dkms.conf: Error! Unsupported AUTOINSTALL value 'maybe'\n"));
	sb_release(&m.all);

	m = (struct msgs){STRBUF_INIT, 0, 0};
	CHECK_INT(validate("PACKAGE_NAME=a\nPACKAGE_VERSION=1\n", true, &m), 0);
	CHECK_STR(sb_str(&m.all), "dkms.conf: Warning! Zero modules specified.\n");
	sb_release(&m.all);

	m = (struct msgs){STRBUF_INIT, 0, 0};
	CHECK_INT(validate("PACKAGE_NAME=a\nPACKAGE_VERSION=1\nBUILT_MODULE_NAME[0]=x\n"
			   "BUILT_MODULE_NAME[1]=x\nDEST_MODULE_LOCATION[0]=/extra\n"
			   "DEST_MODULE_LOCATION[1]=/extra\n", true, &m), -EINVAL);
	CHECK(strstr(sb_str(&m.all), "dkms.conf: Error! Duplicate module 'x' in "
				     "'BUILT_MODULE_NAME[1]'.\n"));
	CHECK(strstr(sb_str(&m.all), "dkms.conf: Error! Duplicate module 'x' in "
				     "'DEST_MODULE_NAME[1]'.\n"));
	sb_release(&m.all);
	/* not strict: duplicates are accepted, as dkms's lenient read_conf does */
	m = (struct msgs){STRBUF_INIT, 0, 0};
	CHECK_INT(validate("PACKAGE_NAME=a\nPACKAGE_VERSION=1\nBUILT_MODULE_NAME[0]=x\n"
			   "BUILT_MODULE_NAME[1]=x\nDEST_MODULE_LOCATION[0]=/extra\n"
			   "DEST_MODULE_LOCATION[1]=/extra\n", false, &m), 0);
	sb_release(&m.all);
}

static void test_escaping_values(void)
{
	static const char *const bad[] = {
		"BUILT_MODULE_NAME=../evil\nDEST_MODULE_LOCATION=/extra\n",
		"BUILT_MODULE_NAME=x\nDEST_MODULE_NAME=..\nDEST_MODULE_LOCATION=/extra\n",
		"BUILT_MODULE_NAME=x\nDEST_MODULE_NAME=a/b\nDEST_MODULE_LOCATION=/extra\n",
		"BUILT_MODULE_NAME=x\nBUILT_MODULE_LOCATION=/tmp\nDEST_MODULE_LOCATION=/extra\n",
		"BUILT_MODULE_NAME=x\nBUILT_MODULE_LOCATION=a/../../b\nDEST_MODULE_LOCATION=/extra\n",
		"BUILT_MODULE_NAME=x\nDEST_MODULE_LOCATION=/updates/../../etc\n",
		"BUILT_MODULE_NAME=x\nDEST_MODULE_LOCATION=/extra/..\n",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct msgs m = {STRBUF_INIT, 0, 0};
		char *t = xasprintf("PACKAGE_NAME=a\nPACKAGE_VERSION=1\n%s", bad[i]);

		CHECK_INT(validate(t, false, &m), -EINVAL);
		CHECK(m.errors >= 1);
		free(t);
		sb_release(&m.all);
	}
	struct dkms_conf c;
	CHECK_INT(read_conf("PACKAGE_NAME=a\nPACKAGE_VERSION=1\nBUILT_MODULE_NAME=x\n"
			    "DEST_MODULE_LOCATION=/../../etc\n", "debian", true, &c), -EINVAL);
	dkms_conf_release(&c);
	/* patch names with .. are kept: the build refuses them with exit 5 */
	CHECK_INT(read_conf("PACKAGE_NAME=a\nPACKAGE_VERSION=1\nBUILT_MODULE_NAME=x\n"
			    "DEST_MODULE_LOCATION=/extra\nPATCH[0]=../x.patch\n", "debian", true, &c),
		  0);
	CHECK_STR(c.patches.v[0], "../x.patch");
	dkms_conf_release(&c);
}

static void test_missing_and_shell(void)
{
	struct dkms_conf c;
	_cleanup_free_ char *p = path_join(tmpdir, "nothere.conf");
	struct dkms_conf_opts o = {.path = p, .preset = &preset};

	CHECK_INT(dkms_conf_read(&o, &c), -ENOENT);
	dkms_conf_release(&c);
	/* shell code with the fallback disabled: the evaluator's -ENOTSUP (modconf maps it to 8) */
	CHECK_INT(read_conf("PACKAGE_NAME=$(sed -n 1p x)\n", "debian", false, &c), -ENOTSUP);
	dkms_conf_release(&c);
}

/* The three steps alone, on variables set directly (no file, no evaluator). */
static void vset(struct shvars *v, const char *name, long idx, const char *val)
{
	shvars_set(v, name, idx, val);
}

static void test_step_extract(void)
{
	struct shvars v = SHVARS_INIT;
	struct dkms_conf c = {0};
	struct dkms_conf_opts o = {.distro = "fedora"};

	vset(&v, "PACKAGE_NAME", -1, "hello");
	vset(&v, "PACKAGE_VERSION", -1, "1.0");
	vset(&v, "BUILT_MODULE_LOCATION", 0, "src");
	vset(&v, "DEST_MODULE_LOCATION", 0, "/kernel/extra");
	vset(&v, "STRIP", 0, "no");
	vset(&v, "AUTOINSTALL", -1, "Yes");
	vset(&v, "NO_WEAK_MODULES", -1, "maybe");
	vset(&v, "MAKE", 0, "make all");
	vset(&v, "OBSOLETE_BY", -1, "6.5");
	vset(&v, "REMAKE_INITRD", -1, "yes");
	CHECK_INT(dkms_conf_extract(&v, &o, &c), 0);
	CHECK_INT(c.nmods, 1);
	CHECK(c.remake_initrd);
	CHECK_STR(c.mods[0].built_name, "hello");     /* PACKAGE_NAME, one record */
	CHECK_STR(c.mods[0].dest_name, "hello");
	CHECK_STR(c.mods[0].built_location, "src/");
	CHECK_STR(c.mods[0].install_location, "/extra");
	CHECK(!c.mods[0].strip);
	CHECK(c.autoinstall);
	CHECK(!c.no_weak_modules);                    /* a bad value is false; check reports it */
	CHECK_STR(c.obsolete_by, "6.5");
	/* what depends on the kernel is left to dkms_conf_select */
	CHECK(c.make_cmd == NULL);
	CHECK(c.excl_kernel_max == NULL);
	dkms_conf_release(&c);

	/* two records: no name from PACKAGE_NAME, STRIP inherited from record 0 */
	vset(&v, "BUILT_MODULE_NAME", 1, "b.ko");
	vset(&v, "DEST_MODULE_LOCATION", 1, "/lib");
	memset(&c, 0, sizeof(c));
	CHECK_INT(dkms_conf_extract(&v, &o, &c), 0); /* extraction never refuses values */
	CHECK_INT(c.nmods, 2);
	CHECK_STR(c.mods[0].built_name, "");
	CHECK_STR(c.mods[1].built_name, "b.ko");
	CHECK(!c.mods[1].strip);
	dkms_conf_release(&c);

	vset(&v, "DEST_MODULE_NAME", DKMS_CONF_MAX_RECORDS, "x");
	memset(&c, 0, sizeof(c));
	CHECK_INT(dkms_conf_extract(&v, &o, &c), -E2BIG);
	CHECK_INT(c.nmods, 0);
	dkms_conf_release(&c);
	shvars_release(&v);
}

static void test_step_select(void)
{
	struct shvars v = SHVARS_INIT;
	struct dkms_conf c = {0};
	struct dkms_conf_opts o = {.distro = "debian"};

	vset(&v, "PACKAGE_NAME", -1, "a");
	vset(&v, "PACKAGE_VERSION", -1, "1");
	vset(&v, "DEST_MODULE_LOCATION", 0, "/extra");
	vset(&v, "MAKE", 0, "make five");
	vset(&v, "MAKE_MATCH", 0, "^5\\.");
	vset(&v, "MAKE", 1, "make six");
	vset(&v, "MAKE_MATCH", 1, "^6\\.");
	vset(&v, "PATCH", 0, "all.patch");
	vset(&v, "PATCH", 1, "five.patch");
	vset(&v, "PATCH_MATCH", 1, "^5");
	vset(&v, "OBSOLETE_BY", -1, "6.5");
	CHECK_INT(dkms_conf_extract(&v, &o, &c), 0);
	dkms_conf_select(&v, "6.1.0-56-amd64", &c);
	CHECK_STR(c.make_cmd, "make six");
	CHECK_INT(c.patches.n, 1);
	CHECK_STR(c.patches.v[0], "all.patch");
	CHECK_STR(c.excl_kernel_max, "6.5");
	CHECK_STR(c.mods[0].excl_kernel_max, "6.5");
	/* again for another kernel: the selection is replaced, the bound stays */
	dkms_conf_select(&v, "5.10.0-30-amd64", &c);
	CHECK_STR(c.make_cmd, "make five");
	CHECK_INT(c.patches.n, 2);
	CHECK_STR(c.excl_kernel_max, "6.5");
	dkms_conf_select(&v, "7.0", &c);
	CHECK(c.make_cmd == NULL);                   /* MAKE_MATCH[0] set: no unmatched MAKE */
	dkms_conf_release(&c);

	/* a per-module BUILD_EXCLUSIVE_KERNEL_MAX keeps OBSOLETE_BY from bounding the package */
	vset(&v, "BUILD_EXCLUSIVE_KERNEL_MAX", 0, "");
	vset(&v, "BUILD_EXCLUSIVE_KERNEL_MAX", 1, "6.0");
	vset(&v, "DEST_MODULE_LOCATION", 1, "/extra");
	memset(&c, 0, sizeof(c));
	CHECK_INT(dkms_conf_extract(&v, &o, &c), 0);
	CHECK_INT(c.nmods, 2);
	dkms_conf_select(&v, "6.1.0-56-amd64", &c);
	CHECK(c.excl_kernel_max == NULL);
	CHECK(c.mods[0].excl_kernel_max == NULL);
	CHECK_STR(c.mods[1].excl_kernel_max, "6.0");
	dkms_conf_release(&c);
	shvars_release(&v);
}

static void test_step_check(void)
{
	struct shvars v = SHVARS_INIT;
	struct dkms_conf c = {0};
	struct dkms_conf_opts o = {.distro = "debian"};
	struct msgs m = {STRBUF_INIT, 0, 0};

	vset(&v, "PACKAGE_VERSION", -1, "1");
	vset(&v, "BUILT_MODULE_NAME", 0, "x");
	vset(&v, "DEST_MODULE_LOCATION", 0, "/extra");
	vset(&v, "BUILT_MODULE_NAME", 1, "x");
	vset(&v, "DEST_MODULE_LOCATION", 1, "/updates/../x");
	vset(&v, "AUTOINSTALL", -1, "maybe");
	CHECK_INT(dkms_conf_extract(&v, &o, &c), 0);
	CHECK_INT(dkms_conf_check(&v, &c, true, collect, &m), -EINVAL);
	/* in read_conf's order, each once; strict checks only when nothing else failed */
	CHECK_STR(sb_str(&m.all),
		  "dkms.conf: Error! No 'PACKAGE_NAME' directive specified.\n"
		  "dkms.conf: Error! 'DEST_MODULE_LOCATION' directive in record #1 must not "
		  "contain '..' ('/updates/../x').\n"
		  "dkms.conf: Error! Unsupported AUTOINSTALL value 'maybe'\n");
	CHECK_INT(m.errors, 3);
	sb_release(&m.all);
	/* checking changes nothing */
	CHECK(c.package_name == NULL);
	CHECK_INT(c.nmods, 2);

	vset(&v, "PACKAGE_NAME", -1, "a");
	vset(&v, "DEST_MODULE_LOCATION", 1, "/updates");
	vset(&v, "AUTOINSTALL", -1, "no");
	dkms_conf_release(&c);
	memset(&c, 0, sizeof(c));
	CHECK_INT(dkms_conf_extract(&v, &o, &c), 0);
	m = (struct msgs){STRBUF_INIT, 0, 0};
	CHECK_INT(dkms_conf_check(&v, &c, false, collect, &m), 0);
	CHECK_INT(m.errors + m.warnings, 0);
	CHECK_INT(dkms_conf_check(&v, &c, true, collect, &m), -EINVAL);
	CHECK_STR(sb_str(&m.all), "dkms.conf: Error! Duplicate module 'x' in 'BUILT_MODULE_NAME[1]'.\n"
				  "dkms.conf: Error! Duplicate module 'x' in 'DEST_MODULE_NAME[1]'.\n");
	sb_release(&m.all);
	dkms_conf_release(&c);
	shvars_release(&v);
}

static const struct test_case tests[] = {
	{"defaults and install locations", test_defaults},
	{"MAKE_MATCH, PATCH_MATCH, OBSOLETE_BY, BUILD_DEPENDS", test_make_patch},
	{"override files and --directive", test_overrides_directives},
	{"validation messages and -EINVAL", test_messages},
	{"dkms.conf values that escape their tree are refused", test_escaping_values},
	{"missing file, shell constructs without fallback", test_missing_and_shell},
	{"extract: records and defaults, nothing refused", test_step_extract},
	{"select: MAKE_MATCH, PATCH_MATCH, OBSOLETE_BY bound, per kernel", test_step_select},
	{"check: every problem in order, conf untouched", test_step_check},
};

static void setup(void) __attribute__((constructor));
static void setup(void)
{
	tmpdir = mkdtemp_in("/tmp", "t-conf-dkmsconf.");
	shvars_set(&preset, "kernelver", -1, "6.1.0-56-amd64");
	shvars_set(&preset, "arch", -1, "x86_64");
}

static void teardown(void) __attribute__((destructor));
static void teardown(void)
{
	if (tmpdir)
		rm_rf(tmpdir);
	free(tmpdir);
	shvars_release(&preset);
}

HARNESS_MAIN(tests)

// SPDX-License-Identifier: GPL-2.0-or-later
/* builtins.c - the shell builtins the evaluator emulates, and nproc, getconf, uname in $( ). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "conf/sh.h"
#include "util/fs.h"
#include "util/strbuf.h"

/* bash's test/[ integers: optional blanks, sign, digits, blanks. */
bool sh_test_int(const char *s, long *out)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return false;
	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno || end == s || !(end[-1] >= '0' && end[-1] <= '9'))
		return false;
	while (*end == ' ' || *end == '\t')
		end++;
	return *end == '\0';
}

static bool is_unary(const char *s)
{
	return s[0] == '-' && s[1] && !s[2] && strchr("abcdefghknoprstuvwxzGLNOS", s[1]);
}

static bool is_binary(const char *s)
{
	static const char *const b[] = {"=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le",
					"-gt", "-ge", "-nt", "-ot", "-ef", NULL};
	for (const char *const *p = b; *p; p++)
		if (streq(s, *p))
			return true;
	return false;
}

static int unary(struct sh *sh, const char *op, const char *arg, int line)
{
	struct stat st;
	_cleanup_free_ char *p = NULL;

	switch (op[1]) {
	case 'n':
		return *arg ? 0 : 1;
	case 'z':
		return *arg ? 1 : 0;
	case 'v':
		if (sh_is_special_var(arg))
			return sh_decline(sh, line, "test -v of a shell variable");
		return shvars_get(&sh->vars, arg, 0) ? 0 : 1;
	case 'e': case 'f': case 'd': case 's': case 'L': case 'h': case 'r': case 'w': case 'x':
		break;
	default:
		return sh_decline(sh, line, "the test operator %s", op);
	}
	if (!*arg)
		return 1;
	p = sh_host_path(sh, arg);
	if (op[1] == 'L' || op[1] == 'h')
		return lstat(p, &st) == 0 && S_ISLNK(st.st_mode) ? 0 : 1;
	if (stat(p, &st) < 0)
		return 1;
	switch (op[1]) {
	case 'e':
		return 0;
	case 'f':
		return S_ISREG(st.st_mode) ? 0 : 1;
	case 'd':
		return S_ISDIR(st.st_mode) ? 0 : 1;
	case 's':
		return st.st_size > 0 ? 0 : 1;
	case 'r':
		return faccessat(AT_FDCWD, p, R_OK, AT_EACCESS) == 0 ? 0 : 1;
	case 'w':
		return faccessat(AT_FDCWD, p, W_OK, AT_EACCESS) == 0 ? 0 : 1;
	default:
		break;
	}
	return faccessat(AT_FDCWD, p, X_OK, AT_EACCESS) == 0 ? 0 : 1;
}

static int binary(struct sh *sh, const char *a, const char *op, const char *b, int line)
{
	long x, y;

	if (streq(op, "=") || streq(op, "=="))
		return streq(a, b) ? 0 : 1;
	if (streq(op, "!="))
		return streq(a, b) ? 1 : 0;
	if (op[0] != '-' || streq(op, "-nt") || streq(op, "-ot") || streq(op, "-ef"))
		return sh_decline(sh, line, "the test operator %s", op);
	if (!sh_test_int(a, &x) || !sh_test_int(b, &y))
		return 2; /* "integer expression expected" */
	if (streq(op, "-eq"))
		return x == y ? 0 : 1;
	if (streq(op, "-ne"))
		return x != y ? 0 : 1;
	if (streq(op, "-lt"))
		return x < y ? 0 : 1;
	if (streq(op, "-le"))
		return x <= y ? 0 : 1;
	if (streq(op, "-gt"))
		return x > y ? 0 : 1;
	return x >= y ? 0 : 1;
}

static int negate(int r)
{
	return r < 0 || r == 2 ? r : !r;
}

/* POSIX rules by argument count; longer expressions only when they have no -a/-o/( ). */
int sh_test(struct sh *sh, char **av, int ac, int line)
{
	switch (ac) {
	case 0:
		return 1;
	case 1:
		return *av[0] ? 0 : 1;
	case 2:
		if (streq(av[0], "!"))
			return *av[1] ? 1 : 0;
		if (is_unary(av[0]))
			return unary(sh, av[0], av[1], line);
		return 2;
	case 3:
		if (is_binary(av[1]))
			return binary(sh, av[0], av[1], av[2], line);
		if (streq(av[1], "-a") || streq(av[1], "-o")) {
			int x = *av[0] ? 0 : 1, y = *av[2] ? 0 : 1;
			return av[1][1] == 'a' ? (x == 0 && y == 0 ? 0 : 1) : (x == 0 || y == 0 ? 0 : 1);
		}
		if (streq(av[0], "!"))
			return negate(sh_test(sh, av + 1, 2, line));
		if (streq(av[0], "(") && streq(av[2], ")"))
			return *av[1] ? 0 : 1;
		return 2;
	case 4:
		if (streq(av[0], "!"))
			return negate(sh_test(sh, av + 1, 3, line));
		if (streq(av[0], "(") && streq(av[3], ")"))
			return sh_test(sh, av + 1, 2, line);
		break;
	default:
		break;
	}
	/* expr -a expr / expr -o expr built from 2- and 3-argument primaries */
	int i = 0, result = -1;
	bool pending_or = false, pending_and = false;
	while (i < ac) {
		int len, r;

		if (streq(av[i], "(") || streq(av[i], ")") || streq(av[i], "!"))
			return sh_decline(sh, line, "a complex test expression");
		if (i + 2 < ac && is_binary(av[i + 1]))
			len = 3;
		else if (i + 1 < ac && is_unary(av[i]))
			len = 2;
		else
			len = 1;
		r = sh_test(sh, av + i, len, line);
		if (r < 0 || r == 2)
			return r;
		if (pending_and)
			result = (result == 0 && r == 0) ? 0 : 1;
		else if (pending_or)
			return sh_decline(sh, line, "-o in a test expression");
		else
			result = r;
		i += len;
		pending_and = pending_or = false;
		if (i == ac)
			break;
		if (streq(av[i], "-a"))
			pending_and = true;
		else if (streq(av[i], "-o"))
			pending_or = true;
		else
			return 2;
		i++;
		if (i == ac)
			return 2;
	}
	return result < 0 ? 2 : result;
}

/* CPUs this process may run on, as coreutils nproc counts them. */
static long count_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		int n = CPU_COUNT(&set);
		if (n > 0)
			return n;
	}
	return sysconf(_SC_NPROCESSORS_ONLN);
}

bool sh_emulate_subst(const struct strv *av, struct strbuf *res)
{
	struct utsname u;
	const char *cmd = av->v[0];
	if (streq(cmd, "nproc") && av->n == 1) {
		sb_addf(res, "%ld", count_cpus());
	} else if (streq(cmd, "getconf") && av->n == 2 &&
		   (streq(av->v[1], "_NPROCESSORS_ONLN") || streq(av->v[1], "NPROCESSORS_ONLN"))) {
		sb_addf(res, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	} else if (streq(cmd, "getconf") && av->n == 2 &&
		   (streq(av->v[1], "_NPROCESSORS_CONF") || streq(av->v[1], "NPROCESSORS_CONF"))) {
		sb_addf(res, "%ld", sysconf(_SC_NPROCESSORS_CONF));
	} else if (streq(cmd, "uname") && av->n <= 2 && uname(&u) == 0 &&
		   (av->n == 1 || streq(av->v[1], "-r") || streq(av->v[1], "-m") ||
		    streq(av->v[1], "-s"))) {
		sb_adds(res, av->n == 1 || av->v[1][1] == 's' ? u.sysname
			      : av->v[1][1] == 'r'            ? u.release
							     : u.machine);
	} else if (streq(cmd, "echo") && !(av->n > 1 && av->v[1][0] == '-')) {
		for (size_t k = 1; k < av->n; k++)
			sb_addf(res, "%s%s", k > 1 ? " " : "", av->v[k]);
	} else if ((streq(cmd, "true") || streq(cmd, ":")) && av->n == 1) {
		/* no output */
	} else {
		return false;
	}
	return true;
}

/* ". FILE" / "source FILE": read the file for the interpreter to run (SH_RUN_SOURCED). */
static int builtin_source(struct sh *sh, char **av, int ac, int line, struct sh_sourced *src)
{
	_cleanup_free_ char *path = NULL;

	if (ac != 2)
		return sh_decline(sh, line, "'.' with arguments");
	if (!strchr(av[1], '/'))
		return sh_decline(sh, line, "'.' of a file searched in PATH");
	path = sh_host_path(sh, av[1]);
	if (!is_reg(path) || read_file(path, &src->text, &src->len, SH_MAX_FILE) < 0)
		return sh_decline(sh, line, "'.' of a missing or unreadable file (%s)", av[1]);
	if (sh->depth >= 8) {
		free(src->text);
		src->text = NULL;
		return sh_decline(sh, line, "'.' nested more than 8 files deep");
	}
	src->name = av[1];
	return SH_RUN_SOURCED;
}

int sh_builtin(struct sh *sh, char **av, int ac, int line, bool to_stderr, bool silent,
	       int *status, struct sh_sourced *src)
{
	const char *cmd = av[0];
	int r;

	if (streq(cmd, ":") || streq(cmd, "true")) {
		*status = 0;
	} else if (streq(cmd, "false")) {
		*status = 1;
	} else if (streq(cmd, "[") || streq(cmd, "test")) {
		if (cmd[0] == '[') {
			if (!streq(av[ac - 1], "]")) {
				*status = 2;
				return 0;
			}
			ac--;
		}
		r = sh_test(sh, av + 1, ac - 1, line);
		if (r < 0)
			return r;
		*status = r;
	} else if (streq(cmd, "echo")) {
		if (to_stderr && !silent) {
			if (ac > 1 && av[1][0] == '-')
				return sh_decline(sh, line, "echo with options");
			for (int k = 1; k < ac; k++)
				fprintf(stderr, "%s%s", k > 1 ? " " : "", av[k]);
			fputc('\n', stderr);
		}
		*status = 0;
	} else if (streq(cmd, ".") || streq(cmd, "source")) {
		return builtin_source(sh, av, ac, line, src);
	} else if (streq(cmd, "unset")) {
		int k = 1;
		if (k < ac && streq(av[k], "-v"))
			k++;
		for (; k < ac; k++) {
			if (!sh_valid_name(av[k]) || sh_is_special_var(av[k]))
				return sh_decline(sh, line, "unset %s", av[k]);
			shvars_unset(&sh->vars, av[k]);
		}
		*status = 0;
	} else if (streq(cmd, "return")) {
		long v = sh->status;
		if (ac > 2 || (ac == 2 && !sh_test_int(av[1], &v)))
			return sh_decline(sh, line, "return with this argument");
		sh->returning = true;
		*status = (int)(v & 255);
	} else if (streq(cmd, "shopt") && ac == 3 && streq(av[1], "-s") && streq(av[2], "extglob")) {
		*status = 0;
	} else {
		return SH_NOT_BUILTIN;
	}
	return 0;
}

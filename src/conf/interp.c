// SPDX-License-Identifier: GPL-2.0-or-later
/* interp.c - run the syntax tree: assignments, if, for, &&/||, and the few builtins dkms.conf uses. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "conf/sh.h"
#include "util/fs.h"
#include "util/strbuf.h"

int sh_decline(struct sh *sh, int line, const char *fmt, ...)
{
	va_list ap;

	if (sh->why)
		return -ENOTSUP;
	va_start(ap, fmt);
	if (vasprintf(&sh->why, fmt, ap) < 0)
		sh->why = NULL;
	va_end(ap);
	if (!sh->why)
		sh->why = xstrdup("an unsupported construct");
	/* one line: cut at a newline, blank out other control characters */
	char *nl = strchr(sh->why, '\n');
	if (nl) {
		char *cut = xasprintf("%.*s...", (int)(nl - sh->why), sh->why);
		free(sh->why);
		sh->why = cut;
	}
	for (char *c = sh->why; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	sh->why_line = line;
	sh->why_file = xstrdup(sh->cur_file ? sh->cur_file : sh->file ? sh->file : "");
	return -ENOTSUP;
}

void sh_init(struct sh *sh, const char *file, const char *cwd)
{
	memset(sh, 0, sizeof(*sh));
	sh->file = file;
	sh->cur_file = file;
	sh->cwd = cwd;
}

void sh_release(struct sh *sh)
{
	sh_end_frame(sh);
	shvars_release(&sh->vars);
	free(sh->why);
	free(sh->why_file);
	sh->why = sh->why_file = NULL;
}

void sh_end_frame(struct sh *sh)
{
	for (size_t i = sh->nlocals; i-- > 0;) {
		struct sh_local *l = &sh->locals[i];

		shvars_unset(&sh->vars, l->name);
		if (l->had) {
			shvars_put(&sh->vars, &l->saved);
			for (size_t k = 0; k < l->saved.n; k++)
				free(l->saved.elems[k].val);
			free(l->saved.elems);
			free(l->saved.name);
		}
		free(l->name);
	}
	free(sh->locals);
	sh->locals = NULL;
	sh->nlocals = 0;
}

char *sh_host_path(const struct sh *sh, const char *p)
{
	if (p[0] == '/' || !sh->cwd)
		return xstrdup(p);
	return path_join(sh->cwd, p);
}


static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	return n && sh_assign_prefix(s) == 0 && strspn(s, "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
						    "VWXYZ0123456789") == n &&
	       !(s[0] >= '0' && s[0] <= '9');
}

/* One assignment word (T_WORD NAME[sub]+=value or T_ARRAY). */
static int do_assign(struct sh *sh, const struct tok *tk, bool exported)
{
	const char *w = tk->text;
	size_t al = sh_assign_prefix(w), nl = strcspn(w, "[+=");
	bool append = w[al - 2] == '+';
	_cleanup_free_ char *name = xstrndup(w, nl);
	long idx = -1;
	int r;

	if (sh_is_special_var(name))
		return sh_decline(sh, tk->line, "assigning the shell variable %s", name);
	if (w[nl] == '[') {
		const char *e = strchr(w + nl, ']');
		_cleanup_free_ char *sub = NULL;

		if (tk->kind == T_ARRAY)
			return sh_decline(sh, tk->line, "an array assignment to an element");
		_cleanup_free_ char *raw = xstrndup(w + nl + 1, (size_t)(e - w - nl - 1));
		if (streq(raw, "@") || streq(raw, "*"))
			return sh_decline(sh, tk->line, "a bad array subscript");
		r = sh_expand_string(sh, raw, tk->line, &sub);
		if (r < 0)
			return r;
		r = sh_arith(sh, sub, strlen(sub), tk->line, &idx);
		if (r < 0)
			return r;
		if (idx < 0)
			return sh_decline(sh, tk->line, "a negative array index");
	}
	if (tk->kind == T_ARRAY) {
		_cleanup_strv_ struct strv vals = STRV_INIT;
		long base = 0;

		for (size_t i = 0; i < tk->elems.n; i++) {
			if (tk->elems.v[i][0] == '[')
				return sh_decline(sh, tk->line, "[index]=value in an array literal");
			r = sh_expand_fields(sh, tk->elems.v[i], tk->line, &vals);
			if (r < 0)
				return r;
		}
		if (append) {
			base = shvars_len(&sh->vars, name);
		} else {
			struct shvar *v = shvars_declare(&sh->vars, name);
			for (size_t k = 0; k < v->n; k++)
				free(v->elems[k].val);
			free(v->elems);
			v->elems = NULL;
			v->n = 0;
		}
		struct shvar *v = shvars_declare(&sh->vars, name);
		v->is_array = true;
		v->exported |= exported;
		for (size_t i = 0; i < vals.n; i++)
			shvar_set_elem(v, base + (long)i, vals.v[i]);
		return 0;
	}
	_cleanup_free_ char *val = NULL;
	r = sh_expand_string(sh, w + al, tk->line, &val);
	if (r < 0)
		return r;
	if (append) {
		const char *old = shvars_get(&sh->vars, name, idx < 0 ? 0 : idx);
		if (old) {
			if (strlen(old) + strlen(val) > SH_MAX_VALUE)
				return sh_decline(sh, tk->line, "a value longer than %u bytes",
						  SH_MAX_VALUE);
			char *nv = xasprintf("%s%s", old, val);
			free(val);
			val = nv;
		}
	}
	shvars_set(&sh->vars, name, idx, val);
	if (exported)
		shvars_declare(&sh->vars, name)->exported = true;
	return 0;
}

/* Only redirections that cannot change anything: to /dev/null or between stdout and stderr. */
static int check_redirs(struct sh *sh, const struct node *n, bool *to_stderr, bool *silent)
{
	*to_stderr = *silent = false;
	for (size_t i = 0; i < n->nredirs; i++) {
		const struct redir *rd = &n->redirs[i];
		int fd = rd->fd < 0 ? (rd->op[0] == '<' ? 0 : 1) : rd->fd;

		if ((streq(rd->op, ">") || streq(rd->op, ">>") || streq(rd->op, ">|")) &&
		    streq(rd->target, "/dev/null")) {
			if (fd == 1)
				*silent = true;
			continue;
		}
		if (streq(rd->op, ">&") && (streq(rd->target, "1") || streq(rd->target, "2"))) {
			if (fd == 1 && streq(rd->target, "2"))
				*to_stderr = true;
			continue;
		}
		if (streq(rd->op, "<") && streq(rd->target, "/dev/null"))
			continue;
		return sh_decline(sh, rd->line, "a redirection (%s%s)", rd->op, rd->target);
	}
	return 0;
}

/* bash's test/[ integers: optional blanks, sign, digits, blanks. */
static bool test_int(const char *s, long *out)
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
	if (!test_int(a, &x) || !test_int(b, &y))
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

static int test_n(struct sh *sh, char **av, int ac, int line);

static int negate(int r)
{
	return r < 0 || r == 2 ? r : !r;
}

/* POSIX rules by argument count; longer expressions only when they have no -a/-o/( ). */
static int test_n(struct sh *sh, char **av, int ac, int line)
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
			return negate(test_n(sh, av + 1, 2, line));
		if (streq(av[0], "(") && streq(av[2], ")"))
			return *av[1] ? 0 : 1;
		return 2;
	case 4:
		if (streq(av[0], "!"))
			return negate(test_n(sh, av + 1, 3, line));
		if (streq(av[0], "(") && streq(av[3], ")"))
			return test_n(sh, av + 1, 2, line);
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
		r = test_n(sh, av + i, len, line);
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

static int builtin_source(struct sh *sh, char **av, int ac, int line, int *status)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len;
	int r;

	if (ac != 2)
		return sh_decline(sh, line, "'.' with arguments");
	if (!strchr(av[1], '/'))
		return sh_decline(sh, line, "'.' of a file searched in PATH");
	path = sh_host_path(sh, av[1]);
	if (!is_reg(path) || read_file(path, &text, &len, SH_MAX_FILE) < 0)
		return sh_decline(sh, line, "'.' of a missing or unreadable file (%s)", av[1]);
	if (sh->depth >= 8)
		return sh_decline(sh, line, "'.' nested more than 8 files deep");
	sh->depth++;
	const char *saved = sh->cur_file;
	r = sh_run_text(sh, text, len, av[1], status);
	sh->cur_file = saved;
	sh->depth--;
	return r;
}

static int declare_local(struct sh *sh, const char *name)
{
	for (size_t i = 0; i < sh->nlocals; i++)
		if (streq(sh->locals[i].name, name))
			return 0;
	sh->locals = xreallocarray(sh->locals, sh->nlocals + 1, sizeof(*sh->locals));
	struct sh_local *l = &sh->locals[sh->nlocals++];
	const struct shvar *v = shvars_find(&sh->vars, name);
	memset(l, 0, sizeof(*l));
	l->name = xstrdup(name);
	if (v) {
		l->had = true;
		l->saved = *v;
		l->saved.name = xstrdup(v->name);
		l->saved.elems = xreallocarray(NULL, v->n ? v->n : 1, sizeof(*v->elems));
		for (size_t k = 0; k < v->n; k++) {
			l->saved.elems[k].idx = v->elems[k].idx;
			l->saved.elems[k].val = xstrdup(v->elems[k].val);
		}
		/* a new local starts unset */
		shvars_unset(&sh->vars, name);
	}
	shvars_declare(&sh->vars, name);
	return 0;
}

/* local / export NAME[=value]...: values are not split (declaration builtins). */
static int builtin_declare(struct sh *sh, const struct node *n, size_t first, bool local)
{
	for (size_t i = first; i < n->nargs; i++) {
		const struct tok *tk = &n->args[i];
		size_t al;
		int r;

		if (tk->kind == T_ARRAY)
			return sh_decline(sh, tk->line, "an array literal after local/export");
		al = sh_assign_prefix(tk->text);
		if (al) {
			_cleanup_free_ char *name = xstrndup(tk->text, strcspn(tk->text, "[+="));
			if (tk->text[strlen(name)] == '[')
				return sh_decline(sh, tk->line, "local/export of an array element");
			if (local)
				declare_local(sh, name);
			r = do_assign(sh, tk, !local);
			if (r < 0)
				return r;
			continue;
		}
		if (!valid_name(tk->text))
			return sh_decline(sh, tk->line, "%s with options or computed names",
					  local ? "local" : "export");
		if (sh_is_special_var(tk->text))
			return sh_decline(sh, tk->line, "%s of %s", local ? "local" : "export",
					  tk->text);
		if (local)
			declare_local(sh, tk->text);
		else
			shvars_declare(&sh->vars, tk->text)->exported = true;
	}
	return 0;
}

static int run_simple(struct sh *sh, const struct node *n, int *status)
{
	_cleanup_strv_ struct strv av = STRV_INIT;
	bool to_stderr, silent;
	size_t i = 0;
	int r;

	r = check_redirs(sh, n, &to_stderr, &silent);
	if (r < 0)
		return r;
	while (i < n->nargs && (n->args[i].kind == T_ARRAY || sh_assign_prefix(n->args[i].text)))
		i++;
	if (i == n->nargs) {
		*status = 0;
		for (size_t k = 0; k < n->nargs; k++)
			if ((r = do_assign(sh, &n->args[k], false)) < 0)
				return r;
		return 0;
	}
	if (i > 0)
		return sh_decline(sh, n->line, "an assignment before a command");
	/* declaration builtins see their arguments as assignments */
	if (streq(n->args[0].text, "local") || streq(n->args[0].text, "export")) {
		*status = 0;
		return builtin_declare(sh, n, 1, n->args[0].text[0] == 'l');
	}
	for (size_t k = 0; k < n->nargs; k++) {
		if (n->args[k].kind == T_ARRAY)
			return sh_decline(sh, n->line, "an array literal as an argument");
		r = sh_expand_fields(sh, n->args[k].text, n->args[k].line, &av);
		if (r < 0)
			return r;
	}
	if (!av.n) {
		*status = 0;
		return 0;
	}
	char **a = av.v;
	int ac = (int)av.n;
	const char *cmd = a[0];

	if (streq(cmd, ":") || streq(cmd, "true")) {
		*status = 0;
	} else if (streq(cmd, "false")) {
		*status = 1;
	} else if (streq(cmd, "[") || streq(cmd, "test")) {
		if (cmd[0] == '[') {
			if (!streq(a[ac - 1], "]")) {
				*status = 2;
				return 0;
			}
			ac--;
		}
		r = test_n(sh, a + 1, ac - 1, n->line);
		if (r < 0)
			return r;
		*status = r;
	} else if (streq(cmd, "echo")) {
		if (to_stderr && !silent) {
			if (ac > 1 && a[1][0] == '-')
				return sh_decline(sh, n->line, "echo with options");
			for (int k = 1; k < ac; k++)
				fprintf(stderr, "%s%s", k > 1 ? " " : "", a[k]);
			fputc('\n', stderr);
		}
		*status = 0;
	} else if (streq(cmd, ".") || streq(cmd, "source")) {
		r = builtin_source(sh, a, ac, n->line, status);
		if (r < 0)
			return r;
	} else if (streq(cmd, "unset")) {
		int k = 1;
		if (k < ac && streq(a[k], "-v"))
			k++;
		for (; k < ac; k++) {
			if (!valid_name(a[k]) || sh_is_special_var(a[k]))
				return sh_decline(sh, n->line, "unset %s", a[k]);
			shvars_unset(&sh->vars, a[k]);
		}
		*status = 0;
	} else if (streq(cmd, "return")) {
		long v = sh->status;
		if (ac > 2 || (ac == 2 && !test_int(a[1], &v)))
			return sh_decline(sh, n->line, "return with this argument");
		sh->returning = true;
		*status = (int)(v & 255);
	} else if (streq(cmd, "shopt") && ac == 3 && streq(a[1], "-s") && streq(a[2], "extglob")) {
		*status = 0;
	} else {
		return sh_decline(sh, n->line, "the command '%.40s'", cmd);
	}
	return 0;
}

int sh_run(struct sh *sh, const struct node *n, int *status)
{
	int r = 0, st = 0;

	if (++sh->steps > SH_MAX_STEPS)
		return sh_decline(sh, n->line, "more than %ld commands", SH_MAX_STEPS);
	switch (n->kind) {
	case N_LIST:
		for (size_t i = 0; i < n->nkids && !sh->returning; i++) {
			if (n->conns[i] == C_AND && st != 0)
				continue;
			if (n->conns[i] == C_OR && st == 0)
				continue;
			r = sh_run(sh, n->kids[i], &st);
			if (r < 0)
				return r;
			sh->status = st;
		}
		break;
	case N_IF:
		r = sh_run(sh, n->a, &st);
		if (r < 0 || sh->returning)
			break;
		if (st == 0)
			r = sh_run(sh, n->b, &st);
		else if (n->c)
			r = sh_run(sh, n->c, &st);
		else
			st = 0;
		break;
	case N_FOR: {
		_cleanup_strv_ struct strv words = STRV_INIT;

		if (sh_is_special_var(n->var))
			return sh_decline(sh, n->line, "a for loop over %s", n->var);
		for (size_t i = 0; i < n->nargs; i++)
			if ((r = sh_expand_fields(sh, n->args[i].text, n->args[i].line, &words)) < 0)
				return r;
		st = 0;
		for (size_t i = 0; i < words.n && !sh->returning; i++) {
			if (++sh->steps > SH_MAX_STEPS)
				return sh_decline(sh, n->line, "more than %ld commands", SH_MAX_STEPS);
			shvars_set(&sh->vars, n->var, -1, words.v[i]);
			r = sh_run(sh, n->b, &st);
			if (r < 0)
				return r;
		}
		break;
	}
	case N_GROUP: {
		bool e, s;
		r = check_redirs(sh, n, &e, &s);
		if (r < 0 || e)
			return r < 0 ? r : sh_decline(sh, n->line, "a redirected { } group");
		r = sh_run(sh, n->a, &st);
		break;
	}
	case N_SIMPLE:
		r = run_simple(sh, n, &st);
		break;
	}
	if (r < 0)
		return r;
	if (n->negate)
		st = !st;
	*status = st;
	return 0;
}

int sh_run_text(struct sh *sh, const char *src, size_t len, const char *file, int *status)
{
	struct toks t = {0};
	struct node *root = NULL;
	int r;

	sh->cur_file = file;
	if (memchr(src, '\0', len))
		return sh_decline(sh, 1, "a NUL byte in the file");
	r = sh_lex(sh, src, len, 1, &t);
	if (r >= 0)
		r = sh_parse(sh, &t, &root);
	if (r >= 0) {
		*status = 0;
		r = sh_run(sh, root, status);
		sh->returning = false;
	}
	node_free(root);
	toks_release(&t);
	return r;
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

int sh_command_subst(struct sh *sh, const char *text, size_t n, int line, char **out)
{
	struct toks t = {0};
	struct node *root = NULL;
	_cleanup_strv_ struct strv av = STRV_INIT;
	struct strbuf res = STRBUF_INIT;
	const char *saved_file = sh->cur_file;
	bool saved_sub = sh->in_subst;
	int r;

	*out = NULL;
	r = sh_lex(sh, text, n, line, &t);
	if (r >= 0)
		r = sh_parse(sh, &t, &root);
	if (r < 0)
		goto out;
	const struct node *c = root;
	if (c->kind == N_LIST && c->nkids == 1 && c->conns[0] == C_SEQ)
		c = c->kids[0];
	if (c->kind != N_SIMPLE || c->negate || !c->nargs ||
	    sh_assign_prefix(c->args[0].text) || c->args[0].kind != T_WORD) {
		r = sh_decline(sh, line, "the command substitution $(%.*s)", (int)(n > 40 ? 40 : n),
			       text);
		goto out;
	}
	bool to_stderr, silent;
	r = check_redirs(sh, c, &to_stderr, &silent);
	if (r < 0)
		goto out;
	sh->in_subst = true;
	for (size_t k = 0; k < c->nargs && r >= 0; k++) {
		if (c->args[k].kind != T_WORD)
			r = sh_decline(sh, line, "an array literal in a command substitution");
		else
			r = sh_expand_fields(sh, c->args[k].text, line, &av);
	}
	sh->in_subst = saved_sub;
	if (r < 0)
		goto out;
	if (!av.n) {
		*out = xstrdup("");
		goto out;
	}
	struct utsname u;
	const char *cmd = av.v[0];
	if (streq(cmd, "nproc") && av.n == 1) {
		sb_addf(&res, "%ld", count_cpus());
	} else if (streq(cmd, "getconf") && av.n == 2 &&
		   (streq(av.v[1], "_NPROCESSORS_ONLN") || streq(av.v[1], "NPROCESSORS_ONLN"))) {
		sb_addf(&res, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	} else if (streq(cmd, "getconf") && av.n == 2 &&
		   (streq(av.v[1], "_NPROCESSORS_CONF") || streq(av.v[1], "NPROCESSORS_CONF"))) {
		sb_addf(&res, "%ld", sysconf(_SC_NPROCESSORS_CONF));
	} else if (streq(cmd, "uname") && av.n <= 2 && uname(&u) == 0 &&
		   (av.n == 1 || streq(av.v[1], "-r") || streq(av.v[1], "-m") ||
		    streq(av.v[1], "-s"))) {
		sb_adds(&res, av.n == 1 || av.v[1][1] == 's' ? u.sysname
			      : av.v[1][1] == 'r'            ? u.release
							     : u.machine);
	} else if (streq(cmd, "echo") && !(av.n > 1 && av.v[1][0] == '-')) {
		for (size_t k = 1; k < av.n; k++)
			sb_addf(&res, "%s%s", k > 1 ? " " : "", av.v[k]);
	} else if ((streq(cmd, "true") || streq(cmd, ":")) && av.n == 1) {
		/* no output */
	} else {
		r = sh_decline(sh, line, "the command substitution $(%.40s)", cmd);
		goto out;
	}
	if (silent || to_stderr)
		sb_reset(&res);
	while (res.len && res.buf[res.len - 1] == '\n')
		res.buf[--res.len] = '\0';
	*out = sb_steal(&res);
out:
	sh->cur_file = saved_file;
	sb_release(&res);
	node_free(root);
	toks_release(&t);
	if (r < 0) {
		free(*out);
		*out = NULL;
		return r;
	}
	if (!*out)
		*out = xstrdup("");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* lint.c - "ndkms lint": check a dkms.conf for packagers, or print its evaluated directives. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/exitcode.h"
#include "cmd/opts.h"
#include "conf/dkmsconf.h"
#include "conf/eval.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

static const char lint_help[] =
	"Usage: ndkms lint [--print] [--allow-shell] [-k KERNELVER] [-a ARCH] PATH|MODULE/VERSION\n"
	"Check a dkms.conf (a file, a folder holding one, or an added module/version) and print\n"
	"one line per finding, \"FILE:LINE: warning|error: text\".  With --print, print the\n"
	"directives as dkms evaluates them instead, one NAME=value or NAME[i]=value per line.\n"
	"lint never runs the file's code: a file that needs /bin/bash is an error (exit 8) naming\n"
	"file, line and construct, unless --allow-shell lets the bash fallback evaluate it.\n";

#define NO_SHELL_TEXT "lint runs a file's code only with --allow-shell"

struct finding {
	int line;
	bool error;
	char *text;
	size_t order;
};

struct lint {
	const char *file;     /* as shown */
	struct finding *f;
	size_t n;
	/* directive name -> line of its last assignment, from a line scan */
	struct strv names;
	int *lines;
};

static void add_finding(struct lint *l, int line, bool error, char *text)
{
	l->f = xreallocarray(l->f, l->n + 1, sizeof(*l->f));
	l->f[l->n] = (struct finding){line, error, text, l->n};
	l->n++;
}

static int line_of(const struct lint *l, const char *name)
{
	for (size_t i = l->names.n; i-- > 0;)
		if (streq(l->names.v[i], name))
			return l->lines[i];
	return 1;
}

static int find_conf(struct ndkms_ctx *ctx, const char *arg, char **out)
{
	_cleanup_free_ char *c = NULL;

	if (is_reg(arg)) {
		*out = xstrdup(arg);
		return 0;
	}
	if (is_dir(arg)) {
		c = path_join(arg, "dkms.conf");
		if (is_reg(c)) {
			*out = TAKE_PTR(c);
			return 0;
		}
	} else if (strchr(arg, '/') && !strchr(strchr(arg, '/') + 1, '/') && arg[0] != '/' &&
		   arg[0] != '.') {
		_cleanup_free_ char *m = xstrndup(arg, strcspn(arg, "/"));
		const char *v = strchr(arg, '/') + 1;

		c = xasprintf("%s/%s/%s/source/dkms.conf", ctx->env->dkms_tree, m, v);
		if (is_reg(c)) {
			*out = TAKE_PTR(c);
			return 0;
		}
		free(c);
		c = xasprintf("%s/%s-%s/dkms.conf", ctx->env->source_tree, m, v);
		if (is_reg(c)) {
			*out = TAKE_PTR(c);
			return 0;
		}
	}
	log_error("Could not locate dkms.conf file.\nFile: %s does not exist.", c ? c : arg);
	return DKMS_EXIT(4);
}

static void set_preset(struct ndkms_ctx *ctx, struct shvars *p, const char *kver, const char *arch)
{
	_cleanup_free_ char *ksd = ctx_kernel_source_dir(ctx, kver);

	shvars_set(p, "kernelver", -1, kver);
	shvars_set(p, "arch", -1, arch);
	shvars_set(p, "dkms_tree", -1, ctx_display(ctx, ctx->env->dkms_tree));
	shvars_set(p, "source_tree", -1, ctx_display(ctx, ctx->env->source_tree));
	shvars_set(p, "kernel_source_dir", -1, ctx_display(ctx, ksd));
}

static int print_directives(const struct shvars *vars)
{
	for (const char *const *n = dkms_directive_names; *n; n++) {
		const struct shvar *v = shvars_find(vars, *n);

		for (size_t i = 0; v && i < v->n; i++) {
			_cleanup_free_ char *e = conf_escape_value(v->elems[i].val);
			if (v->is_array)
				printf("%s[%ld]=%s\n", v->name, v->elems[i].idx, e);
			else
				printf("%s=%s\n", v->name, e);
		}
	}
	return 0;
}

static bool is_known(const char *name)
{
	for (const char *const *n = dkms_conf_variables; *n; n++)
		if (streq(*n, name))
			return true;
	return false;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t d = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			cur[j] = d;
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

/* Top-level assignments NAME=, NAME[i]=, NAME+=, found line by line. */
static void scan_assignments(struct lint *l, const char *text)
{
	regex_t re;
	regmatch_t m[2];
	int line = 1;

	if (regcomp(&re, "^[ \t]*(export[ \t]+|local[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)(\\[[^]]*\\])?\\+?=",
		    REG_EXTENDED) != 0)
		return;
	for (const char *p = text; *p; line++) {
		size_t n = strcspn(p, "\n");
		_cleanup_free_ char *ln = xstrndup(p, n);
		regmatch_t mm[3];

		if (regexec(&re, ln, 3, mm, 0) == 0) {
			strv_push_take(&l->names, xstrndup(ln + mm[2].rm_so,
							   (size_t)(mm[2].rm_eo - mm[2].rm_so)));
			l->lines = xreallocarray(l->lines, l->names.n, sizeof(*l->lines));
			l->lines[l->names.n - 1] = line;
		}
		p += n;
		if (*p)
			p++;
	}
	(void)m;
	regfree(&re);
}

static void check_names(struct lint *l)
{
	static const char *const prefixes[] = {"BUILT_", "DEST_", "BUILD_", "PACKAGE_", "POST_",
					       "PRE_", "MAKE", "PATCH"};

	for (size_t i = 0; i < l->names.n; i++) {
		const char *n = l->names.v[i];
		const char *best = NULL;
		size_t bd = 99;
		bool dup = false;

		if (strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strlen(n) || is_known(n))
			continue;
		for (size_t k = 0; k < i; k++)
			if (streq(l->names.v[k], n))
				dup = true;
		if (dup)
			continue;
		for (const char *const *d = dkms_conf_variables; *d; d++) {
			size_t e = edit_distance(n, *d);
			if (e < bd) {
				bd = e;
				best = *d;
			}
		}
		bool prefixed = false;
		for (size_t k = 0; k < ARRAY_SIZE(prefixes); k++)
			if (strneq(n, prefixes[k], strlen(prefixes[k])))
				prefixed = true;
		if (bd <= 2 && strlen(n) > 4)
			add_finding(l, l->lines[i], false,
				    xasprintf("'%s' is not a dkms directive and is ignored (did you "
					      "mean '%s'?)", n, best));
		else if (prefixed)
			add_finding(l, l->lines[i], false,
				    xasprintf("'%s' looks like a dkms directive but is not one; dkms "
					      "ignores it", n));
	}
}

static void report(void *ud, bool error, const char *directive, const char *text)
{
	struct lint *l = ud;
	const char *t = text;

	if (strneq(t, "dkms.conf: ", 11))
		t += 11;
	if (strneq(t, "Error! ", 7))
		t += 7;
	else if (strneq(t, "Warning! ", 9))
		t += 9;
	add_finding(l, directive ? line_of(l, directive) : 1, error, xstrdup(t));
}

static int cmp_finding(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int lint_help_opt(_unused_ void *data, _unused_ const struct opt *opt,
			 _unused_ const char *arg)
{
	fputs(lint_help, stdout);
	return OPTS_STOP;
}

static int lint_operand(void *data, const char *a)
{
	const char **arg = data;

	if (*arg) {
		log_error("lint takes one dkms.conf, a folder or MODULE/VERSION.");
		fputs(lint_help, stderr);
		return DKMS_EXIT(2);
	}
	*arg = a;
	return 0;
}

static int cmd_lint_run(struct ndkms_ctx *ctx, int argc, char **argv)
{
	const char *kver = NULL, *arch = NULL, *arg = NULL, *bad;
	bool print = false, allow_shell = false;
	int r;

	const struct opt opts[] = {
		OPT_CALL("help", 'h', false, lint_help_opt),
		OPT_BOOL("print", 0, &print),
		OPT_BOOL("allow-shell", 0, &allow_shell),
		OPT_STR(NULL, 'k', &kver),
		OPT_STR(NULL, 'a', &arch),
	};
	const struct opts p = {.opt = opts, .n = ARRAY_SIZE(opts), .in_order = true,
			       .operand = lint_operand, .data = &arg};
	r = opts_parse(&p, argc, argv, NULL, &bad);
	if (r == OPTS_STOP)
		return 0;
	if (r == OPTS_BAD) {
		log_error("Unknown option: %s", bad);
		fputs(lint_help, stderr);
		return DKMS_EXIT(2);
	}
	if (r < 0)
		return r;
	if (!arg) {
		log_error("lint needs a dkms.conf, a folder or MODULE/VERSION.");
		fputs(lint_help, stderr);
		return DKMS_EXIT(2);
	}
	if (!kver || !*kver)
		kver = ctx->env->running_kernel;
	if (!arch || !*arch)
		arch = ctx->env->running_arch;
	if ((r = cmd_check_kver(kver, "kernel version")) < 0 ||
	    (r = cmd_check_kver(arch, "architecture")) < 0)
		return r;

	_cleanup_free_ char *path = NULL, *dir = NULL;
	r = find_conf(ctx, arg, &path);
	if (r < 0)
		return r;
	dir = path_dirname(path);

	_cleanup_shvars_ struct shvars preset = SHVARS_INIT;
	set_preset(ctx, &preset, kver, arch);
	struct eval_opts eo = {
		.path = path,
		.cwd = dir,
		.preset = &preset,
		.names = dkms_directive_order,
		.reeval = true,
		.allow_fallback = ctx->env->shell_fallback && allow_shell,
		.timeout_ms = ctx->env->shell_timeout_ms,
	};
	struct eval_result res = {0};
	r = conf_eval_file(&eo, &res);
	/* refused by lint itself rather than by ndkms.conf: say so, with file, line and construct */
	bool no_shell = r == -ENOTSUP && ctx->env->shell_fallback && !allow_shell;
	if (print && no_shell) {
		if (res.declined_line > 0)
			log_error("%s:%d: %s needs the shell fallback (/bin/bash); " NO_SHELL_TEXT,
				  res.declined_file ? res.declined_file : path, res.declined_line,
				  res.declined ? res.declined : "the file");
		else
			log_error("%s: %s needs the shell fallback (/bin/bash); " NO_SHELL_TEXT,
				  res.declined_file ? res.declined_file : path,
				  res.declined ? res.declined : "the file");
		eval_result_release(&res);
		return DKMS_EXIT(8);
	}
	if (print) {
		if (r < 0) {
			log_error("%s", res.diag ? res.diag : strerror(-r));
			eval_result_release(&res);
			return DKMS_EXIT(8);
		}
		print_directives(&res.vars);
		eval_result_release(&res);
		return 0;
	}

	struct lint l = {.file = path};
	_cleanup_free_ char *text = NULL;
	if (read_file(path, &text, NULL, 8u << 20) == 0)
		scan_assignments(&l, text);
	if (res.declined)
		add_finding(&l, res.declined_line > 0 ? res.declined_line : 1, r == -ENOTSUP,
			    xasprintf("%s needs the shell fallback (/bin/bash)%s", res.declined,
				      no_shell	       ? "; " NO_SHELL_TEXT
				      : r == -ENOTSUP ? ", which is disabled in /etc/ndkms/ndkms.conf"
						       : ""));
	if (r < 0 && r != -ENOTSUP)
		add_finding(&l, 1, true, xstrdup(res.diag ? res.diag : strerror(-r)));
	check_names(&l);
	if (r >= 0) {
		/* validate with dkms's rules, in strict mode, with lint's wording */
		const char *const *dirs = NULL;
		struct dkms_conf_opts co = {
			.path = path, .kver = kver, .arch = arch, .distro = ctx->env->distro,
			.strict = true, .directives = dirs,
		};
		struct dkms_conf conf;
		memset(&conf, 0, sizeof(conf));
		dkms_conf_validate(&res.vars, &co, &conf, report, &l);
		dkms_conf_release(&conf);
		for (const char *const *n = dkms_conf_deprecated_names; *n; n++) {
			if (!dkms_conf_uses_deprecated(&res.vars, *n))
				continue;
			add_finding(&l, line_of(&l, *n), false,
				    streq(*n, "CLEAN")
					    ? xstrdup("CLEAN is deprecated and no longer run by dkms 3.1+")
					    : xasprintf("%s is deprecated and ignored by dkms 3.x", *n));
		}
	}
	eval_result_release(&res);

	bool errors = false;
	if (l.n > 1)
		qsort(l.f, l.n, sizeof(*l.f), cmp_finding);
	for (size_t i = 0; i < l.n; i++) {
		printf("%s:%d: %s: %s\n", path, l.f[i].line, l.f[i].error ? "error" : "warning",
		       l.f[i].text);
		errors |= l.f[i].error;
		free(l.f[i].text);
	}
	free(l.f);
	free(l.lines);
	strv_release(&l.names);
	return errors ? DKMS_EXIT(8) : 0;
}

const struct cmd cmd_lint = {
	"lint",
	cmd_lint_run,
	"check a dkms.conf, or print its evaluated directives (--print)",
	CMD_OWN_ARGS,
};

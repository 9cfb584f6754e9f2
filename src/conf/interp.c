// SPDX-License-Identifier: GPL-2.0-or-later
/* interp.c - run the syntax tree: lists, if, for, groups, simple commands and sourced files. */
#include <errno.h>
#include <string.h>

#include "conf/sh.h"
#include "util/strbuf.h"

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

static int run_simple(struct sh *sh, const struct node *n, int *status)
{
	_cleanup_strv_ struct strv av = STRV_INIT;
	const struct words *args = &n->simple.args;
	bool to_stderr, silent;
	size_t i = 0;
	int r;

	r = sh_check_redirs(sh, &n->simple.redirs, &to_stderr, &silent);
	if (r < 0)
		return r;
	while (i < args->n && (args->v[i].kind == T_ARRAY || sh_assign_prefix(args->v[i].text)))
		i++;
	if (i == args->n) {
		*status = 0;
		for (size_t k = 0; k < args->n; k++)
			if ((r = sh_assign(sh, &args->v[k], false)) < 0)
				return r;
		return 0;
	}
	if (i > 0)
		return sh_decline(sh, n->line, "an assignment before a command");
	/* declaration builtins see their arguments as assignments */
	if (streq(args->v[0].text, "local") || streq(args->v[0].text, "export")) {
		*status = 0;
		return sh_declare(sh, args, 1, args->v[0].text[0] == 'l');
	}
	for (size_t k = 0; k < args->n; k++) {
		if (args->v[k].kind == T_ARRAY)
			return sh_decline(sh, n->line, "an array literal as an argument");
		r = sh_expand_fields(sh, args->v[k].text, args->v[k].line, &av);
		if (r < 0)
			return r;
	}
	if (!av.n) {
		*status = 0;
		return 0;
	}
	struct sh_sourced src = {0};
	r = sh_builtin(sh, av.v, (int)av.n, n->line, to_stderr, silent, status, &src);
	if (r == SH_NOT_BUILTIN)
		return sh_decline(sh, n->line, "the command '%.40s'", av.v[0]);
	if (r == SH_RUN_SOURCED) {
		const char *saved = sh->cur_file;

		sh->depth++;
		r = sh_run_text(sh, src.text, src.len, src.name, status);
		sh->cur_file = saved;
		sh->depth--;
		free(src.text);
	}
	return r < 0 ? r : 0;
}

int sh_run(struct sh *sh, const struct node *n, int *status)
{
	int r = 0, st = 0;

	if (++sh->steps > SH_MAX_STEPS)
		return sh_decline(sh, n->line, "more than %ld commands", SH_MAX_STEPS);
	switch (n->kind) {
	case N_LIST:
		for (size_t i = 0; i < n->list.nkids && !sh->returning; i++) {
			if (n->list.conns[i] == C_AND && st != 0)
				continue;
			if (n->list.conns[i] == C_OR && st == 0)
				continue;
			r = sh_run(sh, n->list.kids[i], &st);
			if (r < 0)
				return r;
			sh->status = st;
		}
		break;
	case N_IF:
		r = sh_run(sh, n->if_.cond, &st);
		if (r < 0 || sh->returning)
			break;
		if (st == 0)
			r = sh_run(sh, n->if_.then, &st);
		else if (n->if_.else_)
			r = sh_run(sh, n->if_.else_, &st);
		else
			st = 0;
		break;
	case N_FOR: {
		_cleanup_strv_ struct strv words = STRV_INIT;
		const struct words *in = &n->for_.words;

		if (sh_is_special_var(n->for_.var))
			return sh_decline(sh, n->line, "a for loop over %s", n->for_.var);
		for (size_t i = 0; i < in->n; i++)
			if ((r = sh_expand_fields(sh, in->v[i].text, in->v[i].line, &words)) < 0)
				return r;
		st = 0;
		for (size_t i = 0; i < words.n && !sh->returning; i++) {
			if (++sh->steps > SH_MAX_STEPS)
				return sh_decline(sh, n->line, "more than %ld commands", SH_MAX_STEPS);
			shvars_set(&sh->vars, n->for_.var, -1, words.v[i]);
			r = sh_run(sh, n->for_.body, &st);
			if (r < 0)
				return r;
		}
		break;
	}
	case N_GROUP: {
		bool e, s;
		r = sh_check_redirs(sh, &n->group.redirs, &e, &s);
		if (r < 0 || e)
			return r < 0 ? r : sh_decline(sh, n->line, "a redirected { } group");
		r = sh_run(sh, n->group.body, &st);
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

// SPDX-License-Identifier: GPL-2.0-or-later
/* parser.c - build the syntax tree of the shell subset from tokens; decline everything else. */
#include <errno.h>
#include <string.h>

#include "conf/sh.h"

struct parser {
	struct sh *sh;
	struct toks *t;
	size_t i;
	int depth;
};

static struct tok *peek(struct parser *p)
{
	return &p->t->v[p->i];
}

static bool is_word(struct parser *p, const char *w)
{
	struct tok *tk = peek(p);

	return tk->kind == T_WORD && streq(tk->text, w);
}

static void skip_newlines(struct parser *p)
{
	while (peek(p)->kind == T_NEWLINE)
		p->i++;
}

static void words_release(struct words *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->v[i].text);
		strv_release(&w->v[i].elems);
	}
	free(w->v);
}

static void redirs_release(struct redirs *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->v[i].op);
		free(rs->v[i].target);
	}
	free(rs->v);
}

void node_free(struct node *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case N_LIST:
		for (size_t i = 0; i < n->list.nkids; i++)
			node_free(n->list.kids[i]);
		free(n->list.kids);
		free(n->list.conns);
		break;
	case N_SIMPLE:
		words_release(&n->simple.args);
		redirs_release(&n->simple.redirs);
		break;
	case N_IF:
		node_free(n->if_.cond);
		node_free(n->if_.then);
		node_free(n->if_.else_);
		break;
	case N_FOR:
		free(n->for_.var);
		words_release(&n->for_.words);
		node_free(n->for_.body);
		break;
	case N_GROUP:
		node_free(n->group.body);
		redirs_release(&n->group.redirs);
		break;
	}
	free(n);
}

static struct node *new_node(enum node_kind k, int line)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = k;
	n->line = line;
	return n;
}

static void add_kid(struct node *list, struct node *kid, enum conn c)
{
	size_t i = list->list.nkids;

	list->list.kids = xreallocarray(list->list.kids, i + 1, sizeof(*list->list.kids));
	list->list.conns = xreallocarray(list->list.conns, i + 1, sizeof(*list->list.conns));
	list->list.kids[i] = kid;
	list->list.conns[i] = c;
	list->list.nkids++;
}

static void take_tok(struct words *w, struct tok *tk)
{
	w->v = xreallocarray(w->v, w->n + 1, sizeof(*w->v));
	w->v[w->n++] = *tk;
	tk->text = NULL;
	memset(&tk->elems, 0, sizeof(tk->elems));
}

static const char *const reserved_end[] = {"then", "elif", "else", "fi", "do", "done", "}", "esac",
					   NULL};

static bool at_list_end(struct parser *p)
{
	struct tok *tk = peek(p);

	if (tk->kind == T_EOF || tk->kind == T_RPAREN)
		return true;
	if (tk->kind != T_WORD)
		return false;
	for (const char *const *r = reserved_end; *r; r++)
		if (streq(tk->text, *r))
			return true;
	return false;
}

static int parse_list(struct parser *p, struct node **out);

static int expect_word(struct parser *p, const char *w)
{
	skip_newlines(p);
	if (!is_word(p, w))
		return sh_decline(p->sh, peek(p)->line, "a syntax error (expected '%s')", w);
	p->i++;
	return 0;
}

static int parse_if(struct parser *p, struct node **out)
{
	struct node *n = new_node(N_IF, peek(p)->line);
	int r;

	p->i++; /* if / elif */
	*out = n;
	if ((r = parse_list(p, &n->if_.cond)) < 0 || (r = expect_word(p, "then")) < 0 ||
	    (r = parse_list(p, &n->if_.then)) < 0)
		return r;
	skip_newlines(p);
	if (is_word(p, "elif"))
		return parse_if(p, &n->if_.else_);
	if (is_word(p, "else")) {
		p->i++;
		if ((r = parse_list(p, &n->if_.else_)) < 0)
			return r;
	}
	return expect_word(p, "fi");
}

static bool is_name(const char *s)
{
	if (!s || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (s++; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static int parse_for(struct parser *p, struct node **out)
{
	struct node *n = new_node(N_FOR, peek(p)->line);
	int r;

	*out = n;
	p->i++;
	if (peek(p)->kind != T_WORD || !is_name(peek(p)->text))
		return sh_decline(p->sh, n->line, "this form of for loop");
	n->for_.var = xstrdup(peek(p)->text);
	p->i++;
	skip_newlines(p);
	if (!is_word(p, "in"))
		return sh_decline(p->sh, n->line, "a for loop without 'in'");
	p->i++;
	while (peek(p)->kind == T_WORD)
		take_tok(&n->for_.words, &p->t->v[p->i++]);
	if (peek(p)->kind != T_SEMI && peek(p)->kind != T_NEWLINE)
		return sh_decline(p->sh, n->line, "a syntax error in a for loop");
	p->i++;
	if ((r = expect_word(p, "do")) < 0 || (r = parse_list(p, &n->for_.body)) < 0)
		return r;
	return expect_word(p, "done");
}

static int parse_redir(struct parser *p, struct redirs *rs)
{
	struct tok *op = peek(p);
	struct tok *target = &p->t->v[p->i + 1];
	struct redir *rd;

	if (target->kind != T_WORD)
		return sh_decline(p->sh, op->line, "a syntax error in a redirection");
	rs->v = xreallocarray(rs->v, rs->n + 1, sizeof(*rs->v));
	rd = &rs->v[rs->n++];
	rd->fd = op->fd;
	rd->op = xstrdup(op->text);
	rd->target = xstrdup(target->text);
	rd->line = op->line;
	p->i += 2;
	return 0;
}

static int parse_command(struct parser *p, struct node **out)
{
	struct tok *tk = peek(p);
	int r;

	if (tk->kind == T_LPAREN)
		return sh_decline(p->sh, tk->line, "a subshell or (( )) arithmetic command");
	if (tk->kind == T_WORD) {
		if (streq(tk->text, "if"))
			return parse_if(p, out);
		if (streq(tk->text, "for"))
			return parse_for(p, out);
		if (streq(tk->text, "{")) {
			struct node *n = new_node(N_GROUP, tk->line);
			*out = n;
			p->i++;
			if ((r = parse_list(p, &n->group.body)) < 0)
				return r;
			if ((r = expect_word(p, "}")) < 0)
				return r;
			while (peek(p)->kind == T_REDIR)
				if ((r = parse_redir(p, &n->group.redirs)) < 0)
					return r;
			return 0;
		}
		static const char *const unsupported[] = {"while", "until", "case", "function", "select",
							  "[[", "((", "time", "coproc", NULL};
		for (const char *const *u = unsupported; *u; u++)
			if (streq(tk->text, *u))
				return sh_decline(p->sh, tk->line, "'%s'", *u);
		if (p->t->v[p->i + 1].kind == T_LPAREN)
			return sh_decline(p->sh, tk->line, "a function definition");
	}

	struct node *n = new_node(N_SIMPLE, tk->line);
	*out = n;
	for (;;) {
		tk = peek(p);
		if (tk->kind == T_WORD || tk->kind == T_ARRAY) {
			take_tok(&n->simple.args, tk);
			p->i++;
		} else if (tk->kind == T_REDIR) {
			if ((r = parse_redir(p, &n->simple.redirs)) < 0)
				return r;
		} else {
			break;
		}
	}
	if (!n->simple.args.n && !n->simple.redirs.n)
		return sh_decline(p->sh, tk->line, "a syntax error near unexpected token");
	return 0;
}

static int parse_pipeline(struct parser *p, struct node **out)
{
	bool neg = false;
	int r;

	if (is_word(p, "!")) {
		neg = true;
		p->i++;
	}
	r = parse_command(p, out);
	if (r < 0)
		return r;
	if (neg)
		(*out)->negate = !(*out)->negate;
	if (peek(p)->kind == T_PIPE)
		return sh_decline(p->sh, peek(p)->line, "a pipeline");
	return 0;
}

static int parse_list(struct parser *p, struct node **out)
{
	struct node *list = new_node(N_LIST, peek(p)->line);
	enum conn c = C_SEQ;
	int r = 0;

	*out = list;
	if (++p->depth > SH_MAX_DEPTH)
		return sh_decline(p->sh, peek(p)->line, "nesting deeper than %d levels", SH_MAX_DEPTH);
	for (;;) {
		struct node *cmd = NULL;
		struct tok *tk;

		if (c == C_SEQ) {
			while (peek(p)->kind == T_NEWLINE || peek(p)->kind == T_SEMI) {
				if (peek(p)->kind == T_SEMI && list->list.nkids == 0)
					return sh_decline(p->sh, peek(p)->line,
							  "a syntax error near unexpected token ';'");
				p->i++;
			}
		} else {
			skip_newlines(p);
		}
		if (at_list_end(p)) {
			if (c != C_SEQ)
				return sh_decline(p->sh, peek(p)->line, "a syntax error after && or ||");
			break;
		}
		r = parse_pipeline(p, &cmd);
		if (cmd)
			add_kid(list, cmd, c);
		if (r < 0)
			return r;
		tk = peek(p);
		if (tk->kind == T_AND) {
			c = C_AND;
			p->i++;
		} else if (tk->kind == T_OR) {
			c = C_OR;
			p->i++;
		} else if (tk->kind == T_SEMI || tk->kind == T_NEWLINE) {
			c = C_SEQ;
			p->i++;
		} else if (tk->kind == T_AMP) {
			return sh_decline(p->sh, tk->line, "a background job (&)");
		} else if (tk->kind == T_DSEMI) {
			return sh_decline(p->sh, tk->line, "a syntax error near ';;'");
		} else if (at_list_end(p)) {
			c = C_SEQ;
		} else {
			return sh_decline(p->sh, tk->line, "a syntax error near unexpected token");
		}
	}
	p->depth--;
	return 0;
}

int sh_parse(struct sh *sh, struct toks *t, struct node **out)
{
	struct parser p = {.sh = sh, .t = t};
	int r = parse_list(&p, out);

	if (r < 0)
		return r;
	if (peek(&p)->kind != T_EOF)
		return sh_decline(sh, peek(&p)->line, "a syntax error near unexpected token '%s'",
				  peek(&p)->kind == T_WORD ? peek(&p)->text : ")");
	return 0;
}

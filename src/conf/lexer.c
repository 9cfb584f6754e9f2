// SPDX-License-Identifier: GPL-2.0-or-later
/* lexer.c - split shell source into words and operators, keeping each word's raw quoted text. */
#include <errno.h>
#include <string.h>

#include "conf/sh.h"
#include "util/strbuf.h"

enum ctx { K_DQ, K_BQ, K_BRACE, K_PAREN, K_SUBPAREN, K_ARITH };

struct frame {
	enum ctx k;
	bool in_dq;
};

static void put(struct strbuf *copy, const char *s, size_t n)
{
	if (copy)
		sb_addn(copy, s, n);
}

static bool word_start(const char *src, size_t pos, size_t start)
{
	return pos == start || strchr(" \t\n;(|&", src[pos - 1]);
}

int sh_skip_construct(struct sh *sh, const char *src, size_t len, size_t *ppos, int *line,
		      struct strbuf *copy)
{
	struct frame st[SH_MAX_DEPTH];
	size_t pos = *ppos, start = *ppos;
	int sp = 0, first_line = *line;

#define PUSH(kind, dq)                                                                            \
	do {                                                                                      \
		if (sp == SH_MAX_DEPTH)                                                           \
			return sh_decline(sh, *line, "nesting deeper than %d levels", SH_MAX_DEPTH); \
		st[sp].k = (kind);                                                                \
		st[sp].in_dq = (dq);                                                              \
		sp++;                                                                             \
	} while (0)

	if (src[pos] == '\'') {
		const char *end = memchr(src + pos + 1, '\'', len - pos - 1);

		if (!end)
			return sh_decline(sh, first_line, "unterminated single quote (syntax error)");
		for (const char *c = src + pos; c <= end; c++)
			if (*c == '\n')
				(*line)++;
		put(copy, src + pos, (size_t)(end - src - pos + 1));
		*ppos = (size_t)(end - src) + 1;
		return 0;
	}
	if (src[pos] == '"') {
		PUSH(K_DQ, true);
		put(copy, src + pos++, 1);
	} else if (src[pos] == '`') {
		PUSH(K_BQ, false);
		put(copy, src + pos++, 1);
	} else if (src[pos] == '$' && pos + 2 < len && src[pos + 1] == '(' && src[pos + 2] == '(') {
		PUSH(K_ARITH, false);
		put(copy, src + pos, 3);
		pos += 3;
	} else if (src[pos] == '$' && pos + 1 < len && src[pos + 1] == '(') {
		PUSH(K_PAREN, false);
		put(copy, src + pos, 2);
		pos += 2;
	} else if (src[pos] == '$' && pos + 1 < len && src[pos + 1] == '{') {
		PUSH(K_BRACE, false);
		put(copy, src + pos, 2);
		pos += 2;
	} else {
		return -EINVAL;
	}

	while (sp > 0) {
		struct frame *f = &st[sp - 1];
		char c;

		if (pos >= len)
			return sh_decline(sh, first_line, "unterminated %s (syntax error)",
					  f->k == K_DQ ? "double quote" : f->k == K_BQ ? "backquote"
					  : f->k == K_BRACE ? "${" : "$(");
		c = src[pos];
		if (c == '\\') {
			if (pos + 1 < len && src[pos + 1] == '\n') {
				(*line)++;
				pos += 2;
				continue;
			}
			put(copy, src + pos, pos + 1 < len ? 2 : 1);
			pos += pos + 1 < len ? 2 : 1;
			continue;
		}
		if (c == '\n')
			(*line)++;
		if (f->k == K_BQ) {
			put(copy, src + pos++, 1);
			if (c == '`')
				sp--;
			continue;
		}
		if (c == '`') {
			PUSH(K_BQ, false);
			put(copy, src + pos++, 1);
			continue;
		}
		if (c == '$' && pos + 1 < len && (src[pos + 1] == '(' || src[pos + 1] == '{')) {
			bool dq = f->in_dq;

			if (src[pos + 1] == '{') {
				PUSH(K_BRACE, dq);
				put(copy, src + pos, 2);
				pos += 2;
			} else if (pos + 2 < len && src[pos + 2] == '(') {
				PUSH(K_ARITH, false);
				put(copy, src + pos, 3);
				pos += 3;
			} else {
				PUSH(K_PAREN, false);
				put(copy, src + pos, 2);
				pos += 2;
			}
			continue;
		}
		if (f->k == K_DQ) {
			put(copy, src + pos++, 1);
			if (c == '"')
				sp--;
			continue;
		}
		/* ${...}, $(...), $((...)) and plain parentheses inside them */
		if (c == '\'') {
			if (f->k == K_BRACE && f->in_dq)
				return sh_decline(sh, *line, "a single quote inside \"${...}\"");
			size_t p2 = pos;
			int r = sh_skip_construct(sh, src, len, &p2, line, copy);
			if (r < 0)
				return r;
			pos = p2;
			continue;
		}
		if (c == '"') {
			PUSH(K_DQ, true);
			put(copy, src + pos++, 1);
			continue;
		}
		if (f->k == K_BRACE) {
			put(copy, src + pos++, 1);
			if (c == '}')
				sp--;
			continue;
		}
		if (c == '#' && f->k != K_ARITH && word_start(src, pos, start))
			return sh_decline(sh, *line, "a comment inside $( )");
		if (c == '<' && pos + 1 < len && src[pos + 1] == '<')
			return sh_decline(sh, *line, "a here-document");
		if (f->k != K_ARITH && c == 'c' && word_start(src, pos, start) &&
		    strneq(src + pos, "case", 4) && pos + 4 < len && strchr(" \t\n", src[pos + 4]))
			return sh_decline(sh, *line, "a case statement inside $( )");
		if (c == '(') {
			PUSH(K_SUBPAREN, false);
			put(copy, src + pos++, 1);
			continue;
		}
		if (c == ')') {
			if (f->k == K_ARITH) {
				if (pos + 1 >= len || src[pos + 1] != ')')
					return sh_decline(sh, *line, "an unbalanced $(( ))");
				put(copy, src + pos, 2);
				pos += 2;
			} else {
				put(copy, src + pos++, 1);
			}
			sp--;
			continue;
		}
		put(copy, src + pos++, 1);
	}
	*ppos = pos;
	return 0;
#undef PUSH
}

static bool is_meta(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' ||
	       c == ')' || c == '<' || c == '>';
}

/* Scan one word starting at *pos; its raw text (continuations removed) goes to out. */
static int scan_word(struct sh *sh, const char *src, size_t len, size_t *ppos, int *line,
		     struct strbuf *out)
{
	size_t pos = *ppos;

	while (pos < len && !is_meta(src[pos])) {
		char c = src[pos];

		if (c == '\\') {
			if (pos + 1 < len && src[pos + 1] == '\n') {
				(*line)++;
				pos += 2;
				continue;
			}
			sb_addn(out, src + pos, pos + 1 < len ? 2 : 1);
			pos += pos + 1 < len ? 2 : 1;
			continue;
		}
		if (c == '\'' || c == '"' || c == '`' ||
		    (c == '$' && pos + 1 < len && (src[pos + 1] == '(' || src[pos + 1] == '{'))) {
			int r = sh_skip_construct(sh, src, len, &pos, line, out);
			if (r < 0)
				return r;
			continue;
		}
		sb_addch(out, c);
		pos++;
	}
	*ppos = pos;
	return 0;
}

static struct tok *push_tok(struct toks *t, enum tok_kind k, int line)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	struct tok *tk = &t->v[t->n++];
	memset(tk, 0, sizeof(*tk));
	tk->kind = k;
	tk->line = line;
	tk->fd = -1;
	return tk;
}

void toks_release(struct toks *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].text);
		strv_release(&t->v[i].elems);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

size_t sh_assign_prefix(const char *w)
{
	size_t i = 0;

	if (!(w[0] == '_' || (w[0] >= 'A' && w[0] <= 'Z') || (w[0] >= 'a' && w[0] <= 'z')))
		return 0;
	while (w[i] == '_' || (w[i] >= 'A' && w[i] <= 'Z') || (w[i] >= 'a' && w[i] <= 'z') ||
	       (w[i] >= '0' && w[i] <= '9'))
		i++;
	if (w[i] == '[') {
		const char *e = strchr(w + i, ']');
		if (!e)
			return 0;
		i = (size_t)(e - w) + 1;
	}
	if (w[i] == '+')
		i++;
	return w[i] == '=' ? i + 1 : 0;
}

static void skip_blanks(const char *src, size_t len, size_t *pos, int *line, bool newlines)
{
	while (*pos < len) {
		char c = src[*pos];

		if (c == ' ' || c == '\t') {
			(*pos)++;
		} else if (c == '\\' && *pos + 1 < len && src[*pos + 1] == '\n') {
			(*line)++;
			*pos += 2;
		} else if (newlines && c == '\n') {
			(*line)++;
			(*pos)++;
		} else if (c == '#' && newlines) {
			while (*pos < len && src[*pos] != '\n')
				(*pos)++;
		} else {
			break;
		}
	}
}

static int lex_array(struct sh *sh, const char *src, size_t len, size_t *pos, int *line,
		     struct tok *tk)
{
	(*pos)++; /* ( */
	for (;;) {
		_cleanup_strbuf_ struct strbuf w = STRBUF_INIT;
		int r;

		skip_blanks(src, len, pos, line, true);
		if (*pos >= len)
			return sh_decline(sh, *line, "unterminated array assignment (syntax error)");
		if (src[*pos] == ')') {
			(*pos)++;
			return 0;
		}
		r = scan_word(sh, src, len, pos, line, &w);
		if (r < 0)
			return r;
		if (!w.len)
			return sh_decline(sh, *line, "'%c' inside an array assignment", src[*pos]);
		strv_push(&tk->elems, sb_str(&w));
	}
}

int sh_lex(struct sh *sh, const char *src, size_t len, int first_line, struct toks *out)
{
	size_t pos = 0;
	int line = first_line;

	for (;;) {
		skip_blanks(src, len, &pos, &line, false);
		if (pos >= len)
			break;
		char c = src[pos];
		if (c == '#') {
			while (pos < len && src[pos] != '\n')
				pos++;
			continue;
		}
		if (c == '\n') {
			push_tok(out, T_NEWLINE, line++);
			pos++;
			continue;
		}
		if (c == ';') {
			if (pos + 1 < len && (src[pos + 1] == ';' || src[pos + 1] == '&')) {
				push_tok(out, T_DSEMI, line);
				pos += 2;
			} else {
				push_tok(out, T_SEMI, line);
				pos++;
			}
			continue;
		}
		if (c == '&') {
			if (pos + 1 < len && src[pos + 1] == '&') {
				push_tok(out, T_AND, line);
				pos += 2;
			} else if (pos + 1 < len && src[pos + 1] == '>') {
				return sh_decline(sh, line, "an &> redirection");
			} else {
				push_tok(out, T_AMP, line);
				pos++;
			}
			continue;
		}
		if (c == '|') {
			if (pos + 1 < len && src[pos + 1] == '|') {
				push_tok(out, T_OR, line);
				pos += 2;
			} else {
				push_tok(out, T_PIPE, line);
				pos++;
			}
			continue;
		}
		if (c == '(' || c == ')') {
			push_tok(out, c == '(' ? T_LPAREN : T_RPAREN, line);
			pos++;
			continue;
		}
		if (c == '<' || c == '>') {
			size_t s = pos;
			struct tok *tk;

			if (pos + 1 < len && src[pos + 1] == '(')
				return sh_decline(sh, line, "a process substitution");
			if (c == '<' && pos + 1 < len && src[pos + 1] == '<')
				return sh_decline(sh, line, "a here-document");
			pos++;
			if (pos < len && (src[pos] == '>' || src[pos] == '&' || src[pos] == '|'))
				pos++;
			tk = push_tok(out, T_REDIR, line);
			tk->text = xstrndup(src + s, pos - s);
			continue;
		}

		_cleanup_strbuf_ struct strbuf w = STRBUF_INIT;
		int wline = line;
		int r = scan_word(sh, src, len, &pos, &line, &w);
		if (r < 0)
			return r;
		if (!w.len)
			continue; /* a lone continuation */
		/* an all-digit word glued to < or > is the descriptor of a redirection */
		if (pos < len && (src[pos] == '<' || src[pos] == '>') &&
		    strspn(sb_str(&w), "0123456789") == w.len && w.len < 4) {
			size_t s = pos;
			struct tok *tk;

			if (src[pos] == '<' && pos + 1 < len && src[pos + 1] == '<')
				return sh_decline(sh, line, "a here-document");
			pos++;
			if (pos < len && (src[pos] == '>' || src[pos] == '&' || src[pos] == '|'))
				pos++;
			tk = push_tok(out, T_REDIR, wline);
			tk->text = xstrndup(src + s, pos - s);
			tk->fd = atoi(sb_str(&w));
			continue;
		}
		size_t ap = sh_assign_prefix(sb_str(&w));
		if (ap && ap == w.len && pos < len && src[pos] == '(') {
			struct tok *tk = push_tok(out, T_ARRAY, wline);
			tk->text = sb_steal(&w);
			r = lex_array(sh, src, len, &pos, &line, tk);
			if (r < 0)
				return r;
			continue;
		}
		struct tok *tk = push_tok(out, T_WORD, wline);
		tk->text = sb_steal(&w);
	}
	push_tok(out, T_EOF, line);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* expand.c - word expansion: quotes, parameters and their operators, substitutions, splitting. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "conf/sh.h"
#include "util/strbuf.h"

/* per-character origin, which decides splitting and pattern matching */
enum { F_LIT = 0, F_QUOTED = 1, F_EXP = 2, F_MARK = 3 };

struct xbuf {
	struct strbuf s;
	struct strbuf f;
};

struct xctx {
	struct sh *sh;
	int line;
	bool fields;   /* expanding a command word (splitting applies) */
	int depth;
};

static void xb_release(struct xbuf *x)
{
	sb_release(&x->s);
	sb_release(&x->f);
}

static int xb_add(struct xctx *c, struct xbuf *x, const char *s, size_t n, int flag)
{
	if (x->s.len + n > SH_MAX_VALUE)
		return sh_decline(c->sh, c->line, "a value longer than %u bytes", SH_MAX_VALUE);
	sb_addn(&x->s, s, n);
	sb_grow(&x->f, n);
	memset(x->f.buf + x->f.len, flag, n);
	x->f.len += n;
	x->f.buf[x->f.len] = '\0';
	return 0;
}

static int xb_mark(struct xbuf *x)
{
	sb_addch(&x->s, '\0');
	sb_addch(&x->f, F_MARK);
	return 0;
}

static int lookup(struct xctx *c, const char *name, const struct shvar **out)
{
	*out = shvars_find(&c->sh->vars, name);
	if (!*out && sh_is_special_var(name))
		return sh_decline(c->sh, c->line, "the variable $%s", name);
	return 0;
}

static const char *elem(const struct shvar *v, long idx)
{
	if (!v)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (v->elems[i].idx == idx)
			return v->elems[i].val;
	return NULL;
}

static size_t name_len(const char *s, size_t n)
{
	size_t i = 0;

	if (!n || !(s[0] == '_' || isalpha((unsigned char)s[0])))
		return 0;
	while (i < n && (s[i] == '_' || isalnum((unsigned char)s[i])))
		i++;
	return i;
}

static int expand_part(struct xctx *c, const char *p, size_t n, bool dq, bool lit_exp,
		       struct xbuf *out);

/* Expand p[0..n) to a plain string (no splitting), as in double quotes when dq. */
static int expand_to_string(struct xctx *c, const char *p, size_t n, bool dq, char **res)
{
	struct xbuf x = {STRBUF_INIT, STRBUF_INIT};
	struct strbuf s = STRBUF_INIT;
	int r = expand_part(c, p, n, dq, false, &x);

	if (r >= 0)
		for (size_t i = 0; i < x.s.len; i++)
			if (x.f.buf[i] != F_MARK)
				sb_addch(&s, x.s.buf[i]);
	xb_release(&x);
	*res = sb_steal(&s);
	return r;
}

static bool all_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* Find the end of a ${...} operand part: the first unquoted sep at nesting level 0. */
static int find_sep(struct xctx *c, const char *p, size_t n, char sep, size_t *at)
{
	size_t i = 0;
	int line = c->line;

	while (i < n) {
		if (p[i] == '\\') {
			i += 2;
			continue;
		}
		if (p[i] == '\'' || p[i] == '"' || p[i] == '`' ||
		    (p[i] == '$' && i + 1 < n && (p[i + 1] == '(' || p[i + 1] == '{'))) {
			int r = sh_skip_construct(c->sh, p, n, &i, &line, NULL);
			if (r < 0)
				return r;
			continue;
		}
		if (p[i] == sep)
			break;
		i++;
	}
	*at = i < n ? i : n;
	return 0;
}

static int pattern_op(struct xctx *c, const char *val, const char *op, const char *word, size_t wn,
		      bool dq, char **res)
{
	struct xbuf pat = {STRBUF_INIT, STRBUF_INIT};
	_cleanup_free_ char *rep = NULL;
	_cleanup_free_ unsigned char *q = NULL;
	size_t vn = strlen(val), pn, patlen = wn;
	struct strbuf out = STRBUF_INIT;
	int r = 0;

	if (op[0] == '/') {
		r = find_sep(c, word, wn, '/', &patlen);
		if (r < 0)
			return r;
		if (patlen < wn) {
			const char *rp = word + patlen + 1;
			size_t rn = wn - patlen - 1;
			for (size_t i = 0; i < rn; i++) {
				if (rp[i] == '\\' || rp[i] == '\'' || rp[i] == '"') {
					i++;
					continue;
				}
				if (rp[i] == '&')
					return sh_decline(c->sh, c->line,
							  "'&' in a ${v/pattern/replacement}");
			}
			r = expand_to_string(c, rp, rn, dq, &rep);
			if (r < 0)
				return r;
		}
	}
	r = expand_part(c, word, patlen, false, false, &pat);
	if (r < 0)
		goto out;
	/* drop the quoted-empty markers; keep a quoted flag per character */
	q = xmalloc(pat.s.len + 1);
	pn = 0;
	for (size_t i = 0; i < pat.s.len; i++) {
		if (pat.f.buf[i] == F_MARK)
			continue;
		pat.s.buf[pn] = pat.s.buf[i];
		q[pn++] = pat.f.buf[i] == F_QUOTED;
	}
	if (sh_pattern_is_extglob(pat.s.buf ? pat.s.buf : "", q, pn)) {
		r = sh_decline(c->sh, c->line, "an extended pattern in ${...}");
		goto out;
	}
	if (vn > SH_MAX_PATTERN_VALUE) {
		r = sh_decline(c->sh, c->line, "a pattern operation on a value of %zu bytes", vn);
		goto out;
	}
	const char *ps = pat.s.buf ? pat.s.buf : "";
	if (streq(op, "#") || streq(op, "##")) {
		bool longest = op[1] == '#';
		size_t k = longest ? vn : 0;
		for (;;) {
			if (sh_pattern_match(ps, q, pn, val, k, false)) {
				sb_adds(&out, val + k);
				goto done;
			}
			if (longest ? k-- == 0 : ++k > vn)
				break;
		}
		sb_adds(&out, val);
	} else if (streq(op, "%") || streq(op, "%%")) {
		bool longest = op[1] == '%';
		size_t k = longest ? 0 : vn;
		for (;;) {
			if (sh_pattern_match(ps, q, pn, val + k, vn - k, false)) {
				sb_addn(&out, val, k);
				goto done;
			}
			if (longest ? ++k > vn : k-- == 0)
				break;
		}
		sb_adds(&out, val);
	} else {
		bool all = streq(op, "//"), start = streq(op, "/#"), end = streq(op, "/%");
		size_t i = 0;
		bool replaced = false;

		if (!pn) {
			sb_adds(&out, val);
			goto done;
		}
		while (i <= vn) {
			size_t e, found = (size_t)-1;

			if ((start && i > 0) || (replaced && !all))
				break;
			for (e = vn + 1; e-- > i;) {
				if (end && e != vn)
					break;
				if (sh_pattern_match(ps, q, pn, val + i, e - i, false)) {
					found = e;
					break;
				}
			}
			if (found == (size_t)-1) {
				if (i < vn)
					sb_addch(&out, val[i]);
				i++;
				continue;
			}
			sb_adds(&out, rep ? rep : "");
			replaced = true;
			if (found == i) {
				if (i < vn)
					sb_addch(&out, val[i]);
				i++;
			} else {
				i = found;
			}
		}
		if (i < vn)
			sb_adds(&out, val + i);
	}
done:
	*res = sb_steal(&out);
out:
	sb_release(&out);
	xb_release(&pat);
	return r;
}

static int join_all(const struct shvar *v, char **res)
{
	struct strbuf s = STRBUF_INIT;

	for (size_t i = 0; v && i < v->n; i++) {
		if (i)
			sb_addch(&s, ' ');
		sb_adds(&s, v->elems[i].val);
	}
	*res = sb_steal(&s);
	return 0;
}

static int parse_uint(const char *s, size_t n, long *out)
{
	long v = 0;

	if (!n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]) || v > 100000000L)
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* ${...} with content p[0..n) */
static int expand_brace(struct xctx *c, const char *p, size_t n, bool dq, struct xbuf *out)
{
	_cleanup_free_ char *name = NULL, *val_own = NULL, *res = NULL;
	const struct shvar *v;
	bool length = false, keys = false;
	char all = 0;
	long idx = 0;
	size_t j = 0, nl;
	int r, flag = dq ? F_QUOTED : F_EXP;

	if (n >= 2 && p[0] == '#' && name_len(p + 1, n - 1)) {
		length = true;
		j = 1;
	} else if (n >= 2 && p[0] == '!') {
		keys = true;
		j = 1;
	}
	nl = name_len(p + j, n - j);
	if (!nl)
		return sh_decline(c->sh, c->line, "the expansion ${%.*s}", (int)(n > 40 ? 40 : n), p);
	name = xstrndup(p + j, nl);
	j += nl;
	bool subscripted = j < n && p[j] == '[';
	if (subscripted) {
		size_t k = j + 1;
		int depth = 1;
		while (k < n && depth) {
			if (p[k] == '[')
				depth++;
			else if (p[k] == ']')
				depth--;
			if (depth)
				k++;
		}
		if (k >= n)
			return sh_decline(c->sh, c->line, "a bad array subscript");
		if (k == j + 2 && (p[j + 1] == '@' || p[j + 1] == '*')) {
			all = p[j + 1];
		} else {
			_cleanup_free_ char *sub = NULL;
			r = expand_to_string(c, p + j + 1, k - j - 1, true, &sub);
			if (r < 0)
				return r;
			r = sh_arith(c->sh, sub, strlen(sub), c->line, &idx);
			if (r < 0)
				return r;
			if (idx < 0)
				return sh_decline(c->sh, c->line, "a negative array index");
		}
		j = k + 1;
	}
	r = lookup(c, name, &v);
	if (r < 0)
		return r;
	const char *op = p + j;
	size_t opn = n - j;

	if (keys) {
		struct strbuf s = STRBUF_INIT;
		if (!all || opn)
			return sh_decline(c->sh, c->line, "indirect expansion ${!...}");
		if (dq && all == '@' && c->fields)
			return sh_decline(c->sh, c->line, "\"${!%s[@]}\" inside a larger word", name);
		for (size_t i = 0; v && i < v->n; i++)
			sb_addf(&s, "%s%ld", i ? " " : "", v->elems[i].idx);
		res = sb_steal(&s);
		return xb_add(c, out, res, strlen(res), flag);
	}
	if (length) {
		char num[32];
		if (opn)
			return sh_decline(c->sh, c->line, "a bad substitution");
		if (all) {
			snprintf(num, sizeof(num), "%zu", v ? v->n : 0);
		} else {
			const char *s = elem(v, idx);
			if (s && !all_ascii(s))
				return sh_decline(c->sh, c->line, "${#...} of a non-ASCII value");
			snprintf(num, sizeof(num), "%zu", s ? strlen(s) : 0);
		}
		return xb_add(c, out, num, strlen(num), flag);
	}
	const char *val;
	if (all) {
		if (dq && all == '@' && c->fields)
			return sh_decline(c->sh, c->line, "\"${%s[@]}\" inside a larger word", name);
		if (opn)
			return sh_decline(c->sh, c->line, "an operator on ${%s[%c]}", name, all);
		join_all(v, &val_own);
		return xb_add(c, out, val_own, strlen(val_own), flag);
	}
	val = elem(v, idx);
	if (!opn)
		return val ? xb_add(c, out, val, strlen(val), flag) : 0;

	bool colon = op[0] == ':' && opn >= 2 && strchr("-=+?", op[1]);
	const char *o = colon ? op + 1 : op;
	if (strchr("-=+?", o[0])) {
		const char *w = o + 1;
		size_t wn = opn - (size_t)(w - op);
		bool unset = colon ? (!val || !*val) : !val;

		if (o[0] == '?')
			return sh_decline(c->sh, c->line, "${var?message}");
		if (o[0] == '+')
			return unset ? 0 : expand_part(c, w, wn, dq, !dq, out);
		if (!unset)
			return xb_add(c, out, val, strlen(val), flag);
		if (o[0] == '-')
			return expand_part(c, w, wn, dq, !dq, out);
		/* := assigns the default */
		if (c->sh->in_subst || subscripted)
			return sh_decline(c->sh, c->line, "${var:=value} here");
		r = expand_to_string(c, w, wn, dq, &res);
		if (r < 0)
			return r;
		if (sh_is_special_var(name))
			return sh_decline(c->sh, c->line, "assigning $%s", name);
		shvars_set(&c->sh->vars, name, -1, res);
		return xb_add(c, out, res, strlen(res), flag);
	}
	if (!val)
		val = "";
	if (o[0] == '#' || o[0] == '%' || o[0] == '/') {
		size_t ol = (opn >= 2 && (o[1] == o[0] || (o[0] == '/' && strchr("#%", o[1])))) ? 2 : 1;
		char opbuf[3] = {o[0], ol == 2 ? o[1] : '\0', '\0'};

		r = pattern_op(c, val, opbuf, o + ol, opn - ol, dq, &res);
		if (r < 0)
			return r;
		return xb_add(c, out, res, strlen(res), flag);
	}
	if (o[0] == '^' || o[0] == ',') {
		size_t ol = opn >= 2 && o[1] == o[0] ? 2 : 1;
		if (opn != ol)
			return sh_decline(c->sh, c->line, "a case-modification pattern");
		if (!all_ascii(val))
			return sh_decline(c->sh, c->line, "case modification of a non-ASCII value");
		res = xstrdup(val);
		for (size_t i = 0; res[i] && (ol == 2 || i == 0); i++)
			res[i] = (char)(o[0] == '^' ? toupper((unsigned char)res[i])
						    : tolower((unsigned char)res[i]));
		return xb_add(c, out, res, strlen(res), flag);
	}
	if (o[0] == ':') {
		const char *colon2 = memchr(o + 1, ':', opn - 1);
		long off, len = -1;
		size_t vn = strlen(val);

		if (parse_uint(o + 1, colon2 ? (size_t)(colon2 - o - 1) : opn - 1, &off) < 0 ||
		    (colon2 && parse_uint(colon2 + 1, opn - (size_t)(colon2 + 1 - op), &len) < 0))
			return sh_decline(c->sh, c->line, "this ${var:offset:length}");
		if (!all_ascii(val))
			return sh_decline(c->sh, c->line, "a substring of a non-ASCII value");
		if ((size_t)off > vn)
			off = (long)vn;
		if (len < 0 || (size_t)(off + len) > vn)
			len = (long)vn - off;
		return xb_add(c, out, val + off, (size_t)len, flag);
	}
	return sh_decline(c->sh, c->line, "the expansion ${%.*s}", (int)(n > 40 ? 40 : n), p);
}

/* Remove the backslashes bash removes inside `...` before running the text. */
static char *unescape_backquote(const char *p, size_t n, bool dq)
{
	struct strbuf s = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n &&
		    (p[i + 1] == '$' || p[i + 1] == '`' || p[i + 1] == '\\' || (dq && p[i + 1] == '"')))
			i++;
		sb_addch(&s, p[i]);
	}
	return sb_steal(&s);
}

static int expand_dollar(struct xctx *c, const char *p, size_t n, size_t *pi, bool dq,
			 struct xbuf *out)
{
	size_t i = *pi;
	int flag = dq ? F_QUOTED : F_EXP, r;

	if (i + 1 >= n) {
		*pi = i + 1;
		return xb_add(c, out, "$", 1, dq ? F_QUOTED : F_LIT);
	}
	char d = p[i + 1];
	if (d == '(' || d == '{') {
		size_t e = i;
		int line = c->line;
		_cleanup_free_ char *res = NULL;

		r = sh_skip_construct(c->sh, p, n, &e, &line, NULL);
		if (r < 0)
			return r;
		*pi = e;
		if (d == '{')
			return expand_brace(c, p + i + 2, e - i - 3, dq, out);
		if (i + 2 < n && p[i + 2] == '(') {
			_cleanup_free_ char *expr = NULL;
			long v;
			char num[32];

			if (memchr(p + i + 3, '"', e - i - 5) || memchr(p + i + 3, '\'', e - i - 5))
				return sh_decline(c->sh, c->line, "quotes inside $(( ))");
			r = expand_to_string(c, p + i + 3, e - i - 5, true, &expr);
			if (r < 0)
				return r;
			r = sh_arith(c->sh, expr, strlen(expr), c->line, &v);
			if (r < 0)
				return r;
			snprintf(num, sizeof(num), "%ld", v);
			return xb_add(c, out, num, strlen(num), flag);
		}
		r = sh_command_subst(c->sh, p + i + 2, e - i - 3, c->line, &res);
		if (r < 0)
			return r;
		return xb_add(c, out, res, strlen(res), flag);
	}
	size_t nl = name_len(p + i + 1, n - i - 1);
	if (nl) {
		_cleanup_free_ char *name = xstrndup(p + i + 1, nl);
		const struct shvar *v;
		const char *val;

		*pi = i + 1 + nl;
		r = lookup(c, name, &v);
		if (r < 0)
			return r;
		val = elem(v, 0);
		return val ? xb_add(c, out, val, strlen(val), flag) : 0;
	}
	if (isdigit((unsigned char)d) || strchr("@*#?-$!", d))
		return sh_decline(c->sh, c->line, "the special parameter $%c", d);
	if (d == '\'' && !dq)
		return sh_decline(c->sh, c->line, "$'...' quoting");
	if (d == '"' && !dq)
		return sh_decline(c->sh, c->line, "$\"...\" quoting");
	*pi = i + 1;
	return xb_add(c, out, "$", 1, dq ? F_QUOTED : F_LIT);
}

static int expand_part(struct xctx *c, const char *p, size_t n, bool dq, bool lit_exp,
		       struct xbuf *out)
{
	int lit = lit_exp ? F_EXP : F_LIT, r = 0;

	if (++c->depth > SH_MAX_DEPTH)
		return sh_decline(c->sh, c->line, "nesting deeper than %d levels", SH_MAX_DEPTH);
	for (size_t i = 0; i < n && r >= 0;) {
		char ch = p[i];

		if (ch == '$') {
			r = expand_dollar(c, p, n, &i, dq, out);
			continue;
		}
		if (ch == '`') {
			size_t e = i;
			int line = c->line;
			_cleanup_free_ char *inner = NULL, *res = NULL;

			r = sh_skip_construct(c->sh, p, n, &e, &line, NULL);
			if (r < 0)
				break;
			inner = unescape_backquote(p + i + 1, e - i - 2, dq);
			r = sh_command_subst(c->sh, inner, strlen(inner), c->line, &res);
			if (r >= 0)
				r = xb_add(c, out, res, strlen(res), dq ? F_QUOTED : F_EXP);
			i = e;
			continue;
		}
		if (ch == '\\') {
			if (i + 1 >= n) {
				r = xb_add(c, out, "\\", 1, dq ? F_QUOTED : lit);
				i++;
			} else if (!dq || strchr("$`\"\\\n", p[i + 1])) {
				r = xb_add(c, out, p + i + 1, 1, F_QUOTED);
				i += 2;
			} else {
				r = xb_add(c, out, "\\", 1, F_QUOTED);
				i++;
			}
			continue;
		}
		if (dq) {
			r = xb_add(c, out, p + i, 1, F_QUOTED);
			i++;
			continue;
		}
		if (ch == '\'') {
			const char *e = memchr(p + i + 1, '\'', n - i - 1);
			if (!e) {
				r = sh_decline(c->sh, c->line, "an unterminated quote");
				break;
			}
			xb_mark(out);
			r = xb_add(c, out, p + i + 1, (size_t)(e - p - i - 1), F_QUOTED);
			i = (size_t)(e - p) + 1;
			continue;
		}
		if (ch == '"') {
			size_t e = i;
			int line = c->line;

			r = sh_skip_construct(c->sh, p, n, &e, &line, NULL);
			if (r < 0)
				break;
			xb_mark(out);
			r = expand_part(c, p + i + 1, e - i - 2, true, false, out);
			i = e;
			continue;
		}
		r = xb_add(c, out, p + i, 1, lit);
		i++;
	}
	c->depth--;
	return r;
}

static bool tilde_at(const char *raw, size_t i)
{
	return raw[i] == '~';
}

int sh_expand_string(struct sh *sh, const char *raw, int line, char **out)
{
	struct xctx c = {.sh = sh, .line = line};

	/* tilde expansion happens after '=' and unquoted ':' in assignments */
	if (tilde_at(raw, 0))
		return sh_decline(sh, line, "tilde expansion");
	for (size_t i = 0; raw[i]; i++) {
		if (raw[i] == '\\' && raw[i + 1]) {
			i++;
			continue;
		}
		if (raw[i] == '\'' || raw[i] == '"' || raw[i] == '`' ||
		    (raw[i] == '$' && (raw[i + 1] == '(' || raw[i + 1] == '{'))) {
			int l = line;
			size_t e = i;
			if (sh_skip_construct(sh, raw, strlen(raw), &e, &l, NULL) < 0)
				return -ENOTSUP;
			i = e - 1;
			continue;
		}
		if (raw[i] == ':' && tilde_at(raw, i + 1))
			return sh_decline(sh, line, "tilde expansion");
	}
	return expand_to_string(&c, raw, strlen(raw), false, out);
}

/* "${name[@]}" or "${!name[@]}" as a whole word: one field per element. */
static int whole_array_word(struct sh *sh, const char *raw, int line, struct strv *fields,
			    bool *done)
{
	size_t n = strlen(raw), j = 3;
	bool keys = false;

	*done = false;
	if (n < 8 || !strneq(raw, "\"${", 3) || !streq(raw + n - 5, "[@]}\""))
		return 0;
	if (raw[j] == '!') {
		keys = true;
		j++;
	}
	size_t nl = name_len(raw + j, n - j);
	if (!nl || j + nl != n - 5)
		return 0;
	_cleanup_free_ char *name = xstrndup(raw + j, nl);
	const struct shvar *v = shvars_find(&sh->vars, name);
	if (!v && sh_is_special_var(name))
		return sh_decline(sh, line, "the variable %s", name);
	for (size_t i = 0; v && i < v->n; i++) {
		if (keys)
			strv_pushf(fields, "%ld", v->elems[i].idx);
		else
			strv_push(fields, v->elems[i].val);
	}
	*done = true;
	return 0;
}

int sh_expand_fields(struct sh *sh, const char *raw, int line, struct strv *fields)
{
	struct xctx c = {.sh = sh, .line = line, .fields = true};
	struct xbuf x = {STRBUF_INIT, STRBUF_INIT};
	struct xbuf cur = {STRBUF_INIT, STRBUF_INIT};
	bool have = false, done;
	int r;

	r = whole_array_word(sh, raw, line, fields, &done);
	if (r < 0 || done)
		return r;
	if (tilde_at(raw, 0))
		return sh_decline(sh, line, "tilde expansion");
	r = expand_part(&c, raw, strlen(raw), false, false, &x);
	for (size_t i = 0; r >= 0 && i <= x.s.len; i++) {
		bool end = i == x.s.len;
		char ch = end ? ' ' : x.s.buf[i];
		int f = end ? F_EXP : x.f.buf[i];

		if (f == F_EXP && (ch == ' ' || ch == '\t' || ch == '\n')) {
			if (have) {
				r = sh_glob_check(sh, cur.s.buf ? cur.s.buf : "",
						  (const unsigned char *)cur.f.buf, cur.s.len, line);
				strv_push(fields, cur.s.buf ? cur.s.buf : "");
				sb_reset(&cur.s);
				sb_reset(&cur.f);
				have = false;
			}
			continue;
		}
		have = true;
		if (f == F_MARK)
			continue;
		sb_addch(&cur.s, ch);
		sb_addch(&cur.f, f == F_QUOTED ? 1 : 0);
	}
	xb_release(&x);
	xb_release(&cur);
	return r;
}

/* A command substitution runs in a subshell: its words expand, the command is emulated. */
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
	if (c->kind == N_LIST && c->list.nkids == 1 && c->list.conns[0] == C_SEQ)
		c = c->list.kids[0];
	const struct words *args = &c->simple.args;
	if (c->kind != N_SIMPLE || c->negate || !args->n || sh_assign_prefix(args->v[0].text) ||
	    args->v[0].kind != T_WORD) {
		r = sh_decline(sh, line, "the command substitution $(%.*s)", (int)(n > 40 ? 40 : n),
			       text);
		goto out;
	}
	bool to_stderr, silent;
	r = sh_check_redirs(sh, &c->simple.redirs, &to_stderr, &silent);
	if (r < 0)
		goto out;
	sh->in_subst = true;
	for (size_t k = 0; k < args->n && r >= 0; k++) {
		if (args->v[k].kind != T_WORD)
			r = sh_decline(sh, line, "an array literal in a command substitution");
		else
			r = sh_expand_fields(sh, args->v[k].text, line, &av);
	}
	sh->in_subst = saved_sub;
	if (r < 0)
		goto out;
	if (!av.n) {
		*out = xstrdup("");
		goto out;
	}
	if (!sh_emulate_subst(&av, &res)) {
		r = sh_decline(sh, line, "the command substitution $(%.40s)", av.v[0]);
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

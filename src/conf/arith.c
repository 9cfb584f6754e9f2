// SPDX-License-Identifier: GPL-2.0-or-later
/* arith.c - $(( )) and array subscripts: integer expressions without assignments. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "conf/sh.h"

struct ar {
	struct sh *sh;
	const char *p;
	size_t n, i;
	int line;
	int depth;
};

static void ws(struct ar *a)
{
	while (a->i < a->n && isspace((unsigned char)a->p[a->i]))
		a->i++;
}

static int decline(struct ar *a, const char *what)
{
	return sh_decline(a->sh, a->line, "%s in an arithmetic expression", what);
}

/* A bash integer constant: decimal, 0x hex, 0 octal.  -EINVAL when s is not one. */
static int parse_const(const char *s, size_t n, long *out)
{
	unsigned long v = 0, base = 10;
	size_t i = 0;

	if (!n)
		return -EINVAL;
	if (n > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
		if (n == 2)
			return -EINVAL;
	} else if (s[0] == '0') {
		base = 8;
	}
	for (; i < n; i++) {
		int d;
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		if ((unsigned long)d >= base)
			return -EINVAL;
		if (v > (unsigned long)(__LONG_MAX__ - d) / base)
			return -ERANGE;
		v = v * base + (unsigned long)d;
	}
	*out = (long)v;
	return 0;
}

static int expr(struct ar *a, int minprec, long *out);

static int primary(struct ar *a, long *out)
{
	int r;

	ws(a);
	if (a->i >= a->n)
		return decline(a, "a missing operand");
	char c = a->p[a->i];
	if (++a->depth > SH_MAX_DEPTH)
		return decline(a, "deep nesting");
	if (c == '(') {
		a->i++;
		r = expr(a, 0, out);
		if (r < 0)
			return r;
		ws(a);
		if (a->i >= a->n || a->p[a->i] != ')')
			return decline(a, "a missing ')'");
		a->i++;
	} else if (c == '-' || c == '+' || c == '!' || c == '~') {
		if (a->i + 1 < a->n && a->p[a->i + 1] == c && (c == '-' || c == '+'))
			return decline(a, "'++' or '--'");
		a->i++;
		r = primary(a, out);
		if (r < 0)
			return r;
		if (c == '-') {
			if (*out == (-__LONG_MAX__ - 1))
				return decline(a, "an overflow");
			*out = -*out;
		} else if (c == '!') {
			*out = !*out;
		} else if (c == '~') {
			*out = ~*out;
		}
	} else if (isdigit((unsigned char)c)) {
		size_t s = a->i;
		while (a->i < a->n && (isalnum((unsigned char)a->p[a->i]) || a->p[a->i] == '#' ||
				       a->p[a->i] == '@' || a->p[a->i] == '_'))
			a->i++;
		if (parse_const(a->p + s, a->i - s, out) < 0)
			return decline(a, "an unusual number");
	} else if (c == '_' || isalpha((unsigned char)c)) {
		size_t s = a->i;
		while (a->i < a->n && (a->p[a->i] == '_' || isalnum((unsigned char)a->p[a->i])))
			a->i++;
		_cleanup_free_ char *name = xstrndup(a->p + s, a->i - s);
		ws(a);
		if (a->i < a->n && a->p[a->i] == '[')
			return decline(a, "an array element");
		if (a->i + 1 < a->n && (a->p[a->i] == '+' || a->p[a->i] == '-') &&
		    a->p[a->i + 1] == a->p[a->i])
			return decline(a, "'++' or '--'");
		if (a->i < a->n && a->p[a->i] == '=' && !(a->i + 1 < a->n && a->p[a->i + 1] == '='))
			return decline(a, "an assignment");
		if (sh_is_special_var(name) && !shvars_find(&a->sh->vars, name))
			return decline(a, "a shell variable");
		const char *v = shvars_get(&a->sh->vars, name, 0);
		if (!v || !*v)
			*out = 0;
		else if (parse_const(v, strlen(v), out) < 0)
			return decline(a, "a variable holding an expression");
	} else {
		return decline(a, "an unsupported operator");
	}
	a->depth--;
	return 0;
}

struct op {
	const char *s;
	int prec;
};

static const struct op ops[] = {
	{"||", 1}, {"&&", 2}, {"==", 6}, {"!=", 6}, {"<=", 7}, {">=", 7}, {"<<", 8}, {">>", 8},
	{"**", 11}, {"|", 3}, {"^", 4}, {"&", 5}, {"<", 7}, {">", 7}, {"+", 9}, {"-", 9},
	{"*", 10}, {"/", 10}, {"%", 10},
};

static const struct op *peek_op(struct ar *a)
{
	ws(a);
	for (size_t k = 0; k < ARRAY_SIZE(ops); k++) {
		size_t l = strlen(ops[k].s);
		if (a->i + l <= a->n && strneq(a->p + a->i, ops[k].s, l)) {
			/* "a = b", "a += b" and friends are assignments */
			if (a->i + l < a->n && a->p[a->i + l] == '=' && l == 1 && !strchr("<>", ops[k].s[0]))
				return NULL;
			return &ops[k];
		}
	}
	return NULL;
}

static int apply(struct ar *a, const char *op, long x, long y, long *out)
{
	long r = 0;

	if (streq(op, "+")) {
		if (__builtin_add_overflow(x, y, &r))
			return decline(a, "an overflow");
	} else if (streq(op, "-")) {
		if (__builtin_sub_overflow(x, y, &r))
			return decline(a, "an overflow");
	} else if (streq(op, "*")) {
		if (__builtin_mul_overflow(x, y, &r))
			return decline(a, "an overflow");
	} else if (streq(op, "/") || streq(op, "%")) {
		if (y == 0 || (x == (-__LONG_MAX__ - 1) && y == -1))
			return decline(a, "a division by zero");
		r = op[0] == '/' ? x / y : x % y;
	} else if (streq(op, "**")) {
		if (y < 0)
			return decline(a, "a negative exponent");
		r = 1;
		for (long k = 0; k < y; k++)
			if (__builtin_mul_overflow(r, x, &r))
				return decline(a, "an overflow");
	} else if (streq(op, "<<") || streq(op, ">>")) {
		if (y < 0 || y > 62)
			return decline(a, "a large shift");
		r = op[0] == '<' ? (long)((unsigned long)x << y) : x >> y;
	} else if (streq(op, "<")) {
		r = x < y;
	} else if (streq(op, ">")) {
		r = x > y;
	} else if (streq(op, "<=")) {
		r = x <= y;
	} else if (streq(op, ">=")) {
		r = x >= y;
	} else if (streq(op, "==")) {
		r = x == y;
	} else if (streq(op, "!=")) {
		r = x != y;
	} else if (streq(op, "&")) {
		r = x & y;
	} else if (streq(op, "|")) {
		r = x | y;
	} else if (streq(op, "^")) {
		r = x ^ y;
	} else if (streq(op, "&&")) {
		r = x && y;
	} else if (streq(op, "||")) {
		r = x || y;
	}
	*out = r;
	return 0;
}

static int expr(struct ar *a, int minprec, long *out)
{
	int r = primary(a, out);

	while (r >= 0) {
		const struct op *op = peek_op(a);
		long rhs;

		ws(a);
		if (a->i < a->n && (a->p[a->i] == '?' || a->p[a->i] == ',' || a->p[a->i] == '='))
			return decline(a, "'?:', ',' or an assignment");
		if (!op || op->prec < minprec)
			break;
		a->i += strlen(op->s);
		/* ** is right-associative, everything else left-associative */
		r = expr(a, op->prec == 11 ? op->prec : op->prec + 1, &rhs);
		if (r < 0)
			return r;
		r = apply(a, op->s, *out, rhs, out);
	}
	return r;
}

int sh_arith(struct sh *sh, const char *p, size_t n, int line, long *out)
{
	struct ar a = {.sh = sh, .p = p, .n = n, .line = line};
	int r;

	ws(&a);
	if (a.i == a.n) {
		*out = 0;
		return 0;
	}
	r = expr(&a, 0, out);
	if (r < 0)
		return r;
	ws(&a);
	if (a.i != a.n)
		return decline(&a, "a syntax error");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* opts.c - one option-table parser on getopt_long for the commands that read their own argv. */
#include <getopt.h>
#include <string.h>

#include "cmd/opts.h"
#include "util/macro.h"

/* getopt_long's value for entry i: its short name, or a number no character has. */
static int opt_val(const struct opt *o, size_t i)
{
	return o->short_name ? (unsigned char)o->short_name : 256 + (int)i;
}

static const struct opt *find_val(const struct opts *p, int c)
{
	for (size_t i = 0; i < p->n; i++)
		if (opt_val(&p->opt[i], i) == c)
			return &p->opt[i];
	return NULL;
}

static int apply(const struct opts *p, const struct opt *o, const char *arg)
{
	switch (o->kind) {
	case OPTK_BOOL:
		*o->b = true;
		break;
	case OPTK_STR:
		*o->s = arg;
		break;
	case OPTK_STRV:
		strv_push(o->v, arg);
		break;
	case OPTK_INT:
		*o->i = o->value;
		break;
	case OPTK_CALL:
		return o->fn(p->data, o, arg);
	case OPTK_IGNORE:
		break;
	}
	return 0;
}

int opts_parse(const struct opts *p, int argc, char **argv, int *next, const char **bad)
{
	_cleanup_free_ struct option *lo = xcalloc(p->n + 1, sizeof(*lo));
	_cleanup_free_ char *so = xcalloc(3 * p->n + 2, 1);
	size_t nl = 0, ns = 0;

	if (p->in_order)
		so[ns++] = '-'; /* operands are returned in place, as option 1 */
	for (size_t i = 0; i < p->n; i++) {
		const struct opt *o = &p->opt[i];
		if (o->name)
			lo[nl++] = (struct option){.name = o->name, .val = opt_val(o, i),
						   .has_arg = o->has_arg ? required_argument : 0};
		if (o->short_name && !memchr(so, o->short_name, ns)) {
			so[ns++] = o->short_name;
			if (o->has_arg)
				so[ns++] = ':';
		}
	}
	*bad = NULL;
	optind = 0; /* full reset: main or an earlier parse may have used getopt */
	opterr = !p->in_order;
	for (;;) {
		int at = optind > 0 ? optind : 1; /* the word getopt reads next, or is inside */
		if (p->in_order && at < argc && streq(argv[at], "--")) {
			*bad = argv[at];
			return OPTS_BAD;
		}
		int li = -1;
		int c = getopt_long(argc, argv, so, lo, &li);
		if (c == -1)
			break;
		int r;
		if (c == 1) {
			if (!p->operand) {
				*bad = optarg;
				return OPTS_BAD;
			}
			r = p->operand(p->data, optarg);
		} else {
			const struct opt *o = c == '?' || c == ':' ? NULL : find_val(p, c);
			/* in order, as on the main command line: "-h" alone, not "-hx" */
			if (o && p->in_order && li < 0 && !o->has_arg && argv[at][2])
				o = NULL;
			if (!o) {
				*bad = argv[at < argc ? at : argc - 1];
				return OPTS_BAD;
			}
			r = apply(p, o, o->has_arg ? optarg : NULL);
		}
		if (r)
			return r;
	}
	if (next)
		*next = optind;
	return 0;
}

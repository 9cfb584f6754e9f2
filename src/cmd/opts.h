/* SPDX-License-Identifier: GPL-2.0-or-later */
/* opts.h - one option-table parser for the commands that read their own argv (depmod, lint...). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/strv.h"

enum opt_kind {
	OPTK_BOOL,   /* set *b to true */
	OPTK_STR,    /* set *s to the argument (it points into argv) */
	OPTK_STRV,   /* append the argument to *v */
	OPTK_INT,    /* set *i to .value (which of several options was given) */
	OPTK_CALL,   /* call .fn */
	OPTK_IGNORE, /* accepted and ignored, with its argument if it takes one */
};

struct opt;
/*
 * A callback's result: 0 to go on, OPTS_STOP when it finished the command (--help, --version
 * printed), or an error code the command returns as it is.  arg is NULL for a flag.
 */
typedef int (*opt_fn)(void *data, const struct opt *o, const char *arg);
typedef int (*opt_operand_fn)(void *data, const char *arg);

struct opt {
	const char *name; /* the long name without "--", or NULL */
	char short_name;  /* or 0 */
	bool has_arg;
	enum opt_kind kind;
	union {
		bool *b;
		const char **s;
		struct strv *v;
		int *i;
		opt_fn fn;
	};
	int value; /* OPTK_INT */
};

/* Table entries: l the long name or NULL, c the short one or 0, arg whether it takes one. */
#define OPT_BOOL(l, c, p) {.name = (l), .short_name = (c), .kind = OPTK_BOOL, .b = (p)}
#define OPT_STR(l, c, p)                                                                          \
	{.name = (l), .short_name = (c), .has_arg = true, .kind = OPTK_STR, .s = (p)}
#define OPT_STRV(l, c, p)                                                                         \
	{.name = (l), .short_name = (c), .has_arg = true, .kind = OPTK_STRV, .v = (p)}
#define OPT_INT(l, c, p, val)                                                                     \
	{.name = (l), .short_name = (c), .kind = OPTK_INT, .i = (p), .value = (val)}
#define OPT_CALL(l, c, arg, f)                                                                    \
	{.name = (l), .short_name = (c), .has_arg = (arg), .kind = OPTK_CALL, .fn = (f)}
#define OPT_IGNORE(l, c, arg)                                                                     \
	{.name = (l), .short_name = (c), .has_arg = (arg), .kind = OPTK_IGNORE}

enum { OPTS_STOP = 1, OPTS_BAD = 2 };

struct opts {
	const struct opt *opt;
	size_t n;
	/*
	 * false: getopt_long's rules and messages, as kmod's and RHEL's tools have them: options
	 * and operands mix (argv is permuted so the operands come last), "-ab" groups flags, "--"
	 * ends the options, errors are printed as "PROG: unrecognized option '--x'".
	 * true: as the main command line: argv is read in order, each operand goes to .operand
	 * when it is met, a short flag stands alone ("-h", not "-hx"; "-kVALUE" is fine), "--" is
	 * a bad option, and nothing is printed for a bad option.
	 */
	bool in_order;
	opt_operand_fn operand; /* in order: each operand (NULL: an operand is a bad word) */
	void *data;             /* the callbacks' first argument */
};

/*
 * Parse argv[1..argc) against p's table.  A long option may be abbreviated to any prefix that
 * names one option only, "--name=value" and "--name value" both work, an exact name wins.
 * Returns 0 with *next (unless NULL) the index of the first operand (argc in order mode);
 * OPTS_STOP when a callback finished the command; OPTS_BAD for an unknown option or one missing
 * its argument, *bad its word in order mode (the command prints its usage); or a callback's
 * error code.
 */
int opts_parse(const struct opts *p, int argc, char **argv, int *next, const char **bad);

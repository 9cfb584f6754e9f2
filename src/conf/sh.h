/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sh.h - internals of the native shell-subset evaluator: tokens, syntax tree, interpreter state. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "conf/vars.h"
#include "util/macro.h"
#include "util/strbuf.h"
#include "util/strv.h"

/*
 * The native evaluator never guesses: every function below returns 0 (or a status) when it
 * computed exactly what bash computes, and -ENOTSUP after recording in the state which construct
 * it cannot evaluate with certainty ("declined"); the caller then hands the file to bash.
 */

#define SH_MAX_DEPTH 48            /* nesting of quotes, ${}, $(), if/for/{}, . files */
#define SH_MAX_VALUE (8u << 20)    /* one value; longer ones go to bash */
#define SH_MAX_PATTERN_VALUE 65536 /* ${v%pat} and friends on longer values go to bash */
#define SH_MAX_STEPS 200000L       /* commands and loop rounds per evaluation */
#define SH_MAX_FILE (8u << 20)     /* a sourced file */

enum tok_kind {
	T_WORD,
	T_ARRAY,   /* NAME=( ... ) / NAME+=( ... ): text = "NAME=" or "NAME+=", elems = raw words */
	T_NEWLINE,
	T_SEMI,
	T_AND,
	T_OR,
	T_PIPE,
	T_AMP,
	T_LPAREN,
	T_RPAREN,
	T_DSEMI,
	T_REDIR,   /* text = operator, fd = explicit descriptor or -1 */
	T_EOF,
};

struct tok {
	enum tok_kind kind;
	int line;
	int fd;
	char *text;
	struct strv elems;
};

struct toks {
	struct tok *v;
	size_t n;
	size_t cap;
};

enum node_kind { N_LIST, N_SIMPLE, N_IF, N_FOR, N_GROUP };
enum conn { C_SEQ, C_AND, C_OR };

struct redir {
	int fd;
	char *op;
	char *target; /* raw word */
	int line;
};

/* The redirections of a simple command or a { } group. */
struct redirs {
	struct redir *v;
	size_t n;
};

/* Words owned by a node: T_WORD or T_ARRAY tokens. */
struct words {
	struct tok *v;
	size_t n;
};

struct node {
	enum node_kind kind;
	int line;
	bool negate;
	union {
		struct {
			struct node **kids;
			enum conn *conns; /* conns[i] joins kids[i] to the one before it */
			size_t nkids;
		} list;               /* N_LIST */
		struct {
			struct words args;
			struct redirs redirs;
		} simple;             /* N_SIMPLE */
		struct {
			struct node *cond, *then, *else_; /* else_: NULL, a list or the elif's N_IF */
		} if_;                /* N_IF */
		struct {
			char *var;
			struct words words; /* the words after "in" */
			struct node *body;
		} for_;               /* N_FOR */
		struct {
			struct node *body;
			struct redirs redirs;
		} group;              /* N_GROUP */
	};
};

struct sh_local {
	char *name;
	bool had;
	struct shvar saved;
};

struct sh {
	struct shvars vars;
	const char *file;    /* name used in diagnostics */
	const char *cwd;     /* directory relative paths are resolved against; NULL: "." */
	/* the first construct the native path declined, with where */
	char *why;
	char *why_file;
	int why_line;
	/* "local" declarations of the current function frame, restored by sh_end_frame() */
	struct sh_local *locals;
	size_t nlocals;
	long steps;
	int depth;
	bool returning;
	bool in_subst;       /* expanding inside a command substitution (a subshell) */
	int status;          /* $? */
	const char *cur_file;
};

/*
 * The files depend one way: shbase.c < lexer.c, parser.c, pattern.c, arith.c, builtins.c
 * < expand.c < assign.c < interp.c < eval.c.
 */

/* Shared helpers (shbase.c).  Record why the native path gives up (first reason wins); -ENOTSUP. */
int sh_decline(struct sh *sh, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Names the native path must not pretend to know (bash and environment variables). */
bool sh_is_special_var(const char *name);
/* A shell variable name (letters, digits, _; not starting with a digit). */
bool sh_valid_name(const char *s);
/* A path of the file being evaluated, relative ones resolved against sh->cwd. */
char *sh_host_path(const struct sh *sh, const char *p);
/* Accept only redirections that cannot change anything: to /dev/null, between stdout/stderr. */
_must_check_ int sh_check_redirs(struct sh *sh, const struct redirs *rs, bool *to_stderr,
				 bool *silent);

/* Lexer (lexer.c) and parser (parser.c). */

void toks_release(struct toks *t);
/* Length of "NAME=", "NAME+=", "NAME[...]=" or "NAME[...]+=" starting w, or 0: an assignment. */
size_t sh_assign_prefix(const char *w);
_must_check_ int sh_lex(struct sh *sh, const char *src, size_t len, int first_line,
			struct toks *out);
/*
 * src[*pos] opens a quote or substitution (' " ` $( $(( ${): advance *pos past its end, copying
 * the text (without backslash-newline continuations) to copy when it is not NULL.
 */
_must_check_ int sh_skip_construct(struct sh *sh, const char *src, size_t len, size_t *pos,
				   int *line, struct strbuf *copy);

_must_check_ int sh_parse(struct sh *sh, struct toks *t, struct node **out);
void node_free(struct node *n);

/* Arithmetic (arith.c). */
_must_check_ int sh_arith(struct sh *sh, const char *expr, size_t n, int line, long *out);

/* Builtins (builtins.c): test / [ ] over its arguments (0, 1, 2 as test; <0 declined). */
_must_check_ int sh_test(struct sh *sh, char **av, int ac, int line);
/* The file a "." or source command read, for the interpreter to run (text is malloc'd). */
struct sh_sourced {
	char *text;
	size_t len;
	const char *name; /* as written in the command, for diagnostics */
};
#define SH_NOT_BUILTIN 1 /* sh_builtin(): av[0] is none of the builtins */
#define SH_RUN_SOURCED 2 /* sh_builtin(): "." or source filled *src; run it, then free src->text */
/*
 * Run the builtin a simple command's expanded words name (:, true, false, test, [, echo, unset,
 * return, shopt -s extglob): 0 with *status set; SH_RUN_SOURCED for . / source; SH_NOT_BUILTIN;
 * <0 declined.  to_stderr, silent: the command's output redirections (see sh_check_redirs()).
 */
_must_check_ int sh_builtin(struct sh *sh, char **av, int ac, int line, bool to_stderr, bool silent,
			    int *status, struct sh_sourced *src);
/* bash's test integers: optional blanks, sign, digits, blanks. */
bool sh_test_int(const char *s, long *out);
/* The output of an emulated command in $( ) (nproc, getconf, uname, echo, true); false: not one. */
bool sh_emulate_subst(const struct strv *av, struct strbuf *res);

/* Expansion (expand.c).  Fields: command words after splitting; string: assignment values. */
_must_check_ int sh_expand_fields(struct sh *sh, const char *raw, int line, struct strv *fields);
_must_check_ int sh_expand_string(struct sh *sh, const char *raw, int line, char **out);
/* Run a command substitution's text, if it is one of the emulated commands. */
_must_check_ int sh_command_subst(struct sh *sh, const char *text, size_t n, int line, char **out);

/* Assignments (assign.c): one assignment word; local/export NAME[=value]... from args->v[first]. */
_must_check_ int sh_assign(struct sh *sh, const struct tok *tk, bool exported);
_must_check_ int sh_declare(struct sh *sh, const struct words *args, size_t first, bool local);
/* Leave the function frame the file was sourced in: undo "local" declarations. */
void sh_end_frame(struct sh *sh);

/* Pattern matching (pattern.c) over chars with a per-char "quoted" flag. */
bool sh_pattern_is_extglob(const char *pat, const unsigned char *q, size_t n);
bool sh_pattern_has_magic(const char *pat, const unsigned char *q, size_t n);
bool sh_pattern_match(const char *pat, const unsigned char *q, size_t pn, const char *s, size_t sn,
		      bool pathname);
/* Could a pathname expansion of this field match anything below cwd?  -ENOTSUP if unsure. */
_must_check_ int sh_glob_check(struct sh *sh, const char *pat, const unsigned char *q, size_t n,
			       int line);

/* Interpreter (interp.c). */
void sh_init(struct sh *sh, const char *file, const char *cwd);
void sh_release(struct sh *sh);
/* Lex, parse and run a file's text in the current frame; *status gets $?. */
_must_check_ int sh_run_text(struct sh *sh, const char *src, size_t len, const char *file,
			     int *status);
_must_check_ int sh_run(struct sh *sh, const struct node *n, int *status);

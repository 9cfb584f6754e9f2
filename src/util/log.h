/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - the one output sink: dkms-style messages on stdout/stderr, quiet and verbose. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/macro.h"

void log_setup(bool quiet, bool verbose);
bool log_is_verbose(void);
bool log_is_quiet(void);

/* Progress and results on stdout, one line each ("Building module(s)... done."). */
void log_info(const char *fmt, ...) _printf_(1, 2);
/* Like log_info, without the newline (for "...done." completions). */
void log_partial(const char *fmt, ...) _printf_(1, 2);
/* dkms error(): a blank line, then "Error! " and the text, on stderr; \n starts a new line. */
void log_error(const char *fmt, ...) _printf_(1, 2);
/* dkms warn(): "Warning: " and the text, on stderr. */
void log_warn(const char *fmt, ...) _printf_(1, 2);
/* A plain line on stderr (dkms's "dkms: removing module ..." lines, deprecation notes). */
void log_note(const char *fmt, ...) _printf_(1, 2);
/* Only with --verbose, on stderr, prefixed "ndkms: ". */
void log_debug(const char *fmt, ...) _printf_(1, 2);

/*
 * Every log_* message is printed with its control characters (but the newlines and tabs that
 * lay it out) as \xHH, so that a name or path from a tree or a tarball cannot drive the
 * terminal.  log_escape is that for a value printed otherwise (status lines): every control
 * character, newlines and tabs too, as \xHH.  Returns a new string.
 */
char *log_escape(const char *s);
/* The last lines of text (len bytes) through log_info, each indented by four spaces, empty ones left
 * out (the tail of a failed build's output). */
void log_info_tail(const char *text, size_t len, int lines);

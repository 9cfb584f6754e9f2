// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - message output with dkms's wording conventions. */
#include <stdarg.h>
#include <stdio.h>

#include "util/log.h"

static bool quiet;
static bool verbose;

void log_setup(bool q, bool v)
{
	quiet = q;
	verbose = v;
}

bool log_is_verbose(void)
{
	return verbose;
}

bool log_is_quiet(void)
{
	return quiet;
}

static void emit(FILE *f, const char *prefix, const char *fmt, va_list ap, bool nl)
{
	if (quiet)
		return;
	if (f == stderr)
		fflush(stdout);
	if (prefix)
		fputs(prefix, f);
	vfprintf(f, fmt, ap);
	if (nl)
		fputc('\n', f);
	fflush(f);
}

#define EMIT(f, prefix, nl)                                                                       \
	do {                                                                                      \
		va_list ap;                                                                       \
		va_start(ap, fmt);                                                                \
		emit(f, prefix, fmt, ap, nl);                                                     \
		va_end(ap);                                                                       \
	} while (0)

void log_info(const char *fmt, ...)
{
	EMIT(stdout, NULL, true);
}

void log_partial(const char *fmt, ...)
{
	EMIT(stdout, NULL, false);
}

void log_error(const char *fmt, ...)
{
	EMIT(stderr, "\nError! ", true);
}

void log_warn(const char *fmt, ...)
{
	EMIT(stderr, "Warning: ", true);
}

void log_note(const char *fmt, ...)
{
	EMIT(stderr, NULL, true);
}

void log_debug(const char *fmt, ...)
{
	if (!verbose)
		return;
	EMIT(stderr, "ndkms: ", true);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - message output with dkms's wording conventions. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/strbuf.h"

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

static bool is_ctl(unsigned char c, bool layout)
{
	return (c < 0x20 || c == 0x7f) && !(layout && (c == '\n' || c == '\t'));
}

static void add_escaped(struct strbuf *sb, const char *s, bool layout)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (is_ctl(*p, layout))
			sb_addf(sb, "\\x%02x", *p);
		else
			sb_addch(sb, (char)*p);
	}
}

char *log_escape(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	add_escaped(&sb, s ? s : "", false);
	return sb_steal(&sb);
}

static void emit(FILE *f, const char *prefix, const char *fmt, va_list ap, bool nl)
{
	char *text = NULL;

	if (quiet)
		return;
	if (f == stderr)
		fflush(stdout);
	if (prefix)
		fputs(prefix, f);
	if (vasprintf(&text, fmt, ap) >= 0) {
		struct strbuf sb = STRBUF_INIT;
		add_escaped(&sb, text, true);
		fputs(sb_str(&sb), f);
		sb_release(&sb);
	}
	free(text);
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

void log_info_tail(const char *text, size_t len, int lines)
{
	const char *start = text + len;
	int seen = 0;

	while (start > text && seen <= lines)
		if (*--start == '\n' && start[1])
			seen++;
	if (*start == '\n')
		start++;
	for (const char *p = start; *p;) {
		size_t n = strcspn(p, "\n");
		if (n)
			log_info("    %.*s", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

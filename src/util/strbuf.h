/* SPDX-License-Identifier: GPL-2.0-or-later */
/* strbuf.h - a growable, always NUL-terminated byte string. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/macro.h"

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

#define STRBUF_INIT {NULL, 0, 0}

void sb_grow(struct strbuf *sb, size_t extra);
void sb_addch(struct strbuf *sb, char c);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addf(struct strbuf *sb, const char *fmt, ...) _printf_(2, 3);
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap) _printf_(2, 0);
void sb_reset(struct strbuf *sb);
void sb_release(struct strbuf *sb);
/* The contents ("" when empty); stays owned by the buffer. */
const char *sb_str(const struct strbuf *sb);
/* Hand the string to the caller (never NULL) and reset the buffer. */
char *sb_steal(struct strbuf *sb);

static inline void sb_releasep(struct strbuf *sb)
{
	sb_release(sb);
}
#define _cleanup_strbuf_ _cleanup_(sb_releasep)

/* Append s as one single-quoted shell word ('it'\''s'). */
void sb_add_shell_quoted(struct strbuf *sb, const char *s);

/*
 * Append s as one shell word: bare when it holds only characters no shell treats specially
 * ([A-Za-z0-9._/+,:@%-], and '~' not first), so that logs read as dkms's; else single-quoted.
 */
void sb_add_shell_word(struct strbuf *sb, const char *s);

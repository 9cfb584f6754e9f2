// SPDX-License-Identifier: GPL-2.0-or-later
/* dmlog.c - depmod's messages, kmod-style ("depmod: ERROR: ..."), and the libkmod log bridge. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libkmod.h>

#include "depmod/internal.h"
#include "util/log.h"

static int verbosity = LOG_WARNING;
static struct strbuf *capture;
static pthread_mutex_t capture_lock = PTHREAD_MUTEX_INITIALIZER;

void dm_log_capture(struct strbuf *sb)
{
	pthread_mutex_lock(&capture_lock);
	capture = sb;
	pthread_mutex_unlock(&capture_lock);
}

void dm_log_replay(const char *line, size_t n)
{
	log_note("%.*s", (int)n, line);
}

void dm_log_setup(bool verbose)
{
	verbosity = verbose ? LOG_NOTICE : LOG_WARNING;
}

static const char *prio_name(int prio)
{
	switch (prio) {
	case LOG_CRIT:
		return "FATAL";
	case LOG_ERR:
		return "ERROR";
	case LOG_WARNING:
		return "WARNING";
	case LOG_NOTICE:
		return "NOTICE";
	case LOG_INFO:
		return "INFO";
	default:
		return "DEBUG";
	}
}

static void emit(int prio, const char *fmt, va_list ap) _printf_(2, 0);

static void emit(int prio, const char *fmt, va_list ap)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

	if (prio > verbosity)
		return;
	sb_vaddf(&sb, fmt, ap);
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	pthread_mutex_lock(&capture_lock);
	if (capture) {
		/* u32 length, then the line as printed */
		size_t at = capture->len;
		uint32_t n;

		sb_addn(capture, "\0\0\0\0", 4);
		sb_addf(capture, "depmod: %s: %s", prio_name(prio), sb_str(&sb));
		n = (uint32_t)(capture->len - at - 4);
		memcpy(capture->buf + at, &n, sizeof(n));
	}
	log_note("depmod: %s: %s", prio_name(prio), sb_str(&sb));
	pthread_mutex_unlock(&capture_lock);
}

void dm_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(prio, fmt, ap);
	va_end(ap);
}

static void kmod_log_fn(void *data, int prio, const char *file, int line, const char *fn,
			const char *fmt, va_list ap) _printf_(6, 0);

static void kmod_log_fn(_unused_ void *data, int prio, _unused_ const char *file,
			_unused_ int line, _unused_ const char *fn, const char *fmt, va_list ap)
{
	emit(prio, fmt, ap);
}

void dm_log_attach(struct kmod_ctx *ctx)
{
	kmod_set_log_fn(ctx, kmod_log_fn, NULL);
	kmod_set_log_priority(ctx, verbosity);
}

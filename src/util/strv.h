/* SPDX-License-Identifier: GPL-2.0-or-later */
/* strv.h - NULL-terminated, heap-owned string vectors. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/macro.h"

struct strv {
	char **v; /* always NULL-terminated once anything was pushed */
	size_t n;
	size_t cap;
};

#define STRV_INIT {NULL, 0, 0}

void strv_push(struct strv *sv, const char *s);
void strv_push_take(struct strv *sv, char *s);
void strv_pushf(struct strv *sv, const char *fmt, ...) _printf_(2, 3);
bool strv_contains(const struct strv *sv, const char *s);
void strv_sort(struct strv *sv);
/* Sort with the dkms version order (see version.h). */
void strv_sort_version(struct strv *sv);
void strv_release(struct strv *sv);
/* A NULL-terminated view, valid until the next push; never NULL. */
char **strv_get(struct strv *sv);

static inline void strv_releasep(struct strv *sv)
{
	strv_release(sv);
}
#define _cleanup_strv_ _cleanup_(strv_releasep)

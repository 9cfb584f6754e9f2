/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.h - writing JSON strings for machine-readable output. */
#pragma once

#include <stdio.h>

/* s as a JSON string literal (escaped), or null when s is NULL. */
void json_write_str(FILE *f, const char *s);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* certinfo.h - an X.509 certificate file as DER bytes, with its fingerprint and expiry. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/macro.h"

struct certinfo {
	unsigned char *der;  /* the certificate in DER, as firmware lists hold it */
	size_t der_len;
	bool was_der;        /* the file itself is DER (mokutil --import needs that) */
	char *sha256;        /* "AB:CD:..." of the DER bytes, as mokutil --list-enrolled shows */
	char *subject;       /* one line, e.g. "CN = DKMS module signing key" */
	char *serial;        /* "1A:2B:...", as modinfo shows a signature's sig_key */
	char *not_after;     /* "2026-12-03 12:00:00 UTC" */
	bool expired;        /* notAfter lies before now */
};

/* Read a DER (or PEM) certificate from a host path; on failure *why says what is wrong. */
_must_check_ int certinfo_load(const char *path, const char *shown, struct certinfo *ci,
			       char **why);
void certinfo_release(struct certinfo *ci);

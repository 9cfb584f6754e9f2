// SPDX-License-Identifier: GPL-2.0-or-later
/* sslerr.c - turn libcrypto's error queue into one readable sentence. */
#include <openssl/err.h>

#include "sign/sslerr.h"
#include "util/macro.h"

char *ssl_error_text(const char *what)
{
	unsigned long e, last = 0;
	char buf[256];

	while ((e = ERR_get_error()))
		last = e;
	if (!last)
		return xstrdup(what);
	const char *reason = ERR_reason_error_string(last);
	if (!reason) {
		ERR_error_string_n(last, buf, sizeof(buf));
		reason = buf;
	}
	return xasprintf("%s (%s)", what, reason);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sslerr.h - turn libcrypto's error queue into one readable sentence. */
#pragma once

/* A new string: what, then the innermost libcrypto reason when there is one; clears the queue. */
char *ssl_error_text(const char *what);

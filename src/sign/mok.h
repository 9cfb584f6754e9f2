/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mok.h - create a Machine Owner Key: RSA key and self-signed code-signing certificate. */
#pragma once

#include <stdbool.h>

#include "util/macro.h"

/*
 * Generate an RSA 2048 key and a self-signed X.509 certificate ("/CN=DKMS module signing key",
 * extendedKeyUsage codeSigning, valid 36500 days), as dkms's openssl req does, and write the
 * key as PEM with mode 0600 and the certificate as DER.  Both are made in memory, written to
 * mkostemp files beside their names and linked into place, each created new: an existing file
 * is never replaced.  When one of the two exists alone and move_lone is set, it is renamed
 * (never over anything) to NAME.orig-YYYYmmdd-HHMMSS once the new pair is ready, and that name
 * returned in *moved (malloc()ed; NULL when nothing moved); otherwise -EEXIST and nothing is
 * written.  The folders must exist (none is created).  Host paths.  On failure *why is set,
 * no new file is left and a moved file is put back where it was.
 */
_must_check_ int mok_generate(const char *key_path, const char *cert_path, bool move_lone,
			      char **moved, char **why);

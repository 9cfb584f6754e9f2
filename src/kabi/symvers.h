/* SPDX-License-Identifier: GPL-2.0-or-later */
/* symvers.h - a kernel's exported symbols and CRCs, from its symvers file. */
#pragma once

#include "kabi/symtab.h"
#include "util/macro.h"

/*
 * The symvers file of kver under the tree base ("" for /), the first that exists of
 * boot/symvers-KVER.gz (RHEL), lib/modules/KVER/symvers.gz (Fedora) and
 * lib/modules/KVER/build/Module.symvers (the headers); NULL when there is none.
 */
char *kabi_symvers_find(const char *base, const char *kver);

/*
 * Load "0xCRC<TAB>symbol<TAB>module<TAB>export[<TAB>namespace]" lines (plain or gzip) into t
 * as KABI_OWNER_KERNEL.  Malformed lines are skipped; returns the number of symbols or a
 * negative errno.
 */
_must_check_ int kabi_symvers_load(const char *path, struct kabi_symtab *t);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* symvers.h - the lines of a Module.symvers file: crc, symbol, module, export type, namespace. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/macro.h"

/* How lines and fields are cut: each form follows the reader its user must match. */
enum symvers_form {
	/*
	 * kmod's depmod -E: the file as it is (never decompressed), lines as fgets() into a
	 * 10240-byte buffer returns them (a longer line comes in pieces, each counted as a line),
	 * fields split at runs of blanks, the newline left on the last field.
	 */
	SYMVERS_KMOD,
	/*
	 * Plain or gzip (symvers-KVER.gz); a line of 4096 bytes or more (newline included), or one
	 * holding a NUL byte, is skipped; fields split at each tab, the newline cut off.
	 */
	SYMVERS_TABS,
};

struct symvers_line {
	unsigned num; /* line number, from 1 */
	/* the fields as written, NULL past the last one; valid until the next symvers_next() */
	const char *crc, *symbol, *module, *export_type, *ns;
};

struct symvers_reader {
	enum symvers_form form;
	char *data;  /* the whole (decompressed) file, NUL-terminated */
	size_t len;  /* its length: a hint for the size of the caller's table */
	size_t pos;  /* where the next line starts */
	char *cut;   /* where the last line was NUL-terminated, and the byte that was there */
	char saved;
	unsigned num;
};

/* Read path whole (at most 1 GiB); 0 or a negative errno. */
_must_check_ int symvers_open(struct symvers_reader *r, const char *path, enum symvers_form form);
/* The next line into *l; false at the end of the file. */
bool symvers_next(struct symvers_reader *r, struct symvers_line *l);
void symvers_close(struct symvers_reader *r);

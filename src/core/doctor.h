/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doctor.h - find what is inconsistent in the state, trees, indexes and signatures; repair it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/ctx.h"

/* What --repair does about a problem; DOCTOR_PERSON: nothing, a person has to decide. */
enum doctor_fix {
	DOCTOR_PERSON,
	DOCTOR_RECOVER,        /* finish or roll back M's interrupted change (its marker) */
	DOCTOR_UNREGISTER,     /* delete M/V from the state tree: nothing is built or installed */
	DOCTOR_DROP_BUILD,     /* the built module is gone: uninstall it, delete M/V/K/A */
	DOCTOR_DROP_INSTALLED, /* the state says installed, the build is gone: uninstall */
	DOCTOR_REINSTALL,      /* install M/V on K/A again from the built module */
	DOCTOR_UNLINK,         /* remove a weak-updates link (dangling or incompatible) */
	DOCTOR_DEPMOD,         /* regenerate K's indexes */
	DOCTOR_DROP_LOCK,      /* delete a lock file ndkms cannot safely use */
};

struct doctor_problem {
	const char *check; /* "source-dangling", "installed-differs", ... (stable, for scripts) */
	char *module, *version, *kver, *arch; /* those that apply, else NULL */
	char *path;        /* host path of what is wrong (a file, link or folder) */
	char *text;        /* one line, in-root paths */
	enum doctor_fix fix;
	char *advice;      /* the repair, in words (what --repair does, or what a person should) */
	int repaired;      /* 0 not tried, 1 done, -1 failed */
};

struct doctor_report {
	struct doctor_problem *p;
	size_t n, cap;
};

/*
 * What a run looks at: module (NULL or "": every module) and version (NULL or "": every
 * version), and the kernels given as K or K/A (none: every kernel).
 */
struct doctor_filter {
	const char *module;
	const char *version;
	const struct strv *kvers;
};

/* Every check within filter. */
void doctor_check(struct ndkms_ctx *ctx, const struct doctor_filter *filter,
		  struct doctor_report *rep);
/* Carry out every fix but DOCTOR_PERSON (taking the module and kernel locks); 0 or a code. */
int doctor_repair(struct ndkms_ctx *ctx, struct doctor_report *rep);
void doctor_report_release(struct doctor_report *rep);

/* The repair in words for a fix kind ("reinstall from the built module", ...). */
const char *doctor_fix_name(enum doctor_fix fix);

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doctor_internal.h - what the doctor's checks share: the scope and the problem list. */
#pragma once

#include "core/doctor.h"
#include "util/macro.h"
#include "util/strv.h"

struct doctor_scope {
	struct ndkms_ctx *ctx;
	struct strv modules;  /* registered modules to look at */
	struct strv kernels;  /* kernels named with -k (empty: every kernel) */
	const char *module;   /* the module named (NULL: every module; kernel-wide checks run) */
	const char *version;  /* the version named (NULL: every version) */
	struct doctor_report *rep;
};

/* Whether kver is one the run looks at. */
bool doctor_kernel_wanted(const struct doctor_scope *s, const char *kver);
/* Whether version v is one the run looks at (-m M/V names one, else every version). */
bool doctor_version_wanted(const struct doctor_scope *s, const char *v);
/* Kernel folders of the install tree that the run looks at, sorted. */
void doctor_list_kernels(const struct doctor_scope *s, struct strv *out);

/* Add a problem; m, v, k, a and path may be NULL.  Returns it for the caller to set advice. */
struct doctor_problem *doctor_add(struct doctor_scope *s, const char *check, enum doctor_fix fix,
				  const char *m, const char *v, const char *k, const char *a,
				  const char *path, const char *fmt, ...) _printf_(9, 10);

void doctor_check_state(struct doctor_scope *s);     /* doctor_state.c */
void doctor_check_tree(struct doctor_scope *s);      /* doctor_tree.c: unowned, weak links */
void doctor_check_modules(struct doctor_scope *s);   /* doctor_modules.c: vermagic, signatures */
void doctor_check_indexes(struct doctor_scope *s);   /* doctor_indexes.c */
void doctor_check_leftovers(struct doctor_scope *s); /* doctor_leftovers.c */

struct dkms_conf;
/* M/V's dkms.conf for K/A read quietly (the source may be what is broken); 0 or a code. */
int doctor_conf(const struct doctor_scope *s, const char *m, const char *v, const char *k,
		const char *a, struct dkms_conf *conf);
/* Where record i of conf is installed on K: its install or destination location, or NULL. */
char *doctor_installed_file(const struct doctor_scope *s, const struct dkms_conf *conf, size_t i,
			    const char *k);

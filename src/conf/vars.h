/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vars.h - a shell variable store: scalars and sparse indexed arrays, as bash keeps them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/macro.h"

struct shvar_elem {
	long idx;
	char *val;
};

struct shvar {
	char *name;
	bool is_array;          /* declared or assigned as an array (X[i]= or X=(...)) */
	bool exported;
	struct shvar_elem *elems; /* sorted by idx; a scalar is element 0 */
	size_t n;
};

struct shvars {
	struct shvar *v;
	size_t n;
	size_t cap;
};

#define SHVARS_INIT {NULL, 0, 0}

/* Set NAME (idx < 0: the scalar / element 0 without making it an array) or NAME[idx]. */
void shvars_set(struct shvars *vs, const char *name, long idx, const char *val);
/* Value of NAME[idx] (idx 0 for the scalar), or NULL when unset. */
const char *shvars_get(const struct shvars *vs, const char *name, long idx);
const struct shvar *shvars_find(const struct shvars *vs, const char *name);
void shvars_unset(struct shvars *vs, const char *name);
void shvars_copy(struct shvars *dst, const struct shvars *src);
void shvars_release(struct shvars *vs);
/* Highest set index of NAME plus one (0 when unset). */
long shvars_len(const struct shvars *vs, const char *name);
/* Replace NAME's whole variable by a copy of src (arrays, flags and all). */
void shvars_put(struct shvars *vs, const struct shvar *src);
/* Find NAME or add it without any element (declared but unset, as "local X" does). */
struct shvar *shvars_declare(struct shvars *vs, const char *name);
/* Set element idx of one variable (keeps the sorted order). */
void shvar_set_elem(struct shvar *v, long idx, const char *val);

static inline void shvars_releasep(struct shvars *vs)
{
	shvars_release(vs);
}
#define _cleanup_shvars_ _cleanup_(shvars_releasep)

// SPDX-License-Identifier: GPL-2.0-or-later
/* vars.c - a shell variable store: scalars and sparse indexed arrays kept sorted by index. */
#include <string.h>

#include "conf/vars.h"
#include "util/macro.h"

static struct shvar *find(const struct shvars *vs, const char *name)
{
	for (size_t i = 0; i < vs->n; i++)
		if (streq(vs->v[i].name, name))
			return &vs->v[i];
	return NULL;
}

const struct shvar *shvars_find(const struct shvars *vs, const char *name)
{
	return find(vs, name);
}

static struct shvar *find_or_add(struct shvars *vs, const char *name)
{
	struct shvar *v = find(vs, name);

	if (v)
		return v;
	if (vs->n == vs->cap) {
		vs->cap = vs->cap ? vs->cap * 2 : 16;
		vs->v = xreallocarray(vs->v, vs->cap, sizeof(*vs->v));
	}
	v = &vs->v[vs->n++];
	memset(v, 0, sizeof(*v));
	v->name = xstrdup(name);
	return v;
}

/* Index of the first element with idx >= want (binary search). */
static size_t lower_bound(const struct shvar *v, long want)
{
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->elems[mid].idx < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void shvar_set_elem(struct shvar *v, long idx, const char *val)
{
	size_t pos = (v->n && v->elems[v->n - 1].idx < idx) ? v->n : lower_bound(v, idx);

	if (pos < v->n && v->elems[pos].idx == idx) {
		char *nv = xstrdup(val);

		free(v->elems[pos].val);
		v->elems[pos].val = nv;
		return;
	}
	v->elems = xreallocarray(v->elems, v->n + 1, sizeof(*v->elems));
	memmove(&v->elems[pos + 1], &v->elems[pos], (v->n - pos) * sizeof(*v->elems));
	v->elems[pos].idx = idx;
	v->elems[pos].val = xstrdup(val);
	v->n++;
}

void shvars_set(struct shvars *vs, const char *name, long idx, const char *val)
{
	struct shvar *v = find_or_add(vs, name);

	if (idx < 0) {
		shvar_set_elem(v, 0, val);
		return;
	}
	v->is_array = true;
	shvar_set_elem(v, idx, val);
}

const char *shvars_get(const struct shvars *vs, const char *name, long idx)
{
	const struct shvar *v = find(vs, name);
	size_t pos;

	if (!v || idx < 0)
		return NULL;
	pos = lower_bound(v, idx);
	if (pos < v->n && v->elems[pos].idx == idx)
		return v->elems[pos].val;
	return NULL;
}

static void shvar_clear(struct shvar *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->elems[i].val);
	free(v->elems);
	free(v->name);
	memset(v, 0, sizeof(*v));
}

void shvars_unset(struct shvars *vs, const char *name)
{
	struct shvar *v = find(vs, name);

	if (!v)
		return;
	shvar_clear(v);
	*v = vs->v[--vs->n];
}

void shvars_put(struct shvars *vs, const struct shvar *src)
{
	struct shvar *v;

	shvars_unset(vs, src->name);
	v = find_or_add(vs, src->name);
	v->is_array = src->is_array;
	v->exported = src->exported;
	if (src->n) {
		v->elems = xreallocarray(NULL, src->n, sizeof(*v->elems));
		for (size_t i = 0; i < src->n; i++) {
			v->elems[i].idx = src->elems[i].idx;
			v->elems[i].val = xstrdup(src->elems[i].val);
		}
	}
	v->n = src->n;
}

struct shvar *shvars_declare(struct shvars *vs, const char *name)
{
	return find_or_add(vs, name);
}

void shvars_copy(struct shvars *dst, const struct shvars *src)
{
	for (size_t i = 0; i < src->n; i++)
		shvars_put(dst, &src->v[i]);
}

void shvars_release(struct shvars *vs)
{
	for (size_t i = 0; i < vs->n; i++)
		shvar_clear(&vs->v[i]);
	free(vs->v);
	vs->v = NULL;
	vs->n = vs->cap = 0;
}

long shvars_len(const struct shvars *vs, const char *name)
{
	const struct shvar *v = find(vs, name);

	if (!v || !v->n)
		return 0;
	return v->elems[v->n - 1].idx + 1;
}

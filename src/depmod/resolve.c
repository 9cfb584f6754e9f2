// SPDX-License-Identifier: GPL-2.0-or-later
/* resolve.c - symbol owners, module dependencies, kmod's topological order, modules.dep lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depmod/internal.h"
#include "depmod/symvers.h"
#include "util/fs.h"

#define SYM_NONE ((uintptr_t)0)

static struct dm_sym *sym_find(struct dm_state *st, const char *name)
{
	uintptr_t v = (uintptr_t)dm_map_get(&st->symmap, name);

	return v == SYM_NONE ? NULL : &st->syms[v - 1];
}

/* Insert or replace: the last one added owns a name (kmod's hash_add). */
static void sym_add(struct dm_state *st, const char *name, uint64_t crc, int32_t owner)
{
	bool found;
	struct dm_map_ent *e = dm_map_slot(&st->symmap, name, &found);
	struct dm_sym *s;

	if (found) {
		s = &st->syms[(uintptr_t)e->val - 1];
	} else {
		if (st->nsyms == st->capsyms) {
			st->capsyms = st->capsyms ? st->capsyms * 2 : 4096;
			st->syms = xreallocarray(st->syms, st->capsyms, sizeof(*st->syms));
		}
		s = &st->syms[st->nsyms++];
		e->val = (void *)(uintptr_t)st->nsyms;
	}
	s->name = name;
	e->key = name;
	s->crc = crc;
	s->owner = owner;
}

static const char *kernel_name(struct dm_state *st, const char *name, size_t n)
{
	strv_push_take(&st->kernel_names, xstrndup(name, n));
	return st->kernel_names.v[st->kernel_names.n - 1];
}

static void add_fake_syms(struct dm_state *st)
{
	sym_add(st, "__this_module", 0, -1);
	sym_add(st, "_GLOBAL_OFFSET_TABLE_", 0, -1);
	if (!sym_find(st, "TOC."))
		sym_add(st, "TOC.", 0, -1);
}

/* Each line of a text file as fgets() with a 10240-byte buffer would return it. */
static char *next_chunk(char **pos, char *end, char *line, size_t cap)
{
	char *p = *pos;

	if (p >= end)
		return NULL;
	size_t max = (size_t)(end - p) < cap - 1 ? (size_t)(end - p) : cap - 1;
	char *nl = memchr(p, '\n', max);
	size_t n = nl ? (size_t)(nl - p) + 1 : max;

	memcpy(line, p, n);
	line[n] = '\0';
	*pos = p + n;
	return line;
}

int dm_load_symvers(struct dm_state *st, const char *path)
{
	struct symvers_reader rd;
	struct symvers_line l;
	int r = symvers_open(&rd, path, SYMVERS_KMOD);

	if (r < 0)
		return r;
	while (symvers_next(&rd, &l)) {
		const char *sym = l.symbol;
		char *verend;

		if (!l.module || !streq(l.module, "vmlinux"))
			continue;
		uint64_t crc = strtoull(l.crc, &verend, 16);
		if (verend[0] != '\0') {
			DM_ERR("%s:%u Invalid symbol version %s", path, l.num, l.crc);
			continue;
		}
		if (st->cfg.sym_prefix && sym[0] == st->cfg.sym_prefix)
			sym++;
		sym_add(st, kernel_name(st, sym, strlen(sym)), crc, -1);
	}
	symvers_close(&rd);
	add_fake_syms(st);
	return 0;
}

int dm_load_system_map(struct dm_state *st, const char *path)
{
	static const char ksym[] = "__ksymtab_";
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *line = xmalloc(10240);
	size_t len;
	unsigned linenum = 0;
	int r = read_file(path, &data, &len, (size_t)1 << 30);

	if (r < 0)
		return r;
	char *pos = data;
	while (next_chunk(&pos, data + len, line, 10240)) {
		char *p;

		linenum++;
		p = strchr(line, ' ');
		if (p)
			p = strchr(p + 1, ' ');
		if (!p) {
			DM_ERR("%s:%u: invalid line: %s", path, linenum, line);
			continue;
		}
		p++;
		if (st->cfg.sym_prefix && p[0] == st->cfg.sym_prefix)
			p++;
		if (strncmp(p, ksym, sizeof(ksym) - 1) != 0)
			continue;
		p += sizeof(ksym) - 1;
		sym_add(st, kernel_name(st, p, strcspn(p, "\n")), 0, -1);
	}
	add_fake_syms(st);
	return 0;
}

static void load_exports(struct dm_state *st)
{
	for (size_t i = 0; i < st->nmods; i++) {
		struct dm_mod *m = st->mods[i];
		const char *p = m->rec.exp;

		for (uint32_t k = 0; k < m->rec.nexp; k++) {
			uint64_t crc = dm_load64(p);
			const char *name = p + 8;

			p = name + strlen(name) + 1;
			if (st->cfg.sym_prefix && name[0] == st->cfg.sym_prefix)
				name++;
			sym_add(st, name, crc, (int32_t)m->idx);
		}
	}
}

static void add_dependency(struct dm_state *st, struct dm_mod *m, const struct dm_sym *s)
{
	struct dm_mod *owner = st->mods[s->owner];

	for (uint32_t i = 0; i < m->ndeps; i++)
		if (m->deps[i] == owner->idx)
			return;
	if (m->ndeps == m->capdeps) {
		m->capdeps = m->capdeps ? m->capdeps * 2 : 4;
		m->deps = xreallocarray(m->deps, m->capdeps, sizeof(*m->deps));
	}
	m->deps[m->ndeps++] = owner->idx;
	owner->users++;
	if (st->o->verbose)
		printf("%s needs \"%s\": %s\n", m->path, s->name, owner->path);
}

static void load_dependencies(struct dm_state *st)
{
	const struct dm_cfg *cfg = &st->cfg;

	for (size_t i = 0; i < st->nmods; i++) {
		struct dm_mod *m = st->mods[i];
		const char *p = m->rec.dep;

		for (uint32_t k = 0; k < m->rec.ndep; k++) {
			uint64_t crc = dm_load64(p);
			bool weak = p[8] == 'W';
			const char *name = p + 9, *key = name;
			size_t len = strlen(name);

			p = name + len + 1;
			if (key[0] == '.') {
				key++;
				len--;
			}
			if (cfg->sym_prefix && key[0] == cfg->sym_prefix) {
				key++;
				len--;
			}
			uintptr_t v = (uintptr_t)dm_map_get_n(&st->symmap, key, len);
			const struct dm_sym *s = v == SYM_NONE ? NULL : &st->syms[v - 1];
			if (!s) {
				if (cfg->print_unknown && !weak)
					DM_WRN("%s needs unknown symbol %s", m->path, name);
				continue;
			}
			if (cfg->check_symvers && s->crc != crc && !weak && cfg->print_unknown)
				DM_WRN("%s disagrees about version of symbol %s", m->path, name);
			if (s->owner >= 0)
				add_dependency(st, m, s);
		}
	}
}

struct vertex {
	struct vertex *parent;
	struct dm_mod *mod;
};

struct roots {
	struct dm_mod **v;
	size_t n;
};

static void roots_remove(struct roots *r, const struct dm_mod *m)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i] == m) {
			memmove(r->v + i, r->v + i + 1, (r->n - i - 1) * sizeof(*r->v));
			r->n--;
			return;
		}
	}
}

static void report_one_cycle(struct vertex *vx, struct roots *roots, struct dm_map *loop_set)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	size_t n = 0;

	for (struct vertex *v = vx->parent; v; v = v->parent)
		n++;
	_cleanup_free_ struct vertex **rev = xcalloc(n ? n : 1, sizeof(*rev));
	n = 0;
	for (struct vertex *v = vx->parent; v; v = v->parent) {
		bool found;

		rev[n++] = v;
		dm_map_slot(loop_set, v->mod->modname, &found);
	}
	while (n--) {
		sb_adds(&sb, rev[n]->mod->modname);
		sb_adds(&sb, " -> ");
		roots_remove(roots, rev[n]->mod);
	}
	sb_adds(&sb, vx->mod->modname);
	DM_ERR("Cycle detected: %s", sb_str(&sb));
}

/* kmod's cycle report: walk from each remaining root and print every way back to it. */
static void report_cycles(struct dm_state *st, const uint32_t *users)
{
	struct roots roots = {xcalloc(st->nmods, sizeof(struct dm_mod *)), 0};
	struct dm_map loop_set = {0};
	struct vertex **all = NULL;
	size_t nall = 0, capall = 0;
	size_t budget = (size_t)1 << 20;

	for (size_t i = 0; i < st->nmods; i++)
		if (users[i] > 0)
			roots.v[roots.n++] = st->mods[i];

	struct vertex **stack = NULL;
	size_t cap = 0;
	while (roots.n && budget) {
		struct dm_mod *root_mod = roots.v[0];
		size_t is = 0;

		roots_remove(&roots, root_mod);
		nall = 0;
		if (nall == capall) {
			capall = capall ? capall * 2 : 256;
			all = xreallocarray(all, capall, sizeof(*all));
		}
		struct vertex *root = xcalloc(1, sizeof(*root));
		root->mod = root_mod;
		all[nall++] = root;
		if (cap == 0) {
			cap = 256;
			stack = xreallocarray(stack, cap, sizeof(*stack));
		}
		stack[is++] = root;
		while (is > 0 && budget) {
			struct vertex *vx = stack[--is];
			struct dm_mod *m = vx->mod;

			budget--;
			if (m->visited && m == root->mod) {
				report_one_cycle(vx, &roots, &loop_set);
				continue;
			}
			m->visited = true;
			if (m->ndeps == 0) {
				roots_remove(&roots, m);
				continue;
			}
			for (uint32_t k = 0; k < m->ndeps; k++) {
				struct vertex *v = xcalloc(1, sizeof(*v));

				v->mod = st->mods[m->deps[k]];
				v->parent = vx;
				if (nall == capall) {
					capall *= 2;
					all = xreallocarray(all, capall, sizeof(*all));
				}
				all[nall++] = v;
				if (is == cap) {
					cap *= 2;
					stack = xreallocarray(stack, cap, sizeof(*stack));
				}
				stack[is++] = v;
			}
		}
		for (size_t i = 0; i < nall; i++)
			free(all[i]);
	}
	DM_ERR("Found %zu modules in dependency cycles!", loop_set.n);
	free(stack);
	free(all);
	free(roots.v);
	dm_map_release(&loop_set);
}

static int topo_sort(struct dm_state *st)
{
	size_t n = st->nmods, nroots = 0, nsorted = 0;
	_cleanup_free_ uint32_t *users = xcalloc(n ? n : 1, sizeof(uint32_t));
	_cleanup_free_ uint32_t *stack = xcalloc(n ? n : 1, sizeof(uint32_t));

	for (size_t i = 0; i < n; i++) {
		users[i] = st->mods[i]->users;
		if (!users[i])
			stack[nroots++] = (uint32_t)i;
	}
	while (nroots > 0) {
		struct dm_mod *src = st->mods[stack[--nroots]];

		src->dep_sort_idx = (uint32_t)nsorted++;
		for (uint32_t k = 0; k < src->ndeps; k++) {
			uint32_t d = src->deps[k];

			if (--users[d] == 0)
				stack[nroots++] = d;
		}
	}
	if (nsorted < n) {
		report_cycles(st, users);
		return -ELOOP;
	}
	return 0;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

/*
 * Order a dependency list by dep_sort_idx.  The keys carry dep_sort_idx in their high half (a
 * permutation, so no two are equal); most lists are short, so an insertion sort does them.
 */
static void sort_by_dep_idx(uint64_t *k, size_t n)
{
	if (n > 24) {
		qsort(k, n, sizeof(*k), cmp_u64);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint64_t x = k[i];
		size_t j = i;

		for (; j > 0 && k[j - 1] > x; j--)
			k[j] = k[j - 1];
		k[j] = x;
	}
}

static const char *out_path(const struct dm_mod *m)
{
	return m->relpath ? m->relpath : m->path;
}

/* Every module reachable through deps, once each, by dep_sort_idx: the modules.dep line. */
static void build_lines(struct dm_state *st)
{
	size_t n = st->nmods;
	_cleanup_free_ uint32_t *stamp = xcalloc(n ? n : 1, sizeof(uint32_t));
	_cleanup_free_ uint64_t *list = xcalloc(n ? n : 1, sizeof(uint64_t));
	_cleanup_free_ uint32_t *stack = NULL;
	size_t cap = 0;
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		struct dm_mod *m = st->mods[i];
		size_t nl = 0, is = 0;

		sb_reset(&sb);
		sb_adds(&sb, out_path(m));
		sb_addch(&sb, ':');
		if (m->ndeps) {
			uint32_t mark = (uint32_t)i + 1;

			stamp[i] = mark;
			if (cap < n) {
				cap = n;
				stack = xreallocarray(stack, cap, sizeof(*stack));
			}
			for (uint32_t k = m->ndeps; k-- > 0;)
				stack[is++] = m->deps[k];
			while (is) {
				uint32_t d = stack[--is];

				if (stamp[d] == mark)
					continue;
				stamp[d] = mark;
				const struct dm_mod *dm = st->mods[d];
				list[nl++] = (uint64_t)dm->dep_sort_idx << 32 | d;
				for (uint32_t k = dm->ndeps; k-- > 0;) {
					if (stamp[dm->deps[k]] == mark)
						continue;
					if (is == cap) {
						cap *= 2;
						stack = xreallocarray(stack, cap, sizeof(*stack));
					}
					stack[is++] = dm->deps[k];
				}
			}
			sort_by_dep_idx(list, nl);
			for (size_t k = 0; k < nl; k++) {
				sb_addch(&sb, ' ');
				sb_adds(&sb, out_path(st->mods[(uint32_t)list[k]]));
			}
		}
		free(m->line);
		m->linelen = sb.len;
		m->line = xstrndup(sb_str(&sb), sb.len);
	}
	sb_release(&sb);
}

int dm_resolve(struct dm_state *st)
{
	int r;

	load_exports(st);
	load_dependencies(st);
	r = topo_sort(st);
	if (r < 0)
		return r;
	build_lines(st);
	return 0;
}

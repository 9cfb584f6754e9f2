// SPDX-License-Identifier: GPL-2.0-or-later
/* assign.c - assignments, local and export, and the function frame that local declarations live in. */
#include <string.h>

#include "conf/sh.h"
#include "util/fs.h"

/* One assignment word (T_WORD NAME[sub]+=value or T_ARRAY). */
int sh_assign(struct sh *sh, const struct tok *tk, bool exported)
{
	const char *w = tk->text;
	size_t al = sh_assign_prefix(w), nl = strcspn(w, "[+=");
	bool append = w[al - 2] == '+';
	_cleanup_free_ char *name = xstrndup(w, nl);
	long idx = -1;
	int r;

	if (sh_is_special_var(name))
		return sh_decline(sh, tk->line, "assigning the shell variable %s", name);
	if (w[nl] == '[') {
		const char *e = strchr(w + nl, ']');
		_cleanup_free_ char *sub = NULL;

		if (tk->kind == T_ARRAY)
			return sh_decline(sh, tk->line, "an array assignment to an element");
		_cleanup_free_ char *raw = xstrndup(w + nl + 1, (size_t)(e - w - nl - 1));
		if (streq(raw, "@") || streq(raw, "*"))
			return sh_decline(sh, tk->line, "a bad array subscript");
		r = sh_expand_string(sh, raw, tk->line, &sub);
		if (r < 0)
			return r;
		r = sh_arith(sh, sub, strlen(sub), tk->line, &idx);
		if (r < 0)
			return r;
		if (idx < 0)
			return sh_decline(sh, tk->line, "a negative array index");
	}
	if (tk->kind == T_ARRAY) {
		_cleanup_strv_ struct strv vals = STRV_INIT;
		long base = 0;

		for (size_t i = 0; i < tk->elems.n; i++) {
			if (tk->elems.v[i][0] == '[')
				return sh_decline(sh, tk->line, "[index]=value in an array literal");
			r = sh_expand_fields(sh, tk->elems.v[i], tk->line, &vals);
			if (r < 0)
				return r;
		}
		if (append) {
			base = shvars_len(&sh->vars, name);
		} else {
			struct shvar *v = shvars_declare(&sh->vars, name);
			for (size_t k = 0; k < v->n; k++)
				free(v->elems[k].val);
			free(v->elems);
			v->elems = NULL;
			v->n = 0;
		}
		struct shvar *v = shvars_declare(&sh->vars, name);
		v->is_array = true;
		v->exported |= exported;
		for (size_t i = 0; i < vals.n; i++)
			shvar_set_elem(v, base + (long)i, vals.v[i]);
		return 0;
	}
	_cleanup_free_ char *val = NULL;
	r = sh_expand_string(sh, w + al, tk->line, &val);
	if (r < 0)
		return r;
	if (append) {
		const char *old = shvars_get(&sh->vars, name, idx < 0 ? 0 : idx);
		if (old) {
			if (strlen(old) + strlen(val) > SH_MAX_VALUE)
				return sh_decline(sh, tk->line, "a value longer than %u bytes",
						  SH_MAX_VALUE);
			char *nv = xasprintf("%s%s", old, val);
			free(val);
			val = nv;
		}
	}
	shvars_set(&sh->vars, name, idx, val);
	if (exported)
		shvars_declare(&sh->vars, name)->exported = true;
	return 0;
}

static int declare_local(struct sh *sh, const char *name)
{
	for (size_t i = 0; i < sh->nlocals; i++)
		if (streq(sh->locals[i].name, name))
			return 0;
	sh->locals = xreallocarray(sh->locals, sh->nlocals + 1, sizeof(*sh->locals));
	struct sh_local *l = &sh->locals[sh->nlocals++];
	const struct shvar *v = shvars_find(&sh->vars, name);
	memset(l, 0, sizeof(*l));
	l->name = xstrdup(name);
	if (v) {
		l->had = true;
		l->saved = *v;
		l->saved.name = xstrdup(v->name);
		l->saved.elems = xreallocarray(NULL, v->n ? v->n : 1, sizeof(*v->elems));
		for (size_t k = 0; k < v->n; k++) {
			l->saved.elems[k].idx = v->elems[k].idx;
			l->saved.elems[k].val = xstrdup(v->elems[k].val);
		}
		/* a new local starts unset */
		shvars_unset(&sh->vars, name);
	}
	shvars_declare(&sh->vars, name);
	return 0;
}

/* local / export NAME[=value]...: values are not split (declaration builtins). */
int sh_declare(struct sh *sh, const struct words *args, size_t first, bool local)
{
	for (size_t i = first; i < args->n; i++) {
		const struct tok *tk = &args->v[i];
		size_t al;
		int r;

		if (tk->kind == T_ARRAY)
			return sh_decline(sh, tk->line, "an array literal after local/export");
		al = sh_assign_prefix(tk->text);
		if (al) {
			_cleanup_free_ char *name = xstrndup(tk->text, strcspn(tk->text, "[+="));
			if (tk->text[strlen(name)] == '[')
				return sh_decline(sh, tk->line, "local/export of an array element");
			if (local)
				declare_local(sh, name);
			r = sh_assign(sh, tk, !local);
			if (r < 0)
				return r;
			continue;
		}
		if (!sh_valid_name(tk->text))
			return sh_decline(sh, tk->line, "%s with options or computed names",
					  local ? "local" : "export");
		if (sh_is_special_var(tk->text))
			return sh_decline(sh, tk->line, "%s of %s", local ? "local" : "export",
					  tk->text);
		if (local)
			declare_local(sh, tk->text);
		else
			shvars_declare(&sh->vars, tk->text)->exported = true;
	}
	return 0;
}

void sh_end_frame(struct sh *sh)
{
	for (size_t i = sh->nlocals; i-- > 0;) {
		struct sh_local *l = &sh->locals[i];

		shvars_unset(&sh->vars, l->name);
		if (l->had) {
			shvars_put(&sh->vars, &l->saved);
			for (size_t k = 0; k < l->saved.n; k++)
				free(l->saved.elems[k].val);
			free(l->saved.elems);
			free(l->saved.name);
		}
		free(l->name);
	}
	free(sh->locals);
	sh->locals = NULL;
	sh->nlocals = 0;
}

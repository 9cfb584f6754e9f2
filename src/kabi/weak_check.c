// SPDX-License-Identifier: GPL-2.0-or-later
/* weak_check.c - the kABI decision: every needed symbol exported with the same CRC, per group. */
#include "kabi/weak_internal.h"
#include "util/macro.h"

static void drop_group(struct weak_entry *e, size_t n, long group)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].group == group)
			e[i].active = false;
}

/* The symbols entry i lacks or disagrees on, with base and the active entries' exports. */
static bool entry_ok(const struct kabi_symtab *base, const struct kabi_symtab *mods,
		     struct weak_entry *x)
{
	bool ok = true;

	for (size_t k = 0; k < x->mod->nvers; k++) {
		const struct kabi_symver *v = &x->mod->vers[k];
		const struct kabi_sym *s = kabi_symtab_get(base, v->name);

		if (!s)
			s = kabi_symtab_get(mods, v->name);
		if (s && s->crc == v->crc)
			continue;
		if (!strv_contains(&x->why, v->name))
			strv_push(&x->why, v->name);
		ok = false;
	}
	return ok;
}

void weak_check(const struct kabi_symtab *base, struct weak_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		e[i].active = true;
	for (size_t i = 0; i < n; i++)
		if (!e[i].mod || !e[i].mod->has_versions)
			drop_group(e, n, e[i].group);

	for (bool changed = true; changed;) {
		struct kabi_symtab mods = {0};

		changed = false;
		for (size_t i = 0; i < n; i++) {
			if (!e[i].active)
				continue;
			for (size_t k = 0; k < e[i].mod->nexps; k++)
				if (!kabi_symtab_get(base, e[i].mod->exps[k].name))
					kabi_symtab_add(&mods, e[i].mod->exps[k].name,
							e[i].mod->exps[k].crc, (long)i);
		}
		for (size_t i = 0; i < n; i++) {
			if (!e[i].active || entry_ok(base, &mods, &e[i]))
				continue;
			drop_group(e, n, e[i].group);
			changed = true;
		}
		kabi_symtab_release(&mods);
	}
}

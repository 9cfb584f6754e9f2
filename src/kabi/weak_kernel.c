// SPDX-License-Identifier: GPL-2.0-or-later
/* weak_kernel.c - a target kernel's symbols and links, the decision per proposal, the writes. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod/modfile.h"
#include "kabi/symvers.h"
#include "kabi/weak_kernel.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strbuf.h"

const struct kabi_module *weak_memo_get(struct weak_runctx *rc, const char *shown)
{
	for (size_t i = 0; i < rc->nmemo; i++)
		if (streq(rc->memo[i]->shown, shown))
			return rc->memo[i]->ok ? &rc->memo[i]->km : NULL;
	_cleanup_free_ char *host = xasprintf("%s%s", rc->o->base, shown);
	rc->memo = xreallocarray(rc->memo, rc->nmemo + 1, sizeof(*rc->memo));
	struct weak_memo *m = xcalloc(1, sizeof(*m));
	rc->memo[rc->nmemo++] = m;
	m->shown = xstrdup(shown);
	m->ok = false;
	struct stat st;
	if (stat(host, &st) < 0 || !S_ISREG(st.st_mode)) {
		memset(&m->km, 0, sizeof(m->km));
		return NULL;
	}
	int r = kabi_module_read(rc->kctx, host, &m->km);
	rc->res->modules_read++;
	if (r < 0) {
		log_warn("weak-modules: cannot read %s: %s", shown, strerror(-r));
		return NULL;
	}
	m->ok = true;
	if (!m->km.has_versions && !strv_contains(&rc->said, shown)) {
		strv_push(&rc->said, shown);
		log_warn("weak-modules: %s has no __versions table (built without "
			 "CONFIG_MODVERSIONS?); it is never linked into another kernel.",
			 shown);
	}
	return &m->km;
}

static void link_release(struct weak_link *l)
{
	free(l->sub);
	free(l->text);
	free(l->key);
}

static void link_copy(struct weak_link *dst, const struct weak_link *src)
{
	dst->sub = xstrdup(src->sub);
	dst->text = xstrdup(src->text);
	dst->key = src->key ? xstrdup(src->key) : NULL;
	dst->mod = src->mod;
}

struct real_ctx {
	struct weak_kernel *k;
};

static void add_export(void *data, _unused_ const char *path, const char *symbol, uint64_t crc)
{
	struct weak_kernel *k = data;

	kabi_symtab_add(&k->base, symbol, crc, KABI_OWNER_PRESENT);
}

int weak_kernel_load(struct weak_runctx *rc, const char *kver, struct weak_kernel *k)
{
	const struct weak_opts *o = rc->o;

	memset(k, 0, sizeof(*k));
	k->kver = xstrdup(kver);
	k->kdir = xasprintf("%s/lib/modules/%s", o->base, kver);
	_cleanup_free_ char *sv = kabi_symvers_find(o->base, kver);
	if (!sv)
		return 0;
	int r = kabi_symvers_load(sv, &k->base);
	if (r < 0) {
		log_warn("weak-modules: cannot read %s: %s", sv + strlen(o->base), strerror(-r));
		return 0;
	}

	_cleanup_strv_ struct strv real = STRV_INIT;
	weak_list_real(k->kdir, &real);
	for (size_t i = 0; i < real.n; i++) {
		const char *rel = real.v[i] + strlen(k->kdir) + 1;
		if (strneq(rel, "updates/", 8) || strneq(rel, "extra/", 6)) {
			strv_push_take(&k->real_names, modfile_name(path_basename(rel), NULL));
		}
	}
	struct depmod_opts dopts = {.basedir = o->base, .kver = kver, .cache_dir = o->cache_dir};
	r = depmod_exports(&dopts, (const char *const *)strv_get(&real), add_export, k,
			   &rc->res->counts);
	if (r < 0)
		return r;

	_cleanup_strv_ struct strv subs = STRV_INIT;
	weak_list_links(k->kdir, &subs);
	k->have = xcalloc(subs.n ? subs.n : 1, sizeof(*k->have));
	for (size_t i = 0; i < subs.n; i++) {
		_cleanup_free_ char *lp = xasprintf("%s/weak-updates/%s", k->kdir, subs.v[i]);
		char buf[4096];
		ssize_t n = readlink(lp, buf, sizeof(buf) - 1);
		if (n < 0)
			continue;
		buf[n] = '\0';
		struct weak_link *l = &k->have[k->nhave++];
		l->sub = xstrdup(subs.v[i]);
		l->text = xstrdup(buf);
		l->key = weak_link_resolve(l->sub, l->text);
		l->mod = l->key ? weak_memo_get(rc, l->key) : NULL;
	}
	k->want = xcalloc(k->nhave ? k->nhave : 1, sizeof(*k->want));
	for (size_t i = 0; i < k->nhave; i++)
		link_copy(&k->want[k->nwant++], &k->have[i]);
	return 1;
}

void weak_kernel_release(struct weak_kernel *k)
{
	for (size_t i = 0; i < k->nhave; i++)
		link_release(&k->have[i]);
	for (size_t i = 0; i < k->nwant; i++)
		link_release(&k->want[i]);
	free(k->have);
	free(k->want);
	free(k->kver);
	free(k->kdir);
	kabi_symtab_release(&k->base);
	strv_release(&k->real_names);
}

static long find_want(const struct weak_kernel *k, const char *sub)
{
	for (size_t i = 0; i < k->nwant; i++)
		if (streq(k->want[i].sub, sub))
			return (long)i;
	return -1;
}

static void say_symbols(const struct weak_entry *e, const char *mod, const char *from,
			const char *kver)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < e->why.n; i++)
		sb_addf(&sb, " %s", e->why.v[i]);
	if (!e->mod || !e->mod->has_versions)
		log_info("Module %s from kernel %s is not compatible with kernel %s: it has no "
			 "symbol versions", mod, from, kver);
	else if (sb.len)
		log_info("Module %s from kernel %s is not compatible with kernel %s in symbols:%s",
			 mod, from, kver, sb_str(&sb));
	else
		log_info("Module %s from kernel %s is not compatible with kernel %s: a module it "
			 "goes with is not", mod, from, kver);
}

void weak_kernel_propose(struct weak_runctx *rc, struct weak_kernel *k, struct weak_cand *c,
			 size_t nc, bool force)
{
	bool verbose = rc->o->verbose;
	size_t n = 0;
	struct weak_entry *e = xcalloc(k->nwant + nc + 1, sizeof(*e));
	long *who = xcalloc(k->nwant + nc + 1, sizeof(*who)); /* >= 0: want index, < 0: -1 - cand */
	bool *replaced = xcalloc(k->nwant + 1, sizeof(*replaced));
	bool *shadowed = xcalloc(nc + 1, sizeof(*shadowed));

	for (size_t i = 0; i < nc; i++) {
		if (streq(c[i].p.kver, k->kver)) {
			shadowed[i] = true;
			continue;
		}
		if (strv_contains(&k->real_names, path_basename(c[i].p.sub)) ||
		    (c[i].mod && strv_contains(&k->real_names, c[i].mod->name))) {
			if (verbose)
				log_info("found %s for %s while installing for %s, update case?",
					 path_basename(c[i].p.sub), k->kver, c[i].p.kver);
			shadowed[i] = true;
			continue;
		}
		long w = find_want(k, c[i].p.sub);
		if (w >= 0) {
			_cleanup_free_ char *text = weak_link_text(&c[i].p);
			if (verbose && !streq(k->want[w].text, text))
				log_info("weak module for %s already exists for kernel %s, update case?",
					 path_basename(c[i].p.sub), k->kver);
			replaced[w] = true;
		}
	}
	for (size_t i = 0; i < k->nwant; i++) {
		if (replaced[i])
			continue;
		e[n].mod = k->want[i].mod;
		e[n].group = -1 - (long)i;
		who[n++] = (long)i;
	}
	for (size_t i = 0; i < nc; i++) {
		if (shadowed[i])
			continue;
		e[n].mod = c[i].mod;
		e[n].group = c[i].group;
		who[n++] = -1 - (long)i;
	}
	weak_check(&k->base, e, n);

	/* the new wanted set */
	struct weak_link *nw = xcalloc(n + 1, sizeof(*nw));
	size_t nn = 0;
	for (size_t x = 0; x < n; x++) {
		if (who[x] >= 0) {
			struct weak_link *l = &k->want[who[x]];
			if (e[x].active || !force) {
				link_copy(&nw[nn++], l);
			} else if (verbose) {
				say_symbols(&e[x], path_basename(l->sub), "?", k->kver);
			}
			continue;
		}
		struct weak_cand *cd = &c[-1 - who[x]];
		const char *name = path_basename(cd->p.sub);
		if (!e[x].active) {
			if (verbose)
				say_symbols(&e[x], name, cd->p.kver, k->kver);
			continue;
		}
		if (verbose)
			log_info("Module %s from kernel %s is compatible with kernel %s", name,
				 cd->p.kver, k->kver);
		struct weak_link *l = &nw[nn++];
		l->sub = xstrdup(cd->p.sub);
		l->text = weak_link_text(&cd->p);
		l->key = xstrdup(cd->p.shown);
		l->mod = cd->mod;
	}
	/* links replaced by an incompatible candidate stay as they were */
	for (size_t i = 0; i < k->nwant; i++) {
		if (!replaced[i] || find_want(&(struct weak_kernel){.want = nw, .nwant = nn},
					      k->want[i].sub) >= 0)
			continue;
		nw = xreallocarray(nw, nn + 1, sizeof(*nw));
		link_copy(&nw[nn++], &k->want[i]);
	}
	for (size_t i = 0; i < k->nwant; i++)
		link_release(&k->want[i]);
	free(k->want);
	k->want = nw;
	k->nwant = nn;
	for (size_t x = 0; x < n; x++)
		strv_release(&e[x].why);
	free(e);
	free(who);
	free(replaced);
	free(shadowed);
}

/* Drop wanted links whose key is in keys and whose module file is gone (RHEL's rule). */
static long find_have(const struct weak_kernel *k, const char *sub)
{
	for (size_t i = 0; i < k->nhave; i++)
		if (streq(k->have[i].sub, sub))
			return (long)i;
	return -1;
}

int weak_kernel_apply(struct weak_runctx *rc, struct weak_kernel *k)
{
	const struct weak_opts *o = rc->o;
	bool show = o->verbose || o->dry_run;
	int changed = 0, r = 0, lock = -1;
	_cleanup_free_ char *wdir = path_join(k->kdir, "weak-updates");

	for (size_t pass = 0; pass < 2; pass++) {
		bool doit = pass == 1 && !o->dry_run;

		if (pass == 1 && !changed)
			break;
		if (doit && o->lock) {
			lock = o->lock(o->lock_data, k->kver);
			if (lock < 0)
				return lock;
		}
		for (size_t i = 0; i < k->nhave; i++) {
			const struct weak_link *h = &k->have[i];
			long w = find_want(k, h->sub);
			if (w >= 0 && streq(k->want[w].text, h->text))
				continue;
			changed = 1;
			_cleanup_free_ char *lp = path_join(wdir, h->sub);
			if (pass == 0 && w < 0 && show)
				log_info("Removing compatible module %s from kernel %s",
					 path_basename(h->sub), k->kver);
			if (pass == 0 && show)
				log_info("rm -f %s", lp + strlen(o->base));
			if (doit && w < 0) {
				if (unlink(lp) < 0 && errno != ENOENT && !r)
					r = -errno;
				_cleanup_free_ char *dir = path_dirname(lp);
				rmdir_parents(dir, wdir);
			}
		}
		for (size_t i = 0; i < k->nwant; i++) {
			const struct weak_link *l = &k->want[i];
			long h = find_have(k, l->sub);
			if (h >= 0 && streq(k->have[h].text, l->text))
				continue;
			changed = 1;
			_cleanup_free_ char *lp = path_join(wdir, l->sub);
			if (pass == 0 && show)
				log_info("ln -sf %s %s", l->text, lp + strlen(o->base));
			if (!doit)
				continue;
			_cleanup_free_ char *dir = path_dirname(lp);
			int q = mkdir_p(dir, 0755);
			if (q == 0)
				q = symlink_atomic(l->text, lp);
			if (q < 0) {
				log_error("Could not create %s: %s", lp + strlen(o->base), strerror(-q));
				if (!r)
					r = q;
			}
		}
	}
	if (lock >= 0 && o->unlock)
		o->unlock(lock);
	return r < 0 ? r : changed;
}

static long uf_find(long *parent, long i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

void weak_group(struct weak_cand *c, size_t n)
{
	long *parent = xcalloc(n + 1, sizeof(*parent));
	struct kabi_symtab exp = {0};

	for (size_t i = 0; i < n; i++) {
		parent[i] = (long)i;
		for (size_t k = 0; c[i].mod && k < c[i].mod->nexps; k++)
			kabi_symtab_add(&exp, c[i].mod->exps[k].name, 0, (long)i);
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; c[i].mod && k < c[i].mod->nvers; k++) {
			const struct kabi_sym *s = kabi_symtab_get(&exp, c[i].mod->vers[k].name);
			if (!s || s->owner == (long)i)
				continue;
			long a = uf_find(parent, (long)i), b = uf_find(parent, s->owner);
			if (a != b)
				parent[a] = b;
		}
	}
	for (size_t i = 0; i < n; i++)
		c[i].group = uf_find(parent, (long)i);
	kabi_symtab_release(&exp);
	free(parent);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* weak.c - the four weak-modules operations over every kernel of a tree. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <libkmod.h>

#include "depmod/modfile.h"
#include "kabi/symvers.h"
#include "kabi/weak.h"
#include "kabi/weak_kernel.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/names.h"

char *weak_link_path(const char *install_tree, const char *kver, const char *rel)
{
	while (*rel == '/')
		rel++;
	const char *slash = strchr(rel, '/');

	if (!slash || !slash[1])
		return NULL;
	return xasprintf("%s/%s/weak-updates/%s", install_tree, kver, slash + 1);
}

void weak_result_release(struct weak_result *res)
{
	strv_release(&res->changed);
}

static void list_kernels(const char *base, struct strv *out)
{
	_cleanup_free_ char *dir = xasprintf("%s/lib/modules", base);
	DIR *d = opendir(dir);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		if (!kver_valid(de->d_name)) {
			log_warn("Skipping %s/%s: not a valid kernel version.", dir, de->d_name);
			continue;
		}
		_cleanup_free_ char *p = path_join(dir, de->d_name);
		if (is_dir(p))
			strv_push(out, de->d_name);
	}
	closedir(d);
	strv_sort_version(out);
}

static void mark_changed(struct weak_runctx *rc, const char *kver)
{
	_cleanup_free_ char *sv = kabi_symvers_find(rc->o->base, kver);

	if (!sv) {
		if (rc->o->verbose)
			log_info("Skipping depmod for non-installed kernel %s", kver);
		return;
	}
	if (!strv_contains(&rc->res->changed, kver))
		strv_push(&rc->res->changed, kver);
}

/* Put k's wanted links in place; a kernel whose weak-updates changed gets its depmod. */
static int apply_links(struct weak_runctx *rc, struct weak_kernel *k)
{
	int q = weak_kernel_apply(rc, k);

	if (q > 0)
		mark_changed(rc, k->kver);
	return q;
}

static void cands_release(struct weak_cand *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		weak_path_release(&c[i].p);
	free(c);
}

/* Parse the user's module paths; bad ones are reported and left out. */
static size_t read_cands(struct weak_runctx *rc, const struct strv *args, bool must_exist,
			 struct weak_cand **out)
{
	struct weak_cand *c = xcalloc(args->n + 1, sizeof(*c));
	size_t n = 0;

	for (size_t i = 0; i < args->n; i++) {
		const char *why = NULL;
		struct weak_path p;
		struct stat st;

		if (weak_path_parse(rc->o->base, args->v[i], &p, &why) < 0) {
			log_warn("weak-modules: %s: skipped, %s.", args->v[i],
				 why ? why : "it cannot be resolved");
			continue;
		}
		if (must_exist && (lstat(p.host, &st) < 0 || !S_ISREG(st.st_mode))) {
			log_warn("weak-modules: %s: skipped, %s.", p.shown,
				 errno == ENOENT ? "no such file" : "not a regular file");
			weak_path_release(&p);
			continue;
		}
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup = dup || streq(c[k].p.shown, p.shown);
		if (dup) {
			weak_path_release(&p);
			continue;
		}
		c[n].p = p;
		if (must_exist)
			c[n].mod = weak_memo_get(rc, p.shown);
		n++;
	}
	*out = c;
	return n;
}

static bool targets_other(const struct weak_cand *c, size_t n, const char *kver)
{
	for (size_t i = 0; i < n; i++)
		if (!streq(c[i].p.kver, kver))
			return true;
	return false;
}

static void warn_no_symvers(const char *kver)
{
	log_warn("weak-modules: kernel %s has no symvers (/boot/symvers-%s.gz, "
		 "/lib/modules/%s/symvers.gz or build/Module.symvers): skipped.",
		 kver, kver, kver);
}

static int add_modules(struct weak_runctx *rc, const struct strv *args)
{
	_cleanup_strv_ struct strv kernels = STRV_INIT;
	struct weak_cand *c;
	size_t nc = read_cands(rc, args, true, &c);
	int r = 0;

	weak_group(c, nc);
	list_kernels(rc->o->base, &kernels);
	for (size_t i = 0; i < kernels.n && r >= 0; i++) {
		struct weak_kernel k;

		if (!targets_other(c, nc, kernels.v[i]))
			continue;
		int q = weak_kernel_load(rc, kernels.v[i], &k);
		if (q == 0)
			warn_no_symvers(kernels.v[i]);
		if (q > 0) {
			weak_kernel_propose(rc, &k, c, nc, false);
			q = apply_links(rc, &k);
		}
		if (q < 0)
			r = q;
		weak_kernel_release(&k);
	}
	/* as RHEL: the modules' own kernels get their indexes refreshed too */
	for (size_t i = 0; i < nc && !rc->o->dry_run; i++)
		mark_changed(rc, c[i].p.kver);
	cands_release(c, nc);
	return r;
}

static int remove_modules(struct weak_runctx *rc, const struct strv *args)
{
	_cleanup_strv_ struct strv kernels = STRV_INIT;
	struct weak_cand *c;
	size_t nc = read_cands(rc, args, false, &c);
	int r = 0;

	list_kernels(rc->o->base, &kernels);
	for (size_t i = 0; i < kernels.n && r >= 0; i++) {
		struct weak_kernel k;
		bool touched = false;

		int q = weak_kernel_load(rc, kernels.v[i], &k);
		for (size_t w = 0; q > 0 && w < k.nwant;) {
			struct weak_link *l = &k.want[w];
			bool drop = false;

			for (size_t x = 0; x < nc && l->key; x++) {
				if (!streq(l->key, c[x].p.shown))
					continue;
				/* the file is still there: an update put it back, keep the link */
				_cleanup_free_ char *host = xasprintf("%s%s", rc->o->base, l->key);
				drop = !is_reg(host);
			}
			if (!drop) {
				w++;
				continue;
			}
			free(l->sub);
			free(l->text);
			free(l->key);
			memmove(l, l + 1, (k.nwant - w - 1) * sizeof(*l));
			k.nwant--;
			touched = true;
		}
		if (q > 0 && touched) {
			/* what needed the removed modules goes too */
			weak_kernel_propose(rc, &k, NULL, 0, true);
			q = apply_links(rc, &k);
		}
		if (q < 0)
			r = q;
		weak_kernel_release(&k);
	}
	for (size_t i = 0; i < nc && !rc->o->dry_run; i++)
		mark_changed(rc, c[i].p.kver);
	cands_release(c, nc);
	return r;
}

/* Real modules below <kver>/extra and <kver>/updates, as candidates. */
static size_t kernel_cands(struct weak_runctx *rc, const char *kver, struct weak_cand **out)
{
	_cleanup_free_ char *kdir = xasprintf("%s/lib/modules/%s", rc->o->base, kver);
	_cleanup_strv_ struct strv real = STRV_INIT, paths = STRV_INIT;

	weak_list_real(kdir, &real);
	for (size_t i = 0; i < real.n; i++) {
		const char *rel = real.v[i] + strlen(kdir) + 1;
		if (strneq(rel, "updates/", 8) || strneq(rel, "extra/", 6))
			strv_push(&paths, real.v[i]);
	}
	size_t n = read_cands(rc, &paths, true, out);
	weak_group(*out, n);
	return n;
}

static int add_kernel(struct weak_runctx *rc, const char *kver)
{
	_cleanup_free_ char *sv = kabi_symvers_find(rc->o->base, kver);
	_cleanup_strv_ struct strv kernels = STRV_INIT;
	struct weak_kernel k;

	if (!sv) {
		log_note("Symvers dump file /boot/symvers-%s.gz not found", kver);
		return -ENOENT;
	}
	int r = weak_kernel_load(rc, kver, &k);
	if (r <= 0) {
		weak_kernel_release(&k);
		return r < 0 ? r : -ENOENT;
	}
	list_kernels(rc->o->base, &kernels);
	/* oldest first: a newer compatible build replaces an older one, an incompatible one not */
	for (size_t i = 0; i < kernels.n; i++) {
		struct weak_cand *c;

		if (streq(kernels.v[i], kver))
			continue;
		size_t nc = kernel_cands(rc, kernels.v[i], &c);
		if (nc)
			weak_kernel_propose(rc, &k, c, nc, true);
		cands_release(c, nc);
	}
	r = apply_links(rc, &k);
	weak_kernel_release(&k);
	return r < 0 ? r : 0;
}

static int remove_kernel(struct weak_runctx *rc, const char *kver)
{
	const struct weak_opts *o = rc->o;
	_cleanup_free_ char *w = xasprintf("%s/lib/modules/%s/weak-updates", o->base, kver);
	DIR *d = opendir(w);
	int r = 0;

	if (!d)
		return 0;
	if (o->verbose || o->dry_run)
		log_info("rm -rf %s/*", w + strlen(o->base));
	int lock = !o->dry_run && o->lock ? o->lock(o->lock_data, kver) : -1;
	for (struct dirent *de; (de = readdir(d));) {
		if (streq(de->d_name, ".") || streq(de->d_name, "..") || o->dry_run)
			continue;
		_cleanup_free_ char *p = path_join(w, de->d_name);
		int q = rm_rf(p);
		if (q < 0 && !r)
			r = q;
	}
	closedir(d);
	if (lock >= 0 && o->unlock)
		o->unlock(lock);
	if (r < 0)
		log_error("Could not empty %s: %s", w + strlen(o->base), strerror(-r));
	return r;
}

int weak_run(const struct weak_opts *o, enum weak_op op, const struct strv *args,
	     struct weak_result *res)
{
	struct weak_runctx rc = {.o = o, .res = res};
	int r;

	if ((op == WEAK_ADD_KERNEL || op == WEAK_REMOVE_KERNEL) && args->n != 1)
		return -EINVAL;
	if (op == WEAK_REMOVE_KERNEL)
		return remove_kernel(&rc, args->v[0]);
	rc.kctx = modfile_kmod_new(NULL);
	if (!rc.kctx)
		return -ENOMEM;
	switch (op) {
	case WEAK_ADD_MODULES:
		r = add_modules(&rc, args);
		break;
	case WEAK_REMOVE_MODULES:
		r = remove_modules(&rc, args);
		break;
	default:
		r = add_kernel(&rc, args->v[0]);
		break;
	}
	for (size_t i = 0; i < rc.nmemo; i++) {
		free(rc.memo[i]->shown);
		kabi_module_release(&rc.memo[i]->km);
		free(rc.memo[i]);
	}
	free(rc.memo);
	strv_release(&rc.said);
	kmod_unref(rc.kctx);
	return r;
}

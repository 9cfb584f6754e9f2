// SPDX-License-Identifier: GPL-2.0-or-later
/* run.c - depmod_run(): ndkms's own depmod from scan to output, or a named depmod program. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "depmod/depmod.h"
#include "depmod/internal.h"
#include "util/log.h"
#include "util/spawn.h"
#include "util/strv.h"

static int run_program(const struct depmod_opts *o)
{
	_cleanup_strv_ struct strv argv = STRV_INIT;
	int status;

	strv_push(&argv, o->program);
	strv_push(&argv, o->quick ? "-A" : "-a");
	if (o->basedir && *o->basedir) {
		strv_push(&argv, "-b");
		strv_push(&argv, o->basedir);
	}
	if (o->system_map) {
		strv_push(&argv, "-F");
		strv_push(&argv, o->system_map);
	}
	if (o->symvers) {
		strv_push(&argv, "-E");
		strv_push(&argv, o->symvers);
	}
	for (const char *const *c = o->config_paths; c && *c; c++) {
		strv_push(&argv, "-C");
		strv_push(&argv, *c);
	}
	if (o->sym_prefix)
		strv_pushf(&argv, "-P%c", o->sym_prefix);
	if (o->dry_run)
		strv_push(&argv, "-n");
	if (o->errsyms)
		strv_push(&argv, "-e");
	if (o->verbose)
		strv_push(&argv, "-v");
	if (o->kver)
		strv_push(&argv, o->kver);

	struct spawn_opts so = {.argv = (const char *const *)strv_get(&argv)};
	int r = spawn_run(&so, &status);
	if (r < 0) {
		log_warn("could not run %s: %s", argv.v[0], strerror(-r));
		return r;
	}
	return status ? -EIO : 0;
}

static void state_release(struct dm_state *st)
{
	if (st->mods) {
		for (size_t i = 0; i < st->nmods; i++)
			dm_mod_free(st->mods[i]);
	} else {
		/* the walk's winners never made it into the array */
		for (size_t i = 0; i < st->by_name.cap; i++)
			if (st->by_name.e[i].hash)
				dm_mod_free(st->by_name.e[i].val);
	}
	free(st->mods);
	dm_map_release(&st->by_name);
	dm_map_release(&st->symmap);
	free(st->syms);
	strv_release(&st->kernel_names);
	for (size_t i = 0; i < st->nmaps; i++)
		munmap(st->maps[i], st->map_lens[i]);
	free(st->maps);
	free(st->map_lens);
	for (size_t i = 0; i < st->nbufs; i++)
		free(st->bufs[i]);
	free(st->bufs);
	dm_cfg_release(&st->cfg);
}

char *dm_path_absolute(const char *p)
{
	char cwd[4096];

	if (p[0] == '/')
		return xstrdup(p);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	return xasprintf("%s/%s", cwd, p);
}

static bool is_version_number(const char *v)
{
	unsigned a, b;

	return sscanf(v, "%u.%u", &a, &b) == 2;
}

static int load_kernel_symbols(struct dm_state *st, const struct depmod_opts *o)
{
	const char *file = o->symvers ? o->symvers : o->system_map;
	int r;

	if (!file) {
		if (st->cfg.print_unknown) {
			DM_WRN("-e needs -E or -F");
			st->cfg.print_unknown = false;
		}
		return 0;
	}
	r = o->symvers ? dm_load_symvers(st, file) : dm_load_system_map(st, file);
	if (r < 0)
		dm_log(LOG_CRIT, "could not load %s: %s", file, strerror(-r));
	return r;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int run_own(const struct depmod_opts *o)
{
	double t0 = now_ms(), t_scan, t_cache, t_parse, t_save, t_resolve;
	struct dm_state st = {.o = o};
	struct dm_cache *cache = NULL;
	_cleanup_strbuf_ struct strbuf msgs = STRBUF_INIT;
	struct utsname un;
	uint64_t fp;
	int r;

	dm_log_setup(o->verbose);
	if (o->kver) {
		if (!is_version_number(o->kver)) {
			DM_ERR("Bad version passed %s", o->kver);
			return -EINVAL;
		}
		st.cfg.kver = o->kver;
	} else {
		if (uname(&un) < 0)
			return -errno;
		st.cfg.kver = un.release;
	}
	_cleanup_free_ char *base = o->basedir && *o->basedir ? dm_path_absolute(o->basedir) : xstrdup("");
	if (!base)
		return -errno;
	st.cfg.dirname = xasprintf("%s/lib/modules/%s", base, st.cfg.kver);
	st.cfg.dirnamelen = strlen(st.cfg.dirname);
	st.cfg.sym_prefix = o->sym_prefix;
	st.cfg.check_symvers = o->symvers != NULL;
	st.cfg.print_unknown = o->errsyms;

	if (o->quick) {
		if (o->dry_run || dm_up_to_date(st.cfg.dirname) == 1)
			goto out_ok;
	}
	r = load_kernel_symbols(&st, o);
	if (r < 0)
		goto out;
	r = dm_cfg_load(&st.cfg, o->config_root, o->config_paths);
	if (r < 0)
		goto out;
	/* the cache's lock is held from the walk on: its directory listings are part of it */
	r = dm_cache_open(&cache, o->cache_dir, st.cfg.dirname);
	if (r < 0)
		goto out;
	st.dirs = cache ? dm_dirs_open(dm_cache_path(cache)) : NULL;
	r = dm_scan(&st);
	dm_dirs_close(st.dirs, !o->dry_run && r >= 0);
	st.dirs = NULL;
	log_debug("depmod: walk: %u directory listings from the cache, %u read", st.ndirs_cached,
		  st.ndirs_read);
	if (r < 0)
		goto out;
	r = dm_order(&st);
	if (r < 0)
		goto out;
	t_scan = now_ms();
	fp = dm_inputs_fingerprint(&st);
	if (dm_uptodate_check(cache, &st, fp) == 1) {
		log_debug("depmod: %zu modules: 0 parsed, indexes up to date; "
			  "ms: walk %.1f, check %.1f", st.nmods, t_scan - t0, now_ms() - t_scan);
		goto out_ok;
	}
	dm_cache_lookup(cache, &st);
	t_cache = now_ms();
	r = dm_parse_missing(&st);
	if (r < 0)
		goto out;
	t_parse = now_ms();
	if (!o->dry_run)
		dm_cache_save(cache, &st);
	t_save = now_ms();
	log_debug("depmod: %zu modules: %u parsed, %u from the cache", st.nmods, st.nparsed,
		  st.ncached);
	dm_log_capture(&msgs);
	r = dm_resolve(&st);
	if (r < 0) {
		dm_log_capture(NULL);
		goto out;
	}
	t_resolve = now_ms();
	r = dm_output(&st);
	dm_log_capture(NULL);
	if (r >= 0)
		dm_uptodate_save(cache, &st, fp, &msgs);
	log_debug("depmod: ms: walk %.1f, cache read %.1f, parse %.1f, cache write %.1f, "
		  "resolve %.1f, output %.1f", t_scan - t0, t_cache - t_scan, t_parse - t_cache,
		  t_save - t_parse, t_resolve - t_save, now_ms() - t_resolve);
	goto out;
out_ok:
	r = 0;
out:
	state_release(&st);
	dm_cache_close(cache);
	return r;
}

int depmod_run(const struct depmod_opts *o)
{
	if (o->program)
		return run_program(o);
	return run_own(o);
}

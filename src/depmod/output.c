// SPDX-License-Identifier: GPL-2.0-or-later
/* output.c - builds the ten modules.* files kmod 30 writes and puts them in place atomically. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "depmod/internal.h"
#include "util/fault.h"

#define SYMBOL_BUCKETS 2048

enum {
	F_DEP,
	F_DEP_BIN,
	F_ALIAS,
	F_ALIAS_BIN,
	F_SOFTDEP,
	F_SYMBOLS,
	F_SYMBOLS_BIN,
	F_BUILTIN_BIN,
	F_BUILTIN_ALIAS_BIN,
	F_DEVNAME,
	F_COUNT,
};

const char *const dm_output_names[DM_OUT_COUNT] = {
	"modules.dep",         "modules.dep.bin",         "modules.alias",
	"modules.alias.bin",   "modules.softdep",         "modules.symbols",
	"modules.symbols.bin", "modules.builtin.bin",     "modules.builtin.alias.bin",
	"modules.devname",
};

#define names dm_output_names
_Static_assert(F_COUNT == DM_OUT_COUNT, "ten files");

/* Text files -n prints, in kmod's order. */
static const int text_files[] = {F_DEP, F_ALIAS, F_SOFTDEP, F_SYMBOLS, F_DEVNAME};

static void next_str(const char **p)
{
	*p += strlen(*p) + 1;
}

/* sb_addn() with the common case (room enough) inlined: the text files are built from ~50k
 * short pieces. */
static inline void add(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap)
		sb_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

#define ADD_LIT(sb, lit) add(sb, lit, sizeof(lit) - 1)

static void out_dep(struct dm_state *st, struct strbuf *out)
{
	size_t total = 0;

	for (size_t i = 0; i < st->nmods; i++)
		total += st->mods[i]->linelen + 1;
	sb_grow(out, total);
	for (size_t i = 0; i < st->nmods; i++) {
		add(out, st->mods[i]->line, st->mods[i]->linelen);
		ADD_LIT(out, "\n");
	}
}

static int out_dep_bin(struct dm_state *st, struct strbuf *out)
{
	struct dm_index ix = {0};

	for (size_t i = 0; i < st->nmods; i++) {
		const struct dm_mod *m = st->mods[i];

		dm_index_add(&ix, m->modname, m->line, m->idx);
	}
	int r = dm_index_write(&ix, out);
	dm_index_release(&ix);
	return r;
}

static void out_alias(struct dm_state *st, struct strbuf *out)
{
	size_t total = 64;

	for (size_t i = 0; i < st->nmods; i++)
		total += st->mods[i]->rec.len + st->mods[i]->rec.nalias * (8 + st->mods[i]->modnamelen);
	sb_grow(out, total);
	sb_adds(out, "# Aliases extracted from modules themselves.\n");
	for (size_t i = 0; i < st->nmods; i++) {
		const struct dm_mod *m = st->mods[i];
		const char *p = m->rec.alias;

		for (uint32_t k = 0; k < m->rec.nalias; k++) {
			size_t n = strlen(p);

			ADD_LIT(out, "alias ");
			add(out, p, n);
			ADD_LIT(out, " ");
			add(out, m->modname, m->modnamelen);
			ADD_LIT(out, "\n");
			p += n + 1;
		}
	}
}

static int out_alias_bin(struct dm_state *st, struct strbuf *out)
{
	struct dm_index ix = {0};
	_cleanup_free_ char *buf = xmalloc(4096);

	for (size_t i = 0; i < st->nmods; i++) {
		const struct dm_mod *m = st->mods[i];
		const char *p = m->rec.alias;

		for (uint32_t k = 0; k < m->rec.nalias; k++, next_str(&p)) {
			size_t n;

			if (dm_alias_normalize(p, buf, &n) < 0) {
				DM_WRN("Unmatched bracket in %s", p);
				continue;
			}
			dm_index_add(&ix, dm_index_strdup(&ix, buf, n), m->modname, m->idx);
		}
	}
	int r = dm_index_write(&ix, out);
	dm_index_release(&ix);
	return r;
}

static void out_softdep(struct dm_state *st, struct strbuf *out)
{
	sb_adds(out, "# Soft dependencies extracted from modules themselves.\n");
	for (size_t i = 0; i < st->nmods; i++) {
		const struct dm_mod *m = st->mods[i];
		const char *p = m->rec.soft;

		for (uint32_t k = 0; k < m->rec.nsoft; k++, next_str(&p)) {
			sb_adds(out, "softdep ");
			sb_adds(out, m->modname);
			sb_addch(out, ' ');
			sb_adds(out, p);
			sb_addch(out, '\n');
		}
	}
}

struct symref {
	const struct dm_sym *s;
	uint32_t bucket;
};

static int cmp_symref(const void *pa, const void *pb)
{
	const struct symref *a = pa, *b = pb;

	if (a->bucket != b->bucket)
		return a->bucket < b->bucket ? -1 : 1;
	return strcmp(a->s->name, b->s->name);
}

/* Owned symbols in kmod's symbol-table iteration order (hash bucket, then strcmp). */
static struct symref *owned_symbols(struct dm_state *st, size_t *count)
{
	struct symref *v = xcalloc(st->nsyms ? st->nsyms : 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < st->nsyms; i++) {
		const struct dm_sym *s = &st->syms[i];

		if (s->owner < 0)
			continue;
		v[n].s = s;
		v[n].bucket = dm_superfast_hash(s->name, strlen(s->name)) & (SYMBOL_BUCKETS - 1);
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_symref);
	*count = n;
	return v;
}

static void out_symbols(struct dm_state *st, const struct symref *v, size_t n, struct strbuf *out)
{
	sb_grow(out, n * 64);
	sb_adds(out, "# Aliases for symbols, used by symbol_request().\n");
	for (size_t i = 0; i < n; i++) {
		const struct dm_mod *owner = st->mods[v[i].s->owner];

		ADD_LIT(out, "alias symbol:");
		add(out, v[i].s->name, strlen(v[i].s->name));
		ADD_LIT(out, " ");
		add(out, owner->modname, owner->modnamelen);
		ADD_LIT(out, "\n");
	}
}

static int out_symbols_bin(struct dm_state *st, const struct symref *v, size_t n,
			   struct strbuf *out)
{
	struct dm_index ix = {0};
	_cleanup_strbuf_ struct strbuf key = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		const struct dm_mod *owner = st->mods[v[i].s->owner];

		sb_reset(&key);
		ADD_LIT(&key, "symbol:");
		add(&key, v[i].s->name, strlen(v[i].s->name));
		dm_index_add(&ix, dm_index_strdup(&ix, key.buf, key.len), owner->modname,
			     owner->idx);
	}
	int r = dm_index_write(&ix, out);
	dm_index_release(&ix);
	return r;
}

static void out_devname(struct dm_state *st, struct strbuf *out)
{
	bool empty = true;

	for (size_t i = 0; i < st->nmods; i++) {
		const struct dm_mod *m = st->mods[i];
		const char *p = m->rec.alias, *devname = NULL;
		char type = '\0';
		unsigned major = 0, minor = 0;

		for (uint32_t k = 0; k < m->rec.nalias; k++, next_str(&p)) {
			unsigned maj, min;

			if (strneq(p, "devname:", 8)) {
				devname = p + 8;
			} else if (strneq(p, "char-major-", 11) &&
				   sscanf(p, "char-major-%u-%u", &maj, &min) == 2) {
				type = 'c';
				major = maj;
				minor = min;
			} else if (strneq(p, "block-major-", 12) &&
				   sscanf(p, "block-major-%u-%u", &maj, &min) == 2) {
				type = 'b';
				major = maj;
				minor = min;
			}
			if (type != '\0' && devname)
				break;
		}
		if (!devname)
			continue;
		if (type == '\0') {
			DM_ERR("Module '%s' has devname (%s) but lacks major and minor information. "
			       "Ignoring.",
			       m->modname, devname);
			continue;
		}
		if (empty) {
			sb_adds(out, "# Device nodes to trigger on-demand module loading.\n");
			empty = false;
		}
		sb_addf(out, "%s %s %c%u:%u\n", m->modname, devname, type, major, minor);
	}
}

/* The alias and builtin indexes are built on a second thread while the rest is built here. */
struct side_job {
	struct dm_state *st;
	struct strbuf *f;
	int r;
};

static void *side_build(void *arg)
{
	struct side_job *j = arg;
	bool missing;

	if ((j->r = out_alias_bin(j->st, &j->f[F_ALIAS_BIN])) < 0 ||
	    (j->r = dm_builtin_bin(j->st->cfg.dirname, &j->f[F_BUILTIN_BIN], &missing)) < 0 ||
	    (j->r = dm_builtin_alias_bin(j->st->cfg.dirname, &j->f[F_BUILTIN_ALIAS_BIN],
					 &missing)) < 0)
		return NULL;
	return NULL;
}

static int build(struct dm_state *st, struct strbuf *f, bool dry_run)
{
	size_t nsym;
	_cleanup_free_ struct symref *syms = owned_symbols(st, &nsym);
	struct side_job job = {st, f, 0};
	pthread_t th;
	bool threaded = false;
	int r = 0;

	if (!dry_run) {
		threaded = pthread_create(&th, NULL, side_build, &job) == 0;
		if (!threaded)
			side_build(&job);
	}
	out_dep(st, &f[F_DEP]);
	out_alias(st, &f[F_ALIAS]);
	out_softdep(st, &f[F_SOFTDEP]);
	out_symbols(st, syms, nsym, &f[F_SYMBOLS]);
	out_devname(st, &f[F_DEVNAME]);
	if (!dry_run) {
		if ((r = out_dep_bin(st, &f[F_DEP_BIN])) >= 0)
			r = out_symbols_bin(st, syms, nsym, &f[F_SYMBOLS_BIN]);
		if (threaded)
			pthread_join(th, NULL);
		if (r >= 0)
			r = job.r;
	}
	return r;
}

static int write_fd(int fd, const char *p, size_t n)
{
	while (n) {
		fault_point("write");
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Every file goes to NAME.<pid>.<usec>.<sec> next to its final name first; only when all ten
 * are complete are they renamed over the old ones, so a failure leaves the old set untouched.
 */
/* Temporary files of a depmod killed before its renames: its process is gone, drop them. */
static void drop_stale_tmp(int dfd)
{
	int fd = dup(dfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (struct dirent *de; (de = readdir(d));) {
		for (int i = 0; i < F_COUNT; i++) {
			size_t n = strlen(names[i]);
			const char *p = de->d_name + n;
			char *end;

			if (!strneq(de->d_name, names[i], n) || *p != '.' || !isdigit(p[1]))
				continue;
			long pid = strtol(p + 1, &end, 10);
			if (*end != '.' || strspn(end, ".0123456789") != strlen(end) || pid <= 0)
				continue;
			if (kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
				fault_point("unlink");
				unlinkat(dirfd(d), de->d_name, 0);
			}
			break;
		}
	}
	closedir(d);
}

static int publish(struct dm_state *st, struct strbuf *f)
{
	const char *dname = st->cfg.dirname;
	char tmp[F_COUNT][512];
	bool made[F_COUNT] = {0};
	struct timeval tv;
	int dfd, r = 0;

	gettimeofday(&tv, NULL);
	dfd = open(dname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		DM_ERR("could not open directory %s: %s", dname, strerror(-r));
		return r;
	}
	drop_stale_tmp(dfd);
	for (int i = 0; i < F_COUNT && !r; i++) {
		snprintf(tmp[i], sizeof(tmp[i]), "%s.%i.%li.%li", names[i], (int)getpid(),
			 (long)tv.tv_usec, (long)tv.tv_sec);
		fault_point("create");
		int fd = openat(dfd, tmp[i], O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0) {
			r = -errno;
			DM_ERR("openat(%s, %s): %s", dname, tmp[i], strerror(-r));
			break;
		}
		made[i] = true;
		r = write_fd(fd, f[i].buf ? f[i].buf : "", f[i].len);
		if (close(fd) < 0 && !r)
			r = -errno;
		if (r < 0)
			DM_ERR("Could not write index '%s': %s", names[i], strerror(-r));
	}
	for (int i = 0; i < F_COUNT && !r; i++) {
		fault_point("rename");
		if (renameat(dfd, tmp[i], dfd, names[i]) != 0) {
			r = -errno;
			DM_ERR("renameat(%s, %s, %s, %s): %s", dname, tmp[i], dname, names[i],
			       strerror(-r));
			break;
		}
		made[i] = false;
	}
	for (int i = 0; i < F_COUNT; i++)
		if (made[i] && unlinkat(dfd, tmp[i], 0) != 0)
			DM_ERR("unlinkat(%s, %s): %s", dname, tmp[i], strerror(errno));
	close(dfd);
	return r;
}

int dm_output(struct dm_state *st)
{
	struct strbuf f[F_COUNT];
	int r;

	for (int i = 0; i < F_COUNT; i++)
		f[i] = (struct strbuf)STRBUF_INIT;
	r = build(st, f, st->o->dry_run);
	if (r >= 0 && st->o->dry_run) {
		for (size_t i = 0; i < ARRAY_SIZE(text_files); i++) {
			const struct strbuf *s = &f[text_files[i]];

			if (s->len && fwrite(s->buf, 1, s->len, stdout) != s->len)
				r = -EIO;
		}
		if (fflush(stdout) != 0)
			r = -EIO;
	} else if (r >= 0) {
		r = publish(st, f);
	}
	for (int i = 0; i < F_COUNT; i++)
		sb_release(&f[i]);
	return r;
}

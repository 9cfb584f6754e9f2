// SPDX-License-Identifier: GPL-2.0-or-later
/* workers.c - parses the modules the cache could not serve, in forked workers when many. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libkmod.h>

#include "depmod/internal.h"

/*
 * libkmod mmaps every module; in one multi-threaded process each munmap costs cross-CPU TLB
 * shootdowns, so threads do not scale.  Separate processes do: each worker parses every
 * nworkers-th module and hands back its results in a memfd:
 *   { u32 todo position; u32 blob length; u32 clean; u32 zero } blob, padded to 8 bytes.
 */
#define RES_HDR 16
#define MIN_PER_WORKER 24
#define MAX_WORKERS 32

struct todo {
	struct dm_mod **m;
	size_t n;
};

static void parse_slice(struct kmod_ctx *ctx, const struct todo *t, size_t first, size_t step,
			struct strbuf *out)
{
	for (size_t i = first; i < t->n; i += step) {
		size_t at = out->len;
		uint32_t hdr[4] = {(uint32_t)i, 0, 0, 0};
		bool clean;

		sb_addn(out, (const char *)hdr, RES_HDR);
		dm_parse_module(ctx, t->m[i]->path, out, &clean);
		hdr[1] = (uint32_t)(out->len - at - RES_HDR);
		hdr[2] = clean;
		memcpy(out->buf + at, hdr, RES_HDR);
		while (out->len % 8)
			sb_addch(out, '\0');
	}
}

/* Attach results in buf to their modules; -EBADMSG when the data does not hold together. */
static int take_results(const struct todo *t, const char *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		uint32_t hdr[4];

		if (len - pos < RES_HDR)
			return -EBADMSG;
		memcpy(hdr, buf + pos, RES_HDR);
		pos += RES_HDR;
		if (hdr[0] >= t->n || hdr[1] > len - pos)
			return -EBADMSG;
		struct dm_mod *m = t->m[hdr[0]];
		if (dm_rec_decode(buf + pos, hdr[1], &m->rec) < 0)
			return -EBADMSG;
		m->have_rec = true;
		m->cacheable = hdr[2] != 0;
		pos += hdr[1];
		pos = (pos + 7) & ~(size_t)7;
		if (pos > len)
			return -EBADMSG;
	}
	return 0;
}

/* Mappings and buffers the parsed records point into, released with the state. */
static void keep_map(struct dm_state *st, void *p, size_t len)
{
	st->maps = xreallocarray(st->maps, st->nmaps + 1, sizeof(*st->maps));
	st->map_lens = xreallocarray(st->map_lens, st->nmaps + 1, sizeof(*st->map_lens));
	st->maps[st->nmaps] = p;
	st->map_lens[st->nmaps++] = len;
}

static void keep_buf(struct dm_state *st, char *p)
{
	st->bufs = xreallocarray(st->bufs, st->nbufs + 1, sizeof(*st->bufs));
	st->bufs[st->nbufs++] = p;
}

static int parse_here(struct dm_state *st, const struct todo *t, size_t first, size_t step)
{
	struct kmod_ctx *ctx = dm_kmod_new(st->cfg.dirname);
	struct strbuf out = STRBUF_INIT;

	if (!ctx)
		return -ENOMEM;
	parse_slice(ctx, t, first, step, &out);
	kmod_unref(ctx);
	int r = take_results(t, out.buf ? out.buf : "", out.len);
	keep_buf(st, sb_steal(&out));
	return r;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* In the child: parse a slice into fd and leave without running the parent's cleanups. */
_noreturn_ static void worker_main(struct dm_state *st, const struct todo *t, size_t w,
				   size_t nw, int fd)
{
	struct kmod_ctx *ctx = dm_kmod_new(st->cfg.dirname);
	struct strbuf out = STRBUF_INIT;

	if (!ctx)
		_exit(1);
	parse_slice(ctx, t, w, nw, &out);
	int r = write_all(fd, out.buf ? out.buf : "", out.len);
	fflush(NULL);
	_exit(r < 0 ? 1 : 0);
}

static int collect(struct dm_state *st, const struct todo *t, int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return -errno;
	if (sb.st_size == 0)
		return t->n ? -EBADMSG : 0;
	size_t len = (size_t)sb.st_size;
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	keep_map(st, p, len);
	return take_results(t, p, len);
}

static size_t worker_count(size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nw = cpus > 0 ? (size_t)cpus : 1;

	if (nw > MAX_WORKERS)
		nw = MAX_WORKERS;
	if (nw > n / MIN_PER_WORKER)
		nw = n / MIN_PER_WORKER;
	return nw ? nw : 1;
}

int dm_parse_missing(struct dm_state *st)
{
	struct todo t = {xcalloc(st->nmods ? st->nmods : 1, sizeof(*t.m)), 0};
	int r = 0;

	for (size_t i = 0; i < st->nmods; i++)
		if (!st->mods[i]->have_rec)
			t.m[t.n++] = st->mods[i];
	st->nparsed = (unsigned)t.n;
	if (!t.n)
		goto out;

	size_t nw = worker_count(t.n);
	if (nw == 1) {
		r = parse_here(st, &t, 0, 1);
		goto out;
	}

	pid_t pids[MAX_WORKERS];
	int fds[MAX_WORKERS];
	fflush(NULL);
	for (size_t w = 0; w < nw; w++) {
		fds[w] = memfd_create("ndkms-depmod", MFD_CLOEXEC);
		pids[w] = -1;
		if (fds[w] < 0)
			continue;
		pids[w] = fork();
		if (pids[w] == 0)
			worker_main(st, &t, w, nw, fds[w]);
	}
	for (size_t w = 0; w < nw; w++) {
		int status = 0, q = -ECHILD;

		if (pids[w] > 0) {
			while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR)
				;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				q = collect(st, &t, fds[w]);
		}
		if (fds[w] >= 0)
			close(fds[w]);
		if (q < 0) {
			DM_DBG("worker %zu failed (%s), parsing its share here", w, strerror(-q));
			q = parse_here(st, &t, w, nw);
			if (q < 0 && !r)
				r = q;
		}
	}
out:
	free(t.m);
	return r;
}

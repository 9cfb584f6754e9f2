// SPDX-License-Identifier: GPL-2.0-or-later
/* buildresult.c - M/V/.last-build.K.A: key=value lines written after every build. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "core/buildresult.h"
#include "core/state.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#define PREFIX ".last-build."

void build_result_write(const struct ndkms_ctx *ctx, const char *m, const char *v,
			const struct build_result *res)
{
	_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
	_cleanup_free_ char *f = xasprintf("%s/" PREFIX "%s.%s", mv, res->kernel, res->arch);
	struct strbuf sb = STRBUF_INIT;

	sb_addf(&sb, "kernel=%s\narch=%s\nresult=%s\nexit=%d\ntime=%lld\nms=%ld\nlog=%s\n",
		res->kernel, res->arch, res->result, res->exit, res->time, res->ms,
		res->log ? res->log : "");
	int r = write_file_atomic(f, sb_str(&sb), sb.len, 0644);
	if (r < 0)
		log_warn("Could not record the build result in %s: %s", ctx_display(ctx, f),
			 strerror(-r));
	sb_release(&sb);
}

static char *field(const char *data, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = data; p && *p;) {
		size_t len = strcspn(p, "\n");
		if (len > n && strneq(p, key, n) && p[n] == '=')
			return xstrndup(p + n + 1, len - n - 1);
		p += len + (p[len] == '\n');
	}
	return NULL;
}

static int cmp_result(const void *x, const void *y)
{
	const struct build_result *a = x, *b = y;
	int c = strcmp(a->kernel, b->kernel);

	return c ? c : strcmp(a->arch, b->arch);
}

void build_result_list(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *k,
		       const char *a, struct build_result **out, size_t *n)
{
	_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
	DIR *d = opendir(mv);

	*out = NULL;
	*n = 0;
	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (!strneq(de->d_name, PREFIX, strlen(PREFIX)))
			continue;
		_cleanup_free_ char *f = path_join(mv, de->d_name);
		_cleanup_free_ char *data = NULL;
		size_t len;
		if (!is_reg(f) || read_file(f, &data, &len, 1 << 16) < 0)
			continue;
		struct build_result res = {.kernel = field(data, "kernel"), .arch = field(data, "arch"),
					   .result = field(data, "result"), .log = field(data, "log")};
		_cleanup_free_ char *e = field(data, "exit"), *t = field(data, "time"),
				    *ms = field(data, "ms");
		if (!res.kernel || !res.arch || !res.result || (k && !streq(k, res.kernel)) ||
		    (a && !streq(a, res.arch))) {
			build_result_free(&res, 1);
			continue;
		}
		res.exit = e ? atoi(e) : 0;
		res.time = t ? atoll(t) : 0;
		res.ms = ms ? atol(ms) : 0;
		if (res.log && !*res.log) {
			free(res.log);
			res.log = NULL;
		}
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = res;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_result);
}

void build_result_free(struct build_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(res[i].kernel);
		free(res[i].arch);
		free(res[i].result);
		free(res[i].log);
	}
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* report.c - the per-transaction result table and the required-module verdict. */
#include <stdio.h>
#include <string.h>

#include "cmd/report.h"
#include "core/required.h"
#include "core/state.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#define TAIL_LINES 20

static const char *result_text(const struct report_row *r, char *buf, size_t len)
{
	switch (r->res) {
	case REPORT_INSTALLED:
		return "installed";
	case REPORT_ALREADY_BUILT:
		return "installed (already built)";
	case REPORT_ALREADY_INSTALLED:
		return "already installed";
	case REPORT_BUILT:
		return "built";
	case REPORT_REMOVED:
		return "removed";
	case REPORT_SKIPPED:
		return "skipped by BUILD_EXCLUSIVE";
	case REPORT_WAITING:
		return "failed (missing BUILD_DEPENDS)";
	case REPORT_FAILED:
		break;
	}
	snprintf(buf, len, "failed (exit %d)", r->status);
	return buf;
}

void report_add(struct report *rep, const struct ndkms_ctx *ctx, const char *m, const char *v,
		const char *k, const char *a, enum report_result res, int status, long ms)
{
	rep->rows = xreallocarray(rep->rows, rep->n + 1, sizeof(*rep->rows));
	struct report_row *r = &rep->rows[rep->n++];
	*r = (struct report_row){.m = xstrdup(m), .v = xstrdup(v), .k = xstrdup(k), .a = xstrdup(a),
				 .res = res, .status = status, .ms = ms,
				 .required = required_module(ctx, m)};
	if (res == REPORT_FAILED) {
		_cleanup_free_ char *mv = state_mv_dir(ctx, m, v);
		char *log = path_join(mv, "build/make.log");
		if (is_reg(log))
			r->log = log;
		else
			free(log);
	}
}

void report_add_job(struct report *rep, const struct ndkms_ctx *ctx, const struct batch_job *j,
		    enum report_result ok)
{
	enum report_result res = j->state == BATCH_PENDING ? REPORT_WAITING
				 : j->status == 0	   ? ok
				 : j->status == 77	   ? REPORT_SKIPPED
							   : REPORT_FAILED;

	report_add(rep, ctx, j->m, j->v, j->k, j->a, res, j->status, j->ms);
}

void report_print(const struct ndkms_ctx *ctx, const struct report *rep)
{
	int wm = (int)strlen("module/version"), wk = (int)strlen("kernel"), wr = (int)strlen("result");
	char buf[64];

	/* called by dkms's name (package scripts, administrators' habits), the output is dkms's */
	if (!rep->n || ctx->opt->as_dkms)
		return;
	log_info("%s", "");
	for (size_t i = 0; i < rep->n; i++) {
		const struct report_row *r = &rep->rows[i];
		int n = (int)(strlen(r->m) + 1 + strlen(r->v)) + (r->required ? 11 : 0);
		if (n > wm)
			wm = n;
		n = (int)(strlen(r->k) + 1 + strlen(r->a));
		if (n > wk)
			wk = n;
		n = (int)strlen(result_text(r, buf, sizeof(buf)));
		if (n > wr)
			wr = n;
	}
	log_info("%-*s  %-*s  %-*s  %7s  %s", wm, "module/version", wk, "kernel", wr, "result",
		 "seconds", "log");
	for (size_t i = 0; i < rep->n; i++) {
		const struct report_row *r = &rep->rows[i];
		_cleanup_free_ char *mv = xasprintf("%s/%s%s", r->m, r->v, r->required ? " (required)" : "");
		_cleanup_free_ char *ka = xasprintf("%s/%s", r->k, r->a);
		if (r->log)
			log_info("%-*s  %-*s  %-*s  %7.1f  %s", wm, mv, wk, ka, wr,
				 result_text(r, buf, sizeof(buf)), (double)r->ms / 1000.0,
				 ctx_display(ctx, r->log));
		else
			log_info("%-*s  %-*s  %-*s  %7.1f", wm, mv, wk, ka, wr,
				 result_text(r, buf, sizeof(buf)), (double)r->ms / 1000.0);
	}
}

static void print_log_tail(const char *path)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (read_file(path, &data, &len, (size_t)64 << 20) < 0)
		return;
	log_info_tail(data, len, TAIL_LINES);
}

int report_required_failures(const struct ndkms_ctx *ctx, const struct report *rep,
			     const char *k)
{
	int n = 0;

	for (size_t i = 0; i < rep->n; i++) {
		const struct report_row *r = &rep->rows[i];
		if (!r->required || !streq(r->k, k) ||
		    (r->res != REPORT_FAILED && r->res != REPORT_WAITING))
			continue;
		n++;
		if (r->res == REPORT_WAITING)
			log_error("Required module %s/%s cannot be built for kernel %s (%s): a module "
				  "it needs (BUILD_DEPENDS) is missing or failed.",
				  r->m, r->v, r->k, r->a);
		else if (r->log)
			log_error("Required module %s/%s failed to build for kernel %s (%s); the end "
				  "of %s:",
				  r->m, r->v, r->k, r->a, ctx_display(ctx, r->log));
		else
			log_error("Required module %s/%s failed for kernel %s (%s) (exit %d).", r->m,
				  r->v, r->k, r->a, r->status);
		if (r->log)
			print_log_tail(r->log);
	}
	if (n)
		log_error("Kernel %s would be without %d required module(s). To proceed, fix the "
			  "module (a newer version, a patch), remove it (ndkms remove M/V --all), "
			  "or drop it from \"required\" in /etc/ndkms/ndkms.conf.",
			  k, n);
	return n;
}

void report_release(struct report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		struct report_row *r = &rep->rows[i];
		free(r->m);
		free(r->v);
		free(r->k);
		free(r->a);
		free(r->log);
	}
	free(rep->rows);
	rep->rows = NULL;
	rep->n = 0;
}

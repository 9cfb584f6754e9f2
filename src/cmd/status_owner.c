// SPDX-License-Identifier: GPL-2.0-or-later
/* status_owner.c - which package owns each module's sources and each kernel, for status. */
#include <stdio.h>
#include <string.h>

#include "cmd/status_owner.h"
#include "core/state.h"
#include "pkg/owner.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

static struct owner_db *db;
static char *warned; /* the last m/v warned about, so that each is flagged once */

void status_owner_begin(const struct ndkms_ctx *ctx)
{
	db = owner_open(ctx->env->root);
}

void status_owner_end(void)
{
	owner_close(db);
	db = NULL;
	free(warned);
	warned = NULL;
}


/* The package owning the module's sources in the root (their in-root path asked). */
static char *source_owner(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	_cleanup_free_ char *host = xasprintf("%s/%s-%s", ctx->env->source_tree, m, v);

	return owner_of_source(db, ctx_display(ctx, host));
}

static bool source_present(const struct ndkms_ctx *ctx, const char *m, const char *v)
{
	_cleanup_free_ char *src = state_source_dir(ctx, m, v);

	return src && is_dir(src);
}

void status_owner_text(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *k)
{
	if (!db)
		return;
	_cleanup_free_ char *src = xasprintf("%s/%s-%s", ctx->env->source_tree, m, v);
	_cleanup_free_ char *so = source_owner(ctx, m, v);
	if (ctx->opt->verbose) {
		log_info("  source %s: %s", ctx_display(ctx, src), so ? so : "owned by no package");
		if (k) {
			_cleanup_free_ char *ko = owner_of_kernel(db, k);
			log_info("  kernel %s: %s", k, ko ? ko : "owned by no package");
		}
	}
	_cleanup_free_ char *mv = xasprintf("%s/%s", m, v);
	if (!so && source_present(ctx, m, v) && (!warned || !streq(warned, mv))) {
		log_warn("%s: its source tree %s is owned by no installed package.", mv,
			 ctx_display(ctx, src));
		free(warned);
		warned = TAKE_PTR(mv);
	}
}

void status_owner_json(const struct ndkms_ctx *ctx, const char *m, const char *v, const char *k)
{
	if (!db)
		return;
	_cleanup_free_ char *so = source_owner(ctx, m, v);
	printf(", \"source_owner\": ");
	json_write_str(stdout, so);
	printf(", \"source_orphan\": %s", !so && source_present(ctx, m, v) ? "true" : "false");
	if (k) {
		_cleanup_free_ char *ko = owner_of_kernel(db, k);
		printf(", \"kernel_owner\": ");
		json_write_str(stdout, ko);
	}
}

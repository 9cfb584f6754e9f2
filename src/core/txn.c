// SPDX-License-Identifier: GPL-2.0-or-later
/* txn.c - the marker of an install or uninstall under way (M/.ndkms-txn-K-A). */
#include <string.h>
#include <unistd.h>

#include "core/lifecycle.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/log.h"

char *lifecycle_txn_path(const struct ndkms_ctx *ctx, const char *m, const char *k, const char *a)
{
	return xasprintf("%s/%s/.ndkms-txn-%s-%s", ctx->env->dkms_tree, m, k, a);
}

int lifecycle_txn_begin(struct ndkms_ctx *ctx, const struct target *t)
{
	_cleanup_free_ char *p = lifecycle_txn_path(ctx, t->module, t->kver, t->arch);
	_cleanup_free_ char *text = xasprintf("%s\n%s\n%s\n", t->version, t->kver, t->arch);
	_cleanup_free_ char *have = NULL;

	/*
	 * The uninstall that rolls back a failed install finds the install's marker: rewriting it
	 * would need room a full disk no longer has, and fail the rollback.
	 */
	if (read_file(p, &have, NULL, 4096) == 0 && streq(have, text))
		return 0;
	int r = write_file_atomic(p, text, strlen(text), 0644);

	if (r < 0)
		log_error("Could not write %s: %s", ctx_display(ctx, p), strerror(-r));
	return r;
}

void lifecycle_txn_end(struct ndkms_ctx *ctx, const struct target *t)
{
	_cleanup_free_ char *p = lifecycle_txn_path(ctx, t->module, t->kver, t->arch);

	fault_point("unlink");
	unlink(p);
}

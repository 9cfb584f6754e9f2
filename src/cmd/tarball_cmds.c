// SPDX-License-Identifier: GPL-2.0-or-later
/* tarball_cmds.c - mktarball and ldtarball. */
#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/exitcode.h"
#include "core/lock.h"
#include "core/tarball.h"
#include "util/log.h"

static int cmd_mktarball_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	int lock = cmd_prologue(ctx, NEED_ADDED | ALLOW_ALL);

	if (lock < 0)
		return lock;
	int r = tarball_make(ctx, ctx->opt->module, ctx->opt->version, ctx->targets, ctx->ntargets);
	lock_release(lock);
	return r;
}

static int cmd_ldtarball_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	const char *file = ctx->opt->archive ? ctx->opt->archive : ctx->opt->tarball_arg;
	int r = cmd_resolve_targets(ctx, false, false);

	if (r < 0)
		return r;
	if (!file) {
		log_error("Tarball location not specified.\n"
			  "Usage: ldtarball FILE | --archive=FILE");
		return DKMS_EXIT(2);
	}
	struct target t = cmd_add_target(ctx, NULL, NULL);
	return tarball_load(ctx, file, t.kver, t.arch);
}

const struct cmd cmd_mktarball = {"mktarball", cmd_mktarball_run,
				  "archive built modules and sources (dkms layout)", CMD_DKMS_ARGS};
const struct cmd cmd_ldtarball = {"ldtarball", cmd_ldtarball_run, "load a dkms tarball",
				  CMD_DKMS_ARGS | CMD_NEEDS_ROOT};

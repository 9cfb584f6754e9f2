// SPDX-License-Identifier: GPL-2.0-or-later
/* generate_mok.c - generate_mok: create the module signing key and certificate if missing. */
#include "cmd/cmd.h"
#include "core/signing.h"

static int cmd_generate_mok_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	return signing_generate_mok(ctx);
}

const struct cmd cmd_generate_mok = {"generate_mok", cmd_generate_mok_run,
				     "create the MOK signing key and certificate if missing",
				     CMD_DKMS_ARGS};

// SPDX-License-Identifier: GPL-2.0-or-later
/* mkkmod.c - placeholder */
#include "cmd/cmd.h"
static int run(struct ndkms_ctx *ctx, int argc, char **argv) { return 0; }
const struct cmd cmd_mkkmod = {"mkkmod", run, "", CMD_OWN_ARGS};

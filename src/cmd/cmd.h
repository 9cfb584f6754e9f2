/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd.h - the command table: one struct per command, defined in cmd/<name>.c. */
/*
 * Layer cmd: includes every layer below and cmd/; only main.c includes it.  The rule
 * (util < conf < depmod < kabi/sign/pkg < core < cmd < main.c, no circle between files or
 * folders) is checked by test/layers.sh in make check.
 */
#pragma once

#include "core/ctx.h"

enum cmd_flags {
	CMD_DKMS_ARGS = 1 << 0,  /* takes dkms's global option syntax (parsed by main) */
	CMD_OWN_ARGS = 1 << 1,   /* parses its own argv (depmod, lint, ...; cmd/opts.h) */
	CMD_NEEDS_ROOT = 1 << 2, /* uid 0 required ("You must be root to use this command.") */
};

/*
 * One per command, `const struct cmd cmd_NAME` in cmd/NAME.c (or a file grouping several); its
 * entry point is `static int cmd_NAME_run(...)` in the same file, NAME with '-' as '_'.
 */
struct cmd {
	const char *name;
	/* For CMD_DKMS_ARGS the ctx holds the parsed options; argc/argv are only for CMD_OWN_ARGS. */
	int (*fn)(struct ndkms_ctx *ctx, int argc, char **argv);
	const char *help;
	unsigned flags;
};

extern const struct cmd cmd_add, cmd_build, cmd_install, cmd_uninstall, cmd_unbuild, cmd_remove,
	cmd_status, cmd_autoinstall, cmd_kernel_preinst, cmd_kernel_postinst, cmd_kernel_prerm,
	cmd_lint, cmd_depmod, cmd_hook;
extern const struct cmd cmd_mktarball, cmd_ldtarball, cmd_match, cmd_generate_mok;
extern const struct cmd cmd_weak_modules, cmd_mkkmod;
extern const struct cmd cmd_mok, cmd_doctor;

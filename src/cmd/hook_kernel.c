// SPDX-License-Identifier: GPL-2.0-or-later
/* hook_kernel.c - "ndkms hook kernel add|remove KVER": the Debian and kernel-install hooks. */
#include <stdio.h>
#include <string.h>

#include "cmd/autoinstall.h"
#include "cmd/exitcode.h"
#include "cmd/hook.h"
#include "cmd/report.h"
#include "core/initrd.h"
#include "core/kernel.h"
#include "core/modconf.h"
#include "core/state.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/names.h"

/* Installed modules of kernel k that are needed at boot: their names, one per line. */
static int boot_modules(struct ndkms_ctx *ctx, const char *k)
{
	const char *a = ctx->targets[0].arch;
	_cleanup_strv_ struct strv mods = STRV_INIT;

	state_list_modules(ctx, &mods);
	for (size_t i = 0; i < mods.n; i++) {
		_cleanup_free_ char *v = state_active_version(ctx, mods.v[i], k, a);
		struct dkms_conf conf = {0};
		if (!v || !state_is_installed(ctx, mods.v[i], v, k, a))
			continue;
		log_setup(true, false);
		int r = modconf_read(ctx, NULL, &(struct target){mods.v[i], v, k, a}, false, &conf);
		log_setup(ctx->opt->quiet, ctx->opt->verbose);
		for (size_t j = 0; r == 0 && conf.remake_initrd && j < conf.nmods; j++)
			if (kernel_exclusive_ok(ctx, &conf, (long)j, k, a))
				printf("%s\n", conf.mods[j].dest_name);
		dkms_conf_release(&conf);
	}
	return 0;
}

static int kernel_add(struct ndkms_ctx *ctx, const char *k)
{
	_cleanup_free_ char *inc = xasprintf("%s/%s/build/include", ctx->env->install_tree, k);
	struct report table = {0};

	if (!is_dir(inc)) {
		log_info("ndkms: automatic installation of modules for kernel %s was skipped since "
			 "the kernel headers for this kernel do not seem to be installed.",
			 k);
		return 0;
	}
	int r = autoinstall_kernel(ctx, &table);
	int missing = report_required_failures(ctx, &table, k);
	report_release(&table);
	if (missing)
		return DKMS_EXIT(1);
	if (r < 0)
		log_warn("Some modules could not be installed for kernel %s (see above); none of "
			 "them is required.",
			 k);
	return 0;
}

int hook_kernel(struct ndkms_ctx *ctx, int argc, char **argv)
{
	if (argc != 4 || !(streq(argv[2], "add") || streq(argv[2], "remove") ||
			   streq(argv[2], "boot-modules"))) {
		log_error("Usage: ndkms hook kernel add|remove|boot-modules KVER");
		return DKMS_EXIT(2);
	}
	const char *k = argv[3];
	if (!kver_valid(k)) {
		log_error("Invalid kernel version: %s", k);
		return DKMS_EXIT(2);
	}
	strv_release(&ctx->opt_setup->kvers);
	strv_push(&ctx->opt_setup->kvers, k);
	free(ctx->opt_setup->action);
	ctx->opt_setup->action = xstrdup(streq(argv[2], "add") ? "kernel_postinst" : "kernel_prerm");
	int r = need_one_kernel(ctx);
	if (r < 0)
		return r;
	if (streq(argv[2], "boot-modules"))
		return boot_modules(ctx, k);
	initrd_exempt(ctx, k); /* the kernel's own hooks (initramfs-tools, dracut) come after */
	if (streq(argv[2], "add"))
		return kernel_add(ctx, k);
	r = unbuild_kernel(ctx, false);
	if (r < 0)
		log_warn("Some modules could not be removed for kernel %s (see above).", k);
	return 0;
}

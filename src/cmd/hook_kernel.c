// SPDX-License-Identifier: GPL-2.0-or-later
/* hook_kernel.c - "ndkms hook kernel add|remove KVER": the Debian and kernel-install hooks. */
#include <ctype.h>
#include <string.h>

#include "cmd/autoinstall.h"
#include "cmd/hook.h"
#include "cmd/report.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"

/* A kernel release as a folder name: no slash, not . or .., printable without spaces. */
static bool kver_ok(const char *k)
{
	if (!*k || strlen(k) > 255 || streq(k, ".") || streq(k, ".."))
		return false;
	for (const char *c = k; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._+~-", *c))
			return false;
	return true;
}

static int kernel_add(struct ndkms_ctx *ctx, const char *k)
{
	_cleanup_free_ char *inc = xasprintf("%s/%s/build/include", ctx->install_tree, k);
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
	if (argc != 4 || !(streq(argv[2], "add") || streq(argv[2], "remove"))) {
		log_error("Usage: ndkms hook kernel add|remove KVER");
		return DKMS_EXIT(2);
	}
	const char *k = argv[3];
	if (!kver_ok(k)) {
		log_error("Invalid kernel version: %s", k);
		return DKMS_EXIT(2);
	}
	strv_release(&ctx->kvers);
	strv_push(&ctx->kvers, k);
	free(ctx->action);
	ctx->action = xstrdup(streq(argv[2], "add") ? "kernel_postinst" : "kernel_prerm");
	int r = need_one_kernel(ctx);
	if (r < 0)
		return r;
	if (streq(argv[2], "add"))
		return kernel_add(ctx, k);
	r = unbuild_kernel(ctx, false);
	if (r < 0)
		log_warn("Some modules could not be removed for kernel %s (see above).", k);
	return 0;
}

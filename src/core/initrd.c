// SPDX-License-Identifier: GPL-2.0-or-later
/* initrd.c - once per kernel at the end of a run: update-initramfs, dracut or mkinitcpio. */
#include <string.h>
#include <unistd.h>

#include "core/initrd.h"
#include "core/modconf.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/spawn.h"
#include "util/strbuf.h"

void initrd_note(struct ndkms_ctx *ctx, const char *k)
{
	if (!strv_contains(&ctx->ses.initrd_exempt, k) && !strv_contains(&ctx->ses.initrd_pending, k))
		strv_push(&ctx->ses.initrd_pending, k);
}

void initrd_note_module(struct ndkms_ctx *ctx, const char *m, const char *v, const char *k,
			const char *a)
{
	struct dkms_conf conf = {0};

	if (strv_contains(&ctx->ses.initrd_exempt, k) || strv_contains(&ctx->ses.initrd_pending, k))
		return;
	log_setup(true, false);
	int r = modconf_read(ctx, NULL, &(struct target){m, v, k, a}, false, &conf);
	log_setup(ctx->opt->quiet, ctx->opt->verbose);
	if (r == 0 && conf.remake_initrd)
		initrd_note(ctx, k);
	dkms_conf_release(&conf);
}

void initrd_exempt(struct ndkms_ctx *ctx, const char *k)
{
	if (!strv_contains(&ctx->ses.initrd_exempt, k))
		strv_push(&ctx->ses.initrd_exempt, k);
}

/* The first of the in-root paths that is an executable file, as an in-root path. */
static const char *find_tool(const struct ndkms_ctx *ctx, const char *const *paths)
{
	for (const char *const *p = paths; *p; p++) {
		_cleanup_free_ char *host = ctx_path(ctx, *p);
		if (is_reg(host) && access(host, X_OK) == 0)
			return *p;
	}
	return NULL;
}

static int run_tool(const struct ndkms_ctx *ctx, const char *k, struct strv *argv)
{
	_cleanup_strv_ struct strv full = STRV_INIT;
	int status = 0;

	if (*ctx->env->root) {
		strv_push(&full, "chroot");
		strv_push(&full, ctx->env->root);
	}
	for (size_t i = 0; i < argv->n; i++)
		strv_push(&full, argv->v[i]);
	/* called as dkms, the output stays dkms's: the tool's is shown only when it fails */
	_cleanup_free_ char *out = NULL;
	struct spawn_opts so = {.argv = (const char *const *)strv_get(&full), .cwd = "/"};
	if (ctx->opt->as_dkms) {
		so.capture = &out;
		so.capture_max = 1 << 20;
	} else {
		log_info("Regenerating the initramfs of kernel %s (%s)...", k, argv->v[0]);
	}
	int r = spawn_run(&so, &status);
	if (out && (r < 0 || status))
		log_info("%s", out);
	if (r < 0 || status) {
		log_error("%s failed for kernel %s (%s); the old initramfs stays.", argv->v[0], k,
			  r < 0 ? strerror(-r) : "see its output above");
		return r < 0 ? r : NDKMS_E_FAILED;
	}
	return 0;
}

static int regenerate(struct ndkms_ctx *ctx, const char *k)
{
	static const char *const debian[] = {"/usr/sbin/update-initramfs", "/sbin/update-initramfs",
					     NULL};
	static const char *const dracut[] = {"/usr/bin/dracut", "/usr/sbin/dracut", NULL};
	static const char *const arch[] = {"/usr/bin/mkinitcpio", NULL};
	_cleanup_strv_ struct strv argv = STRV_INIT;
	const char *tool;

	if ((tool = find_tool(ctx, debian))) {
		_cleanup_free_ char *img = xasprintf("%s/boot/initrd.img-%s", ctx->env->root, k);
		if (!path_exists(img)) {
			log_info("Kernel %s has no initramfs (/boot/initrd.img-%s): none is made.", k, k);
			return 0;
		}
		strv_push(&argv, tool);
		strv_push(&argv, "-u");
		strv_push(&argv, "-k");
		strv_push(&argv, k);
	} else if ((tool = find_tool(ctx, dracut))) {
		strv_push(&argv, tool);
		strv_push(&argv, "-f");
		strv_push(&argv, "--kver");
		strv_push(&argv, k);
	} else if ((tool = find_tool(ctx, arch))) {
		_cleanup_free_ char *pb = xasprintf("%s/%s/pkgbase", ctx->env->install_tree, k);
		_cleanup_free_ char *base = NULL;
		size_t len;
		if (read_file(pb, &base, &len, 256) < 0 || !len) {
			log_info("Kernel %s has no pkgbase file: mkinitcpio has no preset to run.", k);
			return 0;
		}
		base[strcspn(base, "\n")] = '\0';
		strv_push(&argv, tool);
		strv_push(&argv, "-p");
		strv_push(&argv, base);
	} else {
		log_info("No initramfs tool (update-initramfs, dracut, mkinitcpio) in the root: the "
			 "initramfs of kernel %s is left as it is.",
			 k);
		return 0;
	}
	return run_tool(ctx, k, &argv);
}

int initrd_flush(struct ndkms_ctx *ctx)
{
	int r = 0;

	for (size_t i = 0; i < ctx->ses.initrd_pending.n; i++) {
		const char *k = ctx->ses.initrd_pending.v[i];
		if (!strv_contains(&ctx->ses.initrd_exempt, k) && regenerate(ctx, k) < 0)
			r = NDKMS_E_FAILED;
	}
	strv_release(&ctx->ses.initrd_pending);
	return r;
}

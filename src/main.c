// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c - command line (dkms 3.4 syntax), command table, the exit status (cmd/exitcode.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/exitcode.h"
#include "core/ctx.h"
#include "core/initrd.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#ifndef NDKMS_VERSION
#error "NDKMS_VERSION comes from the file VERSION through the Makefile"
#endif
#define DKMS_COMPAT_VERSION "3.4.3"

static const struct cmd *const commands[] = {
	&cmd_add,       &cmd_build,          &cmd_install,         &cmd_uninstall,
	&cmd_unbuild,   &cmd_remove,         &cmd_status,          &cmd_autoinstall,
	&cmd_kernel_preinst, &cmd_kernel_postinst, &cmd_kernel_prerm, &cmd_lint,
	&cmd_depmod,    &cmd_hook,           &cmd_match,           &cmd_mktarball,
	&cmd_ldtarball, &cmd_generate_mok, &cmd_weak_modules, &cmd_mkkmod,
	&cmd_mok,       &cmd_doctor,
};

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (streq(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static const char *prog_name = "ndkms";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [action] [options]\n"
		"  [action]  = { add | build | install | uninstall | unbuild | remove | status |\n"
		"                autoinstall | kernel_preinst | kernel_postinst | kernel_prerm |\n"
		"                match | mktarball | ldtarball | generate_mok | lint | depmod | hook |\n"
		"                weak-modules | mkkmod | mok | doctor }\n"
		"  [options] = [-m module] [-v module-version] [-k kernel-version] [-a arch]\n"
		"              [-c dkms.conf-location] [-q] [--force] [--force-version-override] [--all]\n"
		"              [--root dir] [--dkmstree path] [--sourcetree path] [--installtree path]\n"
		"              [--kernelsourcedir path] [--config kernel-.config-location]\n"
		"              [--directive='NAME=value'] [--no-depmod] [--json] [-j number]\n"
		"              [--templatekernel kernel-version] [--archive file] [--source-only]\n"
		"              [--binaries-only] [--rpm_safe_upgrade] [--symlink-modules] [--repair]\n"
		"              [--verbose] [-V|--version] [-h|--help]\n"
		"See %s(8) for details.\n",
		prog_name, streq(prog_name, "dkms") ? "dkms" : "ndkms");
}

struct parsed {
	const char *dkmstree;
	const char *sourcetree;
	const char *installtree;
	const char *root;
	bool version;
	bool help;
};

/* Long options that take a value (as "--name value" or "--name=value").  A long option may be
 * abbreviated to any prefix that names one option only, as getopt_long allows ("--kernelv",
 * "--arc" is ambiguous: --arch or --archive); an exact name always wins ("--force"). */
static const char *const long_with_value[] = {
	"module", "kernelver", "arch", "templatekernel", "config", "kernelsourcedir", "dkmstree",
	"sourcetree", "installtree", "archive", "directive", "root",
};

static const char *const long_flags[] = {
	"force", "force-version-override", "all", "binaries-only", "source-only", "rpm_safe_upgrade",
	"no-depmod", "modprobe-on-install", "verbose", "quiet", "debug", "version", "help",
	"symlink-modules", "json", "repair", "no-initrd", "no-clean-kernel", "no-prepare-kernel",
};

static void set_module_arg(struct ndkms_ctx *ctx, const char *v)
{
	const char *slash = strchr(v, '/');

	free(ctx->opt_setup->module);
	if (slash) {
		ctx->opt_setup->module = xstrndup(v, (size_t)(slash - v));
		free(ctx->opt_setup->version);
		ctx->opt_setup->version = xstrdup(slash + 1);
	} else {
		ctx->opt_setup->module = xstrdup(v);
	}
}

static int apply_option(struct ndkms_ctx *ctx, struct parsed *p, const char *name, const char *val)
{
	if (streq(name, "module") || streq(name, "m")) {
		set_module_arg(ctx, val);
	} else if (streq(name, "v")) {
		free(ctx->opt_setup->version);
		ctx->opt_setup->version = xstrdup(val);
	} else if (streq(name, "kernelver") || streq(name, "k")) {
		if (!*val) {
			log_error("Empty kernel version parameter.");
			return DKMS_EXIT(16);
		}
		strv_push(&ctx->opt_setup->kvers, val);
	} else if (streq(name, "arch") || streq(name, "a")) {
		if (!*val) {
			log_error("Empty architecture parameter.");
			return DKMS_EXIT(16);
		}
		strv_push(&ctx->opt_setup->arches, val);
	} else if (streq(name, "c")) {
		free(ctx->opt_setup->conf_file);
		ctx->opt_setup->conf_file = xstrdup(val);
	} else if (streq(name, "j")) {
		if (ctx_parse_jobs(val, &ctx->opt_setup->jobs) < 0) {
			log_error("Invalid number of parallel jobs: %s", val);
			return DKMS_EXIT(2);
		}
	} else if (streq(name, "templatekernel")) {
		free(ctx->opt_setup->templatekernel);
		ctx->opt_setup->templatekernel = xstrdup(val);
	} else if (streq(name, "config")) {
		free(ctx->opt_setup->kconfig_opt);
		ctx->opt_setup->kconfig_opt = xstrdup(val);
	} else if (streq(name, "kernelsourcedir")) {
		free(ctx->opt_setup->kernel_source_dir_opt);
		ctx->opt_setup->kernel_source_dir_opt = xstrdup(val);
	} else if (streq(name, "dkmstree")) {
		p->dkmstree = val;
	} else if (streq(name, "sourcetree")) {
		p->sourcetree = val;
	} else if (streq(name, "installtree")) {
		p->installtree = val;
	} else if (streq(name, "root")) {
		p->root = val;
	} else if (streq(name, "archive")) {
		free(ctx->opt_setup->archive);
		ctx->opt_setup->archive = xstrdup(val);
	} else if (streq(name, "directive")) {
		if (!strchr(val, '=')) {
			log_error("Invalid directive '%s': expected NAME=value.", val);
			return DKMS_EXIT(2);
		}
		strv_push(&ctx->opt_setup->directives, val);
	}
	return 0;
}

static int apply_flag(struct ndkms_ctx *ctx, struct parsed *p, const char *name)
{
	if (streq(name, "force"))
		ctx->opt_setup->force = true;
	else if (streq(name, "force-version-override"))
		ctx->opt_setup->force_version_override = true;
	else if (streq(name, "all"))
		ctx->opt_setup->all = true;
	else if (streq(name, "binaries-only"))
		ctx->opt_setup->binaries_only = true;
	else if (streq(name, "source-only"))
		ctx->opt_setup->source_only = true;
	else if (streq(name, "rpm_safe_upgrade"))
		ctx->opt_setup->rpm_safe_upgrade = true;
	else if (streq(name, "no-depmod"))
		ctx->opt_setup->no_depmod = true;
	else if (streq(name, "modprobe-on-install"))
		ctx->opt_setup->modprobe_on_install = true;
	else if (streq(name, "verbose") || streq(name, "debug"))
		ctx->opt_setup->verbose = true;
	else if (streq(name, "quiet") || streq(name, "q"))
		ctx->opt_setup->quiet = true;
	else if (streq(name, "version") || streq(name, "V"))
		p->version = true;
	else if (streq(name, "help") || streq(name, "h"))
		p->help = true;
	else if (streq(name, "symlink-modules"))
		ctx->opt_setup->symlink_modules = true;
	else if (streq(name, "json"))
		ctx->opt_setup->json = true;
	else if (streq(name, "repair"))
		ctx->opt_setup->repair = true;
	else if (strneq(name, "no-", 3))
		log_note("Deprecated feature: --%s", name);
	return 0;
}

/* The long option NAME stands for: itself, or the one option it is a prefix of.  NULL when it
 * names none (*ambiguous false) or several (*ambiguous true, *cands lists them). */
static const char *match_long(const char *name, bool *takes_value, bool *ambiguous,
			      struct strbuf *cands)
{
	static const struct {
		const char *const *list;
		size_t n;
		bool value;
	} lists[] = {
		{long_with_value, ARRAY_SIZE(long_with_value), true},
		{long_flags, ARRAY_SIZE(long_flags), false},
	};
	const char *found = NULL;
	size_t len = strlen(name), count = 0;

	*ambiguous = false;
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		for (size_t i = 0; i < lists[l].n; i++)
			if (streq(lists[l].list[i], name)) {
				*takes_value = lists[l].value;
				return lists[l].list[i];
			}
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		for (size_t i = 0; i < lists[l].n; i++) {
			if (!strneq(lists[l].list[i], name, len))
				continue;
			sb_addf(cands, "%s--%s", count ? ", " : "", lists[l].list[i]);
			if (!count++) {
				found = lists[l].list[i];
				*takes_value = lists[l].value;
			}
		}
	if (count > 1) {
		*ambiguous = true;
		return NULL;
	}
	return found;
}

static int unknown_option(const char *arg)
{
	log_error("Unknown option: %s", arg);
	usage(stderr);
	return DKMS_EXIT(2);
}

/* Sort a bare word into a source tree, an archive, or module[/version] (dkms's order). */
static void classify_word(struct ndkms_ctx *ctx, const char *w)
{
	size_t n = strlen(w);

	if (n >= 9 && streq(w + n - 9, "dkms.conf") && is_reg(w)) {
		free(ctx->opt_setup->src_tree_arg);
		ctx->opt_setup->src_tree_arg = path_dirname(w);
		return;
	}
	_cleanup_free_ char *conf = path_join(w, "dkms.conf");
	if (is_dir(w) && is_reg(conf)) {
		free(ctx->opt_setup->src_tree_arg);
		ctx->opt_setup->src_tree_arg = xstrdup(w);
		return;
	}
	if (is_reg(w)) {
		free(ctx->opt_setup->tarball_arg);
		ctx->opt_setup->tarball_arg = xstrdup(w);
		return;
	}
	if (!ctx->opt_setup->module) {
		set_module_arg(ctx, w);
		return;
	}
	log_warn("I do not know how to handle %s.", w);
}

/*
 * Parse argv in dkms's syntax.  Returns the index of an own-args command's word in *own (or 0),
 * so that "ndkms --root R depmod -b X" hands "-b X" to depmod.
 */
static int parse_args(struct ndkms_ctx *ctx, struct parsed *p, int argc, char **argv, int *own)
{
	*own = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strneq(a, "--", 2) && a[2]) {
			_cleanup_free_ char *name = xstrdup(a + 2);
			char *eq = strchr(name, '=');
			const char *val = NULL;
			if (eq) {
				*eq = '\0';
				/* in argv, which outlives name (--root=DIR is kept as a pointer) */
				val = a + 2 + (eq - name) + 1;
			}
			bool takes_value = false, ambiguous = false;
			_cleanup_strbuf_ struct strbuf cands = STRBUF_INIT;
			const char *opt = *name ? match_long(name, &takes_value, &ambiguous, &cands)
					       : NULL;
			if (ambiguous) {
				log_error("Ambiguous option: --%s (%s)", name, sb_str(&cands));
				usage(stderr);
				return DKMS_EXIT(2);
			}
			if (opt && takes_value) {
				if (!val) {
					if (i + 1 >= argc)
						return unknown_option(a);
					val = argv[++i];
				}
				int r = apply_option(ctx, p, opt, val);
				if (r < 0)
					return r;
			} else if (opt && !val) {
				apply_flag(ctx, p, opt);
			} else {
				return unknown_option(a);
			}
			continue;
		}
		if (a[0] == '-' && a[1]) {
			char o[2] = {a[1], '\0'};
			if (strchr("mvkacj", a[1])) {
				const char *val = a[2] ? a + 2 : NULL;
				if (!val) {
					if (i + 1 >= argc)
						return unknown_option(a);
					val = argv[++i];
				}
				int r = apply_option(ctx, p, o, val);
				if (r < 0)
					return r;
			} else if (strchr("qVh", a[1]) && !a[2]) {
				apply_flag(ctx, p, o);
			} else {
				return unknown_option(a);
			}
			continue;
		}
		const struct cmd *c = find_cmd(a);
		if (c && !ctx->opt_setup->action) {
			ctx->opt_setup->action = xstrdup(a);
			if (c->flags & CMD_OWN_ARGS) {
				*own = i;
				return 0;
			}
			continue;
		}
		if (c) {
			log_error("Cannot specify more than one action.");
			return DKMS_EXIT(4);
		}
		classify_word(ctx, a);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ndkms_ctx ctx;
	struct parsed p = {0};
	int own, r;

	prog_name = path_basename(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	ctx_init(&ctx);
	ctx.exit_status = exit_status_of;

	ctx.opt_setup->as_dkms = streq(prog_name, "dkms");
	r = parse_args(&ctx, &p, argc, argv, &own);
	if (r < 0)
		goto out;
	log_setup(ctx.opt->quiet, ctx.opt->verbose);
	if (p.version) {
		if (streq(prog_name, "dkms"))
			printf("dkms-%s\n", DKMS_COMPAT_VERSION);
		else
			printf("ndkms %s (dkms %s compatible)\n", NDKMS_VERSION, DKMS_COMPAT_VERSION);
		goto out;
	}
	if (p.help) {
		usage(stdout);
		goto out;
	}
	if (!ctx.opt->action) {
		log_error("No action was specified.");
		usage(stderr);
		r = DKMS_EXIT(2);
		goto out;
	}
	const struct cmd *c = find_cmd(ctx.opt->action);
	if (!c) {
		log_error("The action %s is not implemented by ndkms yet.", ctx.opt->action);
		r = DKMS_EXIT(2);
		goto out;
	}
	r = cmd_validate_args(&ctx);
	if (r < 0)
		goto out;
	r = ctx_setup(&ctx, p.root, p.dkmstree, p.sourcetree, p.installtree);
	if (r < 0)
		goto out;
	if ((c->flags & CMD_DKMS_ARGS) && !ctx.env->distro) {
		log_error("System is missing os-release file.");
		r = DKMS_EXIT(4);
		goto out;
	}
	if ((c->flags & CMD_NEEDS_ROOT) && !ctx.env->is_root) {
		log_error("You must be root to use this command.");
		r = DKMS_EXIT(1);
		goto out;
	}
	r = c->fn(&ctx, own ? argc - own : 0, own ? argv + own : NULL);
	/* modules needed at boot changed: their kernels' initramfs, once each, last */
	if (initrd_flush(&ctx) < 0 && r == 0)
		r = DKMS_EXIT(1);
out:
	ctx_release(&ctx);
	if (fflush(stdout) != 0 && r >= 0)
		r = DKMS_EXIT(1);
	return exit_status_of(r);
}

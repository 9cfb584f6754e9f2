// SPDX-License-Identifier: GPL-2.0-or-later
/* depmod.c - "ndkms depmod": kmod's depmod command line on ndkms's own depmod. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "cmd/opts.h"
#include "core/lock.h"
#include "depmod/depmod.h"
#include "util/log.h"
#include "util/strv.h"

static const char help_text[] =
	"Usage: ndkms depmod [-aA] [options] [KVER]\n"
	"Write the modules.* indexes of <basedir>/lib/modules/KVER, byte-identical to kmod's\n"
	"depmod.  Only new or changed modules are read; the rest comes from a cache.\n"
	"  -a, --all            probe all modules (the default)\n"
	"  -A, --quick          only run when a module is newer than modules.dep\n"
	"  -b, --basedir=DIR    use the module tree under DIR (default: the ndkms root;\n"
	"                       another tree without --root is read without the cache)\n"
	"  -C, --config=PATH    read depmod.d configuration from PATH (repeatable)\n"
	"  -E, --symvers=FILE   check symbol versions against a Module.symvers\n"
	"  -F, --filesyms=FILE  use a System.map for the kernel's symbols\n"
	"  -e, --errsyms        report symbols nothing supplies (needs -E or -F)\n"
	"  -n, --show           write the text indexes to stdout instead\n"
	"  -P, --symbol-prefix=C  strip this architecture symbol prefix\n"
	"  -v, --verbose        show every dependency found\n"
	"  -h, --help           show this help\n";

static int sym_prefix(void *data, _unused_ const struct opt *opt, const char *arg)
{
	struct depmod_opts *o = data;

	if (arg[0] == '\0' || arg[1] != '\0') {
		log_note("depmod: FATAL: -P only takes a single char");
		return -EINVAL;
	}
	o->sym_prefix = arg[0];
	return 0;
}

static int warn_dups(_unused_ void *data, _unused_ const struct opt *opt, _unused_ const char *arg)
{
	log_note("depmod: WARNING: -w (warn on duplicates) is not supported, ignored");
	return 0;
}

static int deprecated(_unused_ void *data, const struct opt *opt, _unused_ const char *arg)
{
	log_note("depmod: WARNING: Ignored deprecated option -%c", opt->short_name);
	return 0;
}

static int version(_unused_ void *data, _unused_ const struct opt *opt, _unused_ const char *arg)
{
	printf("ndkms depmod (kmod 30 compatible)\n");
	return OPTS_STOP;
}

static int help(_unused_ void *data, _unused_ const struct opt *opt, _unused_ const char *arg)
{
	fputs(help_text, stdout);
	return OPTS_STOP;
}

/* Whether basedir names the tree of root ("" or "/" for the real one). */
static bool same_tree(const char *basedir, const char *root)
{
	size_t n = strlen(basedir);

	while (n > 0 && basedir[n - 1] == '/')
		n--;
	return n == strlen(root) && strneq(basedir, root, n);
}

static int cmd_depmod_run(struct ndkms_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ struct strv configs = STRV_INIT;
	_cleanup_free_ char *cache = NULL;
	struct depmod_opts o = {0};

	if (!argv || argc < 1)
		return -EINVAL;
	const struct opt opts[] = {
		OPT_IGNORE("all", 'a', false),
		OPT_BOOL("quick", 'A', &o.quick),
		OPT_STR("basedir", 'b', &o.basedir),
		OPT_STRV("config", 'C', &configs),
		OPT_STR("symvers", 'E', &o.symvers),
		OPT_STR("filesyms", 'F', &o.system_map),
		OPT_BOOL("errsyms", 'e', &o.errsyms),
		OPT_CALL("unresolved-error", 'u', false, deprecated),
		OPT_CALL("quiet", 'q', false, deprecated),
		OPT_CALL("root", 'r', false, deprecated),
		OPT_BOOL("verbose", 'v', &o.verbose),
		OPT_BOOL("show", 'n', &o.dry_run),
		OPT_BOOL("dry-run", 'n', &o.dry_run),
		OPT_CALL("symbol-prefix", 'P', true, sym_prefix),
		OPT_CALL("warn", 'w', false, warn_dups),
		OPT_CALL("map", 'm', false, deprecated),
		OPT_CALL("version", 'V', false, version),
		OPT_CALL("help", 'h', false, help),
	};
	const struct opts p = {.opt = opts, .n = ARRAY_SIZE(opts), .data = &o};
	const char *bad;
	int i;
	int r = opts_parse(&p, argc, argv, &i, &bad);
	if (r == OPTS_STOP)
		return 0;
	if (r == OPTS_BAD) {
		fputs(help_text, stderr);
		return -EINVAL;
	}
	if (r < 0)
		return r;
	if (i < argc)
		o.kver = argv[i++];
	else
		o.kver = ctx->env->running_kernel;
	if (cmd_check_kver(o.kver, "kernel version") < 0)
		return -EINVAL;
	if (i < argc) {
		log_note("depmod: ERROR: explicit module files are not supported by ndkms depmod: %s",
			 argv[i]);
		return -EINVAL;
	}
	if (!o.basedir)
		o.basedir = ctx->env->root;
	o.config_root = ctx->env->root;
	if (configs.n)
		o.config_paths = (const char *const *)strv_get(&configs);
	/* The cache belongs to the root: "-b DIR" alone (no --root) on another tree writes
	 * nothing outside DIR, as kmod's depmod, and parses every module instead. */
	if (ctx->env->cache_dir && (*ctx->env->root || same_tree(o.basedir, ctx->env->root))) {
		cache = xasprintf("%s/depmod", ctx->env->cache_dir);
		o.cache_dir = cache;
	}
	o.program = ctx->env->depmod_program;
	/* on the tree ndkms manages, wait for installs and uninstalls of this kernel to finish */
	int lock = -1;
	if (!o.dry_run && streq(o.basedir, ctx->env->root) && (lock = lock_kernel(ctx, o.kver)) < 0)
		return lock;
	r = depmod_run(&o);
	lock_release(lock);
	return r;
}

const struct cmd cmd_depmod = {"depmod", cmd_depmod_run, help_text, CMD_OWN_ARGS};

// SPDX-License-Identifier: GPL-2.0-or-later
/* depmod.c - "ndkms depmod": kmod's depmod command line on ndkms's own depmod. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
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

static const struct option longopts[] = {
	{"all", no_argument, NULL, 'a'},
	{"quick", no_argument, NULL, 'A'},
	{"basedir", required_argument, NULL, 'b'},
	{"config", required_argument, NULL, 'C'},
	{"symvers", required_argument, NULL, 'E'},
	{"filesyms", required_argument, NULL, 'F'},
	{"errsyms", no_argument, NULL, 'e'},
	{"unresolved-error", no_argument, NULL, 'u'},
	{"quiet", no_argument, NULL, 'q'},
	{"root", no_argument, NULL, 'r'},
	{"verbose", no_argument, NULL, 'v'},
	{"show", no_argument, NULL, 'n'},
	{"dry-run", no_argument, NULL, 'n'},
	{"symbol-prefix", required_argument, NULL, 'P'},
	{"warn", no_argument, NULL, 'w'},
	{"map", no_argument, NULL, 'm'},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

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
	int c;

	if (!argv || argc < 1)
		return -EINVAL;
	optind = 0; /* full getopt reset: main may have used it */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "aAb:C:E:F:euqrvnP:wmVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			break;
		case 'A':
			o.quick = true;
			break;
		case 'b':
			o.basedir = optarg;
			break;
		case 'C':
			strv_push(&configs, optarg);
			break;
		case 'E':
			o.symvers = optarg;
			break;
		case 'F':
			o.system_map = optarg;
			break;
		case 'e':
			o.errsyms = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 'P':
			if (optarg[0] == '\0' || optarg[1] != '\0') {
				log_note("depmod: FATAL: -P only takes a single char");
				return -EINVAL;
			}
			o.sym_prefix = optarg[0];
			break;
		case 'w':
			log_note("depmod: WARNING: -w (warn on duplicates) is not supported, ignored");
			break;
		case 'u':
		case 'q':
		case 'r':
		case 'm':
			log_note("depmod: WARNING: Ignored deprecated option -%c", c);
			break;
		case 'V':
			printf("ndkms depmod (kmod 30 compatible)\n");
			return 0;
		case 'h':
			fputs(help_text, stdout);
			return 0;
		default:
			fputs(help_text, stderr);
			return -EINVAL;
		}
	}
	if (optind < argc)
		o.kver = argv[optind++];
	else
		o.kver = ctx->env->running_kernel;
	if (cmd_check_kver(o.kver, "kernel version") < 0)
		return -EINVAL;
	if (optind < argc) {
		log_note("depmod: ERROR: explicit module files are not supported by ndkms depmod: %s",
			 argv[optind]);
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
	int r = depmod_run(&o);
	lock_release(lock);
	return r;
}

const struct cmd cmd_depmod = {"depmod", cmd_depmod_run, help_text, CMD_OWN_ARGS};

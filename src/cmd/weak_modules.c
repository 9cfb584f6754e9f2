// SPDX-License-Identifier: GPL-2.0-or-later
/* weak_modules.c - "ndkms weak-modules": RHEL's weak-modules command line on the kabi engine. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/weakhook.h"
#include "util/errors.h"
#include "util/log.h"
#include "util/strbuf.h"

static const char help_text[] =
	"Usage: ndkms weak-modules [options] {--add-modules|--remove-modules}\n"
	"       ndkms weak-modules [options] {--add-kernel|--remove-kernel} [KVER]\n"
	"Link modules built for one kernel into the weak-updates/ of every other kernel whose\n"
	"symvers exports each symbol they need with the same CRC.\n"
	"  --add-modules        add the modules listed on standard input\n"
	"  --remove-modules     remove the links of the modules listed on standard input\n"
	"  --add-kernel [KVER]  link every compatible module into KVER (default: running kernel)\n"
	"  --remove-kernel [KVER]  remove every link of KVER\n"
	"  --dry-run            show what would change, change nothing\n"
	"  --verbose            say what is decided and run\n"
	"  --basedir DIR        work on the tree under DIR instead of the ndkms root\n"
	"  --no-initramfs       accepted; ndkms never rebuilds an initramfs itself\n"
	"  -h, --help           show this help\n";

enum { OPT_ADDM = 256, OPT_REMM, OPT_ADDK, OPT_REMK, OPT_DRY, OPT_NOINIT, OPT_VERB, OPT_BASE,
       OPT_DRACUT, OPT_CHECK, OPT_DELETE };

static const struct option longopts[] = {
	{"add-modules", no_argument, NULL, OPT_ADDM},
	{"remove-modules", no_argument, NULL, OPT_REMM},
	{"add-kernel", no_argument, NULL, OPT_ADDK},
	{"remove-kernel", no_argument, NULL, OPT_REMK},
	{"dry-run", no_argument, NULL, OPT_DRY},
	{"no-initramfs", no_argument, NULL, OPT_NOINIT},
	{"verbose", no_argument, NULL, OPT_VERB},
	{"basedir", required_argument, NULL, OPT_BASE},
	{"dracut", required_argument, NULL, OPT_DRACUT},
	{"check-initramfs-prog", required_argument, NULL, OPT_CHECK},
	{"delete-modules", no_argument, NULL, OPT_DELETE},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* One module path per line; blank lines are skipped, lines are bounded. */
static int read_stdin(struct strv *out)
{
	_cleanup_strbuf_ struct strbuf line = STRBUF_INIT;
	int c;

	for (;;) {
		c = getchar();
		if (c == EOF || c == '\n') {
			if (line.len)
				strv_push(out, sb_str(&line));
			sb_reset(&line);
			if (c == EOF)
				break;
			continue;
		}
		if (line.len >= 4096) {
			log_error("weak-modules: a line of standard input is longer than 4096 bytes.");
			return DKMS_EXIT(1);
		}
		sb_addch(&line, (char)c);
	}
	return ferror(stdin) ? -EIO : 0;
}

static int run(struct ndkms_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ struct strv args = STRV_INIT;
	struct weak_result res = {0};
	struct weakhook_opts w;
	const char *basedir = NULL;
	bool dry = false, verbose = ctx->verbose;
	int op = -1, c, r;

	if (!argv || argc < 1)
		return -EINVAL;
	optind = 0;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ADDM:
			op = WEAK_ADD_MODULES;
			break;
		case OPT_REMM:
			op = WEAK_REMOVE_MODULES;
			break;
		case OPT_ADDK:
			op = WEAK_ADD_KERNEL;
			break;
		case OPT_REMK:
			op = WEAK_REMOVE_KERNEL;
			break;
		case OPT_DRY:
			dry = true;
			break;
		case OPT_VERB:
			verbose = true;
			break;
		case OPT_BASE:
			basedir = optarg;
			break;
		case OPT_NOINIT:
		case OPT_DRACUT:
		case OPT_CHECK:
			break;
		case OPT_DELETE:
			log_note("WARNING: --delete-modules is deprecated, no effect");
			break;
		case 'h':
			fputs(help_text, stdout);
			return 0;
		default:
			fputs(help_text, stderr);
			return DKMS_EXIT(1);
		}
	}
	if (op < 0) {
		fputs(help_text, stderr);
		return DKMS_EXIT(1);
	}
	if (op == WEAK_ADD_KERNEL || op == WEAK_REMOVE_KERNEL) {
		const char *k = optind < argc ? argv[optind] : ctx->running_kernel;
		if (!k || !*k || strchr(k, '/') || streq(k, ".") || streq(k, "..")) {
			log_error("weak-modules: bad kernel version '%s'.", k ? k : "");
			return DKMS_EXIT(1);
		}
		strv_push(&args, k);
	} else {
		r = read_stdin(&args);
		if (r < 0)
			return r;
		if (!args.n)
			return 0;
	}
	log_setup(ctx->quiet, verbose);
	weakhook_opts_init(ctx, basedir, &w);
	w.o.dry_run = dry;
	w.o.verbose = verbose;
	r = weak_run(&w.o, (enum weak_op)op, &args, &res);
	if (verbose)
		log_info("weak-modules: %u module file(s) read for their symbol versions; target "
			 "kernels' modules: %u parsed, %u from the depmod cache",
			 res.modules_read, res.counts.parsed, res.counts.cached);
	for (size_t i = 0; r >= 0 && i < res.changed.n; i++) {
		int q = weakhook_depmod(ctx, &w, res.changed.v[i]);
		if (q < 0)
			r = q;
	}
	weak_result_release(&res);
	weakhook_opts_release(&w);
	return r;
}

const struct cmd cmd_weak_modules = {"weak-modules", run, help_text, CMD_OWN_ARGS};

// SPDX-License-Identifier: GPL-2.0-or-later
/* weak_modules.c - "ndkms weak-modules": RHEL's weak-modules command line on the kabi engine. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "cmd/opts.h"
#include "core/weakhook.h"
#include "util/log.h"
#include "util/names.h"
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

static int deprecated_delete(_unused_ void *data, _unused_ const struct opt *opt,
			     _unused_ const char *arg)
{
	log_note("WARNING: --delete-modules is deprecated, no effect");
	return 0;
}

static int help(_unused_ void *data, _unused_ const struct opt *opt, _unused_ const char *arg)
{
	fputs(help_text, stdout);
	return OPTS_STOP;
}

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

/* Copy what a child wrote into the memory file fd to out. */
static void replay(int fd, FILE *out)
{
	char buf[8192];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, out);
	fflush(out);
}

static int depmod_one_by_one(struct ndkms_ctx *ctx, struct weakhook_opts *w,
			     const struct strv *kernels)
{
	int r = 0;

	for (size_t i = 0; i < kernels->n; i++) {
		int q = weakhook_depmod(ctx, w, kernels->v[i]);
		if (q < 0)
			r = q;
	}
	return r;
}

/*
 * One depmod per changed kernel.  They share nothing (each kernel has its own lock, parse cache
 * and index files), so with several kernels they run in forked children, as many at a time as
 * there are CPUs.  A child's stdout and stderr go to memory files that are printed in kernel
 * order once all are done, so the output reads as that of one depmod after the other.
 */
static int depmod_changed(struct ndkms_ctx *ctx, struct weakhook_opts *w,
			  const struct strv *kernels)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = kernels->n, next = 0, running = 0;
	int r = 0;

	if (n < 2 || ncpu < 2 || w->o.dry_run)
		return depmod_one_by_one(ctx, w, kernels);
	int *res = mmap(NULL, n * sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			-1, 0);
	if (res == MAP_FAILED)
		return depmod_one_by_one(ctx, w, kernels);
	_cleanup_free_ int *out = xcalloc(n, sizeof(int));
	_cleanup_free_ int *err = xcalloc(n, sizeof(int));
	_cleanup_free_ pid_t *pid = xcalloc(n, sizeof(pid_t));

	fflush(NULL);
	while (next < n || running) {
		if (next < n && running < (size_t)ncpu) {
			size_t i = next++;

			res[i] = -EIO; /* unless the child says otherwise */
			out[i] = memfd_create("weak-modules-out", MFD_CLOEXEC);
			err[i] = memfd_create("weak-modules-err", MFD_CLOEXEC);
			pid[i] = out[i] >= 0 && err[i] >= 0 ? fork() : -1;
			if (pid[i] == 0) {
				if (dup2(out[i], STDOUT_FILENO) < 0 || dup2(err[i], STDERR_FILENO) < 0)
					_exit(1);
				res[i] = weakhook_depmod(ctx, w, kernels->v[i]);
				fflush(NULL);
				_exit(0);
			}
			if (pid[i] < 0) {
				/* no child: run it here, its output in the same memory files or not */
				res[i] = weakhook_depmod(ctx, w, kernels->v[i]);
				continue;
			}
			running++;
			continue;
		}
		int status;
		pid_t p = waitpid(-1, &status, 0);
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			break;
		for (size_t i = 0; i < next; i++)
			if (pid[i] == p)
				running--;
	}
	for (size_t i = 0; i < n; i++) {
		if (out[i] >= 0) {
			replay(out[i], stdout);
			close(out[i]);
		}
		if (err[i] >= 0) {
			replay(err[i], stderr);
			close(err[i]);
		}
		if (res[i] < 0 && !r)
			r = res[i];
	}
	munmap(res, n * sizeof(int));
	return r;
}

static int cmd_weak_modules_run(struct ndkms_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ struct strv args = STRV_INIT;
	struct weak_result res = {0};
	struct weakhook_opts w;
	const char *basedir = NULL;
	bool dry = false, verbose = ctx->opt->verbose;
	int op = -1, r;

	if (!argv || argc < 1)
		return -EINVAL;
	const struct opt opts[] = {
		OPT_INT("add-modules", 0, &op, WEAK_ADD_MODULES),
		OPT_INT("remove-modules", 0, &op, WEAK_REMOVE_MODULES),
		OPT_INT("add-kernel", 0, &op, WEAK_ADD_KERNEL),
		OPT_INT("remove-kernel", 0, &op, WEAK_REMOVE_KERNEL),
		OPT_BOOL("dry-run", 0, &dry),
		OPT_IGNORE("no-initramfs", 0, false),
		OPT_BOOL("verbose", 0, &verbose),
		OPT_STR("basedir", 0, &basedir),
		OPT_IGNORE("dracut", 0, true),
		OPT_IGNORE("check-initramfs-prog", 0, true),
		OPT_CALL("delete-modules", 0, false, deprecated_delete),
		OPT_CALL("help", 'h', false, help),
	};
	const struct opts p = {.opt = opts, .n = ARRAY_SIZE(opts)};
	const char *bad;
	int i;
	r = opts_parse(&p, argc, argv, &i, &bad);
	if (r == OPTS_STOP)
		return 0;
	if (r == OPTS_BAD) {
		fputs(help_text, stderr);
		return DKMS_EXIT(1);
	}
	if (op < 0) {
		fputs(help_text, stderr);
		return DKMS_EXIT(1);
	}
	if (op == WEAK_ADD_KERNEL || op == WEAK_REMOVE_KERNEL) {
		const char *k = i < argc ? argv[i] : ctx->env->running_kernel;
		if (!kver_valid(k)) {
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
	log_setup(ctx->opt->quiet, verbose);
	weakhook_opts_init(ctx, basedir, &w);
	w.o.dry_run = dry;
	w.o.verbose = verbose;
	r = weak_run(&w.o, (enum weak_op)op, &args, &res);
	if (r == -ENOENT && op == WEAK_ADD_KERNEL)
		r = DKMS_EXIT(1); /* no symvers for the kernel (logged): RHEL's script exits 1 */
	if (verbose)
		log_info("weak-modules: %u module file(s) read for their symbol versions; target "
			 "kernels' modules: %u parsed, %u from the depmod cache",
			 res.modules_read, res.counts.parsed, res.counts.cached);
	if (r >= 0)
		r = depmod_changed(ctx, &w, &res.changed);
	weak_result_release(&res);
	weakhook_opts_release(&w);
	return r;
}

const struct cmd cmd_weak_modules = {"weak-modules", cmd_weak_modules_run, help_text, CMD_OWN_ARGS};

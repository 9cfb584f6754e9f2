// SPDX-License-Identifier: GPL-2.0-or-later
/* batch.c - the parallel job scheduler behind autoinstall and the package-manager hooks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/batch.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#define OUTPUT_MAX (4u << 20)

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* An unlinked file in the temporary folder that collects one worker's output. */
static int output_file(const struct ndkms_ctx *ctx)
{
	const char *dir = ctx->env->tmp_dir && *ctx->env->tmp_dir ? ctx->env->tmp_dir : "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0)
		return fd;
	_cleanup_free_ char *tmpl = xasprintf("%s/ndkms-out.XXXXXX", dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(tmpl);
	return fd;
}

static char *read_back(int fd)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	ssize_t r;
	off_t off = 0;

	while ((r = pread(fd, buf, sizeof(buf), off)) > 0 && sb.len < OUTPUT_MAX) {
		sb_addn(&sb, buf, (size_t)r);
		off += r;
	}
	return sb_steal(&sb);
}

static bool dep_met(const struct batch_job *jobs, size_t n, const struct batch_job *j,
		    const char *dep)
{
	for (size_t i = 0; i < n; i++) {
		const struct batch_job *d = &jobs[i];
		if (d != j && streq(d->m, dep) && streq(d->k, j->k) && streq(d->a, j->a))
			return d->state == BATCH_DONE && (d->status == 0 || d->status == 77);
	}
	return false;
}

static bool ready(const struct batch_job *jobs, size_t n, const struct batch_job *j)
{
	if (j->state != BATCH_PENDING)
		return false;
	for (size_t i = 0; i < n; i++)
		if (jobs[i].state == BATCH_RUNNING && streq(jobs[i].m, j->m))
			return false;
	for (size_t d = 0; d < j->deps.n; d++)
		if (!dep_met(jobs, n, j, j->deps.v[d]))
			return false;
	return true;
}

static _noreturn_ void worker(struct ndkms_ctx *ctx, struct batch_job *j, int fd,
			      const struct batch_opts *o)
{
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	ctx->opt_setup->jobs = j->share;
	ctx->ses.defer_depmod = true;
	int r = o->work(ctx, j, o->data);
	fflush(stdout);
	fflush(stderr);
	_exit(ctx->exit_status(r));
}

static int start(struct ndkms_ctx *ctx, struct batch_job *j, const struct batch_opts *o,
		 int *fds)
{
	int fd = output_file(ctx);

	if (fd < 0) {
		log_error("Cannot create a file for the output of %s/%s: %s", j->m, j->v,
			  strerror(-fd));
		return fd;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(fd);
		log_error("Cannot start a worker for %s/%s: %s", j->m, j->v, strerror(-r));
		return r;
	}
	if (pid == 0)
		worker(ctx, j, fd, o);
	j->pid = pid;
	j->ms = now_ms();
	j->state = BATCH_RUNNING;
	*fds = fd;
	if (o->started)
		o->started(j, o->data);
	return 0;
}

static void finish(struct batch_job *j, int wstatus, int fd,
		   const struct batch_opts *o)
{
	j->output = read_back(fd);
	close(fd);
	j->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	j->state = BATCH_DONE;
	j->ms = now_ms() - j->ms;
	j->pid = 0;
	/* a worker that changed a kernel's tree left its pending-depmod marker there, which
	 * the flush picks up: a kernel where nothing was installed gets no depmod, as in dkms */
	if (o->ended)
		o->ended(j, o->data);
}

int batch_run(struct ndkms_ctx *ctx, struct batch_job *jobs, size_t n, const struct batch_opts *o)
{
	int budget = ctx_jobs(ctx), used = 0, running = 0, r = 0;
	/* -j0 means unlimited make parallelism: one worker per CPU, each make unbounded */
	int max_workers = budget > 0 ? budget : (int)sysconf(_SC_NPROCESSORS_ONLN);
	_cleanup_free_ int *fds = xcalloc(n ? n : 1, sizeof(*fds));

	if (max_workers < 1)
		max_workers = 1;
	for (size_t i = 0; i < n; i++) {
		jobs[i].state = BATCH_PENDING;
		jobs[i].status = -1;
		jobs[i].overlapped = false;
		jobs[i].ms = 0;
		fds[i] = -1;
	}
	for (;;) {
		size_t nready = 0;

		for (size_t i = 0; i < n; i++)
			nready += ready(jobs, n, &jobs[i]);
		for (size_t i = 0; i < n && nready && running < max_workers && r == 0; i++) {
			if (!ready(jobs, n, &jobs[i]))
				continue;
			if (budget > 0 && used >= budget)
				break;
			if (budget > 0) {
				int free_ = budget - used;
				int ways = (int)nready < free_ ? (int)nready : free_;
				jobs[i].share = ways > 0 ? free_ / ways : 1;
			} else {
				jobs[i].share = 0;
			}
			if (running) {
				jobs[i].overlapped = true;
				for (size_t x = 0; x < n; x++)
					if (jobs[x].state == BATCH_RUNNING)
						jobs[x].overlapped = true;
			}
			r = start(ctx, &jobs[i], o, &fds[i]);
			if (r < 0)
				break;
			used += jobs[i].share;
			running++;
			nready--;
		}
		if (!running)
			break;

		int wstatus;
		pid_t pid = waitpid(-1, &wstatus, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			if (jobs[i].state != BATCH_RUNNING || jobs[i].pid != pid)
				continue;
			finish(&jobs[i], wstatus, fds[i], o);
			fds[i] = -1;
			used -= jobs[i].share;
			running--;
		}
		if (r < 0 && !running)
			break;
	}
	return r;
}

void batch_release(struct batch_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].output);
		jobs[i].output = NULL;
		strv_release(&jobs[i].deps);
	}
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* spawn.c - fork/exec with a whitelisted environment, logging, capture and timeouts. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/macro.h"
#include "util/spawn.h"
#include "util/strbuf.h"
#include "util/strv.h"

extern char **environ;


static bool env_allowed(const char *e)
{
	static const char *const exact[] = {"PATH", "HOME", "TERM", "LANG", "LANGUAGE", "TZ",
					    "TMPDIR", "SOURCE_DATE_EPOCH", "USER", "LOGNAME"};
	static const char *const prefix[] = {"LC_", "KBUILD_BUILD_"};
	size_t n = strcspn(e, "=");

	for (size_t i = 0; i < ARRAY_SIZE(exact); i++)
		if (strlen(exact[i]) == n && strneq(e, exact[i], n))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(prefix); i++)
		if (strneq(e, prefix[i], strlen(prefix[i])))
			return true;
	return false;
}

/*
 * The PATH every child gets (path_prepend aside): the absolute entries of the caller's PATH, in
 * order, without empty, relative ("." or "bin" would find programs in the current folder) or
 * over-long ones; SPAWN_DEFAULT_PATH when none is left.
 */
static char *sanitised_path(const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *p = path; p && *p;) {
		size_t n = strcspn(p, ":");
		if (n && p[0] == '/' && n < 4000) {
			if (sb.len)
				sb_addch(&sb, ':');
			sb_addn(&sb, p, n);
		}
		p += n;
		if (*p == ':')
			p++;
	}
	if (!sb.len)
		sb_adds(&sb, SPAWN_DEFAULT_PATH);
	return sb_steal(&sb);
}

static void build_env(struct strv *env, const char *const *extra, const char *prepend)
{
	bool have_path = false;

	for (const char *const *x = extra; x && *x; x++)
		strv_push(env, *x);
	for (char **e = environ; e && *e; e++) {
		size_t n = strcspn(*e, "=");
		bool dup = false;

		if (!env_allowed(*e))
			continue;
		for (size_t i = 0; i < env->n; i++)
			if (strneq(env->v[i], *e, n + 1))
				dup = true;
		if (!dup)
			strv_push(env, *e);
	}
	for (size_t i = 0; i < env->n; i++) {
		if (!strneq(env->v[i], "PATH=", 5))
			continue;
		have_path = true;
		_cleanup_free_ char *clean = sanitised_path(env->v[i] + 5);
		char *p = prepend ? xasprintf("PATH=%s:%s", prepend, clean) : xasprintf("PATH=%s", clean);
		free(env->v[i]);
		env->v[i] = p;
	}
	if (!have_path) {
		_cleanup_free_ char *clean = sanitised_path(NULL);
		if (prepend)
			strv_pushf(env, "PATH=%s:%s", prepend, clean);
		else
			strv_pushf(env, "PATH=%s", clean);
	}
}

static const char *env_get(struct strv *env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < env->n; i++)
		if (strneq(env->v[i], name, n) && env->v[i][n] == '=')
			return env->v[i] + n + 1;
	return NULL;
}

static _noreturn_ void child(const struct spawn_opts *o, struct strv *env, int out_fd, int pipe_w)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (o->timeout_ms > 0)
		setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	if (devnull >= 0 && !o->interactive)
		dup2(devnull, STDIN_FILENO);
	if (pipe_w >= 0)
		dup2(pipe_w, STDOUT_FILENO);
	else if (out_fd >= 0)
		dup2(out_fd, STDOUT_FILENO);
	else if (o->quiet && devnull >= 0)
		dup2(devnull, STDOUT_FILENO);
	if (out_fd >= 0)
		dup2(out_fd, STDERR_FILENO);
	else if (o->quiet && devnull >= 0)
		dup2(devnull, STDERR_FILENO);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	if (o->cwd && chdir(o->cwd) < 0) {
		dprintf(STDERR_FILENO, "cannot enter %s: %s\n", o->cwd, strerror(errno));
		_exit(126);
	}

	const char *file = o->argv[0];
	char **argv = (char **)o->argv;
	if (strchr(file, '/')) {
		execve(file, argv, strv_get(env));
	} else {
		const char *path = env_get(env, "PATH");
		for (const char *p = path; p && *p;) {
			size_t n = strcspn(p, ":");
			char buf[4096];

			if (n && snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, file) < (int)sizeof(buf))
				execve(buf, argv, strv_get(env));
			p += n;
			if (*p == ':')
				p++;
		}
	}
	dprintf(STDERR_FILENO, "%s: %s\n", file, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int spawn_run(const struct spawn_opts *o, int *status)
{
	_cleanup_strv_ struct strv env = STRV_INIT;
	_cleanup_close_ int out_fd = -1;
	int pipefd[2] = {-1, -1};

	build_env(&env, o->env, o->path_prepend);
	if (o->log_path) {
		out_fd = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (out_fd < 0)
			return -errno;
	}
	if (o->capture) {
		if (pipe2(pipefd, O_CLOEXEC) < 0)
			return -errno;
		fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	}

	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		int e = -errno;
		if (pipefd[0] >= 0) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
		return e;
	}
	if (pid == 0)
		child(o, &env, out_fd, pipefd[1]);
	if (o->timeout_ms > 0)
		setpgid(pid, pid); /* also done in the child; whichever runs first wins the race */
	if (pipefd[1] >= 0)
		close(pipefd[1]);

	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct strbuf cap = STRBUF_INIT;
	long start = now_ms(), last_dot = start;
	bool exited = false, timed_out = false, too_big = false;
	int wstatus = 0;

	while (!exited) {
		struct pollfd fds[2];
		int nfds = 0, timeout = -1;
		long t = now_ms();

		if (pipefd[0] >= 0)
			fds[nfds++] = (struct pollfd){.fd = pipefd[0], .events = POLLIN};
		if (pfd >= 0)
			fds[nfds++] = (struct pollfd){.fd = pfd, .events = POLLIN};
		else
			timeout = 50; /* kernels without pidfd: poll waitpid */
		if (o->timeout_ms > 0) {
			long left = start + o->timeout_ms - t;
			if (left <= 0) {
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				timed_out = true;
				break;
			}
			if (timeout < 0 || left < timeout)
				timeout = (int)left;
		}
		if (o->dots) {
			long left = last_dot + 3000 - t;
			if (left <= 0) {
				fputc('.', stdout);
				fflush(stdout);
				last_dot = t;
				left = 3000;
			}
			if (timeout < 0 || left < timeout)
				timeout = (int)left;
		}
		if (poll(fds, (nfds_t)nfds, timeout) < 0 && errno != EINTR)
			break;
		if (pipefd[0] >= 0) {
			char buf[8192];
			ssize_t r = read(pipefd[0], buf, sizeof(buf));
			if (r > 0) {
				if (o->capture_max && cap.len + (size_t)r > o->capture_max) {
					too_big = true;
					kill(pid, SIGKILL);
				} else {
					sb_addn(&cap, buf, (size_t)r);
				}
				continue;
			}
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				close(pipefd[0]);
				pipefd[0] = -1;
			}
		}
		pid_t w = waitpid(pid, &wstatus, WNOHANG);
		if (w == pid)
			exited = true;
	}
	if (pipefd[0] >= 0) {
		char buf[8192];
		ssize_t r;

		while (!too_big && (r = read(pipefd[0], buf, sizeof(buf))) > 0) {
			if (o->capture_max && cap.len + (size_t)r > o->capture_max)
				too_big = true;
			else
				sb_addn(&cap, buf, (size_t)r);
		}
		close(pipefd[0]);
	}
	if (pfd >= 0)
		close(pfd);
	if (!exited) {
		while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
			;
	}
	if (o->capture)
		*o->capture = sb_steal(&cap);
	else
		sb_release(&cap);
	if (timed_out)
		return -ETIMEDOUT;
	if (too_big)
		return -EFBIG;
	if (status)
		*status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	return 0;
}

char *spawn_which(const char *name)
{
	_cleanup_strv_ struct strv env = STRV_INIT;

	build_env(&env, NULL, NULL);
	const char *path = env_get(&env, "PATH");
	for (const char *p = path; p && *p;) {
		size_t n = strcspn(p, ":");
		if (n && p[0] == '/') {
			char *f = xasprintf("%.*s/%s", (int)n, p, name);
			struct stat st;
			if (stat(f, &st) == 0 && S_ISREG(st.st_mode) && access(f, X_OK) == 0)
				return f;
			free(f);
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}

const char *spawn_shell_path(void)
{
	return access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
}

int spawn_shell(const char *cmd, const struct spawn_opts *o, int *status)
{
	const char *argv[] = {spawn_shell_path(), "-c", cmd, NULL};
	struct spawn_opts so = *o;

	so.argv = argv;
	return spawn_run(&so, status);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* lock.c - waiting file locks with a message, released on exit. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "core/lock.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/private.h"

static int take(const struct ndkms_ctx *ctx, const char *kind, const char *name)
{
	_cleanup_free_ char *dir = path_join(ctx->env->dkms_tree, ".ndkms-lock");
	_cleanup_free_ char *path = xasprintf("%s/%s-%s.lock", dir, kind, name);
	int r = mkdir_private(dir);

	if (r < 0) {
		log_error("Cannot use the lock folder %s: %s", ctx_display(ctx, dir),
			  r == -EPERM ? "it is not a folder of root's alone" : strerror(-r));
		return r;
	}
	fault_point("create");
	int fd = lockfile_open(path);
	if (fd < 0) {
		r = fd;
		log_error("Cannot open the lock file %s: %s", ctx_display(ctx, path),
			  r == -EPERM ? "it is not a regular file of root's" : strerror(-r));
		return r;
	}
	struct timespec step = {0, 20 * 1000 * 1000};
	for (int waited = 0;; waited += 20) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = -errno;
			close(fd);
			log_error("Cannot lock %s: %s", ctx_display(ctx, path), strerror(-r));
			return r;
		}
		if (waited == 1000) {
			char owner[32] = "";
			ssize_t n = pread(fd, owner, sizeof(owner) - 1, 0);
			owner[n > 0 ? n : 0] = '\0';
			owner[strcspn(owner, "\n")] = '\0';
			log_note("ndkms: waiting for the lock on %s %s%s%s...", kind, name,
				 *owner ? " held by process " : "", owner);
			if (flock(fd, LOCK_EX) == 0)
				break;
			waited = 0;
		}
		nanosleep(&step, NULL);
	}
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	fault_point("write");
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0) {
		/* the pid is only informational */
	}
	return fd;
}

/*
 * Locks are re-entrant within one process: install holds the kernel lock while it changes the
 * module tree and runs depmod, which (like weak-modules) takes the same lock again.  A forked
 * worker does not inherit the re-entrancy: it takes its locks itself.
 */
struct held {
	char *key;
	int fd;
	int refs;
	pid_t pid;
};
static struct held held[32];

static int take_reentrant(const struct ndkms_ctx *ctx, const char *kind, const char *name)
{
	_cleanup_free_ char *key = xasprintf("%s/%s-%s", ctx->env->dkms_tree, kind, name);
	pid_t self = getpid();
	size_t i, free_slot = ARRAY_SIZE(held);

	for (i = 0; i < ARRAY_SIZE(held); i++) {
		if (held[i].key && held[i].pid == self && streq(held[i].key, key)) {
			held[i].refs++;
			return held[i].fd;
		}
		if (!held[i].key && free_slot == ARRAY_SIZE(held))
			free_slot = i;
	}
	int fd = take(ctx, kind, name);
	if (fd >= 0 && free_slot < ARRAY_SIZE(held))
		held[free_slot] = (struct held){TAKE_PTR(key), fd, 1, self};
	return fd;
}

int lock_module(const struct ndkms_ctx *ctx, const char *module)
{
	return take_reentrant(ctx, "module", module);
}

int lock_kernel(const struct ndkms_ctx *ctx, const char *kver)
{
	return take_reentrant(ctx, "kernel", kver);
}

void lock_release(int fd)
{
	if (fd < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(held); i++) {
		if (held[i].key && held[i].fd == fd && held[i].pid == getpid()) {
			if (--held[i].refs > 0)
				return;
			free(held[i].key);
			held[i] = (struct held){NULL, -1, 0, 0};
			break;
		}
	}
	close(fd);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* fault.c - the test builds' fault-point counter and self-kill (see fault.h). */
#include "util/fault.h"

#ifdef NDKMS_FAULT
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static long *counter;
static long kill_at;
static pid_t main_pid;
static char *trace;

__attribute__((constructor)) static void fault_init(void)
{
	const char *s = getenv("NDKMS_FAULT_KILL_AT");
	void *p = mmap(NULL, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		       0);

	counter = p == MAP_FAILED ? NULL : p;
	kill_at = s ? atol(s) : 0;
	/* copied: workers may reuse the environment's memory (process titles) */
	trace = getenv("NDKMS_FAULT_TRACE") ? strdup(getenv("NDKMS_FAULT_TRACE")) : NULL;
	main_pid = getpid();
}

void fault_point(const char *what)
{
	if (!counter)
		return;
	long n = __atomic_add_fetch(counter, 1, __ATOMIC_SEQ_CST);

	if (trace) {
		int fd = open(trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dprintf(fd, "%ld %s %d\n", n, what, (int)getpid());
			close(fd);
		}
	}
	if (n != kill_at)
		return;
	if (getpgrp() == main_pid)
		kill(0, SIGKILL);
	kill(main_pid, SIGKILL);
	kill(getpid(), SIGKILL);
}
#else
typedef int fault_points_compiled_out;
#endif

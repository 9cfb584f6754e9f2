/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fault.h - numbered kill points at every filesystem mutation, compiled only into test builds. */
#pragma once

/*
 * Built with -DNDKMS_FAULT (the sanitizer build), fault_point() counts every step that changes
 * a file system (write, rename, unlink, symlink, mkdir), in one counter shared by the process
 * and its forked workers.  NDKMS_FAULT_KILL_AT=N sends SIGKILL to the process group (to the
 * process when it does not lead a group) just before step N; NDKMS_FAULT_TRACE=FILE appends
 * "N what" for every step.  In release builds it is an empty inline function.
 */
#ifdef NDKMS_FAULT
void fault_point(const char *what);
#else
static inline void fault_point(const char *what)
{
	(void)what;
}
#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndkmsconf.h - /etc/ndkms/ndkms.conf, the administrator's settings (libconfig syntax). */
#pragma once

#include <stdbool.h>

#include "util/macro.h"
#include "util/strv.h"

struct ndkms_settings {
	bool shell_fallback;   /* shell_fallback = true; evaluate complex dkms.conf files with bash */
	int shell_timeout_ms;  /* shell_timeout = 10; seconds one bash evaluation may take */
	char *depmod_program;  /* depmod = "kmod"; or "ndkms" (default): whose depmod runs */
	bool weak_modules;     /* weak_modules = true; */
	struct strv required;  /* required = [ "zfs", "nvidia*" ]; module names or globs */
};

/* Read the file (a missing file gives the defaults); errors are logged with file and line. */
_must_check_ int ndkms_settings_read(const char *path, struct ndkms_settings *s);
void ndkms_settings_release(struct ndkms_settings *s);

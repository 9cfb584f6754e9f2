// SPDX-License-Identifier: GPL-2.0-or-later
/* ndkmsconf.c - read /etc/ndkms/ndkms.conf with libconfig. */
#include <errno.h>
#include <libconfig.h>
#include <string.h>

#include "conf/ndkmsconf.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/macro.h"

int ndkms_settings_read(const char *path, struct ndkms_settings *s)
{
	config_t cfg;
	const char *str;
	int b, i, r = 0;

	*s = (struct ndkms_settings){
		.shell_fallback = true,
		.shell_timeout_ms = 10000,
		.depmod_program = NULL,
		.weak_modules = true,
	};
	if (!path_exists(path))
		return 0;
	config_init(&cfg);
	if (!config_read_file(&cfg, path)) {
		log_error("%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		return -EINVAL;
	}
	if (config_lookup_bool(&cfg, "shell_fallback", &b))
		s->shell_fallback = b;
	if (config_lookup_int(&cfg, "shell_timeout", &i)) {
		if (i < 1 || i > 3600) {
			log_error("%s: shell_timeout must be between 1 and 3600 seconds.", path);
			r = -EINVAL;
		} else {
			s->shell_timeout_ms = i * 1000;
		}
	}
	if (config_lookup_bool(&cfg, "weak_modules", &b))
		s->weak_modules = b;
	if (config_lookup_string(&cfg, "depmod", &str)) {
		if (streq(str, "kmod")) {
			s->depmod_program = xstrdup("depmod");
		} else if (!streq(str, "ndkms")) {
			log_error("%s: depmod must be \"ndkms\" or \"kmod\", not \"%s\".", path, str);
			r = -EINVAL;
		}
	}
	config_destroy(&cfg);
	return r;
}

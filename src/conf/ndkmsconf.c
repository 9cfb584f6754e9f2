// SPDX-License-Identifier: GPL-2.0-or-later
/* ndkmsconf.c - read /etc/ndkms/ndkms.conf with libconfig. */
#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <string.h>

#include "conf/ndkmsconf.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/macro.h"

/* A module name or a glob of one: letters, digits and _ - . + with * ? [ ] ! for the glob. */
static bool pattern_ok(const char *p)
{
	if (!*p || strlen(p) > 255)
		return false;
	for (const char *c = p; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_-.+*?[]!", *c))
			return false;
	return true;
}

static int read_required(config_t *cfg, const char *path, struct strv *out)
{
	config_setting_t *set = config_lookup(cfg, "required");

	if (!set)
		return 0;
	if (config_setting_type(set) == CONFIG_TYPE_STRING) {
		const char *p = config_setting_get_string(set);
		if (pattern_ok(p)) {
			strv_push(out, p);
			return 0;
		}
	} else if (config_setting_is_aggregate(set)) {
		for (int i = 0; i < config_setting_length(set); i++) {
			const char *p = config_setting_get_string_elem(set, i);
			if (!p || !pattern_ok(p)) {
				log_error("%s:%d: required: element %d must be a module name or glob "
					  "(letters, digits, _-.+ and *?[]!).",
					  path, config_setting_source_line(set), i + 1);
				return -EINVAL;
			}
			strv_push(out, p);
		}
		return 0;
	}
	log_error("%s:%d: required must be a list of module names or globs, as "
		  "required = [ \"zfs\", \"nvidia*\" ];",
		  path, config_setting_source_line(set));
	return -EINVAL;
}

void ndkms_settings_release(struct ndkms_settings *s)
{
	strv_release(&s->required);
}

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
		.required = STRV_INIT,
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
	if (read_required(&cfg, path, &s->required) < 0)
		r = -EINVAL;
	config_destroy(&cfg);
	return r;
}

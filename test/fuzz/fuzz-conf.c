// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz-conf.c - libFuzzer target: the native dkms.conf evaluator and validation, no bash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/dkmsconf.h"
#include "conf/eval.h"
#include "fuzz.h"

static void quiet(_unused_ void *ud, _unused_ bool error, _unused_ const char *directive,
		  _unused_ const char *text)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *path = fuzz_put(data, size);
	struct eval_result res = {0};
	struct shvars preset = {0};

	shvars_set(&preset, "kernelver", -1, "6.1.0-56-amd64");
	shvars_set(&preset, "arch", -1, "x86_64");
	shvars_set(&preset, "dkms_tree", -1, "/var/lib/dkms");
	struct eval_opts o = {.path = path, .cwd = fuzz_dir(), .preset = &preset,
			      .names = dkms_directive_names, .reeval = true,
			      .allow_fallback = false};
	if (conf_eval_file(&o, &res) == 0) {
		struct dkms_conf_opts co = {.kver = "6.1.0-56-amd64", .arch = "x86_64",
					    .distro = "debian", .strict = true};
		struct dkms_conf c;
		memset(&c, 0, sizeof(c));
		dkms_conf_validate(&res.vars, &co, &c, quiet, NULL);
		dkms_conf_release(&c);
	}
	eval_result_release(&res);
	shvars_release(&preset);
	return 0;
}

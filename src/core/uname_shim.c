// SPDX-License-Identifier: GPL-2.0-or-later
/* uname_shim.c - the `uname` builds see: the target kernel's release and arch. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/uname_shim.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/spawn.h"
#include "util/strbuf.h"

static char *shim_script(const char *real, const char *kver, const char *arch)
{
	struct strbuf sb = STRBUF_INIT, both = STRBUF_INIT;

	sb_addf(&both, "%s %s", kver, arch);
	sb_adds(&sb, "#!/bin/sh\n# uname for an ndkms build: -r and -m name the target kernel, "
		     "everything else is the real uname's\n");
	sb_adds(&sb, "real=");
	if (real)
		sb_add_shell_quoted(&sb, real);
	sb_adds(&sb, "\nr= m=\n[ $# -gt 0 ] || exec \"$real\"\nfor a do\n\tcase $a in\n"
		     "\t-r|--kernel-release) r=1 ;;\n\t-m|--machine) m=1 ;;\n"
		     "\t-rm|-mr) r=1 m=1 ;;\n\t*) exec \"$real\" \"$@\" ;;\n\tesac\ndone\n");
	sb_adds(&sb, "if [ -n \"$r\" ] && [ -n \"$m\" ]; then\n\techo ");
	sb_add_shell_quoted(&sb, sb_str(&both));
	sb_adds(&sb, "\nelif [ -n \"$r\" ]; then\n\techo ");
	sb_add_shell_quoted(&sb, kver);
	sb_adds(&sb, "\nelse\n\techo ");
	sb_add_shell_quoted(&sb, arch);
	sb_adds(&sb, "\nfi\n");
	sb_release(&both);
	return sb_steal(&sb);
}

int uname_shim_create(const struct ndkms_ctx *ctx, const char *kver, const char *arch, char **dir)
{
	const char *tmp = ctx->env->tmp_dir && *ctx->env->tmp_dir ? ctx->env->tmp_dir : "/tmp";
	_cleanup_free_ char *real = spawn_which("uname");
	char *d = mkdtemp_in(tmp, "ndkms-uname.");
	int r;

	*dir = NULL;
	if (!d) {
		r = -errno;
		log_error("Could not create a private folder in %s: %s", tmp, strerror(-r));
		return r;
	}
	if (!real)
		real = xstrdup("/bin/uname");
	_cleanup_free_ char *script = shim_script(real, kver, arch);
	_cleanup_free_ char *f = path_join(d, "uname");
	r = write_file_atomic(f, script, strlen(script), 0755);
	if (r < 0) {
		log_error("Could not write %s: %s", f, strerror(-r));
		rm_rf(d);
		free(d);
		return r;
	}
	*dir = d;
	return 0;
}

void uname_shim_remove(char *dir)
{
	if (!dir)
		return;
	rm_rf(dir);
	free(dir);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* setup.c - the environment, read once: rooted trees, ndkms.conf, framework.conf, distribution. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "conf/ndkmsconf.h"
#include "core/ctx.h"
#include "core/framework.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"

/* dkms's running_distribution: ID if ubuntu, else the first word of ID_LIKE, else ID. */
static char *detect_distro(const struct ndkms_ctx *ctx)
{
	static const char *const files[] = {"/etc/os-release", "/usr/lib/os-release"};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *path = ctx_path(ctx, files[i]);
		_cleanup_free_ char *text = NULL;
		_cleanup_free_ char *id = NULL, *like = NULL;

		if (read_file(path, &text, NULL, 1 << 16) < 0)
			continue;
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
			char **dst = strneq(line, "ID=", 3) ? &id : strneq(line, "ID_LIKE=", 8) ? &like : NULL;
			if (!dst)
				continue;
			char *v = strchr(line, '=') + 1;
			if (*v == '"' || *v == '\'')
				v++;
			size_t n = strcspn(v, "\"' \t");
			free(*dst);
			*dst = xstrndup(v, n);
			for (char *c = *dst; *c; c++)
				*c = (char)tolower((unsigned char)*c);
		}
		if (id && streq(id, "ubuntu"))
			return TAKE_PTR(id);
		if (like && *like)
			return TAKE_PTR(like);
		if (id)
			return TAKE_PTR(id);
		return xstrdup("");
	}
	return NULL;
}

static void set_tree(const struct ndkms_ctx *ctx, char **dst, const char *cli, const char *framework,
		     const char *def)
{
	free(*dst);
	if (cli)
		*dst = xstrdup(cli);
	else
		*dst = ctx_path(ctx, framework && *framework ? framework : def);
}

int ctx_setup(struct ndkms_ctx *ctx, const char *root, const char *dkmstree,
	      const char *sourcetree, const char *installtree)
{
	struct ndkms_env *env = ctx->env_setup;

	if (root) {
		free(env->root);
		env->root = xstrdup(root);
	}
	size_t n = strlen(env->root);
	while (n > 0 && env->root[n - 1] == '/')
		env->root[--n] = '\0';
	if (n && !is_dir(env->root)) {
		log_error("The root directory %s does not exist.", env->root);
		return NDKMS_E_NOROOTDIR;
	}
	env->etc_dkms = ctx_path(ctx, "/etc/dkms");
	env->etc_ndkms = ctx_path(ctx, "/etc/ndkms");
	env->cache_dir = ctx_path(ctx, "/var/cache/ndkms");
	env->distro = detect_distro(ctx);

	struct ndkms_settings s;
	_cleanup_free_ char *ncpath = path_join(env->etc_ndkms, "ndkms.conf");
	int r = ndkms_settings_read(ncpath, &s);
	if (r < 0) {
		ndkms_settings_release(&s);
		return NDKMS_E_BADCONF;
	}
	env->shell_fallback = s.shell_fallback;
	env->shell_timeout_ms = s.shell_timeout_ms;
	env->weak_modules = s.weak_modules;
	env->depmod_program = s.depmod_program;
	env->required = s.required;

	struct framework fw;
	r = framework_read(ctx, &fw);
	if (r < 0)
		return r;
	set_tree(ctx, &env->dkms_tree, dkmstree, fw.dkms_tree, "/var/lib/dkms");
	set_tree(ctx, &env->source_tree, sourcetree, fw.source_tree, "/usr/src");
	set_tree(ctx, &env->install_tree, installtree, fw.install_tree, "/lib/modules");
	const char *tmp = getenv("TMPDIR");
	env->tmp_dir = xstrdup(fw.tmp_location && *fw.tmp_location ? fw.tmp_location
			       : tmp && *tmp                        ? tmp
								    : "/tmp");
	framework_apply(env, ctx->opt_setup, &fw);
	framework_release(&fw);
	if (ctx->opt->verbose)
		log_setup(ctx->opt->quiet, true);
	ctx->env_setup = NULL;
	return 0;
}

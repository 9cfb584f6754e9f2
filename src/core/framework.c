// SPDX-License-Identifier: GPL-2.0-or-later
/* framework.c - dkms framework configuration, evaluated with the dkms.conf evaluator. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/eval.h"
#include "core/framework.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"

#define FW_FIELDS(X)                                                                              \
	X(source_tree)                                                                            \
	X(dkms_tree)                                                                              \
	X(install_tree)                                                                           \
	X(tmp_location)                                                                           \
	X(verbose)                                                                                \
	X(symlink_modules)                                                                        \
	X(autoinstall_all_kernels)                                                                \
	X(modprobe_on_install)                                                                    \
	X(parallel_jobs)                                                                          \
	X(compress_gzip_opts)                                                                     \
	X(compress_xz_opts)                                                                       \
	X(compress_zstd_opts)                                                                     \
	X(post_transaction)                                                                       \
	X(sign_file)                                                                              \
	X(mok_signing_key)                                                                        \
	X(mok_certificate)                                                                        \
	X(try_sign_modules)

#define NAME(f) #f,
static const char *const fw_names[] = {FW_FIELDS(NAME) NULL};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* framework.conf, then framework.conf.d/ *.conf in glob (C collation) order. */
static void framework_files(const struct ndkms_ctx *ctx, struct strv *files)
{
	_cleanup_free_ char *main_conf = path_join(ctx->env->etc_dkms, "framework.conf");
	_cleanup_free_ char *dir = path_join(ctx->env->etc_dkms, "framework.conf.d");
	struct strv d = STRV_INIT;
	DIR *dh;

	if (is_reg(main_conf))
		strv_push(files, main_conf);
	if ((dh = opendir(dir))) {
		for (struct dirent *de; (de = readdir(dh));) {
			size_t n = strlen(de->d_name);
			if (de->d_name[0] != '.' && n > 5 && streq(de->d_name + n - 5, ".conf"))
				strv_push_take(&d, path_join(dir, de->d_name));
		}
		closedir(dh);
	}
	if (d.n > 1)
		qsort(d.v, d.n, sizeof(*d.v), cmp_str);
	for (size_t i = 0; i < d.n; i++)
		if (is_reg(d.v[i]))
			strv_push(files, d.v[i]);
	strv_release(&d);
}

static int read_files(const struct ndkms_ctx *ctx, const char *kver, struct framework *fw)
{
	_cleanup_strv_ struct strv files = STRV_INIT;
	struct shvars state = SHVARS_INIT;
	int r = 0;

	memset(fw, 0, sizeof(*fw));
	if (kver)
		shvars_set(&state, "kernelver", -1, kver);
	framework_files(ctx, &files);
	for (size_t i = 0; i < files.n && r == 0; i++) {
		struct eval_opts o = {
			.path = files.v[i],
			.preset = &state,
			.names = fw_names,
			.reeval = true,
			.allow_fallback = ctx->env->shell_fallback,
			.timeout_ms = ctx->env->shell_timeout_ms,
		};
		struct eval_result res = {0};

		r = conf_eval_file(&o, &res);
		if (r < 0) {
			log_error("Could not read %s: %s", ctx_display(ctx, files.v[i]),
				  res.diag ? res.diag : strerror(-r));
			r = NDKMS_E_BADCONF;
		} else {
			for (size_t j = 0; j < res.vars.n; j++) {
				const struct shvar *v = &res.vars.v[j];
				for (size_t k = 0; k < v->n; k++)
					shvars_set(&state, v->name, v->is_array ? v->elems[k].idx : -1,
						   v->elems[k].val);
			}
		}
		eval_result_release(&res);
	}
#define GET(f)                                                                                    \
	do {                                                                                      \
		const char *v = shvars_get(&state, #f, 0);                                        \
		fw->f = v ? xstrdup(v) : NULL;                                                    \
	} while (0);
	FW_FIELDS(GET)
#undef GET
	shvars_release(&state);
	return r;
}

int framework_read(const struct ndkms_ctx *ctx, struct framework *fw)
{
	return read_files(ctx, NULL, fw);
}

int framework_read_kernel(const struct ndkms_ctx *ctx, const char *kver, struct framework *fw)
{
	return read_files(ctx, kver, fw);
}

static void take(char **dst, char *src)
{
	if (!src)
		return;
	free(*dst);
	*dst = xstrdup(src);
}

void framework_apply(struct ndkms_env *env, struct ndkms_opts *opt, const struct framework *fw)
{
	if (fw->verbose && *fw->verbose)
		opt->verbose = true;
	if (fw->symlink_modules && *fw->symlink_modules)
		opt->symlink_modules = true;
	if (fw->modprobe_on_install && *fw->modprobe_on_install)
		opt->modprobe_on_install = true;
	if (fw->parallel_jobs && *fw->parallel_jobs && opt->jobs < 0 &&
	    ctx_parse_jobs(fw->parallel_jobs, &opt->jobs) < 0)
		log_warn("Ignoring the invalid parallel_jobs value '%s' in framework.conf.",
			 fw->parallel_jobs);
	take(&env->compress_gzip_opts, fw->compress_gzip_opts);
	take(&env->compress_xz_opts, fw->compress_xz_opts);
	take(&env->compress_zstd_opts, fw->compress_zstd_opts);
	take(&env->post_transaction, fw->post_transaction);
}

void framework_release(struct framework *fw)
{
#define FREE(f) free(fw->f);
	FW_FIELDS(FREE)
#undef FREE
	memset(fw, 0, sizeof(*fw));
}

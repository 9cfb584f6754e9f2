// SPDX-License-Identifier: GPL-2.0-or-later
/* kernel.c - headers check, kernel config lookups, toolchain selection, BUILD_EXCLUSIVE. */
#include <dirent.h>
#include <regex.h>
#include <string.h>
#include <unistd.h>

#include "core/kernel.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/names.h"
#include "util/spawn.h"
#include "util/version.h"

void kernel_list_installed(const struct ndkms_ctx *ctx, bool warn, struct strv *out)
{
	DIR *d = opendir(ctx->env->install_tree);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		if (!kver_valid(de->d_name)) {
			if (warn)
				log_warn("Skipping %s/%s: not a valid kernel version.",
					 ctx_display(ctx, ctx->env->install_tree), de->d_name);
			continue;
		}
		strv_push(out, de->d_name);
	}
	closedir(d);
}

int kernel_check_headers(const struct ndkms_ctx *ctx, const char *kver)
{
	_cleanup_free_ char *ksd = ctx_kernel_source_dir(ctx, kver);
	_cleanup_free_ char *inc = path_join(ksd, "include");

	if (path_exists(inc))
		return 0;
	_cleanup_free_ char *kdir = path_join(ctx->env->install_tree, kver);
	const char *shown = ctx_display(ctx, kdir);
	log_error("Your kernel headers for kernel %s cannot be found at %s/build or %s/source.\n"
		  "Please install your distribution's kernel headers package matching %s, or use "
		  "the --kernelsourcedir option to tell DKMS where it's located.",
		  kver, shown, shown, kver);
	return NDKMS_E_NOHEADERS;
}

bool kernel_config_has(const char *config_path, const char *sym)
{
	_cleanup_free_ char *text = NULL;
	size_t n = strlen(sym);

	if (read_file(config_path, &text, NULL, 16 << 20) < 0)
		return false;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (strneq(line, sym, n) && line[n] == '=' && (line[n + 1] == 'y' || line[n + 1] == 'm'))
			return true;
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

bool ere_match(const char *ere, const char *s)
{
	regex_t re;

	if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	bool m = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

static bool config_ok(const char *config, const char *list)
{
	_cleanup_free_ char *copy = xstrdup(list);
	char *save = NULL;

	if (!is_reg(config))
		return true; /* dkms checks only when the kernel config exists */
	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		bool neg = w[0] == '!';
		if (kernel_config_has(config, neg ? w + 1 : w) == neg)
			return false;
	}
	return true;
}

static bool excl_ok(const char *kern, const char *kmin, const char *kmax, const char *earch,
		    const char *cfg, const char *config, const char *kver, const char *arch)
{
	if (kern && *kern && !ere_match(kern, kver))
		return false;
	if (kmin && *kmin && version_cmp(kver, kmin) < 0)
		return false;
	if (kmax && *kmax && version_cmp(kver, kmax) > 0)
		return false;
	if (earch && *earch && !ere_match(earch, arch))
		return false;
	if (cfg && *cfg && !config_ok(config, cfg))
		return false;
	return true;
}

bool kernel_exclusive_ok(const struct ndkms_ctx *ctx, const struct dkms_conf *conf, long i,
			 const char *kver, const char *arch)
{
	_cleanup_free_ char *config = ctx_kernel_config(ctx, kver);
	const char *kmax = conf->excl_kernel_max;

	/* OBSOLETE_BY acts as BUILD_EXCLUSIVE_KERNEL_MAX when that is unset. */
	if ((!kmax || !*kmax) && conf->obsolete_by && *conf->obsolete_by)
		kmax = conf->obsolete_by;
	if (!excl_ok(conf->excl_kernel, conf->excl_kernel_min, kmax, conf->excl_arch,
		     conf->excl_config, config, kver, arch))
		return false;
	if (i < 0) {
		/* The package is buildable when at least one record is. */
		if (!conf->nmods)
			return true;
		for (size_t j = 0; j < conf->nmods; j++)
			if (kernel_exclusive_ok(ctx, conf, (long)j, kver, arch))
				return true;
		return false;
	}
	const struct dkms_module_rec *r = &conf->mods[i];
	return excl_ok(r->excl_kernel, r->excl_kernel_min, r->excl_kernel_max, r->excl_arch,
		       r->excl_config, config, kver, arch);
}

/* Would a child find prog (in the PATH spawn gives it)? */
static bool in_path(const char *prog)
{
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	_cleanup_free_ char *f = spawn_which(prog);
	return f != NULL;
}

char *kernel_config_value(const char *config_path, const char *sym)
{
	_cleanup_free_ char *text = NULL;
	size_t n = strlen(sym);

	if (read_file(config_path, &text, NULL, 16 << 20) < 0)
		return NULL;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strneq(line, sym, n) && line[n] == '=')
			return xstrdup(line + n + 1);
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* First word of CONFIG_CC_VERSION_TEXT, quotes removed ("gcc-12"). */
static char *config_cc(const char *config)
{
	_cleanup_free_ char *text = kernel_config_value(config, "CONFIG_CC_VERSION_TEXT");
	const char *v = text;

	if (!v)
		return NULL;
	while (*v == '"')
		v++;
	size_t n = strcspn(v, "\" ");
	if (v[n] != ' ')
		return NULL; /* dkms's pattern wants a word followed by a space */
	return xstrndup(v, n);
}

void kernel_toolchain_env(const struct ndkms_ctx *ctx, const char *kver, struct strv *env,
			  bool *llvm)
{
	_cleanup_free_ char *config = ctx_kernel_config(ctx, kver);
	_cleanup_free_ char *cc = NULL;

	*llvm = false;
	if (!is_reg(config))
		return;
	cc = config_cc(config);
	if (kernel_config_has(config, "CONFIG_CC_IS_CLANG") && in_path("clang")) {
		free(cc);
		cc = xstrdup("clang");
	}
	if (kernel_config_has(config, "CONFIG_CC_IS_CLANG"))
		*llvm = true;
	if (cc && in_path(cc)) {
		strv_pushf(env, "CC=%s", cc);
		strv_pushf(env, "KERNEL_CC=%s", cc);
	}
	if (kernel_config_has(config, "CONFIG_LD_IS_LLD") && in_path("ld.lld")) {
		strv_push(env, "LD=ld.lld");
		strv_push(env, "KERNEL_LD=ld.lld");
	}
}

static int scan_suffix(const char *dir, int depth, int *found)
{
	DIR *d = opendir(dir);

	if (!d || depth > 12) {
		if (d)
			closedir(d);
		return 0;
	}
	for (struct dirent *de; (de = readdir(d)) && *found < 3;) {
		const char *n = de->d_name;
		size_t l = strlen(n);

		if (n[0] == '.')
			continue;
		if (de->d_type == DT_DIR) {
			_cleanup_free_ char *sub = path_join(dir, n);
			scan_suffix(sub, depth + 1, found);
		} else if (l > 7 && streq(n + l - 7, ".ko.zst")) {
			*found = 3;
		} else if (l > 6 && streq(n + l - 6, ".ko.xz") && *found < 2) {
			*found = 2;
		} else if (l > 6 && streq(n + l - 6, ".ko.gz") && *found < 1) {
			*found = 1;
		}
	}
	closedir(d);
	return 0;
}

const char *kernel_compress_suffix(const struct ndkms_ctx *ctx, const char *kver)
{
	static const char *const sfx[] = {"", ".gz", ".xz", ".zst"};
	static const char *const sym[] = {NULL, "CONFIG_MODULE_COMPRESS_GZIP",
					  "CONFIG_MODULE_COMPRESS_XZ", "CONFIG_MODULE_COMPRESS_ZSTD"};
	_cleanup_free_ char *config = ctx_kernel_config(ctx, kver);
	_cleanup_free_ char *dir = path_join(ctx->env->install_tree, kver);
	int found = 0;

	/* What the kernel was built to load first; then dkms's look at the installed modules. */
	for (size_t i = 1; i < ARRAY_SIZE(sym); i++)
		if (kernel_config_has(config, sym[i]))
			return sfx[i];
	scan_suffix(dir, 0, &found);
	return sfx[found];
}

char *find_ko(const char *dir, const char *name)
{
	static const char *const sfx[] = {"", ".gz", ".xz", ".zst"};

	for (size_t i = 0; i < ARRAY_SIZE(sfx); i++) {
		char *p = xasprintf("%s/%s.ko%s", dir, name, sfx[i]);
		if (is_reg(p))
			return p;
		free(p);
	}
	return NULL;
}

static bool is_ko_named(const char *file, const char *name)
{
	size_t n = strlen(name);

	if (!strneq(file, name, n) || !strneq(file + n, ".ko", 3))
		return false;
	const char *ext = file + n + 3;
	return !*ext || streq(ext, ".gz") || streq(ext, ".xz") || streq(ext, ".zst");
}

static void find_walk(const char *dir, const char *name, struct strv *out, int depth)
{
	DIR *d = opendir(dir);

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR && depth < 16) {
			_cleanup_free_ char *sub = path_join(dir, de->d_name);
			find_walk(sub, name, out, depth + 1);
		} else if (de->d_type == DT_REG && is_ko_named(de->d_name, name)) {
			strv_push_take(out, path_join(dir, de->d_name));
		}
	}
	closedir(d);
}

void kernel_find_modules(const char *dir, const char *name, struct strv *out)
{
	find_walk(dir, name, out, 0);
	strv_sort(out);
}

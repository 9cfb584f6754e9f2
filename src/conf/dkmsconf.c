// SPDX-License-Identifier: GPL-2.0-or-later
/* dkmsconf.c - dkms.conf as dkms 3.4 reads it: overrides, --directive, defaults, validation. */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <string.h>

#include "conf/dkmsconf.h"
#include "conf/eval.h"
#include "util/fs.h"
#include "util/log.h"

struct checker {
	dkms_conf_report_fn *report;
	void *ud;
	bool failed;
};

static void problem(struct checker *c, bool error, const char *directive, const char *fmt, ...)
	_printf_(4, 5);

static void problem(struct checker *c, bool error, const char *directive, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (error)
		c->failed = true;
	if (c->report)
		c->report(c->ud, error, directive, text ? text : fmt);
	else
		log_note("%s", text ? text : fmt);
	free(text);
}

static const char *get(const struct shvars *vars, const char *name, long idx)
{
	const char *v = shvars_get(vars, name, idx);

	return v ? v : "";
}

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

static long max_index(const struct shvars *vars, const char *name)
{
	return shvars_len(vars, name) - 1;
}

/* Module records: one past the highest index of the four per-module arrays. */
static long records(const struct shvars *vars)
{
	static const char *const arrays[] = {"BUILT_MODULE_NAME", "BUILT_MODULE_LOCATION",
					     "DEST_MODULE_NAME", "DEST_MODULE_LOCATION"};
	long maxi = -1;

	for (size_t k = 0; k < ARRAY_SIZE(arrays); k++)
		if (max_index(vars, arrays[k]) > maxi)
			maxi = max_index(vars, arrays[k]);
	return maxi + 1;
}

static size_t count(const struct shvars *vars, const char *name)
{
	const struct shvar *v = shvars_find(vars, name);

	return v ? v->n : 0;
}

/* bash [[ $s =~ $re ]]: an invalid expression never matches. */
static bool ere_match(const char *re, const char *s)
{
	regex_t rx;
	bool m;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	m = regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return m;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && streq(s + n - m, suffix);
}

static bool has_dotdot(const char *p)
{
	for (const char *c = p; *c;) {
		size_t n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return true;
		c += n;
		while (*c == '/')
			c++;
	}
	return false;
}

static char *install_location(const struct dkms_conf_opts *o, const char *dest)
{
	const char *d = o->distro ? o->distro : "";

	if (o->addon_modules_dir && *o->addon_modules_dir)
		return xasprintf("/%s", o->addon_modules_dir);
	if (strneq(d, "fedora", 6) || strneq(d, "centos", 6) || strneq(d, "rhel", 4))
		return xstrdup("/extra");
	if (strneq(d, "sles", 4) || strneq(d, "suse", 4) || strneq(d, "opensuse", 8))
		return xstrdup("/updates");
	if (strneq(d, "debian", 6) || strneq(d, "ubuntu", 6) || strneq(d, "arch", 4))
		return xstrdup("/updates/dkms");
	return xstrdup(dest);
}

/* AUTOINSTALL and friends: yes (any case) is true; "", no or anything else false. */
static bool yes_value(const char *v)
{
	return strcasecmp(v, "yes") == 0;
}

/* "", yes (any case) or no (any case); anything else is an error. */
static void check_yes_no(struct checker *c, const struct shvars *vars, const char *name)
{
	const char *v = get(vars, name, 0);

	if (*v && strcasecmp(v, "yes") != 0 && strcasecmp(v, "no") != 0)
		problem(c, true, name, "dkms.conf: Error! Unsupported %s value '%s'", name, v);
}

/*
 * A module's file and folder names reach make, strip, rpm spec scriptlets and packages run as
 * root: only [A-Za-z0-9._+@-] (and '/' between names of a path), nothing a shell reads.
 */
static bool plain_chars(const char *v, bool slash)
{
	for (const char *s = v; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._+@-", *s) || (slash && *s == '/')))
			return false;
	return true;
}

static void check_name(struct checker *c, const char *directive, const char *v, long i)
{
	if (!*v)
		return;
	if (!plain_chars(v, false) || streq(v, "..") || streq(v, ".") || v[0] == '-') {
		_cleanup_free_ char *e = log_escape(v);
		problem(c, true, directive,
			"dkms.conf: Error! '%s' directive in record #%ld must be a plain file name "
			"([A-Za-z0-9._+@-]), not '%s'.", directive, i, e);
	}
}

int dkms_conf_extract(const struct shvars *vars, const struct dkms_conf_opts *o,
		      struct dkms_conf *conf)
{
	long maxi = records(vars) - 1;

	conf->package_name = dup_or_null(get(vars, "PACKAGE_NAME", 0));
	conf->package_version = dup_or_null(get(vars, "PACKAGE_VERSION", 0));
	if (maxi >= DKMS_CONF_MAX_RECORDS)
		return -E2BIG;
	conf->nmods = (size_t)(maxi + 1);
	conf->mods = xcalloc(conf->nmods ? conf->nmods : 1, sizeof(*conf->mods));

	bool strip0 = true;
	for (long i = 0; i <= maxi; i++) {
		struct dkms_module_rec *m = &conf->mods[i];
		const char *bn = get(vars, "BUILT_MODULE_NAME", i);
		const char *bl = get(vars, "BUILT_MODULE_LOCATION", i);
		const char *dn = get(vars, "DEST_MODULE_NAME", i);
		const char *dl = get(vars, "DEST_MODULE_LOCATION", i);
		const char *st = get(vars, "STRIP", i);

		if (st[0] == 'n' || st[0] == 'N')
			m->strip = false;
		else if (st[0] == 'y' || st[0] == 'Y')
			m->strip = true;
		else if (!*st)
			m->strip = i == 0 ? true : strip0;
		else
			m->strip = true; /* dkms leaves strip[i] unset, which strips */
		if (i == 0)
			strip0 = m->strip;

		if (!*bn && maxi == 0 && conf->package_name)
			bn = conf->package_name;
		m->built_name = xstrdup(bn);
		m->dest_name = xstrdup(*dn ? dn : bn);
		m->built_location = *bl && !ends_with(bl, "/") ? xasprintf("%s/", bl) : xstrdup(bl);
		m->dest_location = xstrdup(dl);
		m->install_location = install_location(o, dl);
		m->excl_kernel = dup_or_null(get(vars, "BUILD_EXCLUSIVE_KERNEL", i));
		m->excl_kernel_min = dup_or_null(get(vars, "BUILD_EXCLUSIVE_KERNEL_MIN", i));
		m->excl_kernel_max = dup_or_null(get(vars, "BUILD_EXCLUSIVE_KERNEL_MAX", i));
		m->excl_arch = dup_or_null(get(vars, "BUILD_EXCLUSIVE_ARCH", i));
		m->excl_config = dup_or_null(get(vars, "BUILD_EXCLUSIVE_CONFIG", i));
	}

	const struct shvar *bd = shvars_find(vars, "BUILD_DEPENDS");
	for (size_t i = 0; bd && i < bd->n; i++)
		strv_push(&conf->build_depends, bd->elems[i].val);
	conf->pre_build = dup_or_null(get(vars, "PRE_BUILD", 0));
	conf->post_build = dup_or_null(get(vars, "POST_BUILD", 0));
	conf->post_add = dup_or_null(get(vars, "POST_ADD", 0));
	conf->pre_install = dup_or_null(get(vars, "PRE_INSTALL", 0));
	conf->post_install = dup_or_null(get(vars, "POST_INSTALL", 0));
	conf->post_remove = dup_or_null(get(vars, "POST_REMOVE", 0));
	conf->obsolete_by = dup_or_null(get(vars, "OBSOLETE_BY", 0));
	conf->excl_kernel = dup_or_null(get(vars, "BUILD_EXCLUSIVE_KERNEL", 0));
	conf->excl_kernel_min = dup_or_null(get(vars, "BUILD_EXCLUSIVE_KERNEL_MIN", 0));
	conf->excl_kernel_max = dup_or_null(get(vars, "BUILD_EXCLUSIVE_KERNEL_MAX", 0));
	conf->excl_arch = dup_or_null(get(vars, "BUILD_EXCLUSIVE_ARCH", 0));
	conf->excl_config = dup_or_null(get(vars, "BUILD_EXCLUSIVE_CONFIG", 0));
	conf->autoinstall = yes_value(get(vars, "AUTOINSTALL", 0));
	/* deprecated and never checked by dkms: anything but "yes" means no */
	conf->remake_initrd = yes_value(get(vars, "REMAKE_INITRD", 0));
	conf->build_depends_rebuild = yes_value(get(vars, "BUILD_DEPENDS_REBUILD", 0));
	conf->no_weak_modules = yes_value(get(vars, "NO_WEAK_MODULES", 0));
	return 0;
}

void dkms_conf_select(const struct shvars *vars, const char *kver, struct dkms_conf *conf)
{
	/* MAKE: MAKE[0] unless MAKE_MATCH[0]; then the last MAKE[i] whose MAKE_MATCH[i] matches */
	const char *make = NULL;

	if (!kver)
		kver = "";
	if (!*get(vars, "MAKE_MATCH", 0))
		make = get(vars, "MAKE", 0);
	for (long i = 0; i < (long)count(vars, "MAKE"); i++) {
		const char *mk = get(vars, "MAKE", i), *mm = get(vars, "MAKE_MATCH", i);
		if (*mk && *mm && ere_match(mm, kver))
			make = mk;
	}
	free(conf->make_cmd);
	conf->make_cmd = dup_or_null(make);
	strv_release(&conf->patches);
	for (long i = 0; i < (long)count(vars, "PATCH"); i++) {
		const char *p = get(vars, "PATCH", i), *pm = get(vars, "PATCH_MATCH", i);
		if (*p && (!*pm || ere_match(pm, kver)))
			strv_push(&conf->patches, p);
	}
	/* OBSOLETE_BY is a BUILD_EXCLUSIVE_KERNEL_MAX when no kernel bound is set otherwise */
	if (conf->obsolete_by && !conf->excl_kernel_max) {
		bool per_module = false;
		for (size_t i = 0; i < conf->nmods; i++)
			if (conf->mods[i].excl_kernel_max)
				per_module = true;
		if (!per_module) {
			conf->excl_kernel_max = xstrdup(conf->obsolete_by);
			if (conf->nmods)
				conf->mods[0].excl_kernel_max = xstrdup(conf->obsolete_by);
		}
	}
}

static void check_package(struct checker *c, const struct dkms_conf *conf)
{
	if (!conf->package_name)
		problem(c, true, "PACKAGE_NAME",
			"dkms.conf: Error! No 'PACKAGE_NAME' directive specified.");
	if (!conf->package_version)
		problem(c, true, "PACKAGE_VERSION",
			"dkms.conf: Error! No 'PACKAGE_VERSION' directive specified.");
}

static void check_record(struct checker *c, const struct shvars *vars,
			 const struct dkms_module_rec *m, long i)
{
	const char *bn = m->built_name, *dl = m->dest_location;
	const char *bl = get(vars, "BUILT_MODULE_LOCATION", i);

	if (!*bn)
		problem(c, true, "BUILT_MODULE_NAME",
			"dkms.conf: Error! No 'BUILT_MODULE_NAME' directive specified for "
			"record #%ld.", i);
	if (ends_with(bn, ".o") || ends_with(bn, ".ko"))
		problem(c, true, "BUILT_MODULE_NAME",
			"dkms.conf: Error! 'BUILT_MODULE_NAME' directive ends in '.o' or "
			"'.ko' in record #%ld.", i);
	if (ends_with(m->dest_name, ".o") || ends_with(m->dest_name, ".ko"))
		problem(c, true, "DEST_MODULE_NAME",
			"dkms.conf: Error! 'DEST_MODULE_NAME' directive ends in '.o' or "
			"'.ko' in record #%ld.", i);
	if (!*dl)
		problem(c, true, "DEST_MODULE_LOCATION",
			"dkms.conf: Error! No 'DEST_MODULE_LOCATION' directive specified for "
			"record #%ld.", i);
	else if (!strneq(dl, "/kernel", 7) && !strneq(dl, "/updates", 8) &&
		 !strneq(dl, "/extra", 6))
		problem(c, true, "DEST_MODULE_LOCATION",
			"dkms.conf: Error! Directive 'DEST_MODULE_LOCATION' does not begin "
			"with\n'/kernel', '/updates', or '/extra' in record #%ld.", i);

	/* values that would leave their tree */
	check_name(c, "BUILT_MODULE_NAME", bn, i);
	check_name(c, "DEST_MODULE_NAME", m->dest_name, i);
	if (bl[0] == '/' || has_dotdot(bl))
		problem(c, true, "BUILT_MODULE_LOCATION",
			"dkms.conf: Error! 'BUILT_MODULE_LOCATION' directive in record #%ld "
			"must be a relative path inside the build tree, not '%s'.", i, bl);
	if (has_dotdot(dl))
		problem(c, true, "DEST_MODULE_LOCATION",
			"dkms.conf: Error! 'DEST_MODULE_LOCATION' directive in record #%ld "
			"must not contain '..' ('%s').", i, dl);
	else if (!plain_chars(dl, true)) {
		_cleanup_free_ char *e = log_escape(dl);
		problem(c, true, "DEST_MODULE_LOCATION",
			"dkms.conf: Error! 'DEST_MODULE_LOCATION' directive in record #%ld "
			"must be a path of plain names ([A-Za-z0-9._+@-] and '/'), not '%s'.", i, e);
	}
}

/* read_conf_strict: at least one module, no module built or installed twice. */
static void check_strict(struct checker *c, const struct dkms_conf *conf)
{
	if (!conf->nmods)
		problem(c, false, NULL, "dkms.conf: Warning! Zero modules specified.");
	for (size_t i = 0; i < conf->nmods; i++) {
		const struct dkms_module_rec *m = &conf->mods[i];
		for (size_t k = 0; k < i; k++) {
			if (streq(conf->mods[k].built_location, m->built_location) &&
			    streq(conf->mods[k].built_name, m->built_name)) {
				problem(c, true, "BUILT_MODULE_NAME",
					"dkms.conf: Error! Duplicate module '%s%s' in "
					"'BUILT_MODULE_NAME[%zu]'.", m->built_location,
					m->built_name, i);
				break;
			}
		}
	}
	for (size_t i = 0; i < conf->nmods; i++)
		for (size_t k = 0; k < i; k++)
			if (streq(conf->mods[k].dest_name, conf->mods[i].dest_name)) {
				problem(c, true, "DEST_MODULE_NAME",
					"dkms.conf: Error! Duplicate module '%s' in "
					"'DEST_MODULE_NAME[%zu]'.", conf->mods[i].dest_name, i);
				break;
			}
}

int dkms_conf_check(const struct shvars *vars, const struct dkms_conf *conf, bool strict,
		    dkms_conf_report_fn *report, void *ud)
{
	struct checker c = {.report = report, .ud = ud};

	check_package(&c, conf);
	for (size_t i = 0; i < conf->nmods; i++)
		check_record(&c, vars, &conf->mods[i], (long)i);
	check_yes_no(&c, vars, "AUTOINSTALL");
	check_yes_no(&c, vars, "BUILD_DEPENDS_REBUILD");
	check_yes_no(&c, vars, "NO_WEAK_MODULES");
	if (strict && !c.failed)
		check_strict(&c, conf);
	return c.failed ? -EINVAL : 0;
}

int dkms_conf_validate(const struct shvars *vars, const struct dkms_conf_opts *o,
		       struct dkms_conf *conf, dkms_conf_report_fn *report, void *ud)
{
	int r = dkms_conf_extract(vars, o, conf);

	if (r == -E2BIG) {
		struct checker c = {.report = report, .ud = ud};

		check_package(&c, conf);
		problem(&c, true, "BUILT_MODULE_NAME",
			"dkms.conf: Error! %ld module records are more than ndkms accepts.",
			records(vars));
		return -E2BIG;
	}
	dkms_conf_select(vars, o->kver, conf);
	return dkms_conf_check(vars, conf, o->strict, report, ud);
}

const char *const dkms_conf_deprecated_names[] = {
	"CLEAN", "REMAKE_INITRD", "MODULES_CONF", "MODULES_CONF_OBSOLETES", "MODULES_CONF_ALIAS_TYPE",
	"MODULES_CONF_OBSOLETE_ONLY", "OBSOLETE_BY", NULL,
};

bool dkms_conf_uses_deprecated(const struct shvars *vars, const char *name)
{
	const struct shvar *v = shvars_find(vars, name);

	if (!v || !v->n)
		return false;
	if (streq(name, "CLEAN")) {
		/* a CLEAN that does nothing is what packages write to silence dkms 2.x */
		const char *c = get(vars, "CLEAN", 0);
		return !streq(c, "true") && !streq(c, "/bin/true") && !streq(c, "/usr/bin/true");
	}
	return true;
}

static void deprecations(const struct shvars *vars, const char *file)
{
	/* dkms reads a file once per kernel and warns once; ndkms reads it more often */
	static struct strv warned = STRV_INIT;

	if (strv_contains(&warned, file))
		return;
	strv_push(&warned, file);
	for (const char *const *n = dkms_conf_deprecated_names; *n; n++) {
		if (!dkms_conf_uses_deprecated(vars, *n))
			continue;
		if (streq(*n, "OBSOLETE_BY"))
			log_note("Deprecated feature: OBSOLETE_BY (%s): use BUILD_EXCLUSIVE_KERNEL_MAX "
				 "instead", file);
		else
			log_note("Deprecated feature: %s (%s)", *n, file);
	}
}

int dkms_conf_read(const struct dkms_conf_opts *o, struct dkms_conf *conf)
{
	struct shvars acc = SHVARS_INIT;
	int r;

	memset(conf, 0, sizeof(*conf));
	if (!path_exists(o->path))
		return -ENOENT; /* nothing allocated */
	conf->path = xstrdup(o->path);
	if (o->preset)
		shvars_copy(&acc, o->preset);
	for (const char *const *n = dkms_conf_variables; *n; n++)
		shvars_unset(&acc, *n);

	for (size_t f = 0; f == 0 || (o->overrides && o->overrides[f - 1]); f++) {
		const char *file = f == 0 ? o->path : o->overrides[f - 1];
		struct eval_result res = {0};

		if (f > 0 && !path_exists(file))
			continue;
		struct eval_opts eo = {
			.path = file,
			.cwd = o->cwd,
			.preset = &acc,
			.names = dkms_conf_variables,
			.reeval = true,
			.allow_fallback = o->allow_fallback,
			.timeout_ms = o->timeout_ms,
		};
		r = conf_eval_file(&eo, &res);
		if (r < 0) {
			log_error("%s", res.diag ? res.diag : strerror(-r));
			eval_result_release(&res);
			shvars_release(&acc);
			dkms_conf_release(conf); /* nothing half-read stays behind */
			return r == -ENOENT ? -EIO : r; /* -ENOENT says dkms.conf is missing */
		}
		conf->used_fallback |= res.used_fallback;
		for (const char *const *n = dkms_conf_variables; *n; n++)
			shvars_unset(&acc, *n);
		for (size_t i = 0; i < res.vars.n; i++)
			shvars_put(&acc, &res.vars.v[i]);
		if (o->strict)
			deprecations(&res.vars, f == 0 && o->shown_path ? o->shown_path : file);
		eval_result_release(&res);
	}
	for (const char *const *d = o->directives; d && *d; d++) {
		const char *eq = strchr(*d, '=');
		_cleanup_free_ char *name = eq ? xstrndup(*d, (size_t)(eq - *d)) : xstrdup(*d);

		shvars_set(&acc, name, -1, eq ? eq + 1 : "");
		shvars_declare(&acc, name)->exported = true;
		log_info("DIRECTIVE: %s=\"%s\"", name, eq ? eq + 1 : "");
	}
	/* keep only the dkms.conf variables (the presets are the caller's) */
	for (const char *const *n = dkms_conf_variables; *n; n++) {
		const struct shvar *v = shvars_find(&acc, *n);
		if (v)
			shvars_put(&conf->vars, v);
	}
	for (const char *const *d = o->directives; d && *d; d++) {
		_cleanup_free_ char *name = xstrndup(*d, strcspn(*d, "="));
		const struct shvar *v = shvars_find(&acc, name);
		if (v && !shvars_find(&conf->vars, name))
			shvars_put(&conf->vars, v);
	}
	shvars_release(&acc);
	return dkms_conf_validate(&conf->vars, o, conf, NULL, NULL);
}


void dkms_conf_release(struct dkms_conf *conf)
{
	free(conf->path);
	free(conf->package_name);
	free(conf->package_version);
	for (size_t i = 0; i < conf->nmods; i++) {
		struct dkms_module_rec *m = &conf->mods[i];
		free(m->built_name);
		free(m->built_location);
		free(m->dest_name);
		free(m->dest_location);
		free(m->install_location);
		free(m->excl_kernel);
		free(m->excl_kernel_min);
		free(m->excl_kernel_max);
		free(m->excl_arch);
		free(m->excl_config);
	}
	free(conf->mods);
	free(conf->make_cmd);
	strv_release(&conf->patches);
	free(conf->pre_build);
	free(conf->post_build);
	free(conf->post_add);
	free(conf->pre_install);
	free(conf->post_install);
	free(conf->post_remove);
	strv_release(&conf->build_depends);
	free(conf->excl_kernel);
	free(conf->excl_kernel_min);
	free(conf->excl_kernel_max);
	free(conf->excl_arch);
	free(conf->excl_config);
	free(conf->obsolete_by);
	shvars_release(&conf->vars);
	memset(conf, 0, sizeof(*conf));
}

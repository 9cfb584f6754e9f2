// SPDX-License-Identifier: GPL-2.0-or-later
/* eval.c - conf_eval_file(): the native evaluator with dkms's second pass, else the bash fallback. */
#include <errno.h>
#include <string.h>

#include "conf/bash.h"
#include "conf/eval.h"
#include "conf/sh.h"
#include "util/fs.h"
#include "util/strbuf.h"

const char *const dkms_directive_names[] = {
	"AUTOINSTALL", "BUILD_DEPENDS", "BUILD_EXCLUSIVE_ARCH", "BUILD_EXCLUSIVE_CONFIG",
	"BUILD_EXCLUSIVE_KERNEL", "BUILD_EXCLUSIVE_KERNEL_MAX", "BUILD_EXCLUSIVE_KERNEL_MIN",
	"BUILT_MODULE_LOCATION", "BUILT_MODULE_NAME", "CLEAN", "DEST_MODULE_LOCATION",
	"DEST_MODULE_NAME", "MAKE", "MAKE_MATCH", "MODULES_CONF", "MODULES_CONF_ALIAS_TYPE",
	"MODULES_CONF_OBSOLETES", "MODULES_CONF_OBSOLETE_ONLY", "NO_WEAK_MODULES", "OBSOLETE_BY",
	"PACKAGE_NAME", "PACKAGE_VERSION", "PATCH", "PATCH_MATCH", "POST_ADD", "POST_BUILD",
	"POST_INSTALL", "POST_REMOVE", "PRE_BUILD", "PRE_INSTALL", "REMAKE_INITRD", "STRIP", NULL,
};

const char *const dkms_directive_order[] = {
	"PACKAGE_NAME", "PACKAGE_VERSION", "POST_ADD", "POST_BUILD", "POST_INSTALL", "POST_REMOVE",
	"PRE_BUILD", "PRE_INSTALL", "BUILD_DEPENDS", "BUILD_EXCLUSIVE_ARCH", "BUILD_EXCLUSIVE_CONFIG",
	"BUILD_EXCLUSIVE_KERNEL", "BUILD_EXCLUSIVE_KERNEL_MIN", "BUILD_EXCLUSIVE_KERNEL_MAX",
	"OBSOLETE_BY", "MAKE", "MAKE_MATCH", "PATCH", "PATCH_MATCH", "BUILT_MODULE_NAME",
	"BUILT_MODULE_LOCATION", "DEST_MODULE_NAME", "DEST_MODULE_LOCATION", "STRIP", "AUTOINSTALL",
	"NO_WEAK_MODULES", "CLEAN", "REMAKE_INITRD", "MODULES_CONF", "MODULES_CONF_OBSOLETES",
	"MODULES_CONF_ALIAS_TYPE", "MODULES_CONF_OBSOLETE_ONLY", NULL,
};

const char *const dkms_conf_variables[] = {
	"PACKAGE_NAME", "PACKAGE_VERSION", "POST_ADD", "POST_BUILD", "POST_INSTALL", "POST_REMOVE",
	"PRE_BUILD", "PRE_INSTALL", "BUILD_DEPENDS", "BUILD_EXCLUSIVE_ARCH", "BUILD_EXCLUSIVE_CONFIG",
	"BUILD_EXCLUSIVE_KERNEL", "BUILD_EXCLUSIVE_KERNEL_MIN", "BUILD_EXCLUSIVE_KERNEL_MAX",
	"build_exclude", "OBSOLETE_BY", "MAKE", "MAKE_MATCH", "PATCH", "PATCH_MATCH", "patch_array",
	"BUILT_MODULE_NAME", "built_module_name", "BUILT_MODULE_LOCATION", "built_module_location",
	"DEST_MODULE_NAME", "dest_module_name", "DEST_MODULE_LOCATION", "dest_module_location",
	"STRIP", "strip", "AUTOINSTALL", "NO_WEAK_MODULES", "BUILD_DEPENDS_REBUILD", "CLEAN",
	"REMAKE_INITRD", "MODULES_CONF", "MODULES_CONF_OBSOLETES", "MODULES_CONF_ALIAS_TYPE",
	"MODULES_CONF_OBSOLETE_ONLY", NULL,
};

char *conf_escape_value(const char *v)
{
	struct strbuf sb = STRBUF_INIT;

	for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
		if (*c == '\\')
			sb_adds(&sb, "\\\\");
		else if (*c == '\n')
			sb_adds(&sb, "\\n");
		else if (*c == '\r')
			sb_adds(&sb, "\\r");
		else if (*c == '\t')
			sb_adds(&sb, "\\t");
		else if (*c < 0x20 || *c == 0x7f)
			sb_addf(&sb, "\\x%02X", *c);
		else
			sb_addch(&sb, (char)*c);
	}
	return sb_steal(&sb);
}

void eval_result_release(struct eval_result *res)
{
	shvars_release(&res->vars);
	free(res->diag);
	free(res->declined);
	free(res->declined_file);
	res->diag = res->declined = res->declined_file = NULL;
}

static void note_decline(struct eval_result *res, const struct sh *sh, const char *path,
			 bool second)
{
	free(res->declined);
	free(res->declined_file);
	res->declined = second ? xasprintf("%s (in dkms's second expansion pass)", sh->why)
			       : xstrdup(sh->why ? sh->why : "an unsupported construct");
	res->declined_file = xstrdup(sh->why_file && *sh->why_file && !second ? sh->why_file : path);
	res->declined_line = second ? 0 : sh->why_line;
}

static bool requested(const char *const *names, const char *n)
{
	for (const char *const *p = names; p && *p; p++)
		if (streq(*p, n))
			return true;
	return false;
}

/*
 * dkms's echo of NAME[i]="value": the unquoted value is split on blanks (runs become one space,
 * also at the ends) and each field is subject to pathname expansion.  Appends the line to out.
 */
static int second_pass_line(struct sh *sh, const char *name, long idx, const char *val,
			    struct strbuf *out)
{
	_cleanup_strbuf_ struct strbuf w = STRBUF_INIT, q = STRBUF_INIT;
	size_t vn = strlen(val);

	if (vn && val[vn - 1] == '\r')
		vn--;
	sb_addf(&w, "%s[%ld]=", name, idx);
	sb_grow(&q, w.len);
	memset(q.buf, 0, w.len);
	q.len = w.len;
	sb_addch(&w, '"');
	sb_addch(&q, 1);
	for (size_t i = 0; i < vn; i++) {
		char c = val[i];
		if (c == ' ' || c == '\t' || c == '\n') {
			while (i + 1 < vn && (val[i + 1] == ' ' || val[i + 1] == '\t' || val[i + 1] == '\n'))
				i++;
			c = ' ';
			sb_addch(&q, 2); /* a field break */
		} else {
			sb_addch(&q, 0);
		}
		sb_addch(&w, c);
	}
	sb_addch(&w, '"');
	sb_addch(&q, 1);
	/* glob-check each field */
	size_t start = 0;
	for (size_t i = 0; i <= w.len; i++) {
		if (i < w.len && q.buf[i] != 2)
			continue;
		int r = sh_glob_check(sh, w.buf + start, (const unsigned char *)q.buf + start,
				      i - start, 0);
		if (r < 0)
			return r;
		start = i + 1;
	}
	sb_addn(out, w.buf, w.len);
	sb_addch(out, '\n');
	return 0;
}

static char *decline_diag(const struct sh *sh, const char *path)
{
	if (sh->why_line > 0)
		return xasprintf("%s:%d: %s needs the shell fallback, which is disabled in "
				 "/etc/ndkms/ndkms.conf", sh->why_file && *sh->why_file ? sh->why_file : path,
				 sh->why_line, sh->why);
	return xasprintf("%s: %s needs the shell fallback, which is disabled in "
			 "/etc/ndkms/ndkms.conf", path, sh->why);
}

static int native_eval(const struct eval_opts *o, const char *text, size_t len,
		       struct eval_result *res)
{
	struct sh sh, sh2;
	int st, r;

	sh_init(&sh, o->path, o->cwd);
	if (o->preset)
		shvars_copy(&sh.vars, o->preset);
	r = sh_run_text(&sh, text, len, o->path, &st);
	sh_end_frame(&sh);
	if (r < 0) {
		res->diag = decline_diag(&sh, o->path);
		note_decline(res, &sh, o->path, false);
		sh_release(&sh);
		return r;
	}
	if (!o->reeval) {
		for (size_t i = 0; i < sh.vars.n; i++)
			if (requested(o->names, sh.vars.v[i].name) && sh.vars.v[i].n)
				shvars_put(&res->vars, &sh.vars.v[i]);
		sh_release(&sh);
		return 0;
	}

	/* dkms's second pass: NAME[i]="value" lines, sourced again with the presets in scope */
	_cleanup_strbuf_ struct strbuf pass1 = STRBUF_INIT;
	for (const char *const *n = o->names; n && *n && r >= 0; n++) {
		const struct shvar *v = shvars_find(&sh.vars, *n);
		for (size_t k = 0; v && k < v->n && r >= 0; k++)
			r = second_pass_line(&sh, v->name, v->elems[k].idx, v->elems[k].val, &pass1);
	}
	if (r < 0) {
		res->diag = xasprintf("%s: dkms's second expansion pass over the values: %s needs "
				      "the shell fallback, which is disabled in /etc/ndkms/ndkms.conf",
				      o->path, sh.why);
		note_decline(res, &sh, o->path, true);
		sh_release(&sh);
		return r;
	}
	sh_init(&sh2, o->path, o->cwd);
	if (o->preset)
		shvars_copy(&sh2.vars, o->preset);
	r = sh_run_text(&sh2, pass1.buf ? pass1.buf : "", pass1.len, o->path, &st);
	sh_end_frame(&sh2);
	if (r < 0) {
		res->diag = xasprintf("%s: dkms's second expansion pass over the values: %s needs "
				      "the shell fallback, which is disabled in /etc/ndkms/ndkms.conf",
				      o->path, sh2.why);
		note_decline(res, &sh2, o->path, true);
	} else {
		for (const char *const *n = o->names; n && *n; n++) {
			const struct shvar *v1 = shvars_find(&sh.vars, *n);
			const struct shvar *v2 = shvars_find(&sh2.vars, *n);
			if (!v1 || !v2 || !v2->n)
				continue;
			shvars_put(&res->vars, v2);
			struct shvar *rv = shvars_declare(&res->vars, *n);
			rv->exported = v1->exported;
			rv->is_array = v1->is_array || !(v2->n == 1 && v2->elems[0].idx == 0);
		}
	}
	sh_release(&sh);
	sh_release(&sh2);
	return r;
}

int conf_eval_file(const struct eval_opts *o, struct eval_result *res)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	memset(res, 0, sizeof(*res));
	r = read_file(o->path, &text, &len, SH_MAX_FILE);
	if (r < 0) {
		res->diag = xasprintf("%s: cannot read the file: %s", o->path,
				      r == -EFBIG ? "it is larger than 8 MiB" : strerror(-r));
		return r == -ENOENT ? -ENOENT : -EINVAL;
	}
	r = native_eval(o, text, len, res);
	if (r != -ENOTSUP)
		return r;
	shvars_release(&res->vars);
	if (!o->allow_fallback)
		return -ENOTSUP;
	free(res->diag);
	res->diag = NULL;
	res->used_fallback = true;
	return bash_eval_file(o, res);
}

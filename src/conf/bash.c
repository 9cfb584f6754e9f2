// SPDX-License-Identifier: GPL-2.0-or-later
/* bash.c - the /bin/bash fallback: dkms's subshell source plus its NAME[i]="value" second pass. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf/bash.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/spawn.h"
#include "util/strbuf.h"

#define BASH_CAPTURE_MAX (256u << 20)

/*
 * The worker: $1 = file to source, $2 = scratch directory holding "preset" (variables, the
 * requested names, and the two functions that set kernelver/arch as locals), $3 = 1 for the
 * second pass.  Pass one runs in a subshell whose stdout is the scratch file "pass1"; for each
 * requested element it echoes NAME[i]="value" (unquoted, so bash splits, globs and strips one CR
 * the way dkms does) and records in "kinds" which names were arrays.  Pass two sources "pass1".
 * Results go to stdout as records "NAME KIND INDEX LENGTH:VALUE\n"; a last "END" line closes them.
 */
static const char worker[] =
	"shopt -s extglob\n"
	"_ndkms_file=$1 _ndkms_dir=$2 _ndkms_reeval=$3\n"
	". \"$_ndkms_dir/preset\" || exit 90\n"
	"_ndkms_emit() {\n"
	"\tlocal _n _i _k _v\n"
	"\tfor _n in \"${_ndkms_names[@]}\"; do\n"
	"\t\teval \"_k=\\${_ndkms_kind_$_n:-s}\"\n"
	"\t\tfor _i in $(eval \"echo \\${!$_n[@]}\"); do\n"
	"\t\t\teval \"_v=\\${$_n[\\$_i]}\"\n"
	"\t\t\tprintf '%s %s %s %s:%s\\n' \"$_n\" \"$_k\" \"$_i\" \"${#_v}\" \"$_v\"\n"
	"\t\tdone\n"
	"\tdone\n"
	"\tprintf 'END\\n'\n"
	"}\n"
	"_ndkms_kinds() {\n"
	"\tlocal _n _d\n"
	"\tfor _n in \"${_ndkms_names[@]}\"; do\n"
	"\t\t_d=$(declare -p \"$_n\" 2>/dev/null) || continue\n"
	"\t\t_d=${_d#declare }\n"
	"\t\tcase ${_d%% *} in *[aA]*) echo \"_ndkms_kind_$_n=a\" ;; esac\n"
	"\tdone\n"
	"}\n"
	"if [ \"$_ndkms_reeval\" = 1 ]; then\n"
	"\t(\n"
	"\t\texec >\"$_ndkms_dir/pass1\"\n"
	"\t\t_ndkms_source \"$_ndkms_file\"\n"
	"\t\t_ndkms_cr=$'\\r'\n"
	"\t\tfor _ndkms_n in \"${_ndkms_names[@]}\"; do\n"
	"\t\t\tfor _ndkms_i in $(eval \"echo \\${!$_ndkms_n[@]}\"); do\n"
	"\t\t\t\teval echo '$_ndkms_n[$_ndkms_i]=\\\"${'\"$_ndkms_n\"'[$_ndkms_i]%$_ndkms_cr}\\\"'\n"
	"\t\t\tdone\n"
	"\t\tdone\n"
	"\t\t_ndkms_kinds >\"$_ndkms_dir/kinds\"\n"
	"\t\t: >\"$_ndkms_dir/done\"\n"
	"\t) </dev/null\n"
	"\t[ -e \"$_ndkms_dir/done\" ] || exit 91\n"
	"\t. \"$_ndkms_dir/kinds\"\n"
	"\t_ndkms_second </dev/null\n"
	"\t_ndkms_emit\n"
	"else\n"
	"\t(\n"
	"\t\t_ndkms_source \"$_ndkms_file\"\n"
	"\t\teval \"$(_ndkms_kinds)\"\n"
	"\t\t: >\"$_ndkms_dir/done\"\n"
	"\t\t_ndkms_emit\n"
	"\t) </dev/null\n"
	"\t[ -e \"$_ndkms_dir/done\" ] || exit 91\n"
	"fi\n";

static bool is_local_name(const char *n)
{
	return streq(n, "kernelver") || streq(n, "arch");
}

static void write_locals(struct strbuf *sb, const struct shvars *preset)
{
	for (size_t i = 0; preset && i < preset->n; i++) {
		const struct shvar *v = &preset->v[i];
		if (!is_local_name(v->name) || !v->n)
			continue;
		sb_addf(sb, "\tlocal %s=", v->name);
		sb_add_shell_quoted(sb, v->elems[0].val);
		sb_addch(sb, '\n');
	}
}

static void build_preset(struct strbuf *sb, const struct eval_opts *o)
{
	const struct shvars *p = o->preset;

	for (size_t i = 0; p && i < p->n; i++) {
		const struct shvar *v = &p->v[i];

		if (is_local_name(v->name))
			continue;
		if (v->is_array)
			sb_addf(sb, "%s=()\n", v->name);
		for (size_t k = 0; k < v->n; k++) {
			if (v->is_array)
				sb_addf(sb, "%s[%ld]=", v->name, v->elems[k].idx);
			else
				sb_addf(sb, "%s=", v->name);
			sb_add_shell_quoted(sb, v->elems[k].val);
			sb_addch(sb, '\n');
		}
		if (v->exported)
			sb_addf(sb, "export %s\n", v->name);
	}
	sb_adds(sb, "_ndkms_names=(");
	for (const char *const *n = o->names; n && *n; n++)
		sb_addf(sb, " %s", *n);
	sb_adds(sb, " )\n_ndkms_source() {\n");
	write_locals(sb, p);
	sb_adds(sb, "\tset --\n\t. \"$_ndkms_file\" >/dev/null\n}\n_ndkms_second() {\n");
	write_locals(sb, p);
	sb_adds(sb, "\t. \"$_ndkms_dir/pass1\"\n}\n");
}

static bool valid_names(const char *const *names)
{
	for (const char *const *n = names; n && *n; n++) {
		const char *c = *n;
		if (!(*c == '_' || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z')))
			return false;
		for (; *c; c++)
			if (!(*c == '_' || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			      (*c >= '0' && *c <= '9')))
				return false;
	}
	return true;
}

/* A decimal number of at most 18 digits at buf[*i], ended by stop (consumed). */
static bool read_number(const char *buf, size_t len, size_t *i, char stop, unsigned long long *out)
{
	size_t start = *i;
	unsigned long long v = 0;

	while (*i < len && buf[*i] >= '0' && buf[*i] <= '9' && *i - start < 18)
		v = v * 10 + (unsigned)(buf[(*i)++] - '0');
	if (*i == start || *i >= len || buf[*i] != stop)
		return false;
	(*i)++;
	*out = v;
	return true;
}

int bash_parse_records(const char *buf, size_t len, struct shvars *out)
{
	char prev[BASH_MAX_NAME + 1] = "";
	long prev_idx = -1;
	size_t i = 0, nrec = 0, nvars = 0, cap = 0;

	for (;;) {
		char name[BASH_MAX_NAME + 1];
		unsigned long long idx, vlen;
		size_t n = 0;

		if (len - i >= 4 && memcmp(buf + i, "END\n", 4) == 0)
			return i + 4 == len ? 0 : -EBADMSG;
		if (i >= len)
			return -ECANCELED; /* no END: the shell ended before the worker did */
		if (++nrec > BASH_MAX_RECORDS)
			return -E2BIG;
		/* NAME: a shell variable name */
		while (i < len && n < BASH_MAX_NAME &&
		       (buf[i] == '_' || (buf[i] >= 'A' && buf[i] <= 'Z') ||
			(buf[i] >= 'a' && buf[i] <= 'z') || (n && buf[i] >= '0' && buf[i] <= '9')))
			name[n++] = buf[i++];
		name[n] = '\0';
		if (!n || i + 3 > len || buf[i] != ' ' || (buf[i + 1] != 's' && buf[i + 1] != 'a') ||
		    buf[i + 2] != ' ')
			return -EBADMSG;
		char kind = buf[i + 1];
		i += 3;
		if (!read_number(buf, len, &i, ' ', &idx) || !read_number(buf, len, &i, ':', &vlen) ||
		    vlen >= len - i || buf[i + vlen] != '\n')
			return -EBADMSG;
		/* the worker prints each variable once, its indices ascending */
		bool same = streq(name, prev);
		if (same ? (long)idx <= prev_idx : shvars_find(out, name) != NULL)
			return -EBADMSG;
		if (!same && ++nvars > BASH_MAX_VARS)
			return -E2BIG;
		struct shvar *sv = shvars_declare(out, name);
		if (!same)
			cap = sv->n;
		char *v = xstrndup(buf + i, (size_t)vlen);
		if (kind == 's' && sv->n) {
			/* a scalar's value is its element 0 (a later index makes it an array) */
			free(sv->elems[0].val);
			sv->elems[0].val = v;
		} else {
			/* appended in index order: grown geometrically, as shvars_set does not */
			if (sv->n == cap) {
				cap = cap ? 2 * cap : 8;
				sv->elems = xreallocarray(sv->elems, cap, sizeof(*sv->elems));
			}
			sv->elems[sv->n++] = (struct shvar_elem){kind == 'a' ? (long)idx : 0, v};
		}
		if (kind == 'a' || idx != 0)
			sv->is_array = true;
		memcpy(prev, name, n + 1);
		prev_idx = (long)idx;
		i += (size_t)vlen + 1;
	}
}

int bash_eval_file(const struct eval_opts *o, struct eval_result *res)
{
	_cleanup_strbuf_ struct strbuf preset = STRBUF_INIT;
	_cleanup_free_ char *dir = NULL, *ppath = NULL, *abs = NULL, *cap = NULL, *file = NULL;
	const char *tmp = getenv("TMPDIR");
	int status = 0, r;

	if (!valid_names(o->names)) {
		res->diag = xasprintf("%s: invalid variable name requested", o->path);
		return -EINVAL;
	}
	dir = mkdtemp_in(tmp && *tmp ? tmp : "/tmp", "ndkms-eval.");
	if (!dir) {
		r = -errno;
		res->diag = xasprintf("%s: cannot create a temporary directory: %s", o->path,
				      strerror(-r));
		return r;
	}
	build_preset(&preset, o);
	ppath = path_join(dir, "preset");
	r = write_file_atomic(ppath, preset.buf ? preset.buf : "", preset.len, 0600);
	if (r < 0) {
		res->diag = xasprintf("%s: cannot write %s: %s", o->path, ppath, strerror(-r));
		goto out;
	}
	/* source "./NAME" when running in the file's own folder, as the reference does */
	abs = realpath(o->path, NULL);
	if (!abs) {
		r = -errno;
		res->diag = xasprintf("%s: %s", o->path, strerror(-r));
		goto out;
	}
	if (o->cwd) {
		_cleanup_free_ char *cwd = realpath(o->cwd, NULL);
		_cleanup_free_ char *d = path_dirname(abs);
		if (cwd && streq(cwd, d))
			file = xasprintf("./%s", path_basename(abs));
	}
	if (!file)
		file = xstrdup(abs);

	const char *argv[] = {"/usr/bin/env", "-i",
			      "PATH=" SPAWN_DEFAULT_PATH,
			      "LC_ALL=C", "HOME=/nonexistent", "/bin/bash", "--norc", "--noprofile",
			      "-c", worker, "ndkms-eval", file, dir, o->reeval ? "1" : "0", NULL};
	struct spawn_opts so = {
		.argv = argv,
		.cwd = o->cwd,
		.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000,
		.capture = &cap,
		.capture_max = BASH_CAPTURE_MAX,
	};
	r = spawn_run(&so, &status);
	if (r == -ETIMEDOUT) {
		res->diag = xasprintf("%s: evaluating the file with /bin/bash did not finish within "
				      "%d.%03d seconds (stopped)", o->path, so.timeout_ms / 1000,
				      so.timeout_ms % 1000);
		goto out;
	}
	if (r == -EFBIG) {
		res->diag = xasprintf("%s: evaluating the file with /bin/bash produced more than "
				      "%u MiB of values", o->path, BASH_CAPTURE_MAX >> 20);
		goto out;
	}
	if (r < 0) {
		res->diag = xasprintf("%s: cannot run /bin/bash: %s", o->path, strerror(-r));
		goto out;
	}
	if (status == 90 || status == 126 || status == 127) {
		r = -ENOEXEC;
		res->diag = xasprintf("%s: cannot run /bin/bash (status %d)", o->path, status);
		goto out;
	}
	r = bash_parse_records(cap ? cap : "", cap ? strlen(cap) : 0, &res->vars);
	if (r == -ECANCELED) {
		shvars_release(&res->vars);
		res->diag = xasprintf("%s: the file ended the shell (exit, set -e or a fatal error; "
				      "status %d), so dkms would see no directives", o->path, status);
	} else if (r < 0) {
		shvars_release(&res->vars);
		res->diag = xasprintf("%s: the values bash printed are not ndkms's record stream "
				      "(%s; does the file redefine printf?)", o->path,
				      r == -E2BIG ? "too many records" : "malformed");
		r = -ECANCELED;
	}
out:
	rm_rf(dir);
	return r;
}

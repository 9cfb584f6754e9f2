// SPDX-License-Identifier: GPL-2.0-or-later
/* shbase.c - what every part of the evaluator shares: declining, names, host paths, redirections. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conf/sh.h"
#include "util/fs.h"

int sh_decline(struct sh *sh, int line, const char *fmt, ...)
{
	va_list ap;

	if (sh->why)
		return -ENOTSUP;
	va_start(ap, fmt);
	if (vasprintf(&sh->why, fmt, ap) < 0)
		sh->why = NULL;
	va_end(ap);
	if (!sh->why)
		sh->why = xstrdup("an unsupported construct");
	/* one line: cut at a newline, blank out other control characters */
	char *nl = strchr(sh->why, '\n');
	if (nl) {
		char *cut = xasprintf("%.*s...", (int)(nl - sh->why), sh->why);
		free(sh->why);
		sh->why = cut;
	}
	for (char *c = sh->why; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	sh->why_line = line;
	sh->why_file = xstrdup(sh->cur_file ? sh->cur_file : sh->file ? sh->file : "");
	return -ENOTSUP;
}

bool sh_is_special_var(const char *n)
{
	static const char *const names[] = {
		"PATH", "HOME", "PWD", "OLDPWD", "IFS", "PS1", "PS2", "PS4", "UID", "EUID", "PPID",
		"HOSTNAME", "HOSTTYPE", "OSTYPE", "MACHTYPE", "RANDOM", "SRANDOM", "SECONDS", "LINENO",
		"SHLVL", "SHELL", "SHELLOPTS", "OPTIND", "OPTERR", "OPTARG", "DIRSTACK", "GROUPS",
		"FUNCNAME", "PIPESTATUS", "REPLY", "COLUMNS", "LINES", "HISTFILE", "HISTSIZE",
		"HISTFILESIZE", "HISTCMD", "MAILCHECK", "EPOCHSECONDS", "EPOCHREALTIME", "TERM",
		"LANG", "LANGUAGE", "TMPDIR", "USER", "LOGNAME", "TZ", "COMP_WORDBREAKS", "PS0",
		"PS3", "CDPATH", "GLOBIGNORE", "TIMEFORMAT", "POSIXLY_CORRECT", "ENV", "MAIL",
	};

	if (strneq(n, "BASH", 4) || strneq(n, "LC_", 3) || strneq(n, "_ndkms", 6) ||
	    strneq(n, "DKMS_", 5) || strneq(n, "READLINE_", 9) || streq(n, "_"))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (streq(n, names[i]))
			return true;
	return false;
}

bool sh_valid_name(const char *s)
{
	size_t n = strlen(s);

	return n &&
	       strspn(s, "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n &&
	       !(s[0] >= '0' && s[0] <= '9');
}

char *sh_host_path(const struct sh *sh, const char *p)
{
	if (p[0] == '/' || !sh->cwd)
		return xstrdup(p);
	return path_join(sh->cwd, p);
}

/* Only redirections that cannot change anything: to /dev/null or between stdout and stderr. */
int sh_check_redirs(struct sh *sh, const struct redirs *rs, bool *to_stderr, bool *silent)
{
	*to_stderr = *silent = false;
	for (size_t i = 0; i < rs->n; i++) {
		const struct redir *rd = &rs->v[i];
		int fd = rd->fd < 0 ? (rd->op[0] == '<' ? 0 : 1) : rd->fd;

		if ((streq(rd->op, ">") || streq(rd->op, ">>") || streq(rd->op, ">|")) &&
		    streq(rd->target, "/dev/null")) {
			if (fd == 1)
				*silent = true;
			continue;
		}
		if (streq(rd->op, ">&") && (streq(rd->target, "1") || streq(rd->target, "2"))) {
			if (fd == 1 && streq(rd->target, "2"))
				*to_stderr = true;
			continue;
		}
		if (streq(rd->op, "<") && streq(rd->target, "/dev/null"))
			continue;
		return sh_decline(sh, rd->line, "a redirection (%s%s)", rd->op, rd->target);
	}
	return 0;
}

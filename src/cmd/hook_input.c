// SPDX-License-Identifier: GPL-2.0-or-later
/* hook_input.c - turn ALPM and RPM target lists into module folders and kernel versions. */
#include <stdlib.h>
#include <string.h>

#include "cmd/hook.h"
#include "util/log.h"
#include "util/names.h"

#define MAX_PARTS 8

/* Split a path into at most MAX_PARTS components; false for "." or ".." components. */
static bool split(char *path, char **parts, size_t *n, const char **why)
{
	*n = 0;
	for (char *save = NULL, *c = strtok_r(path, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (streq(c, ".") || streq(c, "..")) {
			*why = "a '.' or '..' path component";
			return false;
		}
		if (*n == MAX_PARTS)
			return true; /* deeper than anything we look at */
		parts[(*n)++] = c;
	}
	return true;
}

static bool parts_are(char **p, size_t n, const char *a, const char *b)
{
	return n == (b ? 2u : 1u) && streq(p[0], a) && (!b || streq(p[1], b));
}

/* Files and folders below a kernel's folder that say the kernel itself changed. */
static bool kernel_marker(char **rest, size_t n)
{
	return parts_are(rest, n, "modules.order", NULL) || parts_are(rest, n, "vmlinuz", NULL) ||
	       parts_are(rest, n, "build", NULL) || parts_are(rest, n, "build", "include");
}

static void skip(const char *line, const char *why)
{
	log_info("skipping %s: %s", line, why);
}

static void classify(const char *line, bool rpm, struct hook_input *hi)
{
	_cleanup_free_ char *copy = xstrdup(line);
	char *p[MAX_PARTS];
	size_t n;
	const char *why = NULL;

	if (!split(copy, p, &n, &why)) {
		skip(line, why);
		return;
	}
	if (n >= 2 && streq(p[0], "usr") && streq(p[1], "src")) {
		if (n == 4 && streq(p[3], "dkms.conf") && p[2][0] == '.') {
			skip(line, "a hidden source folder");
		} else if (n == 4 && streq(p[3], "dkms.conf") && !name_valid(p[2])) {
			skip(line, "not a valid MODULE-VERSION folder name");
		} else if (n == 4 && streq(p[3], "dkms.conf")) {
			if (!strv_contains(&hi->srcdirs, p[2]))
				strv_push(&hi->srcdirs, p[2]);
		} else if (!rpm) {
			skip(line, "not a usr/src/MODULE-VERSION/dkms.conf");
		}
		return;
	}
	size_t base = n >= 3 && streq(p[0], "usr") && streq(p[1], "lib") && streq(p[2], "modules") ? 3
		      : n >= 2 && streq(p[0], "lib") && streq(p[1], "modules")			      ? 2
													      : 0;
	if (!base) {
		skip(line, "not below usr/src or usr/lib/modules");
		return;
	}
	if (n > base && kernel_marker(p + base + 1, n - base - 1) && p[base][0] == '.') {
		skip(line, "a hidden kernel folder");
	} else if (n > base && kernel_marker(p + base + 1, n - base - 1) && !kver_valid(p[base])) {
		skip(line, "not a valid kernel version");
	} else if (n > base && kernel_marker(p + base + 1, n - base - 1)) {
		if (!strv_contains(&hi->kernels, p[base]))
			strv_push(&hi->kernels, p[base]);
	} else if (!rpm) {
		skip(line, "not a kernel's modules.order, build/include or vmlinuz");
	}
}

void hook_read_input(FILE *in, bool rpm, struct hook_input *hi)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, in)) >= 0) {
		while (len > 0 && strchr("\n\r\t ", line[len - 1]))
			line[--len] = '\0';
		if (len == 0)
			continue;
		classify(line, rpm, hi);
	}
}

void hook_input_release(struct hook_input *hi)
{
	strv_release(&hi->srcdirs);
	strv_release(&hi->kernels);
}

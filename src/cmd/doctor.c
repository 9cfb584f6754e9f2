// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor.c - doctor [--repair] [--json]: find broken state and repair what needs no judgement. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "core/doctor.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

static void print_line(const struct doctor_problem *p)
{
	const char *state = p->repaired > 0 ? "repaired: " : p->repaired < 0 ? "repair failed: " : "";

	if (p->fix == DOCTOR_PERSON)
		printf("%s%s: %s [needs a person: %s]\n", state, p->check, p->text,
		       p->advice ? p->advice : "see the message");
	else
		printf("%s%s: %s [%s: %s]\n", state, p->check, p->text,
		       p->repaired ? "repair" : "--repair", p->advice);
}

static void json_key(const char *k, const char *v, bool comma)
{
	printf("\"%s\":", k);
	json_write_str(stdout, v);
	if (comma)
		putchar(',');
}

static void print_json_list(const struct ndkms_ctx *ctx, const char *name,
			    const struct doctor_report *rep)
{
	printf("\"%s\":[", name);
	for (size_t i = 0; i < rep->n; i++) {
		const struct doctor_problem *p = &rep->p[i];
		putchar('{');
		json_key("check", p->check, true);
		json_key("module", p->module, true);
		json_key("version", p->version, true);
		json_key("kernel", p->kver, true);
		json_key("arch", p->arch, true);
		json_key("path", p->path ? ctx_display(ctx, p->path) : NULL, true);
		json_key("message", p->text, true);
		printf("\"repairable\":%s,", p->fix == DOCTOR_PERSON ? "false" : "true");
		json_key("repair", p->advice, true);
		printf("\"repaired\":%s}%s",
		       p->repaired > 0 ? "true" : p->repaired < 0 ? "false" : "null",
		       i + 1 < rep->n ? "," : "");
	}
	putchar(']');
}

static void summary(const struct doctor_report *rep)
{
	size_t fixable = 0;

	for (size_t i = 0; i < rep->n; i++)
		fixable += rep->p[i].fix != DOCTOR_PERSON;
	printf("%zu problem%s found; %zu can be repaired with --repair, %zu need%s a person.\n",
	       rep->n, rep->n == 1 ? "" : "s", fixable, rep->n - fixable,
	       rep->n - fixable == 1 ? "s" : "");
}

static int cmd_doctor_run(struct ndkms_ctx *ctx, _unused_ int argc, _unused_ char **argv)
{
	struct doctor_report rep = {0}, after = {0};
	int r = 0;

	if (ctx->opt->module && (!*ctx->opt->module || !path_is_contained(ctx->opt->module) ||
			    (ctx->opt->version && !path_is_contained(ctx->opt->version)))) {
		log_error("Invalid module/version: %s%s%s", ctx->opt->module, ctx->opt->version ? "/" : "",
			  ctx->opt->version ? ctx->opt->version : "");
		return DKMS_EXIT(2);
	}
	for (size_t i = 0; i < ctx->opt->kvers.n; i++) {
		if (!path_is_contained(ctx->opt->kvers.v[i])) {
			log_error("Invalid kernel version: %s", ctx->opt->kvers.v[i]);
			return DKMS_EXIT(2);
		}
	}
	if (ctx->opt->repair && !ctx->env->is_root) {
		log_error("You must be root to use this command.");
		return DKMS_EXIT(1);
	}
	const struct doctor_filter filter = {ctx->opt->module, ctx->opt->version, &ctx->opt->kvers};
	doctor_check(ctx, &filter, &rep);
	if (!ctx->opt->repair) {
		if (ctx->opt->json) {
			putchar('{');
			print_json_list(ctx, "problems", &rep);
			printf(",\"clean\":%s}\n", rep.n ? "false" : "true");
		} else if (!rep.n) {
			printf("No problems found.\n");
		} else {
			for (size_t i = 0; i < rep.n; i++)
				print_line(&rep.p[i]);
			summary(&rep);
		}
		r = rep.n ? DKMS_EXIT(1) : 0;
		doctor_report_release(&rep);
		return r;
	}

	if (ctx->opt->json)
		log_setup(true, false); /* the lifecycle's messages would break the JSON */
	doctor_repair(ctx, &rep);
	log_setup(ctx->opt->quiet, ctx->opt->verbose);
	doctor_check(ctx, &filter, &after);
	if (ctx->opt->json) {
		putchar('{');
		print_json_list(ctx, "found", &rep);
		putchar(',');
		print_json_list(ctx, "problems", &after);
		printf(",\"clean\":%s}\n", after.n ? "false" : "true");
	} else {
		for (size_t i = 0; i < rep.n; i++)
			if (rep.p[i].fix != DOCTOR_PERSON)
				print_line(&rep.p[i]);
		if (!after.n) {
			printf("No problems left.\n");
		} else {
			printf("Left after the repair:\n");
			for (size_t i = 0; i < after.n; i++)
				print_line(&after.p[i]);
			summary(&after);
		}
	}
	r = after.n ? DKMS_EXIT(1) : 0;
	doctor_report_release(&rep);
	doctor_report_release(&after);
	return r;
}

const struct cmd cmd_doctor = {"doctor", cmd_doctor_run,
			       "check state, trees, indexes and signatures; --repair what is safe",
			       CMD_DKMS_ARGS};

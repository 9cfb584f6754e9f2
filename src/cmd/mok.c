// SPDX-License-Identifier: GPL-2.0-or-later
/* mok.c - mok status|enroll: does the firmware trust the certificate modules are signed with? */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/exitcode.h"
#include "cmd/opts.h"
#include "core/secureboot.h"
#include "util/json.h"
#include "util/log.h"
#include "util/names.h"
#include "util/spawn.h"

static const char mok_help[] =
	"Usage: ndkms [--root DIR] mok status [-k KERNEL] [--json]\n"
	"       ndkms [--root DIR] mok enroll [-k KERNEL]\n"
	"  status  whether Secure Boot is on (the SecureBoot EFI variable), whether the certificate\n"
	"          modules are signed with is enrolled (MokListRT) or waiting for enrollment\n"
	"          (MokNew), its SHA-256 fingerprint and expiry; exit 1 when Secure Boot is on\n"
	"          and the certificate is neither enrolled nor pending\n"
	"  enroll  queue the certificate for enrollment with mokutil --import (asks for a one-time\n"
	"          password; the enrollment is confirmed in the MOK manager at the next boot)\n"
	"  -k KERNEL  the kernel whose certificate is meant (framework.conf may name one per kernel)\n"
	"  --json     status as one JSON object\n";

static const char *trust_word(enum sb_trust t)
{
	return t == SB_YES ? "yes" : t == SB_NO ? "no" : "unknown";
}

static const char *sb_word(int sb)
{
	return sb == 1 ? "on" : sb == 0 ? "off" : "unknown";
}

static void json_field(const char *name, const char *v, bool last)
{
	printf("\"%s\":", name);
	json_write_str(stdout, v);
	fputs(last ? "" : ",", stdout);
}

static void print_json(const struct sb_status *s)
{
	fputs("{", stdout);
	json_field("secure_boot", sb_word(s->secure_boot), false);
	printf("\"uefi\":%s,", s->uefi ? "true" : "false");
	json_field("secure_boot_note", s->sb_why, false);
	json_field("certificate", s->cert, false);
	printf("\"certificate_present\":%s,", s->have_cert ? "true" : "false");
	json_field("certificate_error", s->cert_error, false);
	json_field("subject", s->have_cert ? s->ci.subject : NULL, false);
	json_field("sha256", s->have_cert ? s->ci.sha256 : NULL, false);
	json_field("not_after", s->have_cert ? s->ci.not_after : NULL, false);
	printf("\"expired\":%s,", s->have_cert && s->ci.expired ? "true" : "false");
	json_field("enrolled", trust_word(s->enrolled), false);
	json_field("pending", trust_word(s->pending), false);
	json_field("moklist_error", s->moklist_error, false);
	printf("\"untrusted\":%s}\n", secureboot_untrusted(s) ? "true" : "false");
}

static void print_text(const struct sb_status *s)
{
	printf("Secure Boot: %s", sb_word(s->secure_boot));
	if (!s->uefi)
		printf(" (not booted with UEFI)");
	else if (s->sb_why)
		printf(" (%s)", s->sb_why);
	putchar('\n');
	printf("Certificate: %s%s\n", s->cert ? s->cert : "(none configured)",
	       s->have_cert ? "" : s->cert_error ? " (unreadable)" : " (missing)");
	if (s->cert_error)
		printf("Problem: %s\n", s->cert_error);
	if (s->have_cert) {
		printf("Subject: %s\n", s->ci.subject);
		printf("SHA-256 fingerprint: %s\n", s->ci.sha256);
		printf("Expires: %s%s\n", s->ci.not_after, s->ci.expired ? " (expired)" : "");
		printf("Enrolled (MokListRT): %s\n", trust_word(s->enrolled));
		printf("Pending enrollment (MokNew): %s\n", trust_word(s->pending));
	}
	if (s->moklist_error)
		printf("Problem: %s\n", s->moklist_error);
	if (!s->have_cert)
		printf("No certificate to check: create one with 'ndkms generate_mok'.\n");
	else if (secureboot_untrusted(s))
		printf("Modules signed with this certificate will not load: enroll it with "
		       "'ndkms mok enroll'.\n");
	else if (s->enrolled == SB_YES)
		printf("The firmware trusts this certificate.\n");
	else if (s->pending == SB_YES)
		printf("The certificate will be enrolled at the next boot once confirmed in the MOK "
		       "manager.\n");
	else if (s->secure_boot == 0)
		printf("Secure Boot is off: modules load without an enrolled certificate.\n");
}

static int enroll(const struct ndkms_ctx *ctx, const struct sb_status *s)
{
	if (!s->have_cert) {
		if (s->cert_error)
			log_error("Cannot enroll: %s.", s->cert_error);
		else
			log_error("Cannot enroll %s: it does not exist. Create it with 'ndkms "
				  "generate_mok'.",
				  s->cert ? s->cert : "the signing certificate");
		return DKMS_EXIT(1);
	}
	if (s->enrolled == SB_YES) {
		log_info("%s is enrolled already (MokListRT); nothing to do.", s->cert);
		return 0;
	}
	if (s->pending == SB_YES) {
		log_info("%s is waiting for enrollment already (MokNew): reboot and confirm it in "
			 "the MOK manager.",
			 s->cert);
		return 0;
	}
	if (!s->ci.was_der) {
		log_error("%s is not in DER form, which mokutil --import needs.", s->cert);
		return DKMS_EXIT(1);
	}
	_cleanup_free_ char *host = ctx_path(ctx, s->cert);
	log_info("Enrolling %s (SHA-256 %s).\n"
		 "mokutil asks for a one-time password now; the certificate is only queued. At the "
		 "next reboot the firmware starts the MOK manager before the system: choose \"Enroll "
		 "MOK\", check that the fingerprint is the one above, confirm, and type the same "
		 "password. From then on Secure Boot lets the modules signed with this certificate "
		 "load; until then it refuses them.\n",
		 s->cert, s->ci.sha256);
	const char *argv[] = {"mokutil", "--import", host, NULL};
	struct spawn_opts so = {.argv = argv, .interactive = true};
	int status = 0, r = spawn_run(&so, &status);
	if (r < 0 || status == 127) {
		log_error("Could not run mokutil: install the mokutil package, then run 'ndkms mok "
			  "enroll' again.");
		return DKMS_EXIT(1);
	}
	if (status) {
		log_error("mokutil --import %s failed (exit status %d); nothing was queued.",
			  s->cert, status);
		return DKMS_EXIT(1);
	}
	log_info("Queued. Reboot to finish the enrollment in the MOK manager.");
	return 0;
}

static int mok_help_opt(_unused_ void *data, _unused_ const struct opt *opt,
			_unused_ const char *arg)
{
	fputs(mok_help, stdout);
	return OPTS_STOP;
}

static int mok_operand(void *data, const char *a)
{
	const char **sub = data;

	if (a[0] == '-' || *sub) {
		log_error("Unknown option or argument: %s", a);
		fputs(mok_help, stderr);
		return DKMS_EXIT(2);
	}
	*sub = a;
	return 0;
}

static int cmd_mok_run(struct ndkms_ctx *ctx, int argc, char **argv)
{
	const char *sub = NULL, *kver = NULL, *bad;
	bool json = ctx->opt->json;

	const struct opt opts[] = {
		OPT_CALL("help", 'h', false, mok_help_opt),
		OPT_BOOL("json", 0, &json),
		OPT_STR("kernelver", 'k', &kver),
	};
	const struct opts p = {.opt = opts, .n = ARRAY_SIZE(opts), .in_order = true,
			       .operand = mok_operand, .data = &sub};
	int r = opts_parse(&p, argc, argv, NULL, &bad);
	if (r == OPTS_STOP)
		return 0;
	if (r == OPTS_BAD) {
		log_error("Unknown option or argument: %s", bad);
		fputs(mok_help, stderr);
		return DKMS_EXIT(2);
	}
	if (r < 0)
		return r;
	if (!sub || (!streq(sub, "status") && !streq(sub, "enroll"))) {
		log_error("mok needs 'status' or 'enroll'.");
		fputs(mok_help, stderr);
		return DKMS_EXIT(2);
	}
	if (!kver || !*kver)
		kver = ctx->env->running_kernel;
	if (!kver_valid(kver)) {
		log_error("Invalid kernel version: %s", kver);
		return DKMS_EXIT(2);
	}

	struct sb_status s;
	r = 0;
	secureboot_status(ctx, kver, &s);
	if (streq(sub, "enroll")) {
		r = enroll(ctx, &s);
	} else {
		if (json)
			print_json(&s);
		else
			print_text(&s);
		if (secureboot_untrusted(&s))
			r = DKMS_EXIT(1);
	}
	sb_status_release(&s);
	return r;
}

const struct cmd cmd_mok = {"mok", cmd_mok_run,
			    "Secure Boot: is the signing certificate enrolled (status), enroll it",
			    CMD_OWN_ARGS};

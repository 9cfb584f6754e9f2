// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor_modules.c - built modules against their kernel: vermagic, signatures where enforced. */
#include <ctype.h>
#include <dirent.h>
#include <string.h>

#include "core/doctor_internal.h"
#include "core/kernel.h"
#include "core/secureboot.h"
#include "core/signing.h"
#include "core/state.h"
#include "depmod/modfile.h"
#include "sign/certinfo.h"
#include "sign/efivar.h"
#include "util/fs.h"

struct modsig {
	char *vermagic; /* first word */
	char *signer;
	char *sig_key;
	bool is_signed; /* a signature trailer (sig_id), whether libkmod can name its signer or not */
};

static void modsig_read(struct kmod_ctx *kctx, const char *path, struct modsig *ms)
{
	struct modfile mf = {0};
	struct kmod_list *it = NULL;
	const char *k, *v;

	memset(ms, 0, sizeof(*ms));
	if (!kctx || modfile_open(kctx, path, &mf) < 0)
		goto out;
	while (modfile_info_next(&mf, &it, &k, &v)) {
		if (!v)
			continue;
		if (streq(k, "vermagic") && !ms->vermagic)
			ms->vermagic = xstrndup(v, strcspn(v, " \t"));
		if (streq(k, "sig_id") || streq(k, "signer"))
			ms->is_signed = true;
		if (streq(k, "signer") && !ms->signer)
			ms->signer = xstrdup(v);
		else if (streq(k, "sig_key") && !ms->sig_key)
			ms->sig_key = xstrdup(v);
	}
out:
	modfile_close(&mf);
}

static void modsig_release(struct modsig *ms)
{
	free(ms->vermagic);
	free(ms->signer);
	free(ms->sig_key);
}

/* Serial numbers as hex, colons and leading zero bytes dropped, upper case. */
static char *norm_serial(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s; s++)
		if (isxdigit((unsigned char)*s))
			*o++ = (char)toupper((unsigned char)*s);
	*o = '\0';
	char *p = out;
	while (p[0] == '0' && p[1] == '0' && p[2])
		p += 2;
	memmove(out, p, strlen(p) + 1);
	return out;
}

struct kernel_policy {
	bool enforce;       /* unsigned modules do not load */
	const char *why;    /* "CONFIG_MODULE_SIG_FORCE" or "Secure Boot" */
	bool have_cert;
	struct certinfo ci; /* the certificate modules for the kernel are signed with */
	char *cert;
};

static void policy_get(const struct doctor_scope *s, const char *k, int secure_boot,
		       struct kernel_policy *kp)
{
	_cleanup_free_ char *config = ctx_kernel_config(s->ctx, k);
	_cleanup_free_ char *why = NULL;

	memset(kp, 0, sizeof(*kp));
	if (config && kernel_config_has(config, "CONFIG_MODULE_SIG_FORCE")) {
		kp->enforce = true;
		kp->why = "CONFIG_MODULE_SIG_FORCE";
	} else if (secure_boot == 1) {
		kp->enforce = true;
		kp->why = "Secure Boot";
	}
	if (!kp->enforce)
		return;
	kp->cert = signing_certificate(s->ctx, k);
	_cleanup_free_ char *host = kp->cert ? ctx_path(s->ctx, kp->cert) : NULL;
	kp->have_cert = host && is_reg(host) && certinfo_load(host, kp->cert, &kp->ci, &why) == 0;
}

static void policy_release(struct kernel_policy *kp)
{
	if (kp->have_cert)
		certinfo_release(&kp->ci);
	free(kp->cert);
}

static void check_file(struct doctor_scope *s, struct kmod_ctx *kctx, const char *f, const char *m,
		       const char *v, const char *k, const char *a, const struct kernel_policy *kp)
{
	const struct ndkms_ctx *ctx = s->ctx;
	struct modsig ms;
	struct doctor_problem *p;

	modsig_read(kctx, f, &ms);
	if (ms.vermagic && !streq(ms.vermagic, k)) {
		p = doctor_add(s, "vermagic", DOCTOR_PERSON, m, v, k, a, f,
			       "%s was built for kernel %s, not %s (vermagic)", ctx_display(ctx, f),
			       ms.vermagic, k);
		p->advice = xasprintf("rebuild it: ndkms build %s/%s -k %s --force, then ndkms "
				      "install %s/%s -k %s --force",
				      m, v, k, m, v, k);
	}
	if (kp->enforce && !ms.is_signed) {
		p = doctor_add(s, "unsigned", DOCTOR_PERSON, m, v, k, a, f,
			       "%s is not signed, and kernel %s only loads signed modules (%s)",
			       ctx_display(ctx, f), k, kp->why);
		p->advice = xasprintf("sign it: set try_sign_modules=true in framework.conf if "
				      "signing is off, then ndkms build %s/%s -k %s --force and "
				      "ndkms install %s/%s -k %s --force",
				      m, v, k, m, v, k);
	} else if (kp->enforce && kp->have_cert && ms.sig_key) {
		_cleanup_free_ char *a1 = norm_serial(ms.sig_key);
		_cleanup_free_ char *a2 = norm_serial(kp->ci.serial);
		if (!streq(a1, a2)) {
			p = doctor_add(s, "other-key", DOCTOR_PERSON, m, v, k, a, f,
				       "%s is signed by \"%s\" (key %s), not with the certificate "
				       "%s, on a kernel that enforces signatures (%s)",
				       ctx_display(ctx, f), ms.signer ? ms.signer : "?", ms.sig_key, kp->cert,
				       kp->why);
			p->advice = xasprintf("rebuild it to sign it with the current key: ndkms "
					      "build %s/%s -k %s --force, then install it --force",
					      m, v, k);
		}
	}
	modsig_release(&ms);
}

/* Secure Boot on and the signing certificate not trusted: every signed module fails to load. */
static void check_enrolled(struct doctor_scope *s)
{
	_cleanup_strv_ struct strv ks = STRV_INIT;
	struct sb_status st;

	doctor_list_kernels(s, &ks);
	secureboot_status(s->ctx, ks.n ? ks.v[ks.n - 1] : s->ctx->env->running_kernel, &st);
	if (secureboot_untrusted(&st)) {
		_cleanup_free_ char *host = ctx_path(s->ctx, st.cert);
		struct doctor_problem *p = doctor_add(
			s, "mok-not-enrolled", DOCTOR_PERSON, NULL, NULL, NULL, NULL, host,
			"Secure Boot is on and the signing certificate %s is neither enrolled "
			"(MokListRT) nor pending (MokNew): modules signed with it do not load",
			st.cert);
		p->advice = xstrdup("ndkms mok enroll, then reboot and confirm it in the MOK manager");
	}
	sb_status_release(&st);
}

void doctor_check_modules(struct doctor_scope *s)
{
	const struct ndkms_ctx *ctx = s->ctx;
	_cleanup_free_ char *efi = ctx_path(ctx, "/sys/firmware/efi");
	int secure_boot = efivar_secure_boot_effective(efi, NULL);
	struct kmod_ctx *kctx = modfile_kmod_new("/nonexistent");

	for (size_t i = 0; i < s->modules.n; i++) {
		const char *m = s->modules.v[i];
		_cleanup_strv_ struct strv vs = STRV_INIT;
		state_list_versions(ctx, m, &vs);
		for (size_t j = 0; j < vs.n; j++) {
			const char *v = vs.v[j];
			_cleanup_strv_ struct strv kas = STRV_INIT;
			if (!doctor_version_wanted(s, v))
				continue;
			state_list_kernels(ctx, m, v, &kas);
			for (size_t l = 0; l < kas.n; l++) {
				_cleanup_free_ char *k = xstrdup(kas.v[l]);
				char *a = strchr(k, '/');
				*a++ = '\0';
				if (!doctor_kernel_wanted(s, k))
					continue;
				_cleanup_free_ char *base = state_mvka_dir(ctx, m, v, k, a);
				_cleanup_free_ char *moddir = path_join(base, "module");
				struct kernel_policy kp;
				DIR *d = opendir(moddir);
				if (!d)
					continue;
				policy_get(s, k, secure_boot, &kp);
				for (struct dirent *de; (de = readdir(d));) {
					if (!is_module_file_name(de->d_name))
						continue;
					_cleanup_free_ char *f = path_join(moddir, de->d_name);
					check_file(s, kctx, f, m, v, k, a, &kp);
				}
				closedir(d);
				policy_release(&kp);
			}
		}
	}
	modfile_kmod_unref(kctx);
	if (secure_boot == 1)
		check_enrolled(s);
}

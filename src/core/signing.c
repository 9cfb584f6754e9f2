// SPDX-License-Identifier: GPL-2.0-or-later
/* signing.c - dkms's module signing decisions for one kernel, and signing a built module. */
#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/framework.h"
#include "core/kernel.h"
#include "core/signing.h"
#include "sign/modsign.h"
#include "sign/mok.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/private.h"
#include "util/spawn.h"

/* A signing problem stops the build: the module is not produced, hence not installed. */
#define SIGN_FAILED NDKMS_E_FAILED

/* "MAJOR:MINOR ROOT" of the last mount on "/" in a mountinfo file (fields 3, 4 and 5), or
 * NULL when the file cannot be read. */
static char *root_mount(const char *mountinfo)
{
	_cleanup_free_ char *text = NULL;
	char *found = NULL, *save = NULL;

	if (read_file(mountinfo, &text, NULL, 1u << 22) < 0)
		return NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char dev[64], root[4096], point[4096];
		if (sscanf(line, "%*s %*s %63s %4095s %4095s", dev, root, point) == 3 &&
		    streq(point, "/")) {
			free(found);
			found = xasprintf("%s %s", dev, root);
		}
	}
	return found;
}

/* As dkms decides it, without counting a mount namespace of one's own as a chroot: the file
 * system and folder mounted as our "/" differ from init's, or (when init's mounts cannot be
 * read) our root is not init's root. */
bool signing_in_chroot(void)
{
	_cleanup_free_ char *init_root = root_mount("/proc/1/mountinfo");
	_cleanup_free_ char *our_root = root_mount("/proc/self/mountinfo");
	struct stat a, b;

	if (init_root && our_root)
		return !streq(init_root, our_root);
	if (stat("/", &a) < 0 || stat("/proc/1/root/.", &b) < 0)
		return false;
	return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

/* The value of CONFIG_MODULE_SIG_HASH, quotes removed; NULL when the config has none. */
static char *config_sig_hash(const char *config)
{
	char *v = kernel_config_value(config, "CONFIG_MODULE_SIG_HASH");
	size_t n = v ? strlen(v) : 0;

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		memmove(v, v + 1, n - 2);
		v[n - 2] = '\0';
	}
	return v;
}

struct mok_paths {
	char *key;       /* in-root, as configured */
	char *cert;
	char *key_host;  /* host paths */
	char *cert_host;
	char *sign_file; /* configured sign_file, if any */
	char *try_sign;
	bool key_default; /* not configured: dkms's default, whose folder may be created */
	bool cert_default;
};

static void mok_paths_release(struct mok_paths *m)
{
	free(m->key);
	free(m->cert);
	free(m->key_host);
	free(m->cert_host);
	free(m->sign_file);
	free(m->try_sign);
}

/* framework.conf's signing settings read for kver ($kernelver expanded), with dkms's defaults. */
static int mok_paths_get(const struct ndkms_ctx *ctx, const char *kver, struct mok_paths *m)
{
	struct framework fw;
	bool ubuntu = ctx->env->distro && streq(ctx->env->distro, "ubuntu");
	int r = framework_read_kernel(ctx, kver ? kver : "", &fw);

	memset(m, 0, sizeof(*m));
	if (r < 0)
		return r;
	m->key_default = !(fw.mok_signing_key && *fw.mok_signing_key);
	m->cert_default = !(fw.mok_certificate && *fw.mok_certificate);
	m->key = xstrdup(fw.mok_signing_key && *fw.mok_signing_key ? fw.mok_signing_key
			 : ubuntu ? "/var/lib/shim-signed/mok/MOK.priv"
				  : "/var/lib/dkms/mok.key");
	m->cert = xstrdup(fw.mok_certificate && *fw.mok_certificate ? fw.mok_certificate
			  : ubuntu ? "/var/lib/shim-signed/mok/MOK.der"
				   : "/var/lib/dkms/mok.pub");
	m->key_host = ctx_path(ctx, m->key);
	m->cert_host = ctx_path(ctx, m->cert);
	if (fw.sign_file && *fw.sign_file)
		m->sign_file = xstrdup(fw.sign_file);
	m->try_sign = xstrdup(fw.try_sign_modules && *fw.try_sign_modules ? fw.try_sign_modules
										: "not_in_chroot");
	framework_release(&fw);
	return 0;
}

/* Parallel builds (autoinstall) must not race to create the pair: one creates, the rest wait.
 * The lock lives in the key's folder; without that folder there is no lock (and no pair). */
static int mok_lock(const struct mok_paths *m)
{
	_cleanup_free_ char *dir = path_dirname(m->key_host);
	_cleanup_free_ char *lock = path_join(dir, ".ndkms-mok.lock");
	int fd;

	if (!is_dir(dir) || (fd = lockfile_open(lock)) < 0)
		return -1;
	if (flock(fd, LOCK_EX) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Only dkms's default folder is created for the pair; a configured one must exist.  One that
 * cannot be made is no error here: ensure_mok() then says the pair can't be generated. */
static void mok_default_dir(const char *host)
{
	_cleanup_free_ char *d = path_dirname(host);
	int r = mkdir_p(d, 0755);

	if (r < 0)
		log_debug("cannot create %s: %s", d, strerror(-r));
}

static void mok_default_dirs(const struct mok_paths *m)
{
	if (m->key_default)
		mok_default_dir(m->key_host);
	if (m->cert_default)
		mok_default_dir(m->cert_host);
}

/*
 * dkms 3.4.3's prepare_mok after the prologue: when the key or the certificate is missing, a
 * new pair is generated; a lone key or certificate is first moved aside to NAME.orig-DATE
 * (never destroyed, unlike dkms's openssl, which writes over it).  When no pair can be made the
 * modules are built unsigned with dkms's message.  0: the pair is there; 1: modules won't be
 * signed (message and blank line printed).  tell: say what was moved aside (generate_mok);
 * builds say it only with --verbose, to keep dkms's output.
 */
static int ensure_mok(const struct mok_paths *m, bool tell)
{
	bool pkcs11 = strneq(m->key, "pkcs11:", 7);
	if (!pkcs11)
		mok_default_dirs(m);
	_cleanup_close_ int lock = pkcs11 ? -1 : mok_lock(m);
	bool have_key = pkcs11 || is_reg(m->key_host), have_cert = is_reg(m->cert_host);
	_cleanup_free_ char *why = NULL, *moved = NULL;

	if (have_key && have_cert)
		return 0;
	if (!pkcs11) {
		log_info("Certificate or key are missing, generating self signed certificate for "
			 "MOK...");
		int r = mok_generate(m->key_host, m->cert_host, true, &moved, &why);
		if (r == 0) {
			if (moved && tell)
				log_info("The lone %s %s was kept as %s.", have_key ? "key" : "certificate",
					 have_key ? m->key : m->cert, path_basename(moved));
			else if (moved)
				log_debug("the lone %s %s was kept as %s", have_key ? "key" : "certificate",
					  have_key ? m->key : m->cert, moved);
			return 0;
		}
		log_debug("no new key and certificate: %s", why);
		have_key = is_reg(m->key_host);
	}
	/* dkms names the file its openssl could not write: the key when its folder is missing or
	 * closed, else the certificate (ndkms writes neither then) */
	_cleanup_free_ char *kdir = path_dirname(m->key_host);
	if (!have_key && (!is_dir(kdir) || access(kdir, W_OK) != 0))
		log_info("Key file %s not found and can't be generated, modules won't be signed\n",
			 m->key);
	else
		log_info("Certificate file %s not found and can't be generated, modules won't be "
			 "signed\n",
			 m->cert);
	return 1;
}

static int prepare(const struct ndkms_ctx *ctx, const char *kver, struct sign_plan *p);

int signing_prepare(struct ndkms_ctx *ctx, const char *kver, struct sign_plan *p)
{
	/* dkms's prepare_kernel_and_signing: announced once per run and kernel; later builds
	 * (a dependant rebuilt, the next module) prepare again, silently */
	bool announced = strv_contains(&ctx->ses.signing_announced, kver);
	bool quiet = announced && !ctx->opt->quiet;
	if (quiet)
		log_setup(true, false);
	int r = prepare(ctx, kver, p);
	if (quiet)
		log_setup(ctx->opt->quiet, ctx->opt->verbose);
	if (!announced)
		strv_push(&ctx->ses.signing_announced, kver);
	return r;
}

static int prepare(const struct ndkms_ctx *ctx, const char *kver, struct sign_plan *p)
{
	struct mok_paths m;
	_cleanup_free_ char *config = ctx_kernel_config(ctx, kver);
	_cleanup_free_ char *hash = NULL;
	_cleanup_free_ char *why = NULL;
	int r;

	memset(p, 0, sizeof(*p));
	if ((r = mok_paths_get(ctx, kver, &m)) < 0)
		return r;
	if (streq(m.try_sign, "false") || streq(m.try_sign, "no")) {
		log_info("Module signing is disabled by policy, modules won't be signed\n");
		goto out;
	}
	if (!streq(m.try_sign, "true") && !streq(m.try_sign, "yes") && signing_in_chroot()) {
		log_info("Running in chroot, modules won't be signed\n");
		goto out;
	}
	if (!is_reg(config)) {
		log_info("Kernel config %s not found, modules won't be signed\n",
			 ctx_display(ctx, config));
		goto out;
	}
	hash = config_sig_hash(config);
	if (!hash) {
		log_info("The kernel is built without module signing facility, modules won't be "
			 "signed\n");
		goto out;
	}
	p->md = sign_hash_lookup(hash);
	if (!p->md) {
		log_error("Unsupported module signing hash '%s' (CONFIG_MODULE_SIG_HASH in %s).",
			  hash, ctx_display(ctx, config));
		r = SIGN_FAILED;
		goto out;
	}
	if (m.sign_file) {
		/* an administrator's own signing tool (an HSM, kmodsign): run it as dkms does */
		_cleanup_free_ char *in_root = ctx_path(ctx, m.sign_file);
		const char *tool = is_reg(in_root) ? in_root : m.sign_file;
		log_info("Sign command: %s", m.sign_file);
		if (!is_reg(tool) || access(tool, X_OK) != 0) {
			log_info("Binary %s not found, modules won't be signed\n", m.sign_file);
			goto out;
		}
		p->external = xstrdup(tool);
	} else {
		log_info("Sign command: built-in (%s)", hash);
	}
	log_info("Signing key: %s", m.key);
	log_info("Public certificate (MOK): %s", m.cert);
	if ((r = ensure_mok(&m, false)) != 0) {
		if (r == 1)
			r = 0; /* built unsigned, as dkms does */
		goto out;
	}
	if (p->external) {
		p->hash = xstrdup(hash);
		p->key_host = xstrdup(m.key_host);
		p->cert_host = xstrdup(m.cert_host);
		log_info("%s", "");
		p->enabled = true;
		goto out;
	}
	r = sign_keys_load(&p->keys, m.key_host, m.key, m.cert_host, m.cert, &why);
	if (r < 0) {
		log_error("Cannot sign modules: %s.", why);
		r = SIGN_FAILED;
		goto out;
	}
	log_info("%s", "");
	p->enabled = true;
out:
	mok_paths_release(&m);
	return r;
}

/* Run the configured sign_file on a copy of the module beside it, then take the result. */
static int sign_external(const struct ndkms_ctx *ctx, const struct sign_plan *p, const char *path,
			 unsigned char **data, size_t *len)
{
	_cleanup_free_ char *tmp = xasprintf("%s.ndkms-sign", path);
	_cleanup_free_ char *out = NULL;
	char *signed_data = NULL;
	size_t n = 0;
	int status = 0, r;

	r = write_file_atomic(tmp, *data, *len, 0644);
	if (r == 0) {
		const char *argv[] = {p->external, p->hash, p->key_host, p->cert_host, tmp, NULL};
		struct spawn_opts so = {.argv = argv, .capture = &out, .capture_max = 1 << 20};
		r = spawn_run(&so, &status);
	}
	if (r == 0 && status == 0)
		r = read_file(tmp, &signed_data, &n, 1u << 30);
	unlink(tmp);
	if (r < 0 || status) {
		/* as dkms: a configured sign_file that fails leaves the module unsigned, with
		 * a warning and the tool's output */
		free(signed_data);
		log_warn("Failed to sign module '%s'!\n%s", ctx_display(ctx, path),
			 out && *out ? out : r < 0 ? strerror(-r) : "");
		return 0;
	}
	free(*data);
	*data = (unsigned char *)signed_data;
	*len = n;
	return 0;
}

int signing_apply(const struct ndkms_ctx *ctx, const struct sign_plan *p, const char *path,
		  unsigned char **data, size_t *len)
{
	_cleanup_free_ char *why = NULL;
	unsigned char *out;
	size_t outlen;

	if (!p->enabled)
		return 0;
	log_info("Signing module %s", ctx_display(ctx, path));
	if (p->external)
		return sign_external(ctx, p, path, data, len);
	int r = modsign_buffer(&p->keys, p->md, *data, *len, &out, &outlen, &why);
	if (r < 0) {
		log_error("Failed to sign module '%s': %s.", ctx_display(ctx, path), why);
		return SIGN_FAILED;
	}
	free(*data);
	*data = out;
	*len = outlen;
	return 0;
}

void signing_release(struct sign_plan *p)
{
	free(p->external);
	free(p->hash);
	free(p->key_host);
	free(p->cert_host);
	p->external = p->hash = p->key_host = p->cert_host = NULL;
	sign_keys_release(&p->keys);
	p->enabled = false;
}

int signing_generate_mok(const struct ndkms_ctx *ctx)
{
	struct mok_paths m;
	int r = mok_paths_get(ctx, ctx->opt->kvers.n ? ctx->opt->kvers.v[0] : ctx->env->running_kernel, &m);

	if (r < 0)
		return r;
	log_info("Signing key: %s", m.key);
	log_info("Public certificate (MOK): %s", m.cert);
	if (strneq(m.key, "pkcs11:", 7)) {
		log_info("The signing key is a PKCS#11 token; nothing to generate.");
	} else if (is_reg(m.key_host) && is_reg(m.cert_host)) {
		log_info("Key and certificate exist already; they are left as they are.");
	} else {
		r = ensure_mok(&m, true);
		if (r == 0)
			log_info("Created %s and %s.", m.key, m.cert);
		else if (r == 1)
			r = NDKMS_E_FAILED;
	}
	mok_paths_release(&m);
	return r;
}

char *signing_certificate(const struct ndkms_ctx *ctx, const char *kver)
{
	struct mok_paths m;
	char *cert;

	if (mok_paths_get(ctx, kver, &m) < 0)
		return NULL;
	cert = TAKE_PTR(m.cert);
	mok_paths_release(&m);
	return cert;
}

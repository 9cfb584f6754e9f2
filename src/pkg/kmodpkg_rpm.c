// SPDX-License-Identifier: GPL-2.0-or-later
/* kmodpkg_rpm.c - kmod RPMs: a generated spec per package, built by rpmbuild. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "pkg/kmodpkg.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/spawn.h"
#include "util/strbuf.h"

#define SIG_MAGIC "~Module signature appended~\n"

char *kmodpkg_version_field(const char *v)
{
	char *s = xstrdup(v);

	for (char *c = s; *c; c++)
		if (*c == '-' || *c == ' ' || *c == '/')
			*c = '_';
	return s;
}

char *kmodpkg_kver_evr(const char *kver)
{
	char *s = xstrdup(kver);
	char *d = strchr(s, '-');

	for (char *c = d ? d + 1 : s + strlen(s); *c; c++)
		if (*c == '-')
			*c = '_';
	return s;
}

bool kmodpkg_is_signed(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "rb");
	char tail[sizeof(SIG_MAGIC) - 1];

	if (!f || fseek(f, -(long)sizeof(tail), SEEK_END) < 0 || fread(tail, 1, sizeof(tail), f) !=
	    sizeof(tail))
		return false;
	return memcmp(tail, SIG_MAGIC, sizeof(tail)) == 0;
}

/* Spec text is written verbatim: a '%' of ours is doubled so rpm does not expand it. */
static void add_escaped(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '%')
			sb_addch(sb, '%');
		sb_addch(sb, *s);
	}
}

bool kmodpkg_safe_word(const char *s)
{
	for (; *s; s++)
		if (!(*s == '.' || *s == '-' || *s == '_' || *s == '+' ||
		      (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

static void spec_head(struct strbuf *sb, const struct kmodpkg_opts *o, const char *name)
{
	_cleanup_free_ char *ver = kmodpkg_version_field(o->version);

	sb_adds(sb, "%global debug_package %{nil}\n"
		    "%global __os_install_post %{nil}\n"
		    "%global _build_id_links none\n");
	sb_addf(sb, "Name: %s\nVersion: %s\nRelease: %s\n", name, ver, o->release);
	sb_addf(sb, "Summary: %s kernel module(s)\nLicense: GPL-2.0-only\nBuildArch: %s\n",
		o->module, o->arch);
}

/* Copy (and for kabi strip unsigned plain modules) into SOURCES; the %install lines. */
static int stage(const struct kmodpkg_opts *o, const char *sources, const struct kmodpkg_kernel *k,
		 struct strbuf *install, struct strbuf *files, struct strv *inroot)
{
	for (size_t i = 0; i < k->files.n; i++) {
		const char *b = path_basename(k->files.v[i]);
		/* b goes into %install, %post and %preun, which rpm runs through a shell as root */
		if (!kmodpkg_safe_word(b)) {
			_cleanup_free_ char *e = log_escape(b);
			log_error("mkkmod: module file '%s' cannot be used in an RPM spec.", e);
			return -EINVAL;
		}
		_cleanup_free_ char *src = xasprintf("%s/%s-%s", sources, k->kver, b);
		_cleanup_free_ char *dst = xasprintf("/lib/modules/%s/extra/%s/%s", k->kver,
						     o->module, b);
		int r = copy_file_atomic(k->files.v[i], src, 0644);
		if (r < 0)
			return r;
		size_t n = strlen(b);
		if (o->kabi && n > 3 && streq(b + n - 3, ".ko") && !kmodpkg_is_signed(src)) {
			const char *argv[] = {"strip", "--strip-debug", src, NULL};
			struct spawn_opts so = {.argv = argv, .quiet = true};
			int status;
			if (spawn_run(&so, &status) < 0 || status)
				log_warn("mkkmod: could not strip %s; packaged as built.", b);
		}
		sb_addf(install, "install -D -m 0644 %%{_sourcedir}/%s-%s %%{buildroot}%s\n",
			k->kver, b, dst);
		sb_addf(files, "%s\n", dst);
		strv_push(inroot, dst);
	}
	return 0;
}

/* Move what rpmbuild wrote in priv (FILE or ARCH/FILE) into out, never through a planted link. */
static int move_out(const char *priv, const char *out)
{
	DIR *d = opendir(priv);
	int r = 0;

	if (!d)
		return -errno;
	for (struct dirent *de; r == 0 && (de = readdir(d));) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		_cleanup_free_ char *from = path_join(priv, de->d_name);
		_cleanup_free_ char *to = path_join(out, de->d_name);
		struct stat st;
		if (lstat(from, &st) < 0) {
			r = -errno;
		} else if (S_ISDIR(st.st_mode)) {
			struct stat tst;
			if (lstat(to, &tst) == 0 && !S_ISDIR(tst.st_mode)) {
				log_error("mkkmod: %s is not a folder.", to);
				r = -ENOTDIR;
			} else {
				r = mkdir_p(to, 0755);
			}
			if (r == 0)
				r = move_out(from, to);
		} else if (S_ISREG(st.st_mode)) {
			r = rename_sync(from, to);
		}
	}
	closedir(d);
	return r;
}

int kmodpkg_rpmbuild(const struct kmodpkg_opts *o, const char *top, const char *spec_path,
		     const char *spec, bool source)
{
	int r = write_file_atomic(spec_path, spec, strlen(spec), 0644);
	if (r < 0)
		return r;
	/* rpmbuild writes into a private (0700) folder in --out; the packages are moved out */
	_cleanup_free_ char *priv = mkdtemp_in(o->out_dir, ".mkkmod-rpm.");
	if (!priv) {
		r = -errno;
		log_error("mkkmod: cannot create a folder in %s: %s", o->out_dir, strerror(-r));
		return r;
	}
	_cleanup_free_ char *d1 = xasprintf("_topdir %s", top);
	_cleanup_free_ char *d2 = xasprintf("%s %s", source ? "_srcrpmdir" : "_rpmdir", priv);
	_cleanup_free_ char *d3 = xasprintf("_sourcedir %s/SOURCES", top);
	_cleanup_free_ char *log = xasprintf("%s/rpmbuild.log", top);
	const char *argv[] = {"rpmbuild", source ? "-bs" : "-bb", "--nodeps", "--define", d1,
			      "--define", d2, "--define", d3, spec_path, NULL};
	struct spawn_opts so = {.argv = argv, .log_path = log};
	int status;
	r = spawn_run(&so, &status);
	if (r < 0) {
		log_error("mkkmod: cannot run rpmbuild: %s", strerror(-r));
	} else if (status) {
		_cleanup_free_ char *text = NULL;
		/* a log that cannot be read leaves text NULL: the message goes without it */
		if (read_file(log, &text, NULL, 1 << 20) < 0)
			text = NULL;
		log_error("mkkmod: rpmbuild failed (exit %d):\n%s", status, text ? text : "");
		r = -EIO;
	} else {
		r = move_out(priv, o->out_dir);
		if (r < 0)
			log_error("mkkmod: cannot move the packages into %s: %s", o->out_dir,
				  strerror(-r));
	}
	rm_rf(priv);
	return r;
}

static void say_built(const struct kmodpkg_opts *o, const char *name)
{
	_cleanup_free_ char *ver = kmodpkg_version_field(o->version);

	log_info("Wrote %s/%s/%s-%s-%s.%s.rpm", o->out_dir, o->arch, name, ver, o->release, o->arch);
}

static int build_fedora(const struct kmodpkg_opts *o, const char *top, const char *sources,
			const struct kmodpkg_kernel *k, size_t nk)
{
	_cleanup_free_ char *ver = kmodpkg_version_field(o->version);
	int r = 0;

	for (size_t i = 0; i < nk && r == 0; i++) {
		_cleanup_strbuf_ struct strbuf spec = STRBUF_INIT, inst = STRBUF_INIT, files = STRBUF_INIT;
		_cleanup_strv_ struct strv inroot = STRV_INIT;
		_cleanup_free_ char *name = xasprintf("kmod-%s-%s", o->module, k[i].kver);
		_cleanup_free_ char *evr = kmodpkg_kver_evr(k[i].kver);
		_cleanup_free_ char *sp = xasprintf("%s/%s.spec", top, name);

		r = stage(o, sources, &k[i], &inst, &files, &inroot);
		if (r < 0)
			break;
		spec_head(&spec, o, name);
		sb_addf(&spec, "Provides: kernel-modules-for-kernel = %s\n", evr);
		sb_addf(&spec, "Provides: %s-kmod = %s-%s\n", o->module, ver, o->release);
		sb_addf(&spec, "Requires: %s-kmod-common >= %s\n", o->module, ver);
		sb_addf(&spec, "Requires: kernel-uname-r = %s\n", evr);
		sb_addf(&spec, "Requires(post): kmod\n");
		sb_addf(&spec, "\n%%description\n%s kernel module(s) for kernel %s.\n", o->module,
			k[i].kver);
		sb_addf(&spec, "\n%%install\n%s", sb_str(&inst));
		sb_addf(&spec, "\n%%post\nif [ -f /boot/System.map-%s ]; then depmod -aeF "
			       "/boot/System.map-%s %s; else depmod -a %s; fi || :\n",
			k[i].kver, k[i].kver, k[i].kver, k[i].kver);
		sb_addf(&spec, "\n%%postun\nif [ -f /boot/System.map-%s ]; then depmod -aF "
			       "/boot/System.map-%s %s; else depmod -a %s; fi || :\n",
			k[i].kver, k[i].kver, k[i].kver, k[i].kver);
		sb_addf(&spec, "\n%%files\n%%dir /lib/modules/%s/extra\n/lib/modules/%s/extra/%s/\n",
			k[i].kver, k[i].kver, o->module);
		r = kmodpkg_rpmbuild(o, top, sp, sb_str(&spec), false);
		if (r == 0)
			say_built(o, name);
	}
	if (r < 0)
		return r;

	/* the meta package follows the newest kernel (k is in version order) */
	_cleanup_strbuf_ struct strbuf spec = STRBUF_INIT;
	_cleanup_free_ char *name = xasprintf("kmod-%s", o->module);
	_cleanup_free_ char *sp = xasprintf("%s/%s.spec", top, name);
	spec_head(&spec, o, name);
	sb_addf(&spec, "Requires: kmod-%s-%s >= %s-%s\n", o->module, k[nk - 1].kver, ver,
		o->release);
	sb_addf(&spec, "\n%%description\nMeta package: %s kernel module(s) for the newest "
		       "kernel.\n\n%%files\n", o->module);
	r = kmodpkg_rpmbuild(o, top, sp, sb_str(&spec), false);
	if (r == 0)
		say_built(o, name);
	return r;
}

static int build_kabi(const struct kmodpkg_opts *o, const char *top, const char *sources,
		      const struct kmodpkg_kernel *k)
{
	_cleanup_strbuf_ struct strbuf spec = STRBUF_INIT, inst = STRBUF_INIT, files = STRBUF_INIT,
				       list = STRBUF_INIT;
	_cleanup_strv_ struct strv inroot = STRV_INIT;
	_cleanup_free_ char *ver = kmodpkg_version_field(o->version);
	_cleanup_free_ char *name = xasprintf("kmod-%s", o->module);
	_cleanup_free_ char *evr = kmodpkg_kver_evr(k->kver);
	_cleanup_free_ char *sp = xasprintf("%s/%s.spec", top, name);
	_cleanup_free_ char *saved = xasprintf("/var/run/rpm-kmod-%s-modules", o->module);
	int r = stage(o, sources, k, &inst, &files, &inroot);

	if (r < 0)
		return r;
	for (size_t i = 0; i < inroot.n; i++)
		sb_addf(&list, " %s", inroot.v[i]);
	spec_head(&spec, o, name);
	sb_addf(&spec, "Provides: kernel-modules >= %s.%s\n", evr, o->arch);
	sb_addf(&spec, "Provides: kmod-%s = %s-%s\n", o->module, ver, o->release);
	sb_addf(&spec, "Requires: kernel >= %s\n", evr);
	sb_addf(&spec, "\n%%description\n%s kernel module(s) built for kernel %s, linked into "
		       "every kABI-compatible kernel by weak-modules.\n", o->module, k->kver);
	sb_addf(&spec, "\n%%install\n%s", sb_str(&inst));
	/* ndkms's weak-modules where RHEL's script is missing */
	const char *wm = "if [ -x /usr/sbin/weak-modules ]; then wm=/usr/sbin/weak-modules; "
			 "else wm=\"ndkms weak-modules\"; fi\n";
	sb_adds(&spec, "\n%post\n");
	sb_adds(&spec, wm);
	sb_adds(&spec, "printf '%%s\\n'");
	add_escaped(&spec, sb_str(&list));
	sb_adds(&spec, " | $wm --no-initramfs --add-modules || :\n");
	sb_adds(&spec, "\n%preun\nmkdir -p /var/run\nprintf '%%s\\n'");
	add_escaped(&spec, sb_str(&list));
	sb_addf(&spec, " >%s\n", saved);
	sb_adds(&spec, "\n%postun\n");
	sb_adds(&spec, wm);
	sb_addf(&spec, "if [ -f %s ]; then $wm --no-initramfs --remove-modules <%s || :; "
		       "rm -f %s; fi\n", saved, saved, saved);
	sb_addf(&spec, "\n%%files\n%%dir /lib/modules/%s/extra\n%s", k->kver, sb_str(&files));
	r = kmodpkg_rpmbuild(o, top, sp, sb_str(&spec), false);
	if (r == 0)
		say_built(o, name);
	return r;
}

int kmodpkg_rpm_build(const struct kmodpkg_opts *o, const struct kmodpkg_kernel *k, size_t nk)
{
	if (!kmodpkg_safe_word(o->module) || !kmodpkg_safe_word(o->version) ||
	    !kmodpkg_safe_word(o->arch)) {
		log_error("mkkmod: '%s/%s' (%s) cannot be used in an RPM name.", o->module,
			  o->version, o->arch);
		return -EINVAL;
	}
	for (size_t i = 0; i < nk; i++) {
		if (!kmodpkg_safe_word(k[i].kver)) {
			log_error("mkkmod: kernel '%s' cannot be used in an RPM name.", k[i].kver);
			return -EINVAL;
		}
	}
	_cleanup_free_ char *top = mkdtemp_in(o->tmp_dir, "mkkmod-rpm.");
	if (!top)
		return -errno;
	_cleanup_free_ char *sources = path_join(top, "SOURCES");
	int r = mkdir_p(sources, 0755);
	if (r == 0)
		r = mkdir_p(o->out_dir, 0755);
	if (r == 0)
		r = o->kabi ? build_kabi(o, top, sources, &k[0]) : build_fedora(o, top, sources, k, nk);
	rm_rf(top);
	return r;
}

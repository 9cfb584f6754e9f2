#!/bin/sh
# t-mkkmod-pkgbuild.sh - mkkmod --format pkgbuild: the PKGBUILD folder built by makepkg as an
# unprivileged user (nobody) in a scratch folder under /tmp gives the package --format pacman
# makes (file list, name, version, arch, depends), which pacman installs into a private root.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] && [ -f "/lib/modules/$KVER/build/Makefile" ] || skip_all "no kernel headers installed"
[ "$(id -u)" = 0 ] || skip_all "needs root to run makepkg as another user"
for c in makepkg pacman bsdtar setpriv fakeroot; do
	command -v $c >/dev/null || skip_all "$c is not installed"
done
id nobody >/dev/null 2>&1 || skip_all "no user nobody"

# what is compared: the payload, and the .PKGINFO fields both writers set alike
files() { bsdtar -tf "$1" | grep -v '^\.' | sort; }
info() { bsdtar -xOf "$1" .PKGINFO | grep -E '^(pkgname|pkgver|pkgdesc|arch|license|depend) = ' | sort; }

S=$(mktemp -d "$TMPROOT/pkgbuild.XXXXXX")
B=$(mktemp -d /tmp/ndkms-makepkg.XXXXXX)
chmod 755 "$S" "$B"
trap 'cleanup; rm -rf "$S" "$B"' EXIT
mkroot
add_source hello 1.0
expect_rc "build hello" 0 nd build hello/1.0 -k "$KVER"
expect_rc "reference: --format pacman" 0 nd mkkmod hello/1.0 -k "$KVER" --format pacman --out "$S/ref"
REF=$S/ref/kmod-hello-$KVER-1.0-1-$ARCH.pkg.tar.zst
expect_rc "mkkmod --format pkgbuild" 0 nd mkkmod hello/1.0 --format pkgbuild --out "$S/pb"
check "the folder has the PKGBUILD and the sources, nothing else" \
	[ "$(ls -A "$S/pb/kmod-hello" 2>/dev/null | tr '\n' ' ')" = "PKGBUILD hello-1.0.tar.gz " ]
check "no temporary folder left in --out" [ "$(ls -A "$S/pb" | tr '\n' ' ')" = "kmod-hello " ]
check "the PKGBUILD carries the tarball's sha256" \
	grep -q "sha256sums=('$(sha256sum "$S/pb/kmod-hello/hello-1.0.tar.gz" | cut -d' ' -f1)')" "$S/pb/kmod-hello/PKGBUILD"

# makepkg refuses root: it runs as nobody, with ndkms (BuildRequires) copied where nobody can run it
cp -r "$S/pb/kmod-hello" "$B/"
mkdir -p "$B/bin" "$B/home"
cp "$NDKMS" "$B/bin/ndkms"
chown -R nobody:nogroup "$B/kmod-hello" "$B/home"
(cd "$B/kmod-hello" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
	env HOME="$B/home" NDKMS_KERNELS="$KVER" makepkg --printsrcinfo) >"$S/srcinfo" 2>&1
check "makepkg --printsrcinfo: one package per kernel, kmod-hello-$KVER" \
	grep -qx "pkgname = kmod-hello-$KVER" "$S/srcinfo"
expect_rc "mkkmod --format pkgbuild --style kabi" 0 nd mkkmod hello/1.0 --format pkgbuild --style kabi --out "$S/pbk"
cp -r "$S/pbk/kmod-hello" "$B/kabi"
chown -R nobody:nogroup "$B/kabi"
(cd "$B/kabi" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
	env HOME="$B/home" NDKMS_KERNELS="$KVER" makepkg --printsrcinfo) >"$S/srcinfo" 2>&1
check "kabi: one package kmod-hello" grep -qx "pkgname = kmod-hello" "$S/srcinfo"
(cd "$B/kabi" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
	env HOME="$B/home" NDKMS_KERNELS="$KVER 6.1.0-999-amd64" makepkg --printsrcinfo) >"$OUT" 2>&1
check "kabi: two kernels are refused" [ $? != 0 ]
expect_out "  saying why" "kabi packages one kernel"
# --nodeps: this Debian host has no pacman database with linux, linux-headers or ndkms
(cd "$B/kmod-hello" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
	env HOME="$B/home" PATH="$B/bin:/usr/bin:/bin" NDKMS_KERNELS="$KVER" PKGEXT=.pkg.tar.zst \
	makepkg -f --nodeps) >"$OUT" 2>&1
rc=$?
check "makepkg (as nobody) built the package (exit $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || sed 's/^/# | /' "$OUT" | tail -n 30
GOT=$B/kmod-hello/kmod-hello-$KVER-1.0-1-$ARCH.pkg.tar.zst
check "named as --format pacman names it" [ -f "$GOT" ]
files "$REF" >"$S/want.files"
files "$GOT" >"$S/got.files" 2>&1
check "the same file list as --format pacman" cmp -s "$S/want.files" "$S/got.files"
diff "$S/want.files" "$S/got.files" | sed 's/^/# /'
info "$REF" >"$S/want.info"
info "$GOT" >"$S/got.info" 2>&1
check "the same name, version, arch, license and depends" cmp -s "$S/want.info" "$S/got.info"
diff "$S/want.info" "$S/got.info" | sed 's/^/# /'
check "without NDKMS_SIGN_KEY the module is not signed" \
	[ "$(bsdtar -xOf "$GOT" "usr/lib/modules/$KVER/extra/hello/hello.ko" | tail -c 28)" != '~Module signature appended~' ]

P=$S/alpm
mkdir -p "$P/var/lib/pacman" "$P/var/log" "$P/var/cache/pacman/pkg"
printf '[options]\nArchitecture = auto\nSigLevel = Never\nLocalFileSigLevel = Never\n' >"$S/pacman.conf"
expect_rc "pacman -U into a private root" 0 pacman --config "$S/pacman.conf" --root "$P" --dbpath "$P/var/lib/pacman" \
	--hookdir "$P/etc/pacman.d/hooks" --cachedir "$P/var/cache/pacman/pkg" \
	--logfile "$P/var/log/pacman.log" --gpgdir "$P/etc/pacman.d/gnupg" --noconfirm -dd -U "$GOT"
expect_rc "modinfo reads the installed module" 0 modinfo -F version "$P/usr/lib/modules/$KVER/extra/hello/hello.ko"
expect_out "its version" "1.0"
check "pacman owns it" sh -c "pacman --root '$P' --dbpath '$P/var/lib/pacman' -Qo '$P/usr/lib/modules/$KVER/extra/hello/hello.ko' >/dev/null"
check "nothing written outside the root" host_unchanged
done_testing

#!/bin/sh
# t-mkkmod.sh - mkkmod: fedora and kabi kmod RPMs (fields read back with rpm -qp), the kabi RPM
# installed into an overlay of / (its %post runs weak-modules, %postun removes the links), and a
# pacman package installed with pacman -U into a private root.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
[ "$(id -u)" = 0 ] || skip_all "needs root for the private mount namespace"
for c in rpm rpmbuild rpmdb pacman unshare modinfo; do
	command -v $c >/dev/null || skip_all "$c is not installed"
done
GOOD=6.1.0-905-amd64

if [ -z "${NDKMS_IN_NS:-}" ]; then
	S=$(mktemp -d "$TMPROOT/mkkmod.XXXXXX")
	chmod 755 "$S"
	mkroot
	add_source hello 1.0
	expect_rc "build hello" 0 nd build hello/1.0 -k "$KVER"
	# a second kernel the module counts as built for (a copy of the first build)
	K2=6.1.0-906-amd64
	cp -a "$ROOT/var/lib/dkms/hello/1.0/$KVER" "$ROOT/var/lib/dkms/hello/1.0/$K2"
	expect_rc "mkkmod fedora rpm" 0 nd mkkmod hello/1.0 --out "$S/fedora"
	F=$S/fedora/$ARCH
	EVR=$(echo "$KVER" | sed 's/-/_/2g')
	for k in "$KVER" "$K2"; do
		p=$F/kmod-hello-$k-1.0-1.$ARCH.rpm
		check "kmod-hello-$k built" [ -f "$p" ]
		rpm -qp --provides --requires --scripts "$p" >"$OUT" 2>&1
		e=$(echo "$k" | sed 's/-/_/2g')
		expect_out "$k: Provides kernel-modules-for-kernel" "kernel-modules-for-kernel = $e"
		expect_out "$k: Provides hello-kmod" "hello-kmod = 1.0-1"
		expect_out "$k: Requires hello-kmod-common" "hello-kmod-common >= 1.0"
		expect_out "$k: Requires the kernel" "kernel-uname-r = $e"
		expect_out "$k: depmod in %post" "depmod -aeF /boot/System.map-$k $k"
		expect_out "$k: depmod in %postun" "postuninstall scriptlet"
		rpm -qpl "$p" >"$OUT" 2>&1
		expect_out "$k: files under extra/hello" "/lib/modules/$k/extra/hello/hello.ko"
	done
	rpm -qp --requires "$F/kmod-hello-1.0-1.$ARCH.rpm" >"$OUT" 2>&1
	expect_out "meta package requires the newest" "kmod-hello-$K2 >= 1.0-1"

	expect_rc "mkkmod kabi rpm" 0 nd mkkmod hello/1.0 -k "$KVER" --style kabi --out "$S/kabi"
	KP=$S/kabi/$ARCH/kmod-hello-1.0-1.$ARCH.rpm
	rpm -qp --provides --requires --scripts "$KP" >"$OUT" 2>&1
	expect_out "kabi: Provides kernel-modules" "kernel-modules >= $EVR.$ARCH"
	expect_out "kabi: Provides kmod-hello" "kmod-hello = 1.0-1"
	expect_out "kabi: Requires kernel" "kernel >= $EVR"
	expect_out "kabi: %post adds modules" "--no-initramfs --add-modules"
	expect_out "kabi: %preun saves the list" ">/var/run/rpm-kmod-hello-modules"
	expect_out "kabi: %postun removes modules" "--no-initramfs --remove-modules"
	expect_out "kabi: printf's % survived the spec" "printf '%s\n' /lib/modules/$KVER/extra/hello/hello.ko"
	expect_rc "two kernels with --style kabi" 2 nd mkkmod hello/1.0 --style kabi --out "$S/x"

	expect_rc "mkkmod pacman" 0 nd mkkmod hello/1.0 -k "$KVER" --format pacman --out "$S/pac"
	PP=$S/pac/kmod-hello-$KVER-1.0-1-$ARCH.pkg.tar.zst
	check "pacman package written" [ -f "$PP" ]
	P=$S/alpm
	mkdir -p "$P/var/lib/pacman" "$P/var/log" "$P/var/cache/pacman/pkg"
	printf '[options]\nArchitecture = auto\nSigLevel = Never\nLocalFileSigLevel = Never\n' >"$S/pacman.conf"
	expect_rc "pacman -U" 0 pacman --config "$S/pacman.conf" --root "$P" --dbpath "$P/var/lib/pacman" \
		--hookdir "$P/etc/pacman.d/hooks" --cachedir "$P/var/cache/pacman/pkg" \
		--logfile "$P/var/log/pacman.log" --gpgdir "$P/etc/pacman.d/gnupg" --noconfirm -dd -U "$PP"
	expect_rc "modinfo reads the installed module" 0 modinfo -F version "$P/usr/lib/modules/$KVER/extra/hello/hello.ko"
	expect_out "its version" "1.0"
	check "pacman lists its files" sh -c "pacman --root '$P' --dbpath '$P/var/lib/pacman' -Ql 'kmod-hello-$KVER' | grep -q '/usr/lib/modules/$KVER/extra/hello/hello.ko\$'"

	NDKMS_IN_NS=1 S=$S KP=$KP NDKMS_TESTN=$TESTN unshare -m sh "$0"
	rc=$?
	rm -rf "$S"
	exit $rc
fi

TESTN=${NDKMS_TESTN:-0}
overlay_root
mkdir -p "$R/lib/modules/$GOOD/kernel" "$R/boot"
gzip -c "/lib/modules/$KVER/build/Module.symvers" >"$R/boot/symvers-$GOOD.gz"
cp "$NDKMS" "$R/usr/sbin/ndkms"
rm -rf "$R/var/lib/rpm-kmod"
rpmdb --root "$R" --dbpath /var/lib/rpm-kmod --initdb
RPM="rpm --root $R --dbpath /var/lib/rpm-kmod --force-debian --nodeps"
expect_rc "rpm -i the kabi kmod" 0 $RPM -i "$KP"
check "module installed in extra/" [ -f "$R/lib/modules/$KVER/extra/hello/hello.ko" ]
check "%post linked it into the compatible kernel" [ "$(readlink "$R/lib/modules/$GOOD/weak-updates/hello/hello.ko")" = "../../../$KVER/extra/hello/hello.ko" ]
check "that kernel's modules.dep lists it" grep -q "^weak-updates/hello/hello.ko:" "$R/lib/modules/$GOOD/modules.dep"
expect_rc "rpm -e the kabi kmod" 0 $RPM -e kmod-hello
check "%postun removed the link" [ ! -e "$R/lib/modules/$GOOD/weak-updates/hello/hello.ko" ]
check "the saved list is gone" [ ! -e "$R/var/run/rpm-kmod-hello-modules" ]
check "the host's / is untouched" host_unchanged
done_testing

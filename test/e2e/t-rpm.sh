#!/bin/sh
# t-rpm.sh - real rpm transactions into an overlay of the host's / in a private mount namespace:
# rpmbuild -ta builds ndkms from make dist's tarball (hooks/rpm/ndkms.spec, with its file
# triggers), rpmbuild packages hello-dkms (Requires: dkms, no scriptlets); installing, upgrading and erasing hello-dkms, and adding and erasing a kernel
# package, build, rebuild and remove the module.  rpm exits 0 whatever a trigger does, so the
# triggers' effects are what is checked.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
[ "$(id -u)" = 0 ] || skip_all "needs root for the private mount namespace"
for c in rpm rpmbuild rpmdb unshare bsdtar; do
	command -v $c >/dev/null || skip_all "$c is not installed"
done
K2=6.1.0-98-rpmtest

V=$(cat "$REPO/VERSION")
if [ -z "${NDKMS_IN_NS:-}" ]; then
	scratch_dir S
	# ndkms as a Fedora user builds it: rpmbuild -ta on make dist's tarball (--nodeps: the
	# BuildRequires are Debian packages here)
	expect_rc "make dist" 0 make -C "$REPO" --no-print-directory dist DIST_DIR="$S"
	expect_rc "rpmbuild -ta ndkms-$V.tar.gz" 0 rpmbuild --quiet --nodeps --define "_topdir $S/top" \
		--define "_smp_mflags -j2" -ta "$S/ndkms-$V.tar.gz"
	NRPM=$(ls "$S"/top/RPMS/*/ndkms-$V-1.*.rpm 2>/dev/null | head -n 1)
	rpm -qlp "$NRPM" >"$S/ndkms.files" 2>/dev/null
	check "the package has /usr/bin/ndkms and the dkms link" sh -c "grep -qx /usr/bin/ndkms '$S/ndkms.files' &&
		grep -qx /usr/bin/dkms '$S/ndkms.files'"
	check "man page and bash, zsh and fish completions" sh -c "grep -q '^/usr/share/man/man8/ndkms.8' '$S/ndkms.files' &&
		grep -qx /usr/share/bash-completion/completions/ndkms '$S/ndkms.files' &&
		grep -qx /usr/share/zsh/site-functions/_ndkms '$S/ndkms.files' &&
		grep -qx /usr/share/fish/vendor_completions.d/ndkms.fish '$S/ndkms.files'"
	check "no pacman or Debian hooks in it" sh -c "[ -s '$S/ndkms.files' ] && ! grep -q -e libalpm -e '^/etc/kernel' '$S/ndkms.files'"
	for h in "$REPO"/hooks/kernel-install/* "$REPO"/hooks/systemd/*; do
		check "it ships ${h##*/}" grep -q "/${h##*/}\$" "$S/ndkms.files"
	done
	check "its triggers run /usr/bin/ndkms" sh -c "rpm -qp --filetriggers '$NRPM' | grep -q '/usr/bin/ndkms hook rpm install' &&
		rpm -qp --filetriggers '$NRPM' | grep -q '/usr/bin/ndkms hook rpm remove'"
	check "it provides dkms" sh -c "rpm -qp --provides '$NRPM' | grep -qx 'dkms = 3.4.3'"
	for v in 1.0 1.1; do
		expect_rc "rpmbuild hello-dkms $v" 0 rpmbuild --quiet --nodeps --define "_topdir $S/top" \
			--define "_sourcedir $REPO/examples/hello" --define "hello_version $v" \
			-bb "$REPO/examples/hello-dkms/hello-dkms.spec"
	done
	# a kernel package: a module tree with its indexes and a build link to the real headers
	pl=$S/kpayload/$K2
	mkdir -p "$pl/kernel/drivers/dummy"
	sh "$REPO/test/fixtures/fake-ko.sh" "$pl/kernel/drivers/dummy/intree_dummy.ko" intree_dummy 1.0
	echo kernel/drivers/dummy/intree_dummy.ko >"$pl/modules.order"
	: >"$pl/modules.builtin"
	mkdir -p "$S/kroot/lib/modules" && cp -a "$pl" "$S/kroot/lib/modules/"
	/sbin/depmod -b "$S/kroot" "$K2" 2>/dev/null && cp "$S/kroot/lib/modules/$K2"/modules.* "$pl/"
	ln -s "$(readlink -f "/lib/modules/$KVER/build")" "$pl/build"
	cat >"$S/kernel-test.spec" <<SPEC
Name: kernel-test
Version: 1
Release: 1
Summary: a kernel for the test
License: GPL
BuildArch: noarch
%description
A kernel module tree for the test.
%install
mkdir -p %{buildroot}/lib/modules
cp -a $S/kpayload/. %{buildroot}/lib/modules/
%files
/lib/modules/$K2
SPEC
	expect_rc "rpmbuild kernel-test" 0 rpmbuild --quiet --nodeps --define "_topdir $S/top" \
		--define "__os_install_post %{nil}" -bb "$S/kernel-test.spec"
	NDKMS_IN_NS=1 S=$S NRPM=$NRPM NDKMS_TESTN=$TESTN unshare -m sh "$0"
	exit $?
fi

TESTN=${NDKMS_TESTN:-0}
overlay_root
KD=$R/lib/modules/$KVER
kernel_tree "$KD"
rm -rf "$R/var/lib/dkms" "$R/var/lib/rpm"
rpmdb --root "$R" --dbpath /var/lib/rpm --initdb
RPMQ="rpm --root $R --dbpath /var/lib/rpm --force-debian"
RPM="$RPMQ --nodeps"
RPMS=$S/top/RPMS
nds() { "$NDKMS" --root "$R" "$@"; }

# the overlay stands for a Fedora root without dkms: the host's own dkms is taken out of it
rm -f "$R/usr/sbin/dkms"
# --nodeps for ndkms: gcc, make, kmod and the libraries are no rpm packages here
expect_rc "rpm -i ndkms" 0 $RPM -i "$NRPM"
bsdtar -xOf "$NRPM" ./usr/bin/ndkms >"$S/ndkms.bin" 2>/dev/null
check "the trigger's binary is in place (the package's)" sh -c "[ -s '$S/ndkms.bin' ] && [ -x '$R/usr/bin/ndkms' ] &&
	cmp -s '$S/ndkms.bin' '$R/usr/bin/ndkms'"
# without --nodeps: Requires: dkms is met by ndkms
expect_rc "rpm -i hello-dkms 1.0" 0 $RPMQ -i "$RPMS/noarch/hello-dkms-1.0-1.noarch.rpm"
expect_out "the file trigger installed it" "hello/1.0, $KVER, $ARCH: installed"
check "hello.ko installed" [ -f "$KD/updates/dkms/hello.ko" ]
check "modules.dep lists hello" grep -q "^updates/dkms/hello.ko:" "$KD/modules.dep"
expect_rc "rpm -U hello-dkms 1.1" 0 $RPM -U "$RPMS/noarch/hello-dkms-1.1-1.noarch.rpm"
expect_out "1.0 removed before" "hello/1.0, $KVER, $ARCH: removed"
expect_out "1.1 installed after" "hello/1.1, $KVER, $ARCH: installed"
check "1.0 gone from the DKMS tree" [ ! -e "$R/var/lib/dkms/hello/1.0" ]
check "1.1 active" [ "$(readlink "$R/var/lib/dkms/hello/kernel-$KVER-$ARCH")" = "1.1/$KVER/$ARCH" ]

expect_rc "rpm -i kernel-test (a new kernel)" 0 $RPM -i "$RPMS/noarch/kernel-test-1-1.noarch.rpm"
expect_out "the module rebuilt for the new kernel" "hello/1.1, $K2, $ARCH: installed"
check "hello.ko in the new kernel" [ -f "$R/lib/modules/$K2/updates/dkms/hello.ko" ]
check "its modules.dep lists hello" grep -q "^updates/dkms/hello.ko:" "$R/lib/modules/$K2/modules.dep"
expect_rc "status --verbose" 0 nds status --verbose
expect_out "source owner from the rpm database" "source /usr/src/hello-1.1: hello-dkms 1.1-1"
expect_out "kernel owner from the rpm database" "kernel $K2: kernel-test 1-1"

expect_rc "rpm -e kernel-test" 0 $RPM -e kernel-test
expect_out "module removed for the leaving kernel" "hello/1.1, $K2, $ARCH: removed"
check "still installed for the other kernel" [ -f "$KD/updates/dkms/hello.ko" ]
expect_rc "rpm -e hello-dkms" 0 $RPM -e hello-dkms
expect_out "removed" "hello/1.1, $KVER, $ARCH: removed"
check "module uninstalled" [ ! -e "$KD/updates/dkms/hello.ko" ]
check "module removed from the DKMS tree" [ ! -e "$R/var/lib/dkms/hello" ]
check "modules.dep no longer lists it" sh -c "grep -q intree_dummy '$KD/modules.dep' && ! grep -q hello '$KD/modules.dep'"
check "the host's / is untouched" host_unchanged
check "the host's rpm database has no ndkms" sh -c "! rpm -q ndkms >/dev/null 2>&1"
done_testing

#!/bin/sh
# t-mkkmod-srpm.sh - mkkmod --format srpm: the source RPMs (--style fedora and kabi) rebuilt with
# rpmbuild --rebuild against this machine's kernel headers give the packages --format rpm makes
# (names, provides, requires, file lists), the module signed with the key given to the build;
# the fedora packages installed with rpm into an overlay of / put the module in modules.dep.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] && [ -f "/lib/modules/$KVER/build/Makefile" ] || skip_all "no kernel headers installed"
[ "$(id -u)" = 0 ] || skip_all "needs root for the private mount namespace"
for c in rpm rpmbuild rpmdb rpm2cpio bsdtar unshare modinfo; do
	command -v $c >/dev/null || skip_all "$c is not installed"
done

# every kernel of this machine with headers (what the spec's default %{kernels} finds)
header_kvers() {
	for d in /usr/src/kernels/* /lib/modules/*/build; do
		[ -f "$d/Makefile" ] || continue
		k=$(basename "$d")
		[ "$k" = build ] && k=$(basename "$(dirname "$d")")
		echo "$k"
	done | sort -u -V
}

# the fields compared between a package built by --format rpm and one rebuilt from the SRPM
fields() { rpm -qp --qf '%{NAME} %{VERSION}-%{RELEASE} %{ARCH}\n' --provides --requires -l "$1" 2>&1; }

if [ -z "${NDKMS_IN_NS:-}" ]; then
	S=$(mktemp -d "$TMPROOT/srpm.XXXXXX")
	chmod 755 "$S"
	mkroot
	add_source hello 1.0
	expect_rc "build hello (signed with the root's MOK key)" 0 nd build hello/1.0 -k "$KVER"
	KEY=$ROOT/var/lib/dkms/mok.key CERT=$ROOT/var/lib/dkms/mok.pub
	check "the build made a signing key" [ -f "$KEY" ]
	check "and its certificate" [ -f "$CERT" ]
	expect_rc "reference: --format rpm" 0 nd mkkmod hello/1.0 -k "$KVER" --out "$S/ref"
	expect_rc "reference: --format rpm --style kabi" 0 nd mkkmod hello/1.0 -k "$KVER" --style kabi --out "$S/refk"
	expect_rc "mkkmod --format srpm" 0 nd mkkmod hello/1.0 --format srpm --out "$S/srpm"
	expect_rc "mkkmod --format srpm --style kabi" 0 nd mkkmod hello/1.0 --format srpm --style kabi --out "$S/srpmk"
	SRPM=$S/srpm/kmod-hello-1.0-1.src.rpm
	check "kmod-hello-1.0-1.src.rpm written" [ -f "$SRPM" ]
	rpm -qpl "$SRPM" >"$OUT" 2>&1
	expect_out "it holds the spec" "kmod-hello.spec"
	expect_out "and the sources" "hello-1.0.tar.gz"
	rpm -qp --requires "$SRPM" >"$OUT" 2>&1
	expect_out "BuildRequires ndkms" "ndkms"
	expect_out "BuildRequires kernel-devel" "kernel-devel"
	if command -v rpmspec >/dev/null; then
		mkdir -p "$S/spec" "$S/speck"
		(cd "$S/spec" && rpm2cpio "$SRPM" | bsdtar -xf -)
		(cd "$S/speck" && rpm2cpio "$S/srpmk/kmod-hello-1.0-1.src.rpm" | bsdtar -xf -)
		want=$(for k in $(header_kvers); do echo "kmod-hello-$k"; done)
		check "default %{kernels}: a package per kernel with headers here" \
			[ "$(rpmspec -q --qf '%{NAME}\n' "$S/spec/kmod-hello.spec" 2>/dev/null | tr '\n' ' ')" = \
			"$(printf 'kmod-hello\n%s\n' "$want" | tr '\n' ' ')" ]
		check "--define 'kernels A B': a package for each" \
			[ "$(rpmspec -q --qf '%{NAME}\n' --define 'kernels 6.1.0-1-amd64 6.1.0-2-amd64' "$S/spec/kmod-hello.spec" 2>/dev/null | tr '\n' ' ')" = \
			"kmod-hello kmod-hello-6.1.0-1-amd64 kmod-hello-6.1.0-2-amd64 " ]
		rpmspec -q --define 'kernels 6.1.0-1-amd64;touch${IFS}x' "$S/spec/kmod-hello.spec" >"$OUT" 2>&1
		expect_out "a kernel name with shell characters is refused" "bad kernel name"
		rpmspec -q --define 'kernels 6.1.0-1-amd64 6.1.0-2-amd64' "$S/speck/kmod-hello.spec" >"$OUT" 2>&1
		expect_out "kabi: two kernels are refused" "--style kabi packages one kernel"
	else
		skip "rpmspec is not installed: the spec's kernel list is not checked"
	fi
	expect_rc "an unknown module is refused" 3 nd mkkmod nosuch/1.0 --format srpm --out "$S/x"

	# ndkms for the build (BuildRequires: ndkms) is this checkout's
	mkdir -p "$S/bin"
	ln -s "$NDKMS" "$S/bin/ndkms"
	# --nodeps: this Debian host has no rpm database of ndkms, gcc, make or kernel-devel, so
	# rpmbuild's BuildRequires check cannot pass here; the kernel is named with --define.
	PATH=$S/bin:$PATH expect_rc "rpmbuild --rebuild (fedora, signing key given)" 0 \
		rpmbuild --rebuild --nodeps --define "_topdir $S/top" --define "kernels $KVER" \
		--define "ndkms_sign_key $KEY" --define "ndkms_sign_cert $CERT" "$SRPM"
	PATH=$S/bin:$PATH expect_rc "rpmbuild --rebuild (kabi, no key)" 0 \
		rpmbuild --rebuild --nodeps --define "_topdir $S/topk" --define "kernels $KVER" \
		"$S/srpmk/kmod-hello-1.0-1.src.rpm"
	for pair in "ref top" "refk topk"; do
		ref=$S/${pair% *}/$ARCH got=$S/${pair#* }/RPMS/$ARCH
		check "${pair#* }: the same package names as --format rpm" \
			[ "$(ls "$ref" 2>/dev/null | tr '\n' ' ')" = "$(ls "$got" 2>/dev/null | tr '\n' ' ')" ]
		for p in "$ref"/*.rpm; do
			n=${p##*/}
			fields "$p" >"$S/want"
			fields "$got/$n" >"$S/got"
			check "$n: same name, version, provides, requires and files" cmp -s "$S/want" "$S/got"
			cmp -s "$S/want" "$S/got" || diff "$S/want" "$S/got" | sed 's/^/# /'
		done
	done
	x=$S/x-fedora
	mkdir -p "$x"
	(cd "$x" && rpm2cpio "$S/top/RPMS/$ARCH/kmod-hello-$KVER-1.0-1.$ARCH.rpm" | bsdtar -xf - 2>/dev/null)
	MOD=$x/lib/modules/$KVER/extra/hello/hello.ko
	REFMOD=$(ls "$ROOT/var/lib/dkms/hello/1.0/$KVER/$ARCH/module/hello.ko"*)
	expect_rc "the rebuilt module is signed" 0 modinfo -F sig_key "$MOD"
	check "  by the key given to the build (the reference module's)" \
		sh -c "[ -n \"\$(cat '$OUT')\" ] && [ \"\$(cat '$OUT')\" = \"\$(modinfo -F sig_key '$REFMOD')\" ]"
	x=$S/x-kabi
	mkdir -p "$x"
	(cd "$x" && rpm2cpio "$S/topk/RPMS/$ARCH/kmod-hello-1.0-1.$ARCH.rpm" | bsdtar -xf - 2>/dev/null)
	check "without a key the module is not signed" \
		sh -c "[ -f '$x/lib/modules/$KVER/extra/hello/hello.ko' ] && [ -z \"\$(modinfo -F sig_key '$x/lib/modules/$KVER/extra/hello/hello.ko')\" ]"

	NDKMS_IN_NS=1 S=$S NDKMS_TESTN=$TESTN unshare -m sh "$0"
	rc=$?
	rm -rf "$S"
	exit $rc
fi

TESTN=${NDKMS_TESTN:-0}
overlay_root
rm -rf "$R/var/lib/rpm-srpm"
rpmdb --root "$R" --dbpath /var/lib/rpm-srpm --initdb
RPM="rpm --root $R --dbpath /var/lib/rpm-srpm --force-debian --nodeps"
G=$S/top/RPMS/$ARCH
expect_rc "rpm -i the rebuilt fedora packages into the overlay root" 0 \
	$RPM -i "$G/kmod-hello-$KVER-1.0-1.$ARCH.rpm" "$G/kmod-hello-1.0-1.$ARCH.rpm"
check "module installed in extra/hello" [ -f "$R/lib/modules/$KVER/extra/hello/hello.ko" ]
check "%post's depmod put it in modules.dep" grep -q "^extra/hello/hello.ko:" "$R/lib/modules/$KVER/modules.dep"
expect_rc "rpm -e both" 0 $RPM -e "kmod-hello" "kmod-hello-$KVER"
check "%postun's depmod took it out" sh -c "! grep -q '^extra/hello/hello.ko:' '$R/lib/modules/$KVER/modules.dep'"
check "the host is untouched" host_unchanged
done_testing

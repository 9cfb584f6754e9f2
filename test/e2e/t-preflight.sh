#!/bin/sh
# t-preflight.sh - real pacman kernel transactions into an overlay of the host's / in a private
# mount namespace, with ndkms's ALPM hooks installed from a package: a kernel package and its
# headers package (made here from the machine's Debian headers, under usr/lib/modules/KVER/build)
# arrive together.  The PreTransaction preflight hook builds the AUTOINSTALL modules against the
# headers in the package file before anything is installed.  A required module that fails stops
# the transaction (nothing of it is installed); with it no longer required, the transaction goes
# on, the working module is built once, in the preflight, and installed by the PostTransaction
# hook without a second build.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
[ "$(id -u)" = 0 ] || skip_all "needs root for the private mount namespace"
for c in pacman unshare bsdtar zstd; do
	command -v $c >/dev/null || skip_all "$c is not installed"
done
HDR=$(readlink -f "/lib/modules/$KVER/build")
[ -f "$HDR/Makefile" ] || skip_all "the headers of $KVER are not a folder with a Makefile"

V=$(cat "$REPO/VERSION")
# mkpkg NAME VER STAGE OUT: a pacman package made by hand (.PKGINFO first, no makepkg)
mkpkg() {
	printf 'pkgname = %s\npkgbase = %s\npkgver = %s\npkgdesc = test\nurl = https://example.invalid/\nbuilddate = %s\npackager = test\nsize = %s\narch = %s\nlicense = GPL\n' \
		"$1" "$1" "$2" "$(date +%s)" "$(du -sb "$3" | cut -f1)" "$ARCH" >"$3/.PKGINFO"
	(cd "$3" && bsdtar --zstd --numeric-owner --uid 0 --gid 0 -cf "$4" .PKGINFO $(ls -A | grep -v '^\.PKGINFO$'))
}
if [ -z "${NDKMS_IN_NS:-}" ]; then
	scratch_dir S
	# ndkms: the binary under test and every hook of hooks/alpm
	mkdir -p "$S/st-ndkms/usr/bin" "$S/st-ndkms/usr/share/libalpm/hooks"
	cp "$NDKMS" "$S/st-ndkms/usr/bin/ndkms"
	cp "$REPO"/hooks/alpm/*.hook "$S/st-ndkms/usr/share/libalpm/hooks/"
	mkpkg ndkms "$V-1" "$S/st-ndkms" "$S/ndkms-$V-1-$ARCH.pkg.tar.zst"
	# linux-test: the kernel's module tree; linux-test-headers: its build folder, the Debian
	# headers with their links into linux-kbuild resolved (the common half is reached through
	# the Makefile's absolute include, which the overlay has)
	KD=$S/st-linux/usr/lib/modules/$KVER
	mkdir -p "$KD"
	kernel_tree "$KD"
	mkpkg linux-test "6.1-1" "$S/st-linux" "$S/linux-test-6.1-1-$ARCH.pkg.tar.zst"
	mkdir -p "$S/st-headers/usr/lib/modules/$KVER"
	cp -aL "$HDR" "$S/st-headers/usr/lib/modules/$KVER/build"
	mkpkg linux-test-headers "6.1-1" "$S/st-headers" "$S/linux-test-headers-6.1-1-$ARCH.pkg.tar.zst"
	check "the headers package holds the build folder" sh -c "bsdtar -tf '$S/linux-test-headers-6.1-1-$ARCH.pkg.tar.zst' |
		grep -qx 'usr/lib/modules/$KVER/build/include/'"
	# a hostile headers package: a link in its build folder leaves the package
	mkdir -p "$S/st-evil/usr/lib/modules/9.9.9-evil/build/include"
	ln -s /etc "$S/st-evil/usr/lib/modules/9.9.9-evil/build/source"
	mkpkg linux-evil-headers "1-1" "$S/st-evil" "$S/linux-evil-headers-1-1-$ARCH.pkg.tar.zst"
	printf '[options]\nArchitecture = auto\nSigLevel = Never\nLocalFileSigLevel = Never\n' >"$S/pacman.conf"
	NDKMS_IN_NS=1 S=$S NDKMS_TESTN=$TESTN unshare -m sh "$0"
	exit $?
fi

# inside the private mount namespace: everything below lands in $S/up
TESTN=${NDKMS_TESTN:-0}
overlay_root
# the overlay has no kernel $KVER yet (the packages bring it), no DKMS state, no pacman state
rm -rf "$R/usr/lib/modules/$KVER" "$R/var/lib/dkms" "$R/var/lib/pacman" "$R/etc/ndkms" \
	"$R/usr/share/libalpm/hooks" "$R/usr/bin/ndkms"
mkdir -p "$R/var/lib/pacman" "$R/etc/pacman.d/hooks" "$R/var/lib/dkms"
chmod 755 "$R/var/lib/dkms"
P="pacman --config $S/pacman.conf --root $R --dbpath $R/var/lib/pacman --hookdir $R/etc/pacman.d/hooks
	--cachedir $R/var/cache/pacman/pkg --logfile $R/var/log/pacman.log --gpgdir $R/etc/pacman.d/gnupg --noconfirm"
nds() { "$NDKMS" --root "$R" "$@"; }
KPKGS="$S/linux-test-6.1-1-$ARCH.pkg.tar.zst $S/linux-test-headers-6.1-1-$ARCH.pkg.tar.zst"

expect_rc "pacman -U ndkms" 0 $P -U "$S/ndkms-$V-1-$ARCH.pkg.tar.zst"
check "the preflight hook is installed" [ -f "$R/usr/share/libalpm/hooks/60-ndkms-preflight.hook" ]

# called by hand: no targets, nothing to do; a kernel whose headers package is nowhere: a warning
expect_rc "hook alpm preflight with no targets" 0 sh -c "printf '' | '$NDKMS' --root '$R' hook alpm preflight"
expect_rc "hook alpm preflight for a kernel without a package" 0 sh -c "echo usr/lib/modules/9.9.9-none/build/include/ |
	'$NDKMS' --root '$R' hook alpm preflight"
expect_out "it says the modules are built after the transaction" \
	"no package with the headers of kernel 9.9.9-none was found"

# a required module whose sources do not build, and one that builds
mkdir -p "$R/usr/src/broken-1.0"
printf 'obj-m := broken.o\n' >"$R/usr/src/broken-1.0/Kbuild"
printf '#error this module does not build\n' >"$R/usr/src/broken-1.0/broken.c"
printf 'PACKAGE_NAME="broken"\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="broken"\nDEST_MODULE_LOCATION[0]="/updates/dkms"\nAUTOINSTALL="yes"\n' \
	>"$R/usr/src/broken-1.0/dkms.conf"
mkdir -p "$R/usr/src/hello-1.0"
cp -a "$REPO/examples/hello/." "$R/usr/src/hello-1.0/"
expect_rc "add broken" 0 nds add broken/1.0
expect_rc "add hello" 0 nds add hello/1.0
mkdir -p "$R/etc/ndkms"
echo 'required = [ "broken" ];' >"$R/etc/ndkms/ndkms.conf"

# A: the required module fails in the preflight: pacman aborts, nothing is installed
expect_rc "pacman -U kernel and headers, a required module failing" 1 $P -U $KPKGS
sed 's/^/# | /' "$OUT"
expect_out "the preflight ran" "Build DKMS modules for the incoming kernel (ndkms)"
expect_out "it took the headers from the file named to pacman -U" \
	"preflight: building modules for kernel $KVER against $S/linux-test-headers-6.1-1-$ARCH.pkg.tar.zst"
expect_out "it names the module, the kernel and the log" \
	"Required module broken/1.0 failed to build for kernel $KVER ($ARCH); the end of /var/lib/dkms/broken/1.0/build/make.log:"
expect_out "it shows why (the make.log tail)" "this module does not build"
expect_out "it says how to proceed" "drop it from \"required\" in /etc/ndkms/ndkms.conf"
expect_out "pacman aborted the transaction" "failed to commit transaction"
expect_no_out "the install hook did not run" "Install DKMS modules (ndkms)"
expect_rc "pacman -Q linux-test" 1 $P -Q linux-test
expect_rc "pacman -Q linux-test-headers" 1 $P -Q linux-test-headers
check "no module folder of $KVER in the root" [ ! -e "$R/usr/lib/modules/$KVER" ]
check "the staging folder is gone" sh -c "[ ! -e '$R/var/lib/dkms/.preflight' ]"

# a headers package whose build folder links out of it is not unpacked into use: the preflight
# leaves that kernel to the install hook (the package file comes from the parent's -U)
EVIL=$S/linux-evil-headers-1-1-$ARCH.pkg.tar.zst
expect_rc "preflight with a hostile headers package" 0 sh -c "echo usr/lib/modules/9.9.9-evil/build/include/ |
	'$NDKMS' --root '$R' hook alpm preflight" -U "$EVIL"
expect_out "its headers are refused" "the headers of kernel 9.9.9-evil in $EVIL cannot be used"
expect_no_out "nothing was built for it" "9.9.9-evil, $ARCH: built"
check "no staging folder is left" [ ! -e "$R/var/lib/dkms/.preflight" ]

# B: broken no longer required: the transaction goes on, hello is built once and installed
echo 'required = [ ];' >"$R/etc/ndkms/ndkms.conf"
nds remove hello/1.0 --all >/dev/null 2>&1
nds add hello/1.0 >/dev/null 2>&1
check "hello is not built for $KVER yet" [ ! -e "$R/var/lib/dkms/hello/1.0/$KVER" ]
expect_rc "pacman -U kernel and headers, nothing required failing" 0 $P -U $KPKGS
sed 's/^/# | /' "$OUT"
expect_out "the preflight built hello" "hello/1.0, $KVER, $ARCH: built before the transaction"
expect_out "the failure that is not required is a warning" "none of them is required, so the transaction goes on"
expect_out "the install hook installed it without building again" \
	"hello/1.0, $KVER, $ARCH: installed (already built, not built again)"
check "hello was built once (one build line in the output)" \
	[ "$(grep -c "hello/1.0, $KVER, $ARCH: \(built before\|installed\)" "$OUT")" = 2 ]
check "the last build of hello is the preflight's" grep -qx 'result=built' "$R/var/lib/dkms/hello/1.0/.last-build.$KVER.$ARCH"
expect_rc "pacman -Q linux-test-headers" 0 $P -Q linux-test-headers
check "hello.ko installed for $KVER" [ -f "$R/usr/lib/modules/$KVER/updates/dkms/hello.ko" ]
check "modules.dep of $KVER lists hello" grep -q "^updates/dkms/hello.ko:" "$R/usr/lib/modules/$KVER/modules.dep"
check "the staging folder is gone" sh -c "[ ! -e '$R/var/lib/dkms/.preflight' ]"
check "the DKMS tree keeps its mode" [ "$(stat -c %a "$R/var/lib/dkms")" = 755 ]

# C: the packages come from pacman's cache (a file:// URL is downloaded into --cachedir): the
# preflight finds the headers package there
expect_rc "pacman -R kernel and headers" 0 $P -R linux-test linux-test-headers
check "hello is no longer built for $KVER" [ ! -e "$R/var/lib/dkms/hello/1.0/$KVER" ]
URLS=
for f in $KPKGS; do URLS="$URLS file://$f"; done
expect_rc "pacman -U file:// URLs" 0 $P -U $URLS
sed 's/^/# | /' "$OUT"
check "the headers package is in the cache" sh -c "ls '$R'/var/cache/pacman/pkg/linux-test-headers-* >/dev/null"
expect_out "the preflight used the cached package" \
	"preflight: building modules for kernel $KVER against $R/var/cache/pacman/pkg/linux-test-headers-6.1-1-$ARCH.pkg.tar.zst"
expect_out "the preflight built hello" "hello/1.0, $KVER, $ARCH: built before the transaction"
expect_out "the install hook installed it without building again" \
	"hello/1.0, $KVER, $ARCH: installed (already built, not built again)"
check "hello.ko installed for $KVER" [ -f "$R/usr/lib/modules/$KVER/updates/dkms/hello.ko" ]
check "the host's / is untouched" host_unchanged
done_testing

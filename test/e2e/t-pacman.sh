#!/bin/sh
# t-pacman.sh - real pacman transactions into an overlay of the host's / in a private mount
# namespace: ndkms itself, built by makepkg (as an ordinary user, in a scratch folder under /tmp)
# with hooks/alpm/PKGBUILD from make dist's tarball, is installed providing dkms; hello-dkms
# (depends=(dkms)) installs against it, and ndkms's ALPM hooks build and install it for every
# kernel with headers, rebuild it on upgrade, remove it with the package.
# pacman exits 0 even when a hook fails, so the hooks' effects are what is checked.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
[ "$(id -u)" = 0 ] || skip_all "needs root for the private mount namespace"
for c in pacman makepkg unshare setpriv fakeroot bsdtar; do
	command -v $c >/dev/null || skip_all "$c is not installed"
done

V=$(cat "$REPO/VERSION")
if [ -z "${NDKMS_IN_NS:-}" ]; then
	# a scratch folder nobody can reach wherever the checkout lives (mode 0755 under /tmp)
	scratch_dir S
	# mkpkg DIR LOG: makepkg as nobody (it refuses root) in DIR, which holds a PKGBUILD
	mkpkg() {
		chown -R 65534:65534 "$1"
		as_nobody -C "$1" env HOME="$1" PKGEXT=.pkg.tar.zst MAKEFLAGS=-j2 \
			makepkg -f --nodeps --noconfirm >"$2" 2>&1
	}
	# ndkms itself: hooks/alpm/PKGBUILD over make dist's tarball, as an Arch user builds it
	mkdir -p "$S/mk-ndkms"
	expect_rc "make dist" 0 make -C "$REPO" --no-print-directory dist DIST_DIR="$S/mk-ndkms"
	check "make dist wrote ndkms-$V.tar.gz" [ -f "$S/mk-ndkms/ndkms-$V.tar.gz" ]
	cp "$REPO/hooks/alpm/PKGBUILD" "$S/mk-ndkms/"
	mkpkg "$S/mk-ndkms" "$S/makepkg-ndkms.log"
	NPKG=$S/mk-ndkms/ndkms-$V-1-$ARCH.pkg.tar.zst
	check "makepkg built ndkms from the tarball" sh -c "[ -f '$NPKG' ] &&
		grep -q 'Extracting ndkms-$V.tar.gz' '$S/makepkg-ndkms.log'"
	[ -f "$NPKG" ] || sed 's/^/# | /' "$S/makepkg-ndkms.log"
	bsdtar -xOf "$NPKG" .PKGINFO >"$S/ndkms.PKGINFO" 2>/dev/null
	bsdtar -tf "$NPKG" | grep -v '^\.' >"$S/ndkms.files" 2>/dev/null
	bsdtar -xOf "$NPKG" usr/bin/ndkms >"$S/ndkms.bin" 2>/dev/null
	check "the package provides and conflicts with dkms" sh -c "grep -qx 'provides = dkms=3.4.3' '$S/ndkms.PKGINFO' &&
		grep -qx 'conflict = dkms' '$S/ndkms.PKGINFO'"
	check "the package replaces nothing" sh -c "! grep -q '^replaces' '$S/ndkms.PKGINFO'"
	for d in kmod libarchive libconfig openssl make gcc; do
		check "the package depends on $d" grep -qx "depend = $d" "$S/ndkms.PKGINFO"
	done
	check "the package wants linux-headers optionally" grep -q '^optdepend = linux-headers:' "$S/ndkms.PKGINFO"
	check "no file outside /usr and /etc" sh -c "[ -s '$S/ndkms.files' ] && ! grep -Ev '^(usr|etc)(/|\$)' '$S/ndkms.files'"
	check "the binary and the dkms link are in /usr/bin" sh -c "grep -qx usr/bin/ndkms '$S/ndkms.files' &&
		grep -qx usr/bin/dkms '$S/ndkms.files'"
	for h in "$REPO"/hooks/alpm/*.hook; do
		check "${h##*/} is in /usr/share/libalpm/hooks" grep -qx "usr/share/libalpm/hooks/${h##*/}" "$S/ndkms.files"
	done
	check "man page and completions are shipped" sh -c "grep -q '^usr/share/man/man8/ndkms.8' '$S/ndkms.files' &&
		grep -qx usr/share/bash-completion/completions/ndkms '$S/ndkms.files' &&
		grep -qx usr/share/zsh/site-functions/_ndkms '$S/ndkms.files' &&
		grep -qx usr/share/fish/vendor_completions.d/ndkms.fish '$S/ndkms.files'"
	# hello-dkms 1.0 and 1.1, depends=(dkms)
	for v in 1.0 1.1; do
		mkdir -p "$S/mk-$v"
		cp "$REPO/examples/hello-dkms/PKGBUILD" "$REPO/examples/hello/hello.c" \
			"$REPO/examples/hello/Kbuild" "$REPO/examples/hello/dkms.conf" "$S/mk-$v/"
		sed -i "s/^pkgver=.*/pkgver=$v/" "$S/mk-$v/PKGBUILD"
		mkpkg "$S/mk-$v" "$S/makepkg-$v.log"
		check "makepkg built hello-dkms $v" [ -f "$S/mk-$v/hello-dkms-$v-1-any.pkg.tar.zst" ]
	done
	check "hello-dkms depends on dkms" sh -c "bsdtar -xOf '$S/mk-1.0/hello-dkms-1.0-1-any.pkg.tar.zst' .PKGINFO |
		grep -qx 'depend = dkms'"
	printf '[options]\nArchitecture = auto\nSigLevel = Never\nLocalFileSigLevel = Never\n' >"$S/pacman.conf"
	NDKMS_IN_NS=1 S=$S NPKG=$NPKG NDKMS_TESTN=$TESTN unshare -m sh "$0"
	exit $?
fi

# inside the private mount namespace: everything below lands in $S/up
TESTN=${NDKMS_TESTN:-0}
overlay_root
# the kernel gets a module tree with indexes, as an installed kernel package has
KD=$R/lib/modules/$KVER
kernel_tree "$KD"
rm -rf "$R/var/lib/dkms" "$R/var/lib/pacman"
mkdir -p "$R/var/lib/pacman" "$R/etc/pacman.d/hooks"

P="pacman --config $S/pacman.conf --root $R --dbpath $R/var/lib/pacman --hookdir $R/etc/pacman.d/hooks
	--cachedir $R/var/cache/pacman/pkg --logfile $R/var/log/pacman.log --gpgdir $R/etc/pacman.d/gnupg --noconfirm"
nds() { "$NDKMS" --root "$R" "$@"; }

# the overlay stands for an Arch root without dkms: what the host's own dkms package has at
# the paths ndkms's package ships (Debian's man page and completion) is removed there
while read -r f; do
	[ -d "$R/$f" ] && [ ! -L "$R/$f" ] && continue
	if [ -e "$R/$f" ] || [ -L "$R/$f" ]; then echo "# removed from the overlay: /$f"; rm -f "$R/$f"; fi
done <"$S/ndkms.files"
rm -f "$R/usr/sbin/dkms"
# the host's libraries and tools are no pacman packages: pacman assumes what ndkms depends on
# (dkms is not assumed: hello-dkms finds it provided by ndkms)
ASSUME=$(sed -n 's/^depend = /--assume-installed /p' "$S/ndkms.PKGINFO")
expect_rc "pacman -U ndkms" 0 $P $ASSUME -U "$NPKG"
expect_no_out "pacman removed or replaced nothing" "removing"
expect_rc "pacman -Q (what the root has)" 0 $P -Q
check "ndkms is the only package" sh -c "[ \"\$(cat '$OUT')\" = 'ndkms $V-1' ]"
expect_rc "pacman -Qi ndkms" 0 $P -Qi ndkms
expect_out "it provides dkms" "dkms=3.4.3"
check "the installed binary is the package's" sh -c "[ -x '$R/usr/bin/ndkms' ] && cmp -s '$S/ndkms.bin' '$R/usr/bin/ndkms'"
check "the hooks' Exec is the installed binary" sh -c "grep -h '^Exec' '$R'/usr/share/libalpm/hooks/*ndkms*.hook |
	grep -v '^Exec = /usr/bin/ndkms ' | grep -q . && exit 1; grep -q '^Exec = /usr/bin/ndkms hook alpm install' \
	'$R/usr/share/libalpm/hooks/70-ndkms-install.hook'"
# no --nodeps, no assumption: depends=(dkms) is met by ndkms
expect_rc "pacman -U hello-dkms 1.0" 0 $P -U "$S/mk-1.0/hello-dkms-1.0-1-any.pkg.tar.zst"
expect_out "the install hook ran" "Install DKMS modules (ndkms)"
expect_out "one line for the module and kernel" "hello/1.0, $KVER, $ARCH: installed"
for k in "$R"/lib/modules/*/build/include; do
	k=${k%/build/include}
	k=${k##*/}
	check "hello built and installed for $k" [ -f "$R/lib/modules/$k/updates/dkms/hello.ko" ]
	check "modules.dep of $k lists hello" grep -q "^updates/dkms/hello.ko:" "$R/lib/modules/$k/modules.dep"
done
expect_rc "status --verbose" 0 nds status --verbose
check "status says installed" grep -qx "hello/1.0, $KVER, $ARCH: installed" "$OUT"
expect_out "the source tree's owner is shown" "source /usr/src/hello-1.0: hello-dkms 1.0-1"
expect_out "the kernel's owner is shown (none here)" "kernel $KVER: owned by no package"
expect_rc "status --json" 0 nds status --json
expect_out "json names the owner" '"source_owner": "hello-dkms 1.0-1"'

expect_rc "pacman -U hello-dkms 1.1 (upgrade)" 0 $P -U "$S/mk-1.1/hello-dkms-1.1-1-any.pkg.tar.zst"
expect_out "the remove hook ran for 1.0" "hello/1.0, $KVER, $ARCH: removed"
expect_out "1.1 installed" "hello/1.1, $KVER, $ARCH: installed"
check "1.0 gone from the DKMS tree" [ ! -e "$R/var/lib/dkms/hello/1.0" ]
check "1.1 is the active version" [ "$(readlink "$R/var/lib/dkms/hello/kernel-$KVER-$ARCH")" = "1.1/$KVER/$ARCH" ]
check "hello.ko installed" [ -f "$KD/updates/dkms/hello.ko" ]

# a registered module no package owns is flagged by status
sh "$REPO/test/fixtures/clone-module.sh" "$R/usr/src" stray 1.0
nds add stray/1.0 >/dev/null 2>&1
expect_rc "status with a stray module" 0 nds status
expect_out "the stray module is flagged" "stray/1.0: its source tree /usr/src/stray-1.0 is owned by no installed package."
expect_no_out "packaged modules are not flagged" "hello/1.1: its source tree"
nds remove stray/1.0 --all >/dev/null 2>&1

expect_rc "pacman -R hello-dkms" 0 $P -R hello-dkms
expect_out "the remove hook ran" "hello/1.1, $KVER, $ARCH: removed"
check "module uninstalled" [ ! -e "$KD/updates/dkms/hello.ko" ]
check "module removed from the DKMS tree" [ ! -e "$R/var/lib/dkms/hello" ]
check "modules.dep no longer lists it" sh -c "grep -q intree_dummy '$KD/modules.dep' && ! grep -q hello '$KD/modules.dep'"
check "the host's / is untouched" host_unchanged
done_testing

#!/bin/sh
# t-pacman.sh - real pacman transactions into an overlay of the host's / in a private mount
# namespace: ndkms's ALPM hooks build and install hello-dkms (made by makepkg as an ordinary
# user) for every kernel with headers, rebuild it on upgrade, remove it with the package.
# pacman exits 0 even when a hook fails, so the hooks' effects are what is checked.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
[ "$(id -u)" = 0 ] || skip_all "needs root for the private mount namespace"
for c in pacman makepkg unshare setpriv fakeroot bsdtar; do
	command -v $c >/dev/null || skip_all "$c is not installed"
done

if [ -z "${NDKMS_IN_NS:-}" ]; then
	# (makepkg runs as nobody: the scratch folder is reachable wherever the checkout lives)
	scratch_dir S
	# hello-dkms 1.0 and 1.1, by makepkg as nobody (it refuses root)
	for v in 1.0 1.1; do
		mkdir -p "$S/mk-$v"
		cp "$REPO/examples/hello-dkms/PKGBUILD" "$REPO/examples/hello/hello.c" \
			"$REPO/examples/hello/Kbuild" "$REPO/examples/hello/dkms.conf" "$S/mk-$v/"
		sed -i "s/^pkgver=.*/pkgver=$v/" "$S/mk-$v/PKGBUILD"
		chown -R 65534:65534 "$S/mk-$v"
		as_nobody -C "$S/mk-$v" env HOME="$S/mk-$v" PKGEXT=.pkg.tar.zst \
			makepkg -f --nodeps --noconfirm >"$S/makepkg-$v.log" 2>&1
		check "makepkg built hello-dkms $v" [ -f "$S/mk-$v/hello-dkms-$v-1-any.pkg.tar.zst" ]
	done
	# ndkms itself: the binary under test and the hooks, as a hand-made package
	st=$S/stage
	install -Dm755 "$NDKMS" "$st/usr/bin/ndkms"
	for h in "$REPO"/hooks/alpm/*.hook; do install -Dm644 "$h" "$st/usr/share/libalpm/hooks/${h##*/}"; done
	size=$(du -sb "$st" | cut -f1)
	printf 'pkgname = ndkms\npkgbase = ndkms\npkgver = 0.1.0-1\npkgdesc = test\nurl = https://example.invalid/\nbuilddate = %s\npackager = test\nsize = %s\narch = any\nlicense = GPL\nprovides = dkms\n' \
		"$(date +%s)" "$size" >"$st/.PKGINFO"
	(cd "$st" && tar --zstd --numeric-owner --owner=0 --group=0 -cf "$S/ndkms-0.1.0-1-any.pkg.tar.zst" .PKGINFO usr)
	printf '[options]\nArchitecture = auto\nSigLevel = Never\nLocalFileSigLevel = Never\n' >"$S/pacman.conf"
	NDKMS_IN_NS=1 S=$S NDKMS_TESTN=$TESTN unshare -m sh "$0"
	rc=$?
	rm -rf "$S"
	exit $rc
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

expect_rc "pacman -U ndkms" 0 $P -U "$S/ndkms-0.1.0-1-any.pkg.tar.zst"
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

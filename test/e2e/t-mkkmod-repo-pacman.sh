#!/bin/sh
# t-mkkmod-repo-pacman.sh - mkkmod --format pacman --repo DIR: the packages written into DIR and
# added to DIR/NAME.db.tar.gz with repo-add; pacman syncs that repository into a private root,
# sees the newer version after a second run and installs it; without repo-add only a warning.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] && [ -f "/lib/modules/$KVER/build/Makefile" ] || skip_all "no kernel headers installed"
for c in pacman repo-add; do
	command -v $c >/dev/null || skip_all "$c is not installed (pacman-package-manager)"
done

S=$(mktemp -d "$TMPROOT/repo-pacman.XXXXXX")
trap 'cleanup; rm -rf "$S"' EXIT
mkroot
add_source hello 1.0
expect_rc "build hello 1.0" 0 nd build hello/1.0 -k "$KVER"
F=$S/fleet
expect_rc "mkkmod --format pacman --repo" 0 nd mkkmod hello/1.0 -k "$KVER" --format pacman --repo "$F/"
expect_out "says the repository was updated" "Updated the repository $F with"
check "the package is in the repository folder" [ -f "$F/kmod-hello-$KVER-1.0-1-$ARCH.pkg.tar.zst" ]
check "repo-add wrote fleet.db (named after the folder)" [ -f "$F/fleet.db.tar.gz" ]

P=$S/alpm
mkdir -p "$P/var/lib/pacman" "$P/var/log" "$P/var/cache/pacman/pkg"
printf '[options]\nArchitecture = auto\nSigLevel = Never\nLocalFileSigLevel = Never\n[fleet]\nServer = file://%s\n' "$F" >"$S/pacman.conf"
PAC="pacman --config $S/pacman.conf --root $P --dbpath $P/var/lib/pacman --hookdir $P/etc/pacman.d/hooks --cachedir $P/var/cache/pacman/pkg --logfile $P/var/log/pacman.log --gpgdir $P/etc/pacman.d/gnupg --noconfirm"
expect_rc "pacman -Sy syncs the repository" 0 $PAC -Sy
expect_rc "pacman -Sl fleet" 0 $PAC -Sl fleet
expect_out "  lists the kmod package" "fleet kmod-hello-$KVER 1.0-1"
expect_rc "pacman -S installs it from the repository" 0 $PAC -S -dd "kmod-hello-$KVER"
check "  the module is installed" [ -f "$P/usr/lib/modules/$KVER/extra/hello/hello.ko" ]

add_source hello 1.1
expect_rc "build hello 1.1" 0 nd build hello/1.1 -k "$KVER"
expect_rc "mkkmod --repo again with 1.1" 0 nd mkkmod hello/1.1 -k "$KVER" --format pacman --repo "$F"
expect_rc "pacman -Sy" 0 $PAC -Sy
expect_rc "pacman -Sl fleet" 0 $PAC -Sl fleet
expect_out "  the repository has 1.1" "fleet kmod-hello-$KVER 1.1-1"
check "  in place of 1.0" sh -c "! grep -q ' 1.0-1\$' '$OUT'"
expect_rc "pacman -Su upgrades to it" 0 $PAC -Su -dd
expect_rc "pacman -Q" 0 $PAC -Q "kmod-hello-$KVER"
expect_out "  1.1-1 is installed" "kmod-hello-$KVER 1.1-1"

mkdir -p "$S/nopath"
PATH=$S/nopath expect_rc "without repo-add in PATH: still written" 0 \
	"$NDKMS" --root "$ROOT" mkkmod hello/1.0 -k "$KVER" --format pacman --repo "$S/norepo"
expect_out "  with a warning" "repo-add is not installed"
check "  the package is there" [ -f "$S/norepo/kmod-hello-$KVER-1.0-1-$ARCH.pkg.tar.zst" ]
check "  no database" [ ! -e "$S/norepo/norepo.db.tar.gz" ]
expect_rc "--repo with --out is refused" 2 nd mkkmod hello/1.0 --format pacman --repo "$F" --out "$S/x"
expect_rc "--repo with --format sysext is refused" 2 nd mkkmod hello/1.0 --format sysext --repo "$F"
check "nothing written outside the root" host_unchanged
done_testing

#!/bin/sh
# t-dist.sh - make dist writes ndkms-VERSION.tar.gz with every tracked file under ndkms-VERSION/
# (but the example module's spec: rpmbuild -ta wants one), and refuses when the spec or the
# PKGBUILD disagree with VERSION; make install DESTDIR= PREFIX= SBINDIR= puts the binary, its
# dkms link, man pages, completions and every hook of hooks/ in place, each hook naming the
# installed binary.
. "$(dirname "$0")/../lib.sh"
command -v git >/dev/null || skip_all "git is not installed"
git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1 || skip_all "not a git checkout"
V=$(cat "$REPO/VERSION")
D=$(mktemp -d "$TMPROOT/dist.XXXXXX")
trap 'rm -rf "$D"; cleanup' EXIT

check "VERSION is one version" sh -c "echo '$V' | grep -Eqx '[0-9]+(\.[0-9]+)+'"
expect_rc "make dist" 0 make -C "$REPO" --no-print-directory dist DIST_DIR="$D"
T=$D/ndkms-$V.tar.gz
check "it wrote ndkms-$V.tar.gz" [ -f "$T" ]
tar -tzf "$T" | LC_ALL=C sort >"$D/got"
git -C "$REPO" ls-files | grep -v '^examples/.*\.spec$' | sed "s,^,ndkms-$V/," | LC_ALL=C sort >"$D/want"
check "it holds the tracked files under ndkms-$V/" cmp -s "$D/got" "$D/want"
check "with one spec, the package's" sh -c "[ \"\$(grep '\.spec\$' '$D/got')\" = 'ndkms-$V/hooks/rpm/ndkms.spec' ]"
check "and the PKGBUILD and VERSION" sh -c "grep -qx 'ndkms-$V/hooks/alpm/PKGBUILD' '$D/got' &&
	grep -qx 'ndkms-$V/VERSION' '$D/got'"
check "files owned by root, none group- or world-writable" sh -c "tar -tvzf '$T' |
	awk '\$2 != \"0/0\" || substr(\$1, 6, 1) == \"w\" || substr(\$1, 9, 1) == \"w\" { bad = 1 } END { exit bad }'"
cp "$T" "$D/first.tar.gz"
make -C "$REPO" --no-print-directory dist DIST_DIR="$D" >/dev/null 2>&1
check "the same tree gives the same tarball" cmp -s "$T" "$D/first.tar.gz"
check "the binary reports VERSION" sh -c "'$NDKMS' --version | grep -qF 'ndkms $V '"

# a spec or PKGBUILD that disagrees with VERSION: refused, nothing written
mkdir -p "$D/tree" && tar -xzf "$T" -C "$D/tree"
W=$D/tree/ndkms-$V
(cd "$W" && git init -q && git add -A) >/dev/null 2>&1
sed -i 's/^Version:.*/Version:        9.9/' "$W/hooks/rpm/ndkms.spec"
rm -f "$T"
expect_rc "make dist with a stale spec" 2 make -C "$W" --no-print-directory dist DIST_DIR="$D"
expect_out "it names the disagreement" "hooks/rpm/ndkms.spec has Version 9.9, VERSION has $V"
check "no tarball written" [ ! -e "$T" ]
tar -xzf "$D/first.tar.gz" -C "$D/tree" ndkms-$V/hooks/rpm/ndkms.spec
sed -i 's/^pkgver=.*/pkgver=9.9/' "$W/hooks/alpm/PKGBUILD"
expect_rc "make dist with a stale PKGBUILD" 2 make -C "$W" --no-print-directory dist DIST_DIR="$D"
expect_out "it names the disagreement" "hooks/alpm/PKGBUILD has pkgver=9.9, VERSION has $V"

# make install into a staging folder, the binary elsewhere than the hooks say in the tree
I=$D/inst
mkdir -p "$W/build" && cp "$NDKMS" "$W/build/ndkms"
expect_rc "make install DESTDIR PREFIX SBINDIR" 0 make -C "$W" --no-print-directory -o build/ndkms install \
	DESTDIR="$I" PREFIX=/usr SBINDIR=/opt/nd/bin SYSCONFDIR=/etc
check "the binary in SBINDIR" [ -x "$I/opt/nd/bin/ndkms" ]
check "dkms links to it" [ "$(readlink "$I/opt/nd/bin/dkms")" = ndkms ]
check "man pages" sh -c "[ -f '$I/usr/share/man/man8/ndkms.8' ] && [ -L '$I/usr/share/man/man8/dkms.8' ]"
check "bash and zsh completions" sh -c "[ -f '$I/usr/share/bash-completion/completions/ndkms' ] &&
	[ -L '$I/usr/share/bash-completion/completions/dkms' ] && [ -f '$I/usr/share/zsh/vendor-completions/_ndkms' ]"
check "fish completions, for dkms too" sh -c "[ -f '$I/usr/share/fish/vendor_completions.d/ndkms.fish' ] &&
	[ \"\$(readlink '$I/usr/share/fish/vendor_completions.d/dkms.fish')\" = ndkms.fish ]"
for h in "$REPO"/hooks/alpm/*.hook; do
	check "${h##*/} in the ALPM hook folder" [ -f "$I/usr/share/libalpm/hooks/${h##*/}" ]
done
for h in "$REPO"/hooks/kernel-install/*; do
	check "${h##*/} in kernel/install.d, executable" [ -x "$I/usr/lib/kernel/install.d/${h##*/}" ]
done
for h in "$REPO"/hooks/debian/*.d/*; do
	r=${h#"$REPO"/hooks/debian/}
	check "Debian kernel hook $r in /etc/kernel, executable" [ -x "$I/etc/kernel/$r" ]
done
for h in "$REPO"/hooks/systemd/*; do
	check "${h##*/} in the systemd unit folder" [ -f "$I/usr/lib/systemd/system/${h##*/}" ]
done
check "every installed hook names SBINDIR's binary" sh -c "grep -rl /opt/nd/bin/ndkms '$I/usr/share/libalpm' \
	'$I/usr/lib/kernel' '$I/usr/lib/systemd' '$I/etc/kernel' | grep -q . &&
	! grep -r /usr/bin/ndkms '$I/usr/share/libalpm' '$I/usr/lib/kernel' '$I/usr/lib/systemd' '$I/etc/kernel'"
check "the alpm hooks' Exec is SBINDIR's" sh -c "! grep -h '^Exec' '$I'/usr/share/libalpm/hooks/* | grep -v '^Exec = /opt/nd/bin/ndkms '"
expect_rc "make uninstall" 0 make -C "$W" --no-print-directory uninstall DESTDIR="$I" PREFIX=/usr \
	SBINDIR=/opt/nd/bin SYSCONFDIR=/etc
check "uninstall leaves no file" sh -c "[ -z \"\$(find '$I' ! -type d)\" ]"
check "the default SBINDIR is PREFIX/bin, as the spec's %{_bindir}" sh -c "
	make -C '$W' --no-print-directory -o build/ndkms install DESTDIR='$D/i2' PREFIX=/usr >/dev/null 2>&1 &&
	[ -x '$D/i2/usr/bin/ndkms' ] && grep -q 'SBINDIR=%{_bindir}' '$W/hooks/rpm/ndkms.spec' &&
	grep -q '^%{_bindir}/ndkms\$' '$W/hooks/rpm/ndkms.spec'"
done_testing

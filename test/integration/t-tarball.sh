#!/bin/sh
# t-tarball.sh - mktarball/ldtarball/add FILE in dkms's layout, round trips with Debian's dkms in
# both directions (only against throwaway trees), and hostile or broken archives refused with
# nothing written.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
mkroot
add_source hello 1.0
R1=$ROOT
W=$(mktemp -d "$TMPROOT/tar.XXXXXX")
trap 'cleanup; rm -rf "$W" "${R2:-}" "${R3:-}"' EXIT
B=$R1/var/lib/dkms/hello/1.0/$KVER/$ARCH
TB=$R1/var/lib/dkms/hello/1.0/tarball
NAME=hello-1.0-kernel$KVER-$ARCH.dkms.tar.gz
host_before=$(ls -A /var/lib/dkms 2>/dev/null | sort | tr '\n' ' ')

expect_rc "build" 0 nd build hello/1.0 -k "$KVER"
expect_rc "mktarball" 0 nd mktarball hello/1.0 -k "$KVER"
expect_out "tarball location" "Tarball location: /var/lib/dkms/hello/1.0/tarball/$NAME"
tar -tzf "$TB/$NAME" >"$W/list"
check "main tree holds the module" grep -qx "./dkms_main_tree/$KVER/$ARCH/module/hello.ko" "$W/list"
check "main tree holds the log" grep -qx "./dkms_main_tree/$KVER/$ARCH/log/make.log" "$W/list"
check "source tree holds dkms.conf" grep -qx "./dkms_source_tree/dkms.conf" "$W/list"
check "no temporary file left" sh -c "[ \$(ls -A '$TB' | wc -l) = 1 ]"
expect_rc "mktarball --source-only" 0 nd mktarball hello/1.0 --source-only
check "source-only name" [ -f "$TB/hello-1.0-source-only.dkms.tar.gz" ]
check "source-only has no builds" sh -c "! tar -tzf '$TB/hello-1.0-source-only.dkms.tar.gz' | grep -q dkms_main_tree"
expect_rc "mktarball --binaries-only --archive (xz)" 0 nd mktarball hello/1.0 -k "$KVER" --binaries-only --archive "$W/bin.tar.xz"
check "binaries-only layout" sh -c "tar -tJf '$W/bin.tar.xz' | grep -qx ./dkms_binaries_only/PACKAGE_NAME"
check "binaries-only has no source" sh -c "! tar -tJf '$W/bin.tar.xz' | grep -q dkms_source_tree"
expect_rc "both --source-only and --binaries-only" 8 nd mktarball hello/1.0 --source-only --binaries-only
expect_rc "mktarball of a kernel not built" 6 nd mktarball hello/1.0 -k 0.0.1-none
expect_out "not built message" "No modules built for 0.0.1-none ($ARCH)."

# ndkms -> ndkms, with ldtarball and with add FILE
mkroot
R2=$ROOT
expect_rc "ldtarball into a fresh root" 0 nd ldtarball "$TB/$NAME"
expect_rc "status" 0 nd status
check "loaded as built" grep -qx "hello/1.0, $KVER, $ARCH: built" "$OUT"
check "same module bytes" cmp "$B/module/hello.ko" "$R2/var/lib/dkms/hello/1.0/$KVER/$ARCH/module/hello.ko"
check "source in /usr/src" [ -f "$R2/usr/src/hello-1.0/hello.c" ]
check "no temporary folder left" sh -c "! ls -A '$R2/var/lib/dkms' | grep -q ldtarball"
expect_rc "install the loaded module" 0 nd install hello/1.0 -k "$KVER"
expect_rc "ldtarball again" 8 nd ldtarball "$TB/$NAME"
expect_rc "remove" 0 nd remove hello/1.0 --all
rm -rf "$R2/usr/src/hello-1.0"
expect_rc "add FILE.tar.gz" 0 nd add "$TB/$NAME"
expect_rc "status after add FILE" 0 nd status
check "added FILE is built" grep -qx "hello/1.0, $KVER, $ARCH: built" "$OUT"
expect_rc "remove again" 0 nd remove hello/1.0 --all
rm -rf "$R2/usr/src/hello-1.0"
expect_rc "add of a source-only tarball" 0 nd add "$TB/hello-1.0-source-only.dkms.tar.gz"
expect_rc "status after source-only" 0 nd status
check "source-only tarball is added" grep -qx "hello/1.0: added" "$OUT"

# ndkms -> Debian's dkms -> ndkms, on throwaway trees only
if command -v dkms >/dev/null && dkms --version 2>/dev/null | grep -q '^dkms-'; then
	D=$W/dkms-tree S=$W/dkms-src I=$W/dkms-mods
	mkdir -p "$D" "$S" "$I/$KVER"
	dk() { dkms "$@" --dkmstree "$D" --sourcetree "$S" --installtree "$I"; }
	expect_rc "Debian dkms loads the ndkms tarball" 0 dk ldtarball --archive="$TB/$NAME"
	check "dkms tree holds our module" cmp "$B/module/hello.ko" "$D/hello/1.0/$KVER/$ARCH/module/hello.ko"
	check "dkms sees it built" sh -c "dkms status --dkmstree '$D' --sourcetree '$S' --installtree '$I' 2>/dev/null | grep -q 'hello.*1.0.*$KVER.*$ARCH: built'"
	expect_rc "Debian dkms makes a tarball" 0 dk mktarball -m hello -v 1.0 -k "$KVER" -a "$ARCH" --archive="$W/from-dkms.dkms.tar.gz"
	check "dkms wrote it" [ -s "$W/from-dkms.dkms.tar.gz" ]
	mkroot
	R3=$ROOT
	expect_rc "ndkms loads the dkms tarball" 0 nd ldtarball "$W/from-dkms.dkms.tar.gz"
	expect_rc "status of the dkms tarball" 0 nd status
	check "dkms tarball loaded as built" grep -qx "hello/1.0, $KVER, $ARCH: built" "$OUT"
	check "module survived both trips" cmp "$B/module/hello.ko" "$R3/var/lib/dkms/hello/1.0/$KVER/$ARCH/module/hello.ko"
	expect_rc "install it" 0 nd install hello/1.0 -k "$KVER"
	dk mktarball -m hello -v 1.0 -k "$KVER" -a "$ARCH" --binaries-only --archive="$W/dkms-bin.dkms.tar.gz" >/dev/null 2>&1
	ROOT=$R2
	nd remove hello/1.0 --all >/dev/null 2>&1
	rm -rf "$R2/usr/src/hello-1.0"
	expect_rc "ndkms loads a dkms binaries-only tarball" 0 nd ldtarball "$W/dkms-bin.dkms.tar.gz"
	check "binaries-only loaded as built" sh -c "'$NDKMS' --root '$R2' status | grep -qx 'hello/1.0, $KVER, $ARCH: built'"
	check "Debian dkms left the real tree alone" [ "$(ls -A /var/lib/dkms 2>/dev/null | sort | tr '\n' ' ')" = "$host_before" ]
else
	notok "Debian's dkms is not installed (test/deps.sh test)"
fi

# hostile and broken archives: each refused, nothing written
ROOT=$R2
H=$W/hostile
mkdir -p "$H/src/d" "$H/src2/lnk" "$H/hl"
echo evil >"$H/src/evil"
echo evil >"$H/src2/lnk/evil"
tar -C "$H/src" -cPf "$H/abs.tar" --transform "s,^,$W/outside/," evil
tar -C "$H/src" -cPf "$H/dotdot.tar" --transform "s,^,../../outside-," evil
ln -s ../../../outside "$H/src/lnk"
tar -C "$H/src" -cf "$H/symlink.tar" lnk
tar -C "$H/src2" -rf "$H/symlink.tar" lnk/evil
ln -s d "$H/src/inner"
tar -C "$H/src" -cf "$H/through.tar" inner
tar -C "$H/src2" -rf "$H/through.tar" --transform 's,^lnk,inner,' lnk/evil
echo data >"$H/hl/a"
ln "$H/hl/a" "$H/hl/b"
tar -C "$H/hl" -cPf "$H/hardlink.tar" --transform 's,^a$,/etc/hostname,RS' a b
mkfifo "$H/src/fifo"
tar -C "$H/src" -cf "$H/fifo.tar" fifo
if mknod "$H/src/null" c 1 3 2>/dev/null; then
	tar -C "$H/src" -cf "$H/device.tar" null
fi
truncate -s 10G "$H/src/sparse"
tar -C "$H/src" -cSf "$H/sparse.tar" sparse
rm -f "$H/src/sparse"
echo "this is not an archive" >"$H/notar.tar.gz"
head -c $(($(stat -c %s "$TB/$NAME") / 2)) "$TB/$NAME" >"$H/truncated.tar.gz"
: >"$H/empty.tar"
nd remove hello/1.0 --all >/dev/null 2>&1
rm -rf "$R2/usr/src/hello-1.0"
before=$(cd "$R2" && find . | sort | sha256sum)
for t in abs:absolute dotdot:"'..' component" symlink:"pointing outside" through:"below a symlink" \
	hardlink:"hard link" fifo:FIFO device:"device node" sparse:"larger than" \
	notar:"not a readable tar archive" truncated:"truncated" empty:"not a readable tar archive"; do
	n=${t%%:*} msg=${t#*:}
	f=$H/$n.tar
	[ -f "$f" ] || f=$H/$n.tar.gz
	[ -f "$f" ] || continue
	expect_rc "refuse $n" 6 nd ldtarball "$f"
	expect_out "refusal of $n says why" "$msg"
	check "nothing written for $n" [ "$(cd "$R2" && find . | sort | sha256sum)" = "$before" ]
done
check "nothing escaped" sh -c "[ ! -e '$W/outside' ] && ! ls '$TMPROOT' | grep -q outside- && [ ! -e '$TMPROOT/../outside-evil' ]"
expect_rc "add FILE refuses too" 6 nd add "$H/abs.tar"
check "nothing written outside the root" host_unchanged
done_testing

#!/bin/sh
# t-replace.sh - a module that replaces an in-tree one: archived on install, restored on
# uninstall; version checks; a failed rebuild leaves the installed module alone; two concurrent
# builds of one module both succeed.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
mkroot
add_source hello 1.0
K=$ROOT/lib/modules/$KVER
T=$ROOT/var/lib/dkms/hello

# an older in-tree hello.ko
mkdir -p "$K/kernel/drivers/misc"
sh "$REPO/test/fixtures/fake-ko.sh" "$K/kernel/drivers/misc/hello.ko" hello 0.5
cp "$K/kernel/drivers/misc/hello.ko" "$ROOT/intree.ko"
/sbin/depmod -b "$ROOT" "$KVER"

expect_rc "install over an older in-tree module" 0 nd install hello/1.0 -k "$KVER"
expect_out "archiving message" "Found pre-existing /lib/modules/$KVER/kernel/drivers/misc/hello.ko, archiving for uninstallation"
O=$T/original_module/$KVER/$ARCH
check "original archived" cmp -s "$O/hello.ko" "$ROOT/intree.ko"
check "origin recorded" grep -qx "/lib/modules/$KVER/kernel/drivers/misc/hello.ko" "$O/hello.ko.origin"
check "in-tree copy moved away" [ ! -e "$K/kernel/drivers/misc/hello.ko" ]
expect_rc "status" 0 nd status
check "status shows originals" grep -qx "hello/1.0, $KVER, $ARCH: installed (Original modules exist)" "$OUT"

# a failing rebuild keeps what is installed
cp "$ROOT/usr/src/hello-1.0/hello.c" "$ROOT/hello.c.good"
echo "this is not C" >>"$ROOT/usr/src/hello-1.0/hello.c"
cp "$K/updates/dkms/hello.ko" "$ROOT/installed.ko"
expect_rc "forced rebuild of broken source" 10 nd build hello/1.0 -k "$KVER" --force
expect_out "bad exit status shown" "(bad exit status:"
expect_out "points at make.log" "Consult /var/lib/dkms/hello/1.0/build/make.log for more information."
check "make.log kept for the failure" grep -q "this is not C\|error" "$T/1.0/build/make.log"
check "installed module untouched" cmp -s "$K/updates/dkms/hello.ko" "$ROOT/installed.ko"
check "previous build kept" cmp -s "$T/1.0/$KVER/$ARCH/module/hello.ko" "$ROOT/installed.ko"
expect_rc "status after failed rebuild" 0 nd status hello/1.0
check "still installed" grep -q "^hello/1.0, $KVER, $ARCH: installed" "$OUT"
cp "$ROOT/hello.c.good" "$ROOT/usr/src/hello-1.0/hello.c"

expect_rc "uninstall restores the original" 0 nd uninstall hello/1.0 -k "$KVER"
expect_out "restore message" "Restoring archived original module /lib/modules/$KVER/kernel/drivers/misc/hello.ko"
check "original back in place" cmp -s "$K/kernel/drivers/misc/hello.ko" "$ROOT/intree.ko"
check "archive folder removed" [ ! -e "$T/original_module" ]
check "modules.dep lists the original again" grep -q "^kernel/drivers/misc/hello.ko:" "$K/modules.dep"

# a newer in-tree module: the install is refused
sh "$REPO/test/fixtures/fake-ko.sh" "$K/kernel/drivers/misc/hello.ko" hello 2.0
expect_rc "install below a newer in-tree version" 6 nd install hello/1.0 -k "$KVER"
expect_out "not newer message" "is not newer than what is already found in kernel $KVER (2.0)."
expect_out "aborted" "Installation aborted."
check "in-tree module left in place" [ -f "$K/kernel/drivers/misc/hello.ko" ]
expect_rc "--force-version-override installs anyway" 0 nd install hello/1.0 -k "$KVER" --force-version-override
expect_rc "remove" 0 nd remove hello/1.0 --all
check "newer in-tree module restored" sh -c "/sbin/modinfo -F version '$K/kernel/drivers/misc/hello.ko' | grep -qx 2.0"

# two concurrent forced builds of one module: dkms fails one of them, ndkms serialises them
rm -f "$K/kernel/drivers/misc/hello.ko"
expect_rc "add for the race" 0 nd add hello/1.0
nd build hello/1.0 -k "$KVER" --force >"$TMPROOT/race1.$$" 2>&1 &
p1=$!
nd build hello/1.0 -k "$KVER" --force >"$TMPROOT/race2.$$" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check "first concurrent build succeeded" [ "$r1" = 0 ]
check "second concurrent build succeeded" [ "$r2" = 0 ]
check "one of them waited for the lock" grep -q "waiting for the lock" "$TMPROOT/race1.$$" "$TMPROOT/race2.$$"
check "the module is built" [ -f "$T/1.0/$KVER/$ARCH/module/hello.ko" ]
rm -f "$TMPROOT/race1.$$" "$TMPROOT/race2.$$"
check "nothing written outside the root" host_unchanged
done_testing

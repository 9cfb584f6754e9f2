#!/bin/sh
# t-lifecycle.sh - add, build, install, status, uninstall, remove of examples/hello, built for real
# against the machine's kernel headers, inside a throwaway root.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
mkroot
add_source hello 1.0
K=$ROOT/lib/modules/$KVER
T=$ROOT/var/lib/dkms/hello

expect_rc "add hello/1.0" 0 nd add hello/1.0
expect_out "add says where the source link points" \
	"Creating symlink /var/lib/dkms/hello/1.0/source -> /usr/src/hello-1.0"
check "source link is in-root and absolute" [ "$(readlink "$T/1.0/source")" = /usr/src/hello-1.0 ]
check "build folder made by add" [ -d "$T/1.0/build" ]
expect_rc "add twice" 3 nd add hello/1.0
expect_out "add twice message" "DKMS tree already contains: hello/1.0"
expect_rc "add of a version with no source" 2 nd add hello/9.9
expect_out "missing source message" "Directory: /usr/src/hello-9.9 does not exist."
expect_rc "status after add" 0 nd status
check "status says added" grep -qx "hello/1.0: added" "$OUT"

expect_rc "build" 0 nd build hello/1.0 -k "$KVER"
expect_out "build progress line" "Building module(s)"
expect_out "build finished" " done."
B=$T/1.0/$KVER/$ARCH
check "built module stored" [ -f "$B/module/hello.ko" ]
check "make.log kept" grep -q "make.log for hello/1.0 for kernel $KVER ($ARCH)" "$B/log/make.log"
check "make.log records the exit code" grep -q "^# exit code: 0" "$B/log/make.log"
check "build folder cleaned" [ ! -e "$T/1.0/build" ]
check "no staging left" sh -c "! ls -a '$T/1.0/$KVER' | grep -q '^\.tmp_'"
expect_rc "build again" 0 nd build hello/1.0 -k "$KVER"
expect_out "already built" "Module hello/1.0 already built for kernel $KVER ($ARCH), skip."
expect_rc "status after build" 0 nd status
check "status says built" grep -qx "hello/1.0, $KVER, $ARCH: built" "$OUT"

expect_rc "install" 0 nd install hello/1.0 -k "$KVER"
expect_out "install names the file" "Installing /lib/modules/$KVER/updates/dkms/hello.ko"
expect_out "install runs depmod" "Running depmod... done."
check "module installed" cmp -s "$B/module/hello.ko" "$K/updates/dkms/hello.ko"
check "active link" [ "$(readlink "$T/kernel-$KVER-$ARCH")" = "1.0/$KVER/$ARCH" ]
check "modules.dep lists it" grep -q "^updates/dkms/hello.ko:" "$K/modules.dep"
check "modinfo reads the installed module" sh -c "/sbin/modinfo -F version '$K/updates/dkms/hello.ko' | grep -qx 1.0"
expect_rc "status after install" 0 nd status
check "status says installed" grep -qx "hello/1.0, $KVER, $ARCH: installed" "$OUT"
expect_rc "status --json" 0 nd status --json
expect_out "json state" '"state": "installed"'
expect_rc "install again" 0 nd install hello/1.0 -k "$KVER"
expect_out "already installed" "Module hello/1.0 already installed on kernel $KVER ($ARCH), skip."
expect_rc "status filtered by another kernel" 0 nd status hello -k 0.0.0-none
check "filtered status shows no kernel line" sh -c "! grep -q '$KVER' '$OUT'"

expect_rc "uninstall" 0 nd uninstall hello/1.0 -k "$KVER"
expect_out "uninstall was active" "Before uninstall, this module version was ACTIVE on this kernel."
expect_out "uninstall deletes" "Deleting /lib/modules/$KVER/updates/dkms/hello.ko"
check "module file gone" [ ! -e "$K/updates/dkms/hello.ko" ]
check "empty updates folders removed" [ ! -e "$K/updates" ]
check "active link gone" [ ! -L "$T/kernel-$KVER-$ARCH" ]
check "modules.dep no longer lists it" sh -c "grep -q intree_dummy '$K/modules.dep' && ! grep -q hello '$K/modules.dep'"
expect_rc "status after uninstall" 0 nd status
check "status back to built" grep -qx "hello/1.0, $KVER, $ARCH: built" "$OUT"
expect_rc "uninstall again" 0 nd uninstall hello/1.0 -k "$KVER"
expect_out "not installed" "Module hello/1.0 is not installed for kernel $KVER ($ARCH). Skipping..."

expect_rc "install --symlink-modules" 0 nd install hello/1.0 -k "$KVER" --symlink-modules
check "installed as a relative link" sh -c "readlink '$K/updates/dkms/hello.ko' | grep -q '^\.\./'"
check "the link leads to the built module" cmp -s "$K/updates/dkms/hello.ko" "$B/module/hello.ko"
check "modules.dep lists the link" grep -q "^updates/dkms/hello.ko:" "$K/modules.dep"
expect_rc "status with a linked module" 0 nd status
check "linked module counts as installed" grep -qx "hello/1.0, $KVER, $ARCH: installed" "$OUT"
expect_rc "uninstall the linked module" 0 nd uninstall hello/1.0 -k "$KVER"
check "link removed, built module kept" sh -c "[ ! -e '$K/updates/dkms/hello.ko' ] && [ -f '$B/module/hello.ko' ]"

expect_rc "install (builds nothing, already built)" 0 nd install hello/1.0 -k "$KVER"
expect_rc "remove --all" 0 nd remove hello/1.0 --all
expect_out "remove deletes completely" "Deleting module hello/1.0 completely from the DKMS tree."
check "tree entry gone" [ ! -e "$T" ]
check "installed file gone" [ ! -e "$K/updates/dkms/hello.ko" ]
check "source kept in /usr/src" [ -f "$ROOT/usr/src/hello-1.0/dkms.conf" ]
expect_rc "status after remove" 0 nd status
check "status empty" [ ! -s "$OUT" ]

# one command does it all, from a source folder outside the trees
mkdir -p "$ROOT/elsewhere" && cp -a "$REPO/examples/hello" "$ROOT/elsewhere/hello"
expect_rc "install from a source folder" 0 nd install "$ROOT/elsewhere/hello" -k "$KVER"
check "source copied to /usr/src" [ -f "$ROOT/usr/src/hello-1.0/hello.c" ]
check "installed from a source folder" [ -f "$K/updates/dkms/hello.ko" ]
expect_rc "remove" 0 nd remove hello/1.0 -k "$KVER"
check "tree clean again" [ ! -e "$T" ]
check "nothing written outside the root" host_unchanged
done_testing

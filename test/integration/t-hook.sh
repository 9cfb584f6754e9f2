#!/bin/sh
# t-hook.sh - "ndkms hook alpm|rpm" fed target lists by hand inside a throwaway root: modules and
# kernels crossed, one depmod per kernel, one line per module and kernel, bad input skipped
# with one line each, a failing module not stopping the others, removal of modules and kernels.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
mkroot
K=$ROOT/lib/modules/$KVER
add_source hello 1.0
# a module that does not compile, and one whose dkms.conf names another package
sh "$REPO/test/fixtures/clone-module.sh" "$ROOT/usr/src" broken 1.0
echo 'this does not compile;' >>"$ROOT/usr/src/broken-1.0/broken.c"
sh "$REPO/test/fixtures/clone-module.sh" "$ROOT/usr/src" liar 1.0
sed -i 's/^PACKAGE_NAME=.*/PACKAGE_NAME="other"/' "$ROOT/usr/src/liar-1.0/dkms.conf"
mkdir -p "$ROOT/lib/modules/9.9.9-noheaders"
: >"$ROOT/lib/modules/9.9.9-noheaders/modules.order"

hook() { "$NDKMS" --root "$ROOT" hook "$@"; }
expect_rc "alpm install: one failing module makes the hook fail, nothing else" 1 hook alpm install <<IN
etc/passwd
usr/lib/modules/9.9.9-noheaders/modules.order
usr/src/../../etc/dkms.conf
usr/src/broken-1.0/dkms.conf
usr/src/hello-1.0/dkms.conf
usr/src/liar-1.0/dkms.conf
IN
expect_out "path outside the trees skipped" "skipping etc/passwd: not below usr/src or usr/lib/modules"
expect_out "dot-dot path skipped" "skipping usr/src/../../etc/dkms.conf: a '.' or '..' path component"
expect_out "kernel without headers skipped" "skipping kernel 9.9.9-noheaders: no headers in /lib/modules/9.9.9-noheaders/build"
expect_out "name mismatch skipped" "skipping usr/src/liar-1.0/dkms.conf: PACKAGE_NAME and PACKAGE_VERSION (other/1.0) do not match the folder name liar-1.0"
expect_out "hello installed" "hello/1.0, $KVER, $ARCH: installed"
expect_out "broken failed with its exit code" "broken/1.0, $KVER, $ARCH: failed (exit 10)"
expect_out "the failure shows the end of the build output" "make.log"
check "one depmod for the kernel" [ "$(grep -c 'Running depmod' "$OUT")" = 1 ]
check "hello.ko installed" [ -f "$K/updates/dkms/hello.ko" ]
check "modules.dep lists hello" grep -q "^updates/dkms/hello.ko:" "$K/modules.dep"
check "the liar was not registered as other" [ ! -e "$ROOT/var/lib/dkms/other" ]
check "the liar was not registered as liar" [ ! -e "$ROOT/var/lib/dkms/liar" ]
check "nothing built for the kernel without headers" [ ! -e "$ROOT/lib/modules/9.9.9-noheaders/updates" ]

expect_rc "alpm install again: nothing to do" 0 hook alpm install <<IN
usr/src/hello-1.0/dkms.conf
IN
expect_out "already installed" "hello/1.0, $KVER, $ARCH: already installed"
expect_rc "alpm remove of the broken module's sources" 0 hook alpm remove <<IN
usr/src/broken-1.0/dkms.conf
IN
check "broken unregistered" [ ! -e "$ROOT/var/lib/dkms/broken" ]

# rpm: absolute paths, every file of the packages; a new kernel gets the registered modules
K2=6.1.0-99-test
mkdir -p "$ROOT/lib/modules/$K2/kernel"
ln -s "$(readlink -f "/lib/modules/$KVER/build")" "$ROOT/lib/modules/$K2/build"
cp "$K/modules.order" "$K/modules.builtin" "$K/modules.builtin.modinfo" "$ROOT/lib/modules/$K2/"
cp -a "$K/kernel/." "$ROOT/lib/modules/$K2/kernel/"
/sbin/depmod -b "$ROOT" "$K2" 2>/dev/null
expect_rc "rpm install of a kernel" 0 hook rpm install <<IN
/lib/modules/$K2
/lib/modules/$K2/build
/lib/modules/$K2/kernel/drivers/dummy/intree_dummy.ko
/lib/modules/$K2/modules.order
IN
expect_out "hello built for the new kernel" "hello/1.0, $K2, $ARCH: installed"
expect_no_out "no line for the kernel's other files" "skipping"
check "hello.ko in the new kernel" [ -f "$ROOT/lib/modules/$K2/updates/dkms/hello.ko" ]
check "the new kernel's modules.dep lists hello" grep -q "^updates/dkms/hello.ko:" "$ROOT/lib/modules/$K2/modules.dep"
expect_rc "rpm remove of the kernel" 0 hook rpm remove <<IN
/lib/modules/$K2/modules.order
IN
expect_out "hello removed for that kernel" "hello/1.0, $K2, $ARCH: removed"
check "gone from the removed kernel" [ ! -e "$ROOT/lib/modules/$K2/updates/dkms/hello.ko" ]
check "still installed on the other" [ -f "$K/updates/dkms/hello.ko" ]
expect_rc "rpm remove of the sources" 0 hook rpm remove <<IN
/usr/src/hello-1.0
/usr/src/hello-1.0/Kbuild
/usr/src/hello-1.0/dkms.conf
/usr/src/hello-1.0/hello.c
IN
expect_out "removed line" "hello/1.0, $KVER, $ARCH: removed"
expect_out "unregistered" "Deleting module hello/1.0 completely from the DKMS tree."
check "hello.ko uninstalled" [ ! -e "$K/updates/dkms/hello.ko" ]
check "modules.dep no longer lists hello" sh -c "! grep -q hello '$K/modules.dep'"
expect_rc "usage error" 2 hook yum install </dev/null
check "nothing written outside the root" host_unchanged
done_testing

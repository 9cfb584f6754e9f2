#!/bin/sh
# t-rebuild.sh - BUILD_DEPENDS_REBUILD: installing a new version of a dependency rebuilds and
# reinstalls the modules built against the old one, and records the new version.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
mkroot
add_source hello 1.0
add_source hello 1.1
add_source greeter 1.0
echo 'BUILD_DEPENDS_REBUILD="yes"' >>"$ROOT/usr/src/greeter-1.0/dkms.conf"
K=$ROOT/lib/modules/$KVER
G=$ROOT/var/lib/dkms/greeter/1.0/$KVER/$ARCH

expect_rc "install hello 1.0" 0 nd install hello/1.0 -k "$KVER"
expect_rc "install greeter against hello 1.0" 0 nd install greeter/1.0 -k "$KVER"
check "dependency version recorded" grep -qx 1.0 "$G/.dep_hello"
cp "$G/module/greeter.ko" "$ROOT/greeter-old.ko"
expect_rc "install hello 1.1" 0 nd install hello/1.1 -k "$KVER" --force-version-override
expect_out "greeter rebuilt" "Rebuilding module greeter/1.0 due to updated dependencies"
check "new dependency version recorded" grep -qx 1.1 "$G/.dep_hello"
check "greeter reinstalled" [ -f "$K/updates/dkms/greeter.ko" ]
check "greeter is a new build" [ "$G/log/make.log" -nt "$ROOT/greeter-old.ko" ]
check "greeter still depends on hello" grep -qx "updates/dkms/greeter.ko: updates/dkms/hello.ko" "$K/modules.dep"
expect_rc "installing hello 1.1 again rebuilds nothing" 0 nd install hello/1.1 -k "$KVER"
expect_no_out "no second rebuild" "Rebuilding module"
expect_rc "status" 0 nd status
check "hello 1.1 active" grep -qx "hello/1.1, $KVER, $ARCH: installed" "$OUT"
check "greeter installed" grep -qx "greeter/1.0, $KVER, $ARCH: installed" "$OUT"
check "nothing written outside the root" host_unchanged
done_testing

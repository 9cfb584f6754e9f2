#!/bin/sh
# t-required.sh - required modules from /etc/ndkms/ndkms.conf (names and globs), REMAKE_INITRD
# as needed at boot, both shown by status (text and --json); a bad list is refused.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
mkroot
add_source hello 1.0
add_source greeter 1.0
mkdir -p "$ROOT/etc/ndkms"
echo 'REMAKE_INITRD="yes"' >>"$ROOT/usr/src/hello-1.0/dkms.conf"
expect_rc "add hello" 0 nd add hello/1.0
expect_rc "add greeter" 0 nd add greeter/1.0
expect_rc "status without a required list" 0 nd status
expect_no_out "nothing is required" "(required)"

echo 'required = [ "hel*", "zfs" ];' >"$ROOT/etc/ndkms/ndkms.conf"
expect_rc "status" 0 nd status
expect_out "a glob marks hello required" "hello/1.0: added (required)"
check "greeter line has no mark" grep -qx "greeter/1.0: added" "$OUT"
expect_rc "build hello" 0 nd build hello/1.0 -k "$KVER"
expect_rc "status of a built module" 0 nd status hello/1.0
expect_out "built line is marked" "hello/1.0, $KVER, $ARCH: built (required)"
expect_rc "status --json" 0 nd status --json
check "json: hello required and needed at boot" grep -q '"module": "hello".*"required": true, "needed_at_boot": true' "$OUT"
check "json: greeter not required" grep -q '"module": "greeter".*"required": false' "$OUT"

echo 'required = "greeter";' >"$ROOT/etc/ndkms/ndkms.conf"
expect_rc "a single name" 0 nd status
check "greeter marked" grep -qx "greeter/1.0: added (required)" "$OUT"
echo 'required = [ "../x" ];' >"$ROOT/etc/ndkms/ndkms.conf"
expect_rc "a path in the list is refused" 8 nd status
expect_out "names the file and element" "ndkms.conf:1: required: element 1 must be a module name or glob"
echo 'required = 3;' >"$ROOT/etc/ndkms/ndkms.conf"
expect_rc "a number is refused" 8 nd status
expect_out "says what is expected" "required must be a list of module names or globs"
check "nothing written outside the root" host_unchanged
done_testing

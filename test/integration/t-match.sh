#!/bin/sh
# t-match.sh - match --templatekernel: what is installed on one kernel gets built and installed
# on another (dkms 3.4 semantics), and its argument errors.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
mkroot
add_source hello 1.0
K2=9.9.9-matchtest
mkdir -p "$ROOT/lib/modules/$K2"
ln -s "$(readlink -f "/lib/modules/$KVER/build")" "$ROOT/lib/modules/$K2/build"
mkdir -p "$ROOT/etc/dkms"
echo 'try_sign_modules=false' >"$ROOT/etc/dkms/framework.conf"

expect_rc "match without a template" 1 nd match -k "$K2"
expect_rc "match onto the template itself" 2 nd match --templatekernel "$KVER" -k "$KVER"
expect_rc "match of a module not in the tree" 3 nd match --templatekernel "$KVER" -k "$K2" nosuch
expect_rc "nothing installed on the template" 0 nd match --templatekernel "$KVER" -k "$K2"
expect_out "nothing to do" "There is nothing to be done for this match."
expect_rc "install on the template" 0 nd install hello/1.0 -k "$KVER"
expect_rc "match" 0 nd match --templatekernel "$KVER" -k "$K2"
expect_out "match header" "Matching modules in kernel: $K2 ($ARCH)"
expect_out "match template" "to the configuration of kernel: $KVER ($ARCH)"
check "installed on the new kernel" [ -f "$ROOT/lib/modules/$K2/updates/dkms/hello.ko" ]
expect_rc "status" 0 nd status
check "status lists the new kernel" grep -qx "hello/1.0, $K2, $ARCH: installed" "$OUT"
expect_rc "match again (already installed)" 0 nd match --templatekernel "$KVER" -k "$K2" hello
expect_out "already installed" "Module hello/1.0 already installed on kernel $K2 ($ARCH), skip."
check "nothing written outside the root" host_unchanged
done_testing

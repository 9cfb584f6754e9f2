#!/bin/sh
# t-required.sh - required modules from /etc/ndkms/ndkms.conf (names and globs), REMAKE_INITRD
# as needed at boot, both shown by status (text and --json); a bad list is refused. The result
# table and the JSON build results after an autoinstall where one module fails and one is
# skipped by BUILD_EXCLUSIVE.
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

# one table for the autoinstall: installed from the earlier build, failed with its log, skipped
rm -f "$ROOT/etc/ndkms/ndkms.conf"
nd remove greeter/1.0 --all >/dev/null
for m in broken excl; do
	mkdir -p "$ROOT/usr/src/$m-1.0"
	echo "obj-m := $m.o" >"$ROOT/usr/src/$m-1.0/Kbuild"
	printf 'PACKAGE_NAME="%s"\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="%s"\nDEST_MODULE_LOCATION[0]="/updates/dkms"\nAUTOINSTALL="yes"\n' \
		$m $m >"$ROOT/usr/src/$m-1.0/dkms.conf"
done
echo '#error broken on purpose' >"$ROOT/usr/src/broken-1.0/broken.c"
sed "s/hello_greet/excl_greet/" "$REPO/examples/hello/hello.c" >"$ROOT/usr/src/excl-1.0/excl.c"
echo 'BUILD_EXCLUSIVE_ARCH="none"' >>"$ROOT/usr/src/excl-1.0/dkms.conf"
sed -i 's/^AUTOINSTALL=.*/AUTOINSTALL="yes"/' "$ROOT/usr/src/hello-1.0/dkms.conf"
nd add broken/1.0 >/dev/null
nd add excl/1.0 >/dev/null
echo 'required = [ "broken" ];' >"$ROOT/etc/ndkms/ndkms.conf"
expect_rc "autoinstall with a failure and a skip" 11 nd autoinstall -k "$KVER"
tbl=$TMPROOT/table.$$
sed -n '/^module\/version  *kernel  *result  *seconds  *log$/,$p' "$OUT" >"$tbl"
check "the table has its header" [ -s "$tbl" ]
check "hello installed from its earlier build" grep -Eq "^hello/1.0 +$KVER/$ARCH +installed \(already built\) +[0-9]+\.[0-9] *$" "$tbl"
check "broken failed, required, with its log" grep -Eq "^broken/1.0 \(required\) +$KVER/$ARCH +failed \(exit 10\) +[0-9]+\.[0-9] +/var/lib/dkms/broken/1.0/build/make.log$" "$tbl"
check "excl skipped by BUILD_EXCLUSIVE" grep -Eq "^excl/1.0 +$KVER/$ARCH +skipped by BUILD_EXCLUSIVE +[0-9]+\.[0-9] *$" "$tbl"
check "greeter (removed) is not in the table" sh -c '! grep -q "^greeter" "$1"' _ "$tbl"
check "the table comes once" [ "$(grep -c '^module/version' "$OUT")" = 1 ]
rm -f "$tbl"
expect_rc "status --json" 0 nd status --json
check "json: broken's failed build with exit code, time and log" grep -Eq '"module": "broken".*"builds": \[\{"kernel": "'"$KVER"'", "arch": "'"$ARCH"'", "result": "failed", "exit": 10, "time": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z", "seconds": [0-9.]+, "log": "/var/lib/dkms/broken/1.0/build/make.log"\}\]' "$OUT"
check "json: hello's build with the kept make.log" grep -Eq '"module": "hello".*"builds": \[\{"kernel": "'"$KVER"'", "arch": "'"$ARCH"'", "result": "built", "exit": 0, .*"log": "/var/lib/dkms/hello/1.0/'"$KVER/$ARCH"'/log/make.log"\}\]' "$OUT"
check "json: excl skipped" grep -Eq '"module": "excl".*"result": "skipped", "exit": 77' "$OUT"
check "the log named exists" [ -f "$ROOT/var/lib/dkms/broken/1.0/build/make.log" ]
# called by dkms's name (package scripts, dkms's own test suite), the output is dkms's: no table
ln -s "$NDKMS" "$TMPROOT/dkms"
expect_rc "as dkms: autoinstall with the same failure" 11 "$TMPROOT/dkms" --root "$ROOT" autoinstall -k "$KVER"
expect_out "as dkms: dkms's failure summary" "Autoinstall on $KVER failed for module(s) broken(10)."
check "as dkms: no table" sh -c '! grep -q "^module/version" "$1"' _ "$OUT"
expect_no_out "nothing installed this time: no depmod, as dkms" "Running depmod"
rm -f "$TMPROOT/dkms"
check "nothing written outside the root" host_unchanged
done_testing

#!/bin/sh
# t-autoinstall.sh - autoinstall in BUILD_DEPENDS order, BUILD_EXCLUSIVE skips (77), missing
# BUILD_DEPENDS (13), kernel_prerm really updating the indexes, post_transaction, overrides
# from /etc/dkms and --directive, framework.conf.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
mkroot
add_source hello 1.0
add_source greeter 1.0
K=$ROOT/lib/modules/$KVER

# an excluded package and one that never autoinstalls
mkdir -p "$ROOT/usr/src/excl-1.0" "$ROOT/usr/src/manual-1.0"
for m in excl manual; do
	cp "$REPO/examples/hello/hello.c" "$ROOT/usr/src/$m-1.0/$m.c"
	echo "obj-m := $m.o" >"$ROOT/usr/src/$m-1.0/Kbuild"
	sed -i "s/hello_greet/${m}_greet/" "$ROOT/usr/src/$m-1.0/$m.c"
done
printf 'PACKAGE_NAME="excl"\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="excl"\nDEST_MODULE_LOCATION[0]="/updates/dkms"\nBUILD_EXCLUSIVE_ARCH="none"\nAUTOINSTALL="yes"\n' \
	>"$ROOT/usr/src/excl-1.0/dkms.conf"
printf 'PACKAGE_NAME="manual"\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="manual"\nDEST_MODULE_LOCATION[0]="/updates/dkms"\n' \
	>"$ROOT/usr/src/manual-1.0/dkms.conf"

for m in greeter excl manual hello; do
	expect_rc "add $m" 0 nd add $m/1.0
done

expect_rc "greeter cannot build before hello is installed" 13 nd build greeter/1.0 -k "$KVER"
expect_out "missing BUILD_DEPENDS message" "due to missing BUILD_DEPENDS: hello."
expect_rc "BUILD_EXCLUSIVE skip" 77 nd build excl/1.0 -k "$KVER"
expect_out "exclusive warning" "which do not match this kernel/arch/config for any modules."

mkdir -p "$ROOT/etc/dkms"
echo "post_transaction=\"echo post-transaction ran for \$kernelver > $ROOT/posttx\"" >"$ROOT/etc/dkms/framework.conf"
expect_rc "autoinstall" 0 nd autoinstall -k "$KVER"
expect_out "hello before greeter" "Autoinstall of module hello/1.0 for kernel $KVER ($ARCH)"
h=$(grep -n 'Autoinstall of module hello' "$OUT" | cut -d: -f1)
g=$(grep -n 'Autoinstall of module greeter' "$OUT" | cut -d: -f1)
check "hello ($h) installed before greeter ($g)" [ "${h:-99}" -lt "${g:-0}" ]
expect_out "summary of installed" "Autoinstall on $KVER succeeded for module(s) hello greeter."
expect_out "summary of skipped" "Autoinstall on $KVER was skipped for module(s) excl."
expect_no_out "manual module left alone" "manual/1.0 for kernel"
check "hello installed" [ -f "$K/updates/dkms/hello.ko" ]
check "greeter installed" [ -f "$K/updates/dkms/greeter.ko" ]
check "greeter depends on hello in modules.dep" \
	grep -qx "updates/dkms/greeter.ko: updates/dkms/hello.ko" "$K/modules.dep"
check "manual not installed" [ ! -e "$K/updates/dkms/manual.ko" ]
check "post_transaction ran after autoinstall" [ -f "$ROOT/posttx" ]
check "post_transaction log written" grep -q "^# exit code: 0" "$ROOT/var/lib/dkms/post_transaction.log"
depmod_runs=$(grep -c "Running depmod" "$OUT")
check "one depmod for the whole autoinstall ($depmod_runs)" [ "$depmod_runs" = 1 ]
expect_rc "autoinstall again changes nothing" 0 nd autoinstall -k "$KVER"
expect_no_out "nothing rebuilt" "Building module(s)"

touch "$ROOT/etc/dkms/no-autoinstall"
expect_rc "autoinstall disabled" 0 nd autoinstall -k "$KVER"
expect_out "disabled message" "Automatic installation of modules has been disabled."
rm "$ROOT/etc/dkms/no-autoinstall"

expect_rc "kernel_prerm" 0 nd kernel_prerm -k "$KVER"
expect_out "prerm names each module" "dkms: removing module hello/1.0 for kernel $KVER ($ARCH)"
check "hello.ko gone" [ ! -e "$K/updates/dkms/hello.ko" ]
check "greeter.ko gone" [ ! -e "$K/updates/dkms/greeter.ko" ]
check "indexes really updated (dkms 3.4 forgets this)" sh -c "! grep -q 'hello\|greeter' '$K/modules.dep'"
check "in-tree module still indexed" grep -q intree_dummy "$K/modules.dep"
expect_rc "status after prerm" 0 nd status
check "all back to added" sh -c "grep -c ': added' '$OUT' | grep -qx 4"
expect_rc "kernel_prerm needs one kernel" 4 nd kernel_prerm

# overrides from /etc/dkms and --directive
echo 'AUTOINSTALL=""' >"$ROOT/etc/dkms/hello.conf"
expect_rc "autoinstall with hello switched off in /etc/dkms/hello.conf" 11 nd autoinstall -k "$KVER"
expect_out "greeter stuck on its dependency" "greeter/1.0 autoinstall failed due to missing dependencies: hello."
rm "$ROOT/etc/dkms/hello.conf"
expect_rc "--directive" 0 nd build manual/1.0 -k "$KVER" --directive 'STRIP=no'
expect_out "directive echoed" 'DIRECTIVE: STRIP="no"'
check "not stripped: debug info kept" sh -c "readelf -S '$ROOT/var/lib/dkms/manual/1.0/$KVER/$ARCH/module/manual.ko' | grep -q debug_info"

# parallel_jobs from the environment reaches make, as dkms's test suite expects
expect_rc "build with parallel_jobs=1" 0 env parallel_jobs=1 "$NDKMS" --root "$ROOT" build hello/1.0 -k "$KVER" --force
check "make -j1 logged" grep -q "make -j1 KERNELRELEASE=$KVER" "$ROOT/var/lib/dkms/hello/1.0/$KVER/$ARCH/log/make.log"
check "nothing written outside the root" host_unchanged
done_testing

#!/bin/sh
# t-kernel-install.sh - the kernel-install plugin driven by the real kernel-install add|remove
# (KERNEL_INSTALL_PLUGINS pointing at it only, a scratch BOOT_ROOT), acting on a throwaway root;
# and the Debian /etc/kernel hook scripts called as run-parts calls them. A required module
# that fails makes the plugin exit 77, so kernel-install runs no later plugin (a recording
# plugin proves it) and the Debian hook fails; a failing module that is not required does not.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
command -v kernel-install >/dev/null || skip_all "kernel-install is not installed"
mkroot
K=$ROOT/lib/modules/$KVER
add_source hello 1.0
nd add hello/1.0 >/dev/null
S=$ROOT/scratch
mkdir -p "$S/boot" "$S/conf"
echo image >"$S/vmlinuz"
export NDKMS_BIN="$NDKMS" NDKMS_ROOT="$ROOT"
ki() {
	KERNEL_INSTALL_PLUGINS="$REPO/hooks/kernel-install/40-ndkms.install" \
		KERNEL_INSTALL_CONF_ROOT="$S/conf" BOOT_ROOT="$S/boot" \
		MACHINE_ID=0123456789abcdef0123456789abcdef kernel-install "$@"
}

expect_rc "kernel-install add" 0 ki add "$KVER" "$S/vmlinuz"
expect_out "autoinstall ran for the kernel" "Autoinstall on $KVER succeeded for module(s) hello."
check "hello installed" [ -f "$K/updates/dkms/hello.ko" ]
check "modules.dep lists hello" grep -q "^updates/dkms/hello.ko:" "$K/modules.dep"
expect_rc "kernel-install add of a kernel without headers" 0 ki add 9.9.9-noheaders "$S/vmlinuz"
expect_out "skipped with a message" "automatic installation of modules for kernel 9.9.9-noheaders was skipped"
expect_rc "kernel-install remove" 0 ki remove "$KVER"
expect_out "kernel_prerm ran" "dkms: removing module hello/1.0 for kernel $KVER ($ARCH)"
check "hello uninstalled" [ ! -e "$K/updates/dkms/hello.ko" ]
check "hello unbuilt" [ ! -e "$ROOT/var/lib/dkms/hello/1.0/$KVER" ]

# Debian's run-parts calls: $1 = KVER, $2 = image
expect_rc "postinst.d script" 0 sh "$REPO/hooks/debian/postinst.d/50-ndkms" "$KVER" "/boot/vmlinuz-$KVER"
check "hello installed again" [ -f "$K/updates/dkms/hello.ko" ]
expect_rc "prerm.d script" 0 sh "$REPO/hooks/debian/prerm.d/50-ndkms" "$KVER" "/boot/vmlinuz-$KVER"
check "hello removed again" [ ! -e "$K/updates/dkms/hello.ko" ]

# a module that fails to build, and a later plugin that records that it ran
mkdir -p "$ROOT/usr/src/broken-1.0"
printf 'obj-m := broken.o\n' >"$ROOT/usr/src/broken-1.0/Kbuild"
printf '#error this module does not build\n' >"$ROOT/usr/src/broken-1.0/broken.c"
printf 'PACKAGE_NAME="broken"\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="broken"\nDEST_MODULE_LOCATION[0]="/updates/dkms"\nAUTOINSTALL="yes"\n' \
	>"$ROOT/usr/src/broken-1.0/dkms.conf"
nd add broken/1.0 >/dev/null
REC=$S/record.log
printf '#!/bin/sh\necho "$@" >>%s\n' "$REC" >"$S/90-record.install"
chmod +x "$S/90-record.install"
ki2() {
	KERNEL_INSTALL_PLUGINS="$REPO/hooks/kernel-install/40-ndkms.install $S/90-record.install" \
		KERNEL_INSTALL_CONF_ROOT="$S/conf" BOOT_ROOT="$S/boot" \
		MACHINE_ID=0123456789abcdef0123456789abcdef kernel-install "$@"
}
expect_rc "kernel-install add with a failing module that is not required" 0 ki2 add "$KVER" "$S/vmlinuz"
expect_out "the failure is reported" "Autoinstall on $KVER failed for module(s) broken(10)."
expect_out "the table names the failure and its log" "/var/lib/dkms/broken/1.0/build/make.log"
check "the later plugin ran" grep -q "^add $KVER" "$REC"
check "hello installed beside the failure" [ -f "$K/updates/dkms/hello.ko" ]
expect_rc "kernel-install remove" 0 ki2 remove "$KVER"

mkdir -p "$ROOT/etc/ndkms"
echo 'required = [ "bro*" ];' >"$ROOT/etc/ndkms/ndkms.conf"
rm -f "$REC"
expect_rc "kernel-install add with a required module failing" 0 ki2 add "$KVER" "$S/vmlinuz"
expect_out "the module and its log are named" "Required module broken/1.0 failed to build for kernel $KVER ($ARCH); the end of /var/lib/dkms/broken/1.0/build/make.log:"
expect_out "the log's tail is shown" "this module does not build"
expect_out "how to proceed" "drop it from \"required\" in /etc/ndkms/ndkms.conf"
expect_out "one message says what the plugin does" "ndkms: kernel $KVER lacks a required module (see above): no initramfs and no boot entry are made for it."
check "no later plugin ran" [ ! -e "$REC" ]
expect_rc "the Debian hook fails for a required failure" 1 sh "$REPO/hooks/debian/postinst.d/50-ndkms" "$KVER" "/boot/vmlinuz-$KVER"
expect_out "it names the module" "Required module broken/1.0 failed to build"
expect_rc "hook kernel refuses a bad kernel version" 2 "$NDKMS" --root "$ROOT" hook kernel add ../x
expect_rc "hook kernel usage" 2 "$NDKMS" --root "$ROOT" hook kernel frob "$KVER"
check "nothing written outside the root" host_unchanged
done_testing

#!/bin/sh
# t-kernel-install.sh - the kernel-install plugin driven by the real kernel-install add|remove
# (KERNEL_INSTALL_PLUGINS pointing at it only, a scratch BOOT_ROOT), acting on a throwaway root;
# and the Debian /etc/kernel hook scripts called as run-parts calls them.
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
expect_rc "postinst.d script" 0 sh "$REPO/hooks/debian/postinst.d/ndkms" "$KVER" "/boot/vmlinuz-$KVER"
check "hello installed again" [ -f "$K/updates/dkms/hello.ko" ]
expect_rc "prerm.d script" 0 sh "$REPO/hooks/debian/prerm.d/ndkms" "$KVER" "/boot/vmlinuz-$KVER"
check "hello removed again" [ ! -e "$K/updates/dkms/hello.ko" ]
check "nothing written outside the root" host_untouched

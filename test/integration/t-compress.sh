#!/bin/sh
# t-compress.sh - built modules compressed as the kernel config asks (zstd, then xz, then gzip
# by dkms's scan of the installed modules); modinfo and depmod read them, uninstall removes them.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
mkroot
add_source hello 1.0
mkdir -p "$ROOT/etc/dkms"
echo 'try_sign_modules=true' >"$ROOT/etc/dkms/framework.conf"
K=$ROOT/lib/modules/$KVER
B=$ROOT/var/lib/dkms/hello/1.0/$KVER/$ARCH
AUTO=/lib/modules/$KVER/build/include/config/auto.conf
magic() { od -An -tx1 -N"$2" "$1" | tr -d ' \n'; }

# config selecting zstd
grep -v '^CONFIG_MODULE_COMPRESS' "$AUTO" >"$ROOT/config-zstd"
echo CONFIG_MODULE_COMPRESS_ZSTD=y >>"$ROOT/config-zstd"
expect_rc "install with a zstd kernel" 0 nd install hello/1.0 -k "$KVER" --config "$ROOT/config-zstd"
expect_out "installs .ko.zst" "Installing /lib/modules/$KVER/updates/dkms/hello.ko.zst"
check "built module stored compressed" [ -f "$B/module/hello.ko.zst" ]
check "no uncompressed copy kept" [ ! -e "$B/module/hello.ko" ]
check "zstd magic" [ "$(magic "$K/updates/dkms/hello.ko.zst" 4)" = 28b52ffd ]
check "modinfo reads the .ko.zst" sh -c "/sbin/modinfo -F version '$K/updates/dkms/hello.ko.zst' | grep -qx 1.0"
check "the compressed module is signed" sh -c "/sbin/modinfo -F signer '$K/updates/dkms/hello.ko.zst' | grep -qx 'DKMS module signing key'"
check "modules.dep lists the .ko.zst" grep -q "^updates/dkms/hello.ko.zst:" "$K/modules.dep"
expect_rc "status" 0 nd status
check "status says installed" grep -qx "hello/1.0, $KVER, $ARCH: installed" "$OUT"
expect_rc "uninstall" 0 nd uninstall hello/1.0 -k "$KVER" --config "$ROOT/config-zstd"
check "uninstall removed the .ko.zst" [ ! -e "$K/updates/dkms/hello.ko.zst" ]
check "modules.dep no longer lists it" sh -c "! grep -q hello '$K/modules.dep'"
expect_rc "remove" 0 nd remove hello/1.0 --all

# config selecting xz: crc32 check and the default 1 MiB dictionary
grep -v '^CONFIG_MODULE_COMPRESS' "$AUTO" >"$ROOT/config-xz"
echo CONFIG_MODULE_COMPRESS_XZ=y >>"$ROOT/config-xz"
expect_rc "install with an xz kernel" 0 nd install hello/1.0 -k "$KVER" --config "$ROOT/config-xz"
expect_out "installs .ko.xz" "Installing /lib/modules/$KVER/updates/dkms/hello.ko.xz"
check "xz magic" [ "$(magic "$K/updates/dkms/hello.ko.xz" 6)" = fd377a585a00 ]
check "xz stream uses crc32" [ "$(od -An -tx1 -j7 -N1 "$K/updates/dkms/hello.ko.xz" | tr -d ' ')" = 01 ]
check "modinfo reads the .ko.xz" sh -c "/sbin/modinfo -F version '$K/updates/dkms/hello.ko.xz' | grep -qx 1.0"
if command -v xz >/dev/null; then
	check "xz agrees: crc32, 1 MiB dictionary" sh -c "xz -lvv '$K/updates/dkms/hello.ko.xz' | grep -q 'CRC32' && xz -lvv '$K/updates/dkms/hello.ko.xz' | grep -q 'dict=1MiB'"
else
	skip "xz is not installed (xz-utils): xz's own reading of the .ko.xz"
fi
check "modules.dep lists the .ko.xz" grep -q "^updates/dkms/hello.ko.xz:" "$K/modules.dep"
expect_rc "uninstall (xz)" 0 nd uninstall hello/1.0 -k "$KVER" --config "$ROOT/config-xz"
check "uninstall removed the .ko.xz" [ ! -e "$K/updates/dkms/hello.ko.xz" ]
expect_rc "remove (xz)" 0 nd remove hello/1.0 --all

# no compression in the config: dkms's scan of the installed modules decides (gzip here)
gzip -c "$K/kernel/drivers/dummy/intree_dummy.ko" >"$K/kernel/drivers/dummy/intree_dummy.ko.gz"
rm "$K/kernel/drivers/dummy/intree_dummy.ko"
mkdir -p "$ROOT/etc/dkms/framework.conf.d"
echo 'compress_gzip_opts="-9"' >"$ROOT/etc/dkms/framework.conf.d/gz.conf"
expect_rc "install on a kernel with gzipped modules" 0 nd build hello/1.0 -k "$KVER"
check "built module stored as .ko.gz" [ -f "$B/module/hello.ko.gz" ]
check "gzip magic" [ "$(magic "$B/module/hello.ko.gz" 2)" = 1f8b ]
check "gzip -9 flag in the header" [ "$(od -An -tx1 -j8 -N1 "$B/module/hello.ko.gz" | tr -d ' ')" = 02 ]
check "it decompresses to a signed module" sh -c "gzip -dc '$B/module/hello.ko.gz' | tail -c 28 | grep -q 'Module signature appended'"
check "nothing written outside the root" host_unchanged
done_testing

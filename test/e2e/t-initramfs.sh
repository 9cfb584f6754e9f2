#!/bin/sh
# t-initramfs.sh - the Debian hook order with initramfs-tools: a real run-parts over
# /etc/kernel/postinst.d in an overlay of the host's / (private mount namespace) runs ndkms's
# 50-ndkms before initramfs-tools, and the initramfs it makes (lsinitramfs) holds the module
# whose dkms.conf says REMAKE_INITRD="yes"; uninstalling that module outside a kernel
# transaction regenerates the initramfs without it, and installing it again puts it back.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
[ "$(id -u)" = 0 ] || skip_all "needs root for the private mount namespace"
for c in unshare run-parts update-initramfs lsinitramfs chroot; do
	command -v $c >/dev/null || skip_all "$c is not installed"
done
if [ -z "${NDKMS_IN_NS:-}" ]; then
	scratch_dir S
	NDKMS_IN_NS=1 S=$S NDKMS_TESTN=$TESTN unshare -m sh "$0"
	rc=$?
	TESTN=$(cat "$S/testn" 2>/dev/null || echo "$TESTN")
	check "nothing written outside the overlay" host_unchanged
	done_testing
	exit $rc
fi

TESTN=${NDKMS_TESTN:-0}
overlay_root
kernel_tree "$R/lib/modules/$KVER"
rm -rf "$R/var/lib/dkms" "$R/boot/initrd.img-$KVER"
mkdir -p "$R/var/lib/dkms" "$R/boot"
# mkinitramfs reads the kernel's config from /boot, which only an installed kernel image
# provides: without one, the headers' copy of the same config stands in
if [ ! -f "$R/boot/config-$KVER" ]; then
	cp "/lib/modules/$KVER/build/.config" "$R/boot/config-$KVER" ||
		notok "copying the kernel config of $KVER into the overlay's /boot"
fi
# only ndkms's hooks and initramfs-tools' in the overlay's kernel hook folders
for f in "$R"/etc/kernel/postinst.d/* "$R"/etc/kernel/prerm.d/*; do
	case ${f##*/} in initramfs-tools | zz-update-grub) ;; *) rm -f "$f" ;; esac
done
mkdir -p "$R/etc/kernel/postinst.d" "$R/etc/kernel/prerm.d"
install -m755 "$REPO/hooks/debian/postinst.d/50-ndkms" "$R/etc/kernel/postinst.d/50-ndkms"
install -m755 "$REPO/hooks/debian/prerm.d/50-ndkms" "$R/etc/kernel/prerm.d/50-ndkms"
install -m755 "$REPO/hooks/initramfs-tools/ndkms" "$R/usr/share/initramfs-tools/hooks/ndkms"
install -m755 "$NDKMS" "$R/usr/bin/ndkms"
# a small initramfs, quickly made: only listed modules (none) besides the hooks' own
mkdir -p "$R/etc/initramfs-tools/conf.d"
printf 'MODULES=list\nCOMPRESS=gzip\nCOMPRESSLEVEL=1\n' >"$R/etc/initramfs-tools/conf.d/zz-test.conf"
: >"$R/etc/initramfs-tools/modules"
mkdir -p "$R/usr/src/hello-1.0"
cp -a "$REPO/examples/hello/." "$R/usr/src/hello-1.0/"
echo 'REMAKE_INITRD="yes"' >>"$R/usr/src/hello-1.0/dkms.conf"
inr() { chroot "$R" env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
expect_rc "add hello" 0 inr ndkms add hello/1.0
check "initramfs-tools' hook is in postinst.d" [ -x "$R/etc/kernel/postinst.d/initramfs-tools" ]

# what the kernel package's postinst runs
expect_rc "run-parts over /etc/kernel/postinst.d" 0 inr run-parts --verbose --exit-on-error \
	--arg="$KVER" --arg="/boot/vmlinuz-$KVER" /etc/kernel/postinst.d
n=$(grep -n "executing /etc/kernel/postinst.d/50-ndkms" "$OUT" | cut -d: -f1)
i=$(grep -n "executing /etc/kernel/postinst.d/initramfs-tools" "$OUT" | cut -d: -f1)
check "ndkms ($n) ran before initramfs-tools ($i)" [ "${n:-99}" -lt "${i:-0}" ]
expect_out "ndkms installed hello for the kernel" "Autoinstall on $KVER succeeded for module(s) hello."
expect_no_out "the kernel transaction leaves the initramfs to initramfs-tools" "Regenerating the initramfs"
check "initramfs-tools made the initramfs" [ -f "$R/boot/initrd.img-$KVER" ]
lsinitramfs "$R/boot/initrd.img-$KVER" >"$S/list1" 2>/dev/null
check "the initramfs holds hello.ko" grep -q "lib/modules/$KVER/updates/dkms/hello.ko" "$S/list1"

# outside a kernel transaction
expect_rc "uninstall hello" 0 inr ndkms uninstall hello/1.0 -k "$KVER"
expect_out "the initramfs is regenerated once" "Regenerating the initramfs of kernel $KVER (/usr/sbin/update-initramfs)..."
check "once" [ "$(grep -c 'Regenerating the initramfs' "$OUT")" = 1 ]
lsinitramfs "$R/boot/initrd.img-$KVER" >"$S/list2" 2>/dev/null
check "the new initramfs lists files" [ -s "$S/list2" ]
check "the new initramfs is without hello.ko" sh -c '! grep -q "hello.ko" "$1"' _ "$S/list2"
# called as dkms (a package's install script): regenerated all the same, with dkms's output
ln -sf ndkms "$R/usr/bin/dkms.ndkms"
mv "$R/usr/bin/dkms.ndkms" "$R/usr/bin/dkms"
expect_rc "as dkms: install hello" 0 inr /usr/bin/dkms install hello/1.0 -k "$KVER"
expect_no_out "as dkms: no line of ndkms's own" "Regenerating the initramfs"
lsinitramfs "$R/boot/initrd.img-$KVER" >"$S/list4" 2>/dev/null
check "as dkms: hello.ko is in the initramfs" grep -q "updates/dkms/hello.ko" "$S/list4"
expect_rc "as dkms: uninstall hello" 0 inr /usr/bin/dkms uninstall hello/1.0 -k "$KVER"
lsinitramfs "$R/boot/initrd.img-$KVER" >"$S/list5" 2>/dev/null
check "as dkms: hello.ko is gone from the initramfs" sh -c '! grep -q "hello.ko" "$1"' _ "$S/list5"
expect_rc "install hello again" 0 inr ndkms install hello/1.0 -k "$KVER"
lsinitramfs "$R/boot/initrd.img-$KVER" >"$S/list3" 2>/dev/null
check "hello.ko is back in the initramfs" grep -q "updates/dkms/hello.ko" "$S/list3"
sed -i '/^REMAKE_INITRD/d' "$R/usr/src/hello-1.0/dkms.conf"
expect_rc "uninstall of a module not needed at boot" 0 inr ndkms uninstall hello/1.0 -k "$KVER"
expect_no_out "leaves the initramfs alone" "Regenerating the initramfs"
echo "$TESTN" >"$S/testn"

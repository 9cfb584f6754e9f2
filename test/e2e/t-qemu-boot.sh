#!/bin/sh
# t-qemu-boot.sh - a real kernel loads what ndkms installed: Debian's own vmlinuz boots in qemu (tcg)
# on a busybox initramfs whose module tree is the one ndkms left after installing examples/hello and
# examples/greeter, indexes written by ndkms's depmod; kmod's modprobe loads greeter by its alias.
# Then, as systemd-sysext merges an extension: greeter from mkkmod --format sysext (made against a
# base whose tree has hello), overlay-mounted over that base inside the VM, loaded through the
# extension's indexes after the first two were removed.
# The kernel image comes from the linux-image package the depmod fixtures unpack (kernel-tree.sh).
KVER=${KVER:-$(sh "$(dirname "$0")/../fixtures/kernel-tree.sh" kver)}
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] && [ -f "/lib/modules/$KVER/build/Makefile" ] || skip_all "no kernel headers installed"
QEMU=$(command -v qemu-system-x86_64) || skip_all "qemu-system-x86_64 is not installed (qemu-system-x86)"
"$QEMU" -version >/dev/null 2>&1 || skip_all "qemu-system-x86_64 does not run here"
BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
	[ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1 && { BUSYBOX=$b; break; }
done
[ -n "$BUSYBOX" ] || skip_all "no static busybox (busybox-static) installed"
KMOD=$(readlink -f /sbin/modprobe)
[ -x "$KMOD" ] || skip_all "kmod's modprobe is not installed"

# The fixture tree (modules of the real kernel) and the vmlinuz of the same package, cached.
TREE=$(sh "$REPO/test/fixtures/kernel-tree.sh" tree) || { notok "kernel fixture tree"; exit 1; }
VMLINUZ=$REPO/build/fixtures/vmlinuz-$KVER
if [ ! -s "$VMLINUZ" ]; then
	dl=$REPO/build/fixtures/dl
	ls "$dl/linux-image-${KVER}_"*.deb >/dev/null 2>&1 ||
		(mkdir -p "$dl" && cd "$dl" && apt-get download "linux-image-$KVER" >/dev/null 2>&1)
	deb=$(ls "$dl/linux-image-${KVER}_"*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] && dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./boot/vmlinuz-$KVER" >"$VMLINUZ.tmp" &&
		[ -s "$VMLINUZ.tmp" ] && mv "$VMLINUZ.tmp" "$VMLINUZ"
	rm -f "$VMLINUZ.tmp"
fi
[ -s "$VMLINUZ" ] || { notok "vmlinuz-$KVER from the linux-image package"; exit 1; }

# A throwaway root whose module tree is the real kernel's (hard links into the fixture: depmod only
# renames into it), without any index: every modules.* index below is written by ndkms.  An empty
# modules.dep stands for the installed kernel's (as dkms, ndkms skips depmod for a kernel without one).
mkroot
K=$ROOT/lib/modules/$KVER
rm -rf "$K/kernel" "$K"/modules.*
cp -al "$TREE/lib/modules/$KVER/." "$K/" 2>/dev/null || cp -a "$TREE/lib/modules/$KVER/." "$K/"
: >"$K/modules.dep"
add_source hello 1.0
add_source greeter 1.0

expect_rc "install hello (built against the real headers)" 0 nd install hello/1.0 -k "$KVER"
expect_out "install hello runs ndkms's depmod" "Running depmod... done."
expect_rc "install greeter (needs hello_greet)" 0 nd install greeter/1.0 -k "$KVER"
HKO=$(cd "$K" && ls updates/dkms/hello.ko* 2>/dev/null | head -n 1)
GKO=$(cd "$K" && ls updates/dkms/greeter.ko* 2>/dev/null | head -n 1)
check "both modules installed in updates/dkms" [ "${HKO:+h}${GKO:+g}" = hg ]
check "modules.dep: greeter depends on hello" grep -qx "$GKO: $HKO" "$K/modules.dep"
missing=
for f in dep dep.bin alias alias.bin softdep symbols symbols.bin builtin.bin builtin.alias.bin devname; do
	[ -f "$K/modules.$f" ] || missing="$missing modules.$f"
done
check "ndkms wrote all ten indexes${missing:+ (missing:$missing)}" [ -z "$missing" ]

# The system extension: a base root with the real tree and hello installed (its indexes know
# hello, not greeter), and greeter as an extension made against it.
B2=$ROOT/sysbase
mkdir -p "$B2/etc" "$B2/usr/lib/modules/$KVER" "$B2/usr/src" "$B2/var/lib"
ln -s usr/lib "$B2/lib"
cp -al "$TREE/lib/modules/$KVER/." "$B2/usr/lib/modules/$KVER/" 2>/dev/null ||
	cp -a "$TREE/lib/modules/$KVER/." "$B2/usr/lib/modules/$KVER/"
: >"$B2/usr/lib/modules/$KVER/modules.dep"
ln -s "$(readlink -f "/lib/modules/$KVER/build")" "$B2/usr/lib/modules/$KVER/build"
printf 'ID=ndkmstest\nVERSION_ID=1\n' >"$B2/usr/lib/os-release"
ln -s ../usr/lib/os-release "$B2/etc/os-release"
cp -a "$ROOT/usr/src/hello-1.0" "$ROOT/usr/src/greeter-1.0" "$B2/usr/src/"
# the builds are copied, not redone; the copied state says installed (in ROOT's tree): --force
cp -a "$ROOT/var/lib/dkms" "$B2/var/lib/"
expect_rc "sysext base: hello installed from the copied build" 0 \
	"$NDKMS" --root "$B2" install hello/1.0 -k "$KVER" --force
expect_rc "sysext: mkkmod greeter --format sysext against that base" 0 \
	"$NDKMS" --root "$B2" mkkmod greeter/1.0 -k "$KVER" --format sysext --out "$ROOT/ext"
EXT=$ROOT/ext/kmod-greeter
check "sysext: the base's indexes do not know greeter" \
	sh -c "! grep -q greeter '$B2/usr/lib/modules/$KVER/modules.dep'"
check "sysext: the extension's do" grep -q "^updates/greeter.ko: updates/dkms/hello.ko" \
	"$EXT/usr/lib/modules/$KVER/modules.dep"

# The initramfs: busybox, kmod with its libraries and loader, the modules and ndkms's indexes as
# they are (never regenerated), /init.  busybox's sh prefers its own applets: modprobe is called
# by its path so that kmod's runs.
I=$ROOT/initramfs
mkdir -p "$I/bin" "$I/sbin" "$I/usr/bin" "$I/dev" "$I/proc" "$I/sys" "$I/lib/modules/$KVER/updates"
cp "$BUSYBOX" "$I/bin/busybox"
for a in sh mount cat echo grep sed dmesg poweroff uname sleep; do ln -s busybox "$I/bin/$a"; done
cp "$KMOD" "$I/usr/bin/kmod"
ln -s /usr/bin/kmod "$I/sbin/modprobe"
ln -s /usr/bin/kmod "$I/sbin/rmmod"
ln -s /usr/bin/kmod "$I/sbin/insmod"
libdirs=
for l in $(ldd "$KMOD" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
	mkdir -p "$I${l%/*}"
	cp -L "$l" "$I$l"
	case ":$libdirs:" in *":${l%/*}:"*) ;; *) libdirs=${libdirs:+$libdirs:}${l%/*} ;; esac
done
cp -a "$K/updates/." "$I/lib/modules/$KVER/updates/"
cp -a "$K"/modules.* "$I/lib/modules/$KVER/"
# the extension whole, and of its base what the merged tree uses here: the indexes, hello, and
# overlayfs (a module in Debian's kernel) to mount the merge with
IB=$I/sysext/base/usr/lib/modules/$KVER
mkdir -p "$IB/updates/dkms" "$IB/kernel/fs/overlayfs" "$I/sysext/ext" "$I/merged/usr"
ln -s usr/lib "$I/sysext/base/lib"
ln -s usr/lib "$I/merged/lib"
cp -a "$B2/usr/lib/modules/$KVER"/modules.* "$IB/"
cp -a "$B2/usr/lib/modules/$KVER/updates/dkms/." "$IB/updates/dkms/"
cp -a "$B2/usr/lib/modules/$KVER/kernel/fs/overlayfs/." "$IB/kernel/fs/overlayfs/"
cp -a "$EXT/." "$I/sysext/ext/"
cat >"$I/init" <<EOF
#!/bin/sh
export PATH=/sbin:/bin:/usr/bin LD_LIBRARY_PATH=$libdirs
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
echo "NDKMS-E2E: init on \$(uname -r)"
/sbin/modprobe -v ndkms-greeter
echo "NDKMS-E2E: modprobe exit \$?"
sed 's/^/NDKMS-E2E: proc-modules: /' /proc/modules
dmesg | grep -E 'hello|greeter' | sed 's/^/NDKMS-E2E: dmesg: /'
/sbin/rmmod greeter && /sbin/rmmod hello && echo "NDKMS-E2E: sysext: removed greeter and hello"
/sbin/insmod /sysext/base/lib/modules/$KVER/kernel/fs/overlayfs/overlay.ko
mount -t overlay overlay -o ro,lowerdir=/sysext/ext/usr:/sysext/base/usr /merged/usr &&
	echo "NDKMS-E2E: sysext: merged"
/sbin/modprobe -d /sysext/base -S $KVER --show-depends ndkms-greeter >/dev/null 2>&1
echo "NDKMS-E2E: sysext: base alone exit \$?"
out=\$(/sbin/modprobe -v -d /merged -S $KVER ndkms-greeter 2>&1)
rc=\$?
echo "\$out" | sed 's/^/NDKMS-E2E: sysext: /'
echo "NDKMS-E2E: sysext: modprobe exit \$rc"
sed 's/^/NDKMS-E2E: sysext: proc-modules: /' /proc/modules
echo "NDKMS-E2E: done"
poweroff -f
EOF
chmod 755 "$I/init"
INITRD=$ROOT/initramfs.cpio.gz
(cd "$I" && find . | sort | "$BUSYBOX" cpio -o -H newc -R 0:0 2>/dev/null) | gzip -1 >"$INITRD"
check "initramfs packed (cpio newc, gzip)" [ -s "$INITRD" ]

# Boot.  No reboot: init's poweroff (or a panic, panic=-1) ends qemu; the timeout is the last resort.
CON=$ROOT/console.log
t0=$(date +%s)
timeout 150 "$QEMU" -accel tcg -m 512 -nographic -no-reboot -net none \
	-kernel "$VMLINUZ" -initrd "$INITRD" \
	-append "console=ttyS0 panic=-1 loglevel=4 mitigations=off" </dev/null >"$CON" 2>&1
qrc=$?
t1=$(date +%s)
echo "# qemu exited with status $qrc after $((t1 - t0)) s"
tr -d '\r' <"$CON" >"$CON.txt"
OUT=$CON.txt
expect_out "qemu ran init on the booted kernel $KVER" "NDKMS-E2E: init on $KVER"
expect_out "modprobe pulled in hello through modules.dep.bin" "insmod /lib/modules/$KVER/$HKO"
expect_out "modprobe loaded greeter by its alias" "insmod /lib/modules/$KVER/$GKO"
expect_out "modprobe exit status 0" "NDKMS-E2E: modprobe exit 0"
check "hello inserted before greeter, nothing else" \
	[ "$(awk '$1 == "insmod" { print $2 }' "$OUT" | tr '\n' ' ')" = \
	"/lib/modules/$KVER/$HKO /lib/modules/$KVER/$GKO " ]
check "kernel log: hello loaded" grep -Eq '^NDKMS-E2E: dmesg: \[ *[0-9.]+\] hello: loaded$' "$OUT"
check "kernel log: greeter called hello_greet" \
	grep -Eq '^NDKMS-E2E: dmesg: \[ *[0-9.]+\] greeter: hello_greet returned 42$' "$OUT"
check "greeter in /proc/modules" grep -q "^NDKMS-E2E: proc-modules: greeter " "$OUT"
check "hello in /proc/modules, used by greeter" \
	grep -q "^NDKMS-E2E: proc-modules: hello [0-9]* 1 greeter," "$OUT"
expect_out "init finished" "NDKMS-E2E: done"
expect_out "sysext: greeter and hello removed" "NDKMS-E2E: sysext: removed greeter and hello"
expect_out "sysext: the extension overlay-mounted over the base (lowerdir=ext:base)" "NDKMS-E2E: sysext: merged"
check "sysext: the base alone does not resolve greeter" grep -q "^NDKMS-E2E: sysext: base alone exit [1-9]" "$OUT"
check "sysext: modprobe loaded hello from the base, then greeter from the extension" \
	[ "$(sed -n 's/^NDKMS-E2E: sysext: insmod \([^ ]*\).*/\1/p' "$OUT" | tr '\n' ' ')" = \
	"/merged/lib/modules/$KVER/updates/dkms/hello.ko /merged/lib/modules/$KVER/updates/greeter.ko " ]
expect_out "sysext: modprobe exit status 0" "NDKMS-E2E: sysext: modprobe exit 0"
check "sysext: greeter in /proc/modules again" grep -q "^NDKMS-E2E: sysext: proc-modules: greeter " "$OUT"
check "qemu stopped by itself (not the timeout)" [ "$qrc" != 124 ]
# what init printed, and the end of the console when something is missing
grep '^NDKMS-E2E:' "$OUT" | sed 's/^/# /'
grep -q "NDKMS-E2E: modprobe exit 0" "$OUT" && grep -q "greeter: hello_greet returned 42" "$OUT" ||
	tail -n 60 "$OUT" | sed 's/^/# console| /'
check "nothing written outside the root" host_unchanged
done_testing

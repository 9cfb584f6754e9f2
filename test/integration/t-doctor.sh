#!/bin/sh
# t-doctor.sh - doctor against one throwaway root per inconsistency, made by hand from a root
# where examples/hello is built and installed for real: doctor names each problem with its exit
# status, --repair fixes what it claims, a second doctor is clean; what needs a person stays.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
W=$(mktemp -d "$TMPROOT/doctor.XXXXXX")
trap 'cleanup; rm -rf "$W" "${T:-}"' EXIT

# the template: hello/1.0 built (unsigned) and installed, indexes written by ndkms's depmod
mkroot
T=$ROOT
add_source hello 1.0
mkdir -p "$T/etc/dkms"
echo 'try_sign_modules=false' >"$T/etc/dkms/framework.conf"
expect_rc "template: install hello/1.0" 0 nd install hello/1.0 -k "$KVER"
ROOT=

# fresh CASE: a copy of the template in $R; dr: doctor in it
fresh() {
	R=$W/$1
	cp -a "$T" "$R"
	K=$R/lib/modules/$KVER
	S=$R/var/lib/dkms/hello
	B=$S/1.0/$KVER/$ARCH
}
dr() { "$NDKMS" --root "$R" doctor "$@"; }
# the repair, then a second doctor that must be clean
repaired_clean() {
	expect_rc "$1: --repair" 0 dr --repair
	expect_out "$1: repair says nothing is left" "No problems left."
	expect_rc "$1: second doctor is clean" 0 dr
	expect_out "$1: second doctor says so" "No problems found."
}

fresh clean
expect_rc "clean root" 0 dr
expect_out "clean root reports nothing" "No problems found."
check "clean root: one line" [ "$(wc -l <"$OUT")" = 1 ]
expect_rc "clean root --json" 0 dr --json
expect_out "json clean" '"problems":[],"clean":true'
expect_rc "clean root --repair changes nothing" 0 dr --repair
check "clean root: still installed" [ -f "$K/updates/dkms/hello.ko" ]

fresh built-missing
rm "$B/module/hello.ko"
expect_rc "built module deleted" 1 dr
expect_out "names it" "built-missing: hello/1.0 is built for $KVER ($ARCH) and installed but hello.ko is missing"
expect_out "says what --repair does" "[--repair: uninstall it and delete the build record]"
check "one problem line" [ "$(grep -c '^built-missing' "$OUT")" = 1 ]
repaired_clean built-missing
check "built-missing: installed copy gone" [ ! -e "$K/updates/dkms/hello.ko" ]
check "built-missing: kernel link gone" [ ! -e "$S/kernel-$KVER-$ARCH" ]
check "built-missing: build record gone" [ ! -e "$B" ]
check "built-missing: still registered" [ -L "$S/1.0/source" ]
check "built-missing: indexes no longer list it" sh -c "! grep -q hello '$K/modules.dep'"

fresh unowned
cp "$K/updates/dkms/hello.ko" "$K/updates/dkms/planted.ko"
/sbin/depmod -b "$R" "$KVER"
expect_rc "planted .ko" 1 dr
expect_out "names it" "unowned-module: /lib/modules/$KVER/updates/dkms/planted.ko is in a DKMS folder of kernel $KVER but no registered module installed it"
expect_out "needs a person" "[needs a person: delete it if no package ships it"
check "the owned module is not reported" sh -c "! grep -q 'dkms/hello.ko is in a DKMS' '$OUT'"
expect_rc "--repair leaves it to a person" 1 dr --repair
expect_out "still listed" "unowned-module: /lib/modules/$KVER/updates/dkms/planted.ko"
check "planted file left alone" [ -f "$K/updates/dkms/planted.ko" ]
expect_rc "-m hello looks only at hello" 0 dr -m hello

fresh corrupt
printf 'x' >>"$K/updates/dkms/hello.ko"
expect_rc "installed module corrupted" 1 dr
expect_out "names it" "installed-differs: hello/1.0 on $KVER ($ARCH): the installed /lib/modules/$KVER/updates/dkms/hello.ko differs from the built /var/lib/dkms/hello/1.0/$KVER/$ARCH/module/hello.ko"
repaired_clean corrupt
check "corrupt: the installed module is the built one again" cmp "$K/updates/dkms/hello.ko" "$B/module/hello.ko"

fresh installed-missing
rm "$K/updates/dkms/hello.ko"
expect_rc "installed module deleted" 1 dr
expect_out "names it" "installed-missing: hello/1.0 is installed for $KVER ($ARCH) but hello.ko is not in /lib/modules/$KVER/updates/dkms"
expect_out "the index entry whose file is gone" "index-stale: the indexes of kernel $KVER are older than its tree: 1 entry whose file is gone (updates/dkms/hello.ko)"
repaired_clean installed-missing
check "installed-missing: reinstalled" cmp "$K/updates/dkms/hello.ko" "$B/module/hello.ko"

fresh build-gone
rm -r "$S/1.0/$KVER"
expect_rc "whole build deleted" 1 dr
expect_out "names it" "installed-not-built: hello/1.0 is installed for $KVER ($ARCH) but its build 1.0/$KVER/$ARCH is gone"
repaired_clean build-gone
check "build-gone: installed copy deleted" [ ! -e "$K/updates/dkms/hello.ko" ]
check "build-gone: link deleted" [ ! -e "$S/kernel-$KVER-$ARCH" ]

fresh kernel-gone
mv "$K" "$W/kernel-gone.tree"
expect_rc "the kernel's tree removed behind the state's back" 1 dr
expect_out "names it" "kernel-gone: hello/1.0 is installed for $KVER ($ARCH), but that kernel's tree /lib/modules/$KVER is gone"
repaired_clean kernel-gone
check "kernel-gone: link dropped" [ ! -e "$S/kernel-$KVER-$ARCH" ]
check "kernel-gone: the build is kept, as dkms keeps it" [ -f "$B/module/hello.ko" ]
check "kernel-gone: no kernel tree made up" [ ! -e "$K" ]
: >"$R/var/lib/dkms/.ndkms-depmod-$KVER"
expect_rc "a pending depmod for the removed kernel" 1 dr
repaired_clean kernel-gone-depmod
check "kernel-gone: its pending marker gone" [ ! -e "$R/var/lib/dkms/.ndkms-depmod-$KVER" ]

fresh source-gone
add() { "$NDKMS" --root "$R" add "$@"; }
mkdir -p "$R/usr/src/hello-2.0"
cp -a "$REPO/examples/hello/." "$R/usr/src/hello-2.0/"
sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="2.0"/' "$R/usr/src/hello-2.0/dkms.conf"
expect_rc "register hello/2.0" 0 add hello/2.0
rm -r "$R/usr/src/hello-2.0"
expect_rc "source of a registered version deleted" 1 dr
expect_out "names the dangling link" "source-dangling: hello/2.0: the source link /var/lib/dkms/hello/2.0/source points at /usr/src/hello-2.0, which does not exist"
expect_out "nothing built: unregister" "[--repair: unregister it (nothing is built or installed)]"
repaired_clean source-gone
check "source-gone: 2.0 unregistered" [ ! -e "$S/2.0" ]
check "source-gone: 1.0 kept" [ -f "$B/module/hello.ko" ]

fresh source-built
rm "$R/usr/src/hello-1.0/dkms.conf"
expect_rc "dkms.conf of a built module deleted" 1 dr
expect_out "names it" "source-no-conf: hello/1.0: the source /usr/src/hello-1.0 has no dkms.conf"
expect_out "built: a person decides" "[needs a person: restore the source /usr/src/hello-1.0"
expect_rc "--repair does not touch it" 1 dr --repair
check "source-built: still installed" [ -f "$K/updates/dkms/hello.ko" ]
check "source-built: no unowned report for its own module" sh -c "! grep -q unowned '$OUT'"

fresh marker
printf '1.0\n%s\n%s\n' "$KVER" "$ARCH" >"$S/.ndkms-txn-$KVER-$ARCH"
expect_rc "leftover transaction marker" 1 dr
expect_out "names it" "transaction: an install or uninstall of hello was interrupted: /var/lib/dkms/hello/.ndkms-txn-$KVER-$ARCH is still there (1.0 $KVER $ARCH )"
repaired_clean marker
check "marker: gone" [ ! -e "$S/.ndkms-txn-$KVER-$ARCH" ]
check "marker: rolled back as an uninstall" [ ! -e "$K/updates/dkms/hello.ko" ]
check "marker: still built" [ -f "$B/module/hello.ko" ]

fresh stale-index
grep -v hello "$K/modules.dep" >"$W/dep" && cat "$W/dep" >"$K/modules.dep"
expect_rc "indexes older than the tree" 1 dr
expect_out "names it" "index-stale: the indexes of kernel $KVER are older than its tree: 1 module not in modules.dep (updates/dkms/hello.ko)"
repaired_clean stale-index
check "stale-index: modules.dep lists it again" grep -q '^updates/dkms/hello.ko:' "$K/modules.dep"

fresh pending
: >"$R/var/lib/dkms/.ndkms-depmod-$KVER"
expect_rc "deferred depmod left" 1 dr
expect_out "names it" "depmod-pending: a deferred depmod for kernel $KVER never ran"
repaired_clean pending
check "pending: marker gone" [ ! -e "$R/var/lib/dkms/.ndkms-depmod-$KVER" ]

fresh weak
mkdir -p "$K/weak-updates/hello"
ln -s "../../../0.0.1-gone/extra/hello/gone.ko" "$K/weak-updates/hello/gone.ko"
expect_rc "dangling weak-updates link" 1 dr
expect_out "names it" "weak-dangling: the weak-updates link /lib/modules/$KVER/weak-updates/hello/gone.ko points at ../../../0.0.1-gone/extra/hello/gone.ko, which does not exist"
repaired_clean weak
check "weak: link gone" [ ! -L "$K/weak-updates/hello/gone.ko" ]

fresh weak-kabi
K3=0.0.3-doctor
kernel_tree "$R/lib/modules/$K3"
/sbin/modprobe --dump-modversions "$K/updates/dkms/hello.ko" >"$W/vers"
check "hello has a __versions table" [ -s "$W/vers" ]
awk '{ printf "%s\t%s\tvmlinux\tEXPORT_SYMBOL\n", $1, $2 }' "$W/vers" | gzip >"$R/lib/modules/$K3/symvers.gz"
mkdir -p "$R/lib/modules/$K3/weak-updates/dkms"
ln -s "../../../$KVER/updates/dkms/hello.ko" "$R/lib/modules/$K3/weak-updates/dkms/hello.ko"
/sbin/depmod -b "$R" "$K3"
expect_rc "a weak-updates link whose CRCs match" 0 dr
sym=$(awk 'NR == 1 { print $2 }' "$W/vers")
awk 'NR == 1 { printf "0x0badc0de\t%s\tvmlinux\tEXPORT_SYMBOL\n", $2; next }
	{ printf "%s\t%s\tvmlinux\tEXPORT_SYMBOL\n", $1, $2 }' "$W/vers" | gzip >"$R/lib/modules/$K3/symvers.gz"
expect_rc "the kernel's CRC of one symbol changed" 1 dr
expect_out "names it" "weak-incompatible: the weak-updates link /lib/modules/$K3/weak-updates/dkms/hello.ko points at ../../../$KVER/updates/dkms/hello.ko, which needs $sym with a CRC kernel $K3 no longer exports"
repaired_clean weak-kabi
check "weak-kabi: link gone" [ ! -L "$R/lib/modules/$K3/weak-updates/dkms/hello.ko" ]
check "weak-kabi: $K3's index no longer lists it" sh -c "! grep -q hello '$R/lib/modules/$K3/modules.dep'"
check "weak-kabi: the module itself kept" [ -f "$K/updates/dkms/hello.ko" ]

fresh lock
ln -s "$R/etc/os-release" "$R/var/lib/dkms/.ndkms-lock/module-hello2.lock"
expect_rc "a lock file that is a link" 1 dr
expect_out "names it" "lock-stale: the lock file /var/lib/dkms/.ndkms-lock/module-hello2.lock is a symbolic link"
repaired_clean lock
check "lock: link gone, its target kept" sh -c "[ ! -L '$R/var/lib/dkms/.ndkms-lock/module-hello2.lock' ] && [ -f '$R/etc/os-release' ]"

fresh vermagic
K2=0.0.1-doctor
kernel_tree "$R/lib/modules/$K2"
cp -a "$S/1.0/$KVER" "$S/1.0/$K2"
expect_rc "a build filed under another kernel" 1 dr
expect_out "names it" "vermagic: /var/lib/dkms/hello/1.0/$K2/$ARCH/module/hello.ko was built for kernel $KVER, not $K2 (vermagic)"
expect_out "tells the rebuild" "ndkms build hello/1.0 -k $K2 --force"
expect_rc "-k $KVER looks only at $KVER" 0 dr -k "$KVER"

fresh unsigned
sh "$REPO/test/fixtures/efivars.sh" secureboot "$R/sys/firmware/efi" 1
expect_rc "unsigned module with Secure Boot on" 1 dr
expect_out "names it" "unsigned: /var/lib/dkms/hello/1.0/$KVER/$ARCH/module/hello.ko is not signed, and kernel $KVER only loads signed modules (Secure Boot)"
expect_rc "--repair cannot sign" 1 dr --repair
expect_out "still listed" "unsigned: /var/lib/dkms/hello/1.0/$KVER/$ARCH/module/hello.ko"
dr --json >"$OUT" 2>&1
check "json names the check" grep -q '"check":"unsigned"' "$OUT"
check "json: needs a person" grep -q '"repairable":false' "$OUT"
check "json: the in-root path" grep -qF '"path":"/var/lib/dkms/hello/1.0/'"$KVER/$ARCH"'/module/hello.ko"' "$OUT"
if command -v python3 >/dev/null; then
	check "json parses" python3 -c "import json; d=json.load(open('$OUT')); assert not d['clean']"
else
	skip "python3 is not installed: the JSON is not parsed"
fi
# what the person does: sign, then enroll the certificate
echo 'try_sign_modules=true' >"$R/etc/dkms/framework.conf"
expect_rc "rebuild signed" 0 "$NDKMS" --root "$R" build hello/1.0 -k "$KVER" --force
expect_rc "reinstall signed" 0 "$NDKMS" --root "$R" install hello/1.0 -k "$KVER" --force
expect_rc "signed, certificate not enrolled" 1 dr
expect_out "names the enrollment" "mok-not-enrolled: Secure Boot is on and the signing certificate /var/lib/dkms/mok.pub is neither enrolled"
check "no unsigned report once signed" sh -c "! grep -q '^unsigned' '$OUT'"
sh "$REPO/test/fixtures/efivars.sh" list "$R/sys/firmware/efi" MokListRT "$R/var/lib/dkms/mok.pub"
expect_rc "signed and enrolled: clean" 0 dr
# a module signed with another key
printf 'try_sign_modules=true\nmok_signing_key=/var/lib/dkms/b.key\nmok_certificate=/var/lib/dkms/b.pub\n' \
	>"$R/etc/dkms/framework.conf"
expect_rc "another key pair" 0 "$NDKMS" --root "$R" generate_mok
echo 'try_sign_modules=true' >"$R/etc/dkms/framework.conf"
cp "$B/module/hello.ko" "$W/signed-a.ko"
printf 'try_sign_modules=true\nmok_signing_key=/var/lib/dkms/b.key\nmok_certificate=/var/lib/dkms/b.pub\n' \
	>"$R/etc/dkms/framework.conf"
expect_rc "signed with another key" 1 dr
expect_out "names the other key" "other-key: /var/lib/dkms/hello/1.0/$KVER/$ARCH/module/hello.ko is signed by \"DKMS module signing key\""

check "host untouched" host_unchanged
done_testing

#!/bin/sh
# t-weak-modules.sh - weak-modules against synthetic kernels, each with its own symvers derived
# from the real headers' Module.symvers: hello and greeter built for real, links decided by CRC.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
SV=/lib/modules/$KVER/build/Module.symvers
[ -f "$SV" ] || skip_all "no Module.symvers in the headers"
W=$(mktemp -d "$TMPROOT/weak.XXXXXX")
trap 'rm -rf "$W"; cleanup' EXIT

# the modules, built once against Debian's headers
mkdir -p "$W/hello" "$W/greeter"
cp "$REPO/examples/hello/hello.c" "$REPO/examples/hello/Kbuild" "$W/hello/"
cp "$REPO/examples/greeter/greeter.c" "$REPO/examples/greeter/Kbuild" "$W/greeter/"
make -s -C "/lib/modules/$KVER/build" M="$W/hello" modules >"$W/make.log" 2>&1 &&
	make -s -C "/lib/modules/$KVER/build" M="$W/greeter" \
		KBUILD_EXTRA_SYMBOLS="$W/hello/Module.symvers" modules >>"$W/make.log" 2>&1 ||
	{ sed 's/^/# /' "$W/make.log"; notok "build the example modules"; done_testing; exit 1; }
crc() { awk -v s="$1" '$2 == s { print $1 }' "$SV"; }
PRINTK=$(crc _printk)

# kernels: A (built for), GOOD (same CRCs), BADCRC (_printk differs), MISSING (no module_layout),
# NOSV (no symvers at all)
ROOT=$(mktemp -d "$TMPROOT/root.XXXXXX")
A=$KVER GOOD=6.1.0-901-amd64 BADCRC=6.1.0-902-amd64 MISSING=6.1.0-903-amd64 NOSV=6.1.0-904-amd64
L=$ROOT/lib/modules
for k in $A $GOOD $BADCRC $MISSING $NOSV; do
	mkdir -p "$L/$k/kernel/drivers/dummy" "$ROOT/boot"
	sh "$REPO/test/fixtures/fake-ko.sh" "$L/$k/kernel/drivers/dummy/intree_dummy.ko" intree_dummy 1.0
	echo kernel/drivers/dummy/intree_dummy.ko >"$L/$k/modules.order"
	: >"$L/$k/modules.builtin"
	: >"$L/$k/modules.builtin.modinfo"
done
gzip -c "$SV" >"$ROOT/boot/symvers-$A.gz"
gzip -c "$SV" >"$ROOT/boot/symvers-$GOOD.gz"
sed "s/^$PRINTK\t_printk\t/0x0badc0de\t_printk\t/" "$SV" | gzip -c >"$ROOT/boot/symvers-$BADCRC.gz"
awk -F'\t' '$2 != "module_layout"' "$SV" | gzip -c >"$ROOT/boot/symvers-$MISSING.gz"
mkdir -p "$L/$A/extra/hello"
cp "$W/hello/hello.ko" "$W/greeter/greeter.ko" "$L/$A/extra/hello/"
HELLO=/lib/modules/$A/extra/hello/hello.ko
GREETER=/lib/modules/$A/extra/hello/greeter.ko
tree() { (cd "$ROOT" && find lib boot -printf '%p %y %l\n' | sort; cat lib/modules/*/modules.dep 2>/dev/null); }
wm() { printf '%s\n' "$@" | nd weak-modules "$WMOPT" ${WMV:-}; }

# dry run first: nothing may change
tree >"$W/before"
WMOPT=--add-modules expect_rc "dry run" 0 sh -c "printf '%s\n' $HELLO | '$NDKMS' --root '$ROOT' weak-modules --add-modules --dry-run"
expect_out "dry run shows the link it would make" "ln -sf ../../../$A/extra/hello/hello.ko /lib/modules/$GOOD/weak-updates/hello/hello.ko"
tree >"$W/after"
check "dry run changed nothing" cmp -s "$W/before" "$W/after"

# greeter alone needs hello_greet: nowhere to be found
WMOPT=--add-modules WMV=--verbose expect_rc "add greeter alone" 0 wm "$GREETER"
expect_out "greeter alone is refused" "Module greeter.ko from kernel $A is not compatible with kernel $GOOD in symbols: hello_greet"
check "no link for greeter alone" [ ! -e "$L/$GOOD/weak-updates/hello/greeter.ko" ]

# hello and greeter together: one group
WMOPT=--add-modules WMV=--verbose expect_rc "add hello and greeter" 0 wm "$HELLO" "$GREETER"
expect_out "compatible message" "Module hello.ko from kernel $A is compatible with kernel $GOOD"
expect_out "CRC mismatch named" "Module hello.ko from kernel $A is not compatible with kernel $BADCRC in symbols: _printk"
expect_out "missing symbol named" "Module hello.ko from kernel $A is not compatible with kernel $MISSING in symbols: module_layout"
expect_out "kernel without symvers warned" "kernel $NOSV has no symvers"
check "hello linked into the matching kernel" [ "$(readlink "$L/$GOOD/weak-updates/hello/hello.ko")" = "../../../$A/extra/hello/hello.ko" ]
check "greeter linked with it" [ -L "$L/$GOOD/weak-updates/hello/greeter.ko" ]
check "link resolves to the module" cmp -s "$L/$GOOD/weak-updates/hello/hello.ko" "$W/hello/hello.ko"
check "modules.dep lists weak-updates" grep -qx "weak-updates/hello/greeter.ko: weak-updates/hello/hello.ko" "$L/$GOOD/modules.dep"
check "no link where one CRC differs" [ ! -e "$L/$BADCRC/weak-updates" ]
check "no link where a symbol is missing" [ ! -e "$L/$MISSING/weak-updates" ]
check "nothing for the kernel without symvers" [ ! -e "$L/$NOSV/weak-updates" ]
check "own kernel's indexes written" grep -q "^extra/hello/greeter.ko: extra/hello/hello.ko" "$L/$A/modules.dep"

# a group fails as a whole: a kernel where hello's own needs break greeter too
sed "s/^$PRINTK\t_printk\t/0x0badc0de\t_printk\t/" "$SV" | gzip -c >"$ROOT/boot/symvers-$GOOD.gz"
rm -rf "$L/$GOOD/weak-updates"
WMOPT=--add-modules WMV=--verbose expect_rc "add the group to a kernel where hello fails" 0 wm "$HELLO" "$GREETER"
expect_out "greeter fails with its group" "Module greeter.ko from kernel $A is not compatible with kernel $GOOD"
check "greeter not linked" [ ! -e "$L/$GOOD/weak-updates/hello/greeter.ko" ]
check "hello not linked" [ ! -e "$L/$GOOD/weak-updates/hello/hello.ko" ]
gzip -c "$SV" >"$ROOT/boot/symvers-$GOOD.gz"
WMOPT=--add-modules expect_rc "add again" 0 wm "$HELLO" "$GREETER"
check "linked again" [ -L "$L/$GOOD/weak-updates/hello/greeter.ko" ]

# a real module in extra/ of the target is never shadowed
mkdir -p "$L/$GOOD/extra/own"
cp "$W/hello/hello.ko" "$L/$GOOD/extra/own/hello.ko"
rm -rf "$L/$GOOD/weak-updates"
WMOPT=--add-modules WMV=--verbose expect_rc "add with a real hello in the target" 0 wm "$HELLO" "$GREETER"
check "hello not shadowed" [ ! -e "$L/$GOOD/weak-updates/hello/hello.ko" ]
check "greeter uses the real one" [ -L "$L/$GOOD/weak-updates/hello/greeter.ko" ]
rm -rf "$L/$GOOD/extra" "$L/$GOOD/weak-updates"
WMOPT=--add-modules expect_rc "back to the plain case" 0 wm "$HELLO" "$GREETER"

# --remove-modules: links go when the module files are gone (rpm %postun), stay while they exist
WMOPT=--remove-modules expect_rc "remove while the files exist" 0 wm "$HELLO" "$GREETER"
check "links kept while the files exist" [ -L "$L/$GOOD/weak-updates/hello/hello.ko" ]
mv "$L/$A/extra/hello" "$W/saved"
WMOPT=--remove-modules expect_rc "remove modules" 0 wm "$HELLO" "$GREETER"
check "links removed" [ ! -e "$L/$GOOD/weak-updates/hello" ]
check "modules.dep no longer lists them" sh -c "! grep -q weak-updates '$L/$GOOD/modules.dep'"
mv "$W/saved" "$L/$A/extra/hello"

# --add-kernel / --remove-kernel
expect_rc "add-kernel" 0 nd weak-modules --add-kernel "$GOOD"
check "add-kernel links hello" [ -L "$L/$GOOD/weak-updates/hello/hello.ko" ]
check "add-kernel links greeter" [ -L "$L/$GOOD/weak-updates/hello/greeter.ko" ]
expect_rc "add-kernel of an incompatible kernel" 0 nd weak-modules --add-kernel "$BADCRC"
check "nothing linked there" [ ! -e "$L/$BADCRC/weak-updates/hello" ]
expect_rc "add-kernel without symvers (RHEL: exit 1)" 1 nd weak-modules --add-kernel "$NOSV"
expect_out "symvers message" "Symvers dump file /boot/symvers-$NOSV.gz not found"
tree >"$W/before"
expect_rc "remove-kernel dry run" 0 nd weak-modules --remove-kernel "$GOOD" --dry-run
tree >"$W/after"
check "remove-kernel dry run changed nothing" cmp -s "$W/before" "$W/after"
expect_rc "remove-kernel" 0 nd weak-modules --remove-kernel "$GOOD"
check "weak-updates kept" [ -d "$L/$GOOD/weak-updates" ]
check "weak-updates emptied" [ -z "$(ls -A "$L/$GOOD/weak-updates" 2>&1)" ]

# bad input: clear lines, exit 0 as RHEL's script, nothing touched
expect_rc "add-kernel again" 0 nd weak-modules --add-kernel "$GOOD"
nd depmod "$A" >/dev/null 2>&1
tree >"$W/before"
sh "$REPO/test/fixtures/fake-ko.sh" "$L/$A/extra/hello/plain.ko" plain 1.0
WMOPT=--add-modules expect_rc "bad module paths" 0 wm /lib/modules/$A/extra/nope.ko /etc/passwd \
	"/lib/modules/$A/extra/../../../../etc/x.ko" "/lib/modules/$GOOD/weak-updates/hello/hello.ko" \
	"/lib/modules/$A/extra/hello/plain.ko" "/lib/modules/$A/extra/hello/plain.ko"
expect_out "missing file named" "/lib/modules/$A/extra/nope.ko: skipped, no such file"
expect_out "outside the tree named" "/etc/passwd: skipped, it is not below /lib/modules/KVER/<folder>/"
expect_out "dot-dot refused" "skipped, the path has '.' or '..' in it"
expect_out "weak link refused as input" "skipped, it is a weak-updates link itself"
expect_out "no __versions said" "plain.ko has no __versions table"
check "no __versions said once" [ "$(grep -c 'has no __versions' "$OUT")" = 1 ]
rm -f "$L/$A/extra/hello/plain.ko"
nd depmod "$A" >/dev/null 2>&1
tree >"$W/after"
check "bad input touched nothing" cmp -s "$W/before" "$W/after"
expect_rc "no operation: usage, exit 1" 1 nd weak-modules

# install and uninstall call weak-modules on the RHEL family; status shows installed-weak
rm -rf "$ROOT"
mkroot
printf 'ID="rhel"\nVERSION_ID="9.4"\n' >"$ROOT/etc/os-release"
mkdir -p "$ROOT/lib/modules/$GOOD/kernel" "$ROOT/boot"
gzip -c "$SV" >"$ROOT/boot/symvers-$GOOD.gz"
add_source hello 1.0
expect_rc "install on a RHEL root" 0 nd install hello/1.0 -k "$KVER"
WL=$(find "$ROOT/lib/modules/$GOOD/weak-updates" -name hello.ko 2>/dev/null)
check "install linked hello into the compatible kernel" [ -L "$WL" ]
check "the link leads to the installed module" cmp -s "$WL" "$(find "$ROOT/lib/modules/$KVER" -name hello.ko -type f)"
expect_rc "status" 0 nd status
expect_out "installed-weak line" "hello/1.0, $GOOD, $ARCH: installed-weak from $KVER"
expect_rc "uninstall" 0 nd uninstall hello/1.0 -k "$KVER"
check "uninstall removed the link" [ ! -e "$WL" ]
sed -i 's/^AUTOINSTALL=.*/&\nNO_WEAK_MODULES="yes"/' "$ROOT/usr/src/hello-1.0/dkms.conf"
expect_rc "install with NO_WEAK_MODULES" 0 nd install hello/1.0 -k "$KVER" --force
check "no link with NO_WEAK_MODULES" [ ! -e "$WL" ]
check "host untouched" host_unchanged
done_testing

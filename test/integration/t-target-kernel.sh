#!/bin/sh
# t-target-kernel.sh - builds see the target kernel: a Makefile that asks $(shell uname -r)
# builds against the headers of the kernel named with -k (not the running one), its vermagic
# names that kernel; PRE_BUILD and POST_BUILD scripts see the same uname; other uname calls
# are the real uname's; the private uname folder is gone after the build.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
[ "$(uname -r)" != "$KVER" ] || skip_all "the running kernel is the one with headers ($KVER)"
mkroot
T=$ROOT/tmp
mkdir -p "$T"
export TMPDIR=$T
S=$ROOT/usr/src/unamemod-1.0
mkdir -p "$S"
sed 's/hello_greet/unamemod_greet/' "$REPO/examples/hello/hello.c" >"$S/unamemod.c"
cat >"$S/Makefile" <<'MK'
KVER := $(shell uname -r)
obj-m := unamemod.o
all:
	$(MAKE) -C /lib/modules/$(KVER)/build M=$(CURDIR) modules
MK
cat >"$S/uname-probe.sh" <<'SH'
#!/bin/sh
echo "$1 r=$(uname -r) m=$(uname -m) rm=$(uname -r -m) s=$(uname -s)" >>../uname-probe.txt
SH
chmod +x "$S/uname-probe.sh"
cat >"$S/dkms.conf" <<'CONF'
PACKAGE_NAME="unamemod"
PACKAGE_VERSION="1.0"
MAKE[0]="make all"
PRE_BUILD="uname-probe.sh pre"
POST_BUILD="uname-probe.sh post"
BUILT_MODULE_NAME[0]="unamemod"
DEST_MODULE_LOCATION[0]="/updates/dkms"
CONF
expect_rc "add" 0 nd add unamemod/1.0
expect_rc "build for $KVER while $(uname -r) runs" 0 nd build unamemod/1.0 -k "$KVER"
ko=$ROOT/var/lib/dkms/unamemod/1.0/$KVER/$ARCH/module/unamemod.ko
[ -f "$ko" ] || ko=$(ls "$ROOT/var/lib/dkms/unamemod/1.0/$KVER/$ARCH/module/"unamemod.ko* 2>/dev/null | head -n 1)
check "module built" [ -f "$ko" ]
vm=$(modinfo -F vermagic "$ko" 2>/dev/null)
check "vermagic names the target kernel ($vm)" sh -c 'case "$1" in "$2 "*) exit 0 ;; esac; exit 1' _ "$vm" "$KVER"
check "make.log shows the target's headers" grep -q "/lib/modules/$KVER/build" \
	"$ROOT/var/lib/dkms/unamemod/1.0/$KVER/$ARCH/log/make.log"
P=$ROOT/var/lib/dkms/unamemod/1.0/uname-probe.txt
check "PRE_BUILD saw the target" grep -qx "pre r=$KVER m=$ARCH rm=$KVER $ARCH s=$(uname -s)" "$P"
check "POST_BUILD saw the target" grep -qx "post r=$KVER m=$ARCH rm=$KVER $ARCH s=$(uname -s)" "$P"
check "the private uname folder is removed" sh -c '! ls -d "$1"/ndkms-uname.* 2>/dev/null' _ "$T"
check "nothing written outside the root" host_unchanged
done_testing

#!/bin/sh
# t-security-input.sh - hostile input reaching ndkms run as root: kernel versions, names and
# versions holding shell code or dot-dot, a root whose path has a space.  Each is refused with a
# message or made harmless; no code from a value runs and nothing is written for it.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
# A throwaway root every user can traverse, with a space in its path: every build below runs
# there, so kbuild's -C and M= and every script path get the space.
TMPROOT=$(mktemp -d "/tmp/ndkms sec-input.XXXXXX")
chmod 0755 "$TMPROOT"
trap 'rm -rf "$TMPROOT"; cleanup' EXIT
mkroot
chmod 0755 "$ROOT"
K=$ROOT/lib/modules/$KVER
HDR=$(readlink -f "/lib/modules/$KVER/build")
# shell code in a value: run anywhere (the cwd of make is inside the root), it leaves a file
BAD='6.1;echo INJECTED>injected;x'
no_code_ran() { ! find "$TMPROOT" -name injected | grep -q .; }
tree_sum() { find "$ROOT" | LC_ALL=C sort | md5sum; }
hook() { "$NDKMS" --root "$ROOT" hook "$@"; }

# --- a kernel folder named by shell code, with headers: the folder scan skips it
mkdir -p "$ROOT/lib/modules/$BAD"
ln -s "$HDR" "$ROOT/lib/modules/$BAD/build"
add_source hello 1.0
expect_rc "hook: a new module is built for the kernels with headers" 0 hook alpm install <<IN
usr/src/hello-1.0/dkms.conf
IN
expect_out "the kernel folder named by shell code is skipped, with a warning" \
	"Warning: Skipping /lib/modules/$BAD: not a valid kernel version."
expect_out "built and installed for the real kernel, in a root whose path has a space" \
	"hello/1.0, $KVER, $ARCH: installed"
check "hello.ko installed" [ -f "$K/updates/dkms/hello.ko" ]
check "modules.dep lists it" grep -q "^updates/dkms/hello.ko:" "$K/modules.dep"
check "nothing built for the bad kernel folder" [ ! -e "$ROOT/var/lib/dkms/hello/1.0/$BAD" ]
check "no code from the folder name ran" no_code_ran

# --- a hook target naming that kernel
expect_rc "hook: a target in the bad kernel folder" 0 hook alpm install <<IN
usr/lib/modules/$BAD/modules.order
IN
expect_out "the target is skipped" "skipping usr/lib/modules/$BAD/modules.order: not a valid kernel version"
check "nothing built for it" [ ! -e "$ROOT/var/lib/dkms/hello/1.0/$BAD" ]
check "no code from the hook target ran" no_code_ran

# --- the same version as an option, for every kind of command
before=$(tree_sum)
for c in build install uninstall unbuild remove status match; do
	expect_rc "$c -k <shell code> is refused" 16 nd "$c" hello/1.0 -k "$BAD"
	expect_out "$c: the message says why" "Invalid kernel version '$BAD'"
done
for c in autoinstall kernel_postinst kernel_prerm kernel_preinst; do
	expect_rc "$c -k <shell code> is refused" 16 nd "$c" -k "$BAD"
done
expect_rc "-k K/A with shell code in the arch is refused" 16 nd build hello/1.0 -k "$KVER/x;y"
expect_rc "-a with shell code is refused" 16 nd build hello/1.0 -k "$KVER" -a 'x86_64;id'
expect_rc "--templatekernel with shell code is refused" 16 \
	nd match --templatekernel "$BAD" -k "$KVER"
expect_rc "a kernel version starting with '-' is refused" 16 nd build hello/1.0 -k -x
expect_rc "a kernel version of 65 characters is refused" 16 \
	nd build hello/1.0 -k "$(printf '%065d' 6)"
expect_rc "lint -k <shell code> is refused" 16 nd lint -k "$BAD" "$ROOT/usr/src/hello-1.0"
expect_rc "mkkmod -k <shell code> is refused" 16 nd mkkmod -k "$BAD" hello/1.0
expect_rc "depmod <shell code> is refused" 1 nd depmod "$BAD"
expect_out "depmod: the message says why" "Invalid kernel version '$BAD'"
expect_rc "weak-modules --add-kernel <shell code> is refused" 1 nd weak-modules --add-kernel "$BAD"
check "no code from an option ran" no_code_ran
check "nothing in the root changed" [ "$(tree_sum)" = "$before" ]
check "hello is still installed" [ -f "$K/updates/dkms/hello.ko" ]

# --- '..' as a version where a matching source link exists: refused, nothing written
ln -s ../../usr/src/hello-1.0 "$ROOT/var/lib/dkms/source"
before=$(tree_sum)
expect_rc "build hello/.. is refused" 1 nd build hello/.. -k "$KVER"
expect_out "build: the message says why" "Invalid module name or version: hello/.."
expect_rc "remove hello/.. is refused" 1 nd remove hello/.. --all
expect_rc "install -m hello -v .. is refused" 1 nd install -m hello -v .. -k "$KVER"
expect_rc "remove -m .. -v 1.0 is refused" 1 nd remove -m .. -v 1.0 --all
expect_rc "mkkmod ../1.0 is refused" 1 nd mkkmod ../1.0
check "nothing in the root changed" [ "$(tree_sum)" = "$before" ]
rm "$ROOT/var/lib/dkms/source"

# --- a ';' in a package name: the build folder's path reaches make quoted
S='semi;echo INJECTED>injected;x'
mkdir -p "$ROOT/usr/src/$S-1.0"
cp "$REPO/examples/hello/hello.c" "$REPO/examples/hello/Kbuild" "$ROOT/usr/src/$S-1.0/"
printf 'PACKAGE_NAME="%s"\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="hello"\nDEST_MODULE_LOCATION[0]="/updates/dkms"\n' \
	"$S" >"$ROOT/usr/src/$S-1.0/dkms.conf"
# a link folder that a make killed with its ndkms left (its pid is gone) is removed by the next
# build that needs one; a look-alike that another user made is left alone
dead=$(sh -c 'echo $$')
STALE=/tmp/ndkms-build.$dead.sec2test
FOREIGN=/tmp/ndkms-build.$dead.sec2user
trap 'rm -rf "$TMPROOT" "$STALE" "$FOREIGN"; cleanup' EXIT
mkdir -m 0700 "$STALE" && ln -s /nonexistent "$STALE/build"
setpriv --reuid=65534 --regid=65534 --clear-groups mkdir -m 0700 "$FOREIGN"
check "a stale link folder and a user's look-alike are planted" sh -c '[ -L "$1/build" ] && [ -d "$2" ]' - "$STALE" "$FOREIGN"
expect_rc "a package named with a ';' builds" 0 nd build "$S/1.0" -k "$KVER"
check "its module was built" [ -f "$ROOT/var/lib/dkms/$S/1.0/$KVER/$ARCH/module/hello.ko" ]
check "no code from the name ran" no_code_ran
# (kbuild takes no space in M=: the build went through a private link, removed afterwards)
alias=$(sed -n 's|^# command: make .* M=\(/tmp/ndkms-build\.[^/ ]*\)/build$|\1|p' \
	"$ROOT/var/lib/dkms/$S/1.0/$KVER/$ARCH/log/make.log")
check "make got a private M= link ($alias), removed after the build" sh -c '[ -n "$1" ] && [ ! -e "$1" ]' - "$alias"
check "the stale link folder of a dead ndkms run is removed" [ ! -e "$STALE" ]
check "the user's look-alike is left alone" [ -d "$FOREIGN" ]
rmdir "$FOREIGN"
nd remove "$S/1.0" --all >/dev/null 2>&1

# --- lint never runs the file's code unless given --allow-shell
L=$TMPROOT/lint
mkdir -p "$L"
printf 'PACKAGE_NAME=x\nPACKAGE_VERSION=1\nBUILT_MODULE_NAME[0]=x\nDEST_MODULE_LOCATION[0]=/updates\nJUNK=$(id -u > FILE)\n' \
	>"$L/dkms.conf"
expect_rc "lint of a file that needs the shell is an error" 8 nd lint "$L/dkms.conf"
expect_out "lint names file, line and construct" \
	"$L/dkms.conf:5: error: a redirection (>FILE) needs the shell fallback (/bin/bash); lint runs a file's code only with --allow-shell"
check "lint ran none of its code" [ ! -e "$L/FILE" ]
expect_rc "lint --print of it is an error" 8 nd lint --print "$L/dkms.conf"
expect_out "lint --print names file, line and construct" \
	"$L/dkms.conf:5: a redirection (>FILE) needs the shell fallback (/bin/bash); lint runs a file's code only with --allow-shell"
expect_no_out "lint --print printed no directive" "PACKAGE_NAME="
check "lint --print ran none of its code" [ ! -e "$L/FILE" ]
expect_rc "lint --allow-shell evaluates it" 0 nd lint --allow-shell "$L/dkms.conf"
expect_out "and still warns that it needs the shell" "$L/dkms.conf:5: warning: a redirection (>FILE) needs the shell fallback (/bin/bash)"
check "only then its code ran" [ -e "$L/FILE" ]

# --- PATH: '.' and empty entries in the caller's PATH never find a program that a user planted
# in the folder root runs ndkms from or in a source tree (the build runs in its copy)
P=$TMPROOT/planted
mkdir -p "$P"
chown 65534:65534 "$P"
for prog in make strip depmod; do
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
		'printf "#!/bin/sh\necho planted >\"%s/ran-%s\"\n" "$1" "$2" >"$1/$2" && chmod 0755 "$1/$2"' \
		- "$P" "$prog"
done
check "the user planted make, strip and depmod" sh -c '[ -x "$1/make" ] && [ -x "$1/strip" ] && [ -x "$1/depmod" ]' - "$P"
add_source hello 2.0
cp -p "$P/make" "$ROOT/usr/src/hello-2.0/make"
cd "$P" || exit 1
expect_rc "build with '.' and an empty entry first in PATH" 0 \
	env PATH=".::/usr/sbin:/usr/bin:/sbin:/bin" "$NDKMS" --root "$ROOT" build hello/2.0 -k "$KVER"
cd "$REPO" || exit 1
check "the real make built the module" [ -f "$ROOT/var/lib/dkms/hello/2.0/$KVER/$ARCH/module/hello.ko" ]
check "no planted program ran" sh -c '! ls "$1"/ran-* 2>/dev/null | grep -q .' - "$P"
nd remove hello/2.0 --all >/dev/null 2>&1

# --- control characters never reach the terminal raw: status and messages show them as \xHH
ESC=$(printf '\033')
E="esc${ESC}[2Jx"
V="1.0${ESC}]0;title$(printf '\007')"
mkdir -p "$ROOT/usr/src/$E-$V" "$ROOT/var/lib/dkms/$E/$V"
cp "$REPO/examples/hello/hello.c" "$REPO/examples/hello/Kbuild" "$ROOT/usr/src/$E-$V/"
ln -s "/usr/src/$E-$V" "$ROOT/var/lib/dkms/$E/$V/source"
mkdir -p "$ROOT/var/lib/dkms/hello/1.0/6.1${ESC}[1A/$ARCH"
expect_rc "status with a module folder and version holding ESC" 0 nd status
expect_out "the name and version are shown escaped" 'esc\x1b[2Jx/1.0\x1b]0;title\x07'
expect_no_out "a kernel folder holding ESC is not listed as a kernel" 'hello/1.0, 6.1\x1b'
check "no raw ESC or BEL in the output" sh -c '! grep -q "[$(printf "\033\007")]" "$1"' - "$OUT"
expect_rc "build of that name is refused" 1 nd build "$E/1.0" -k "$KVER"
expect_out "the message shows the name escaped" 'Invalid module name or version: esc\x1b[2Jx/1.0'
check "no raw ESC in the message" sh -c '! grep -q "$(printf "\033")" "$1"' - "$OUT"
rm -rf "$ROOT/var/lib/dkms/$E" "$ROOT/usr/src/$E-$V" "$ROOT/var/lib/dkms/hello/1.0/6.1${ESC}[1A"
# --- the bash fallback's record stream, from a file that redefines printf for the worker: a
# record header that ends the stream with a length far past it.  No crash, no scratch left.
B=$TMPROOT/bashrec
mkdir -p "$B/tmp"
cat >"$B/dkms.conf" <<'CONF'
PACKAGE_NAME='x"; printf() { [ "$1" = "END\n" ] && builtin printf "A s 0 99999999:"; }; y="'
PACKAGE_VERSION=1
BUILT_MODULE_NAME[0]=x
DEST_MODULE_LOCATION[0]=/updates
JUNK=$(true)
CONF
expect_rc "lint --allow-shell of a file that forges the record stream" 8 \
	env TMPDIR="$B/tmp" "$NDKMS" lint --print --allow-shell "$B/dkms.conf"
expect_out "it says the stream is not ndkms's" "the values bash printed are not ndkms's record stream"
expect_no_out "no sanitizer report" "Sanitizer"
check "no evaluation scratch folder left" sh -c '[ -z "$(ls -A "$1")" ]' - "$B/tmp"
mkdir -p "$ROOT/usr/src/forge-1.0"
cp "$B/dkms.conf" "$ROOT/usr/src/forge-1.0/"
expect_rc "add of such a package is a bad conf file" 8 env TMPDIR="$B/tmp" "$NDKMS" --root "$ROOT" add forge/1.0
expect_no_out "no sanitizer report from add" "Sanitizer"
check "nothing registered" [ ! -e "$ROOT/var/lib/dkms/forge" ]
check "no evaluation scratch folder left by add" sh -c '[ -z "$(ls -A "$1")" ]' - "$B/tmp"
rm -rf "$ROOT/usr/src/forge-1.0"

# --- shell code in a module's file or folder name (dkms.conf): refused when the file is
# checked, so no consumer (make, strip, the spec scriptlets mkkmod writes for rpm) gets it.
# Each value would touch a marker in the folder ndkms runs in ($MK); none may appear.  (A
# "\$" keeps the "$" through dkms's second expansion pass, as in a file meant to inject.)
scratch_dir MK
conf_case() { # DESC DIRECTIVE VALUE
	rm -rf "$ROOT/usr/src/shname-1.0" "$ROOT/var/lib/dkms/shname"
	mkdir -p "$ROOT/usr/src/shname-1.0"
	cp "$REPO/examples/hello/hello.c" "$REPO/examples/hello/Kbuild" "$ROOT/usr/src/shname-1.0/"
	{
		echo 'PACKAGE_NAME=shname'
		echo 'PACKAGE_VERSION=1.0'
		echo "BUILT_MODULE_NAME[0]=hello"
		echo "DEST_MODULE_LOCATION[0]=/updates/dkms"
		printf "%s[0]='%s'\n" "$2" "$3"
	} >"$ROOT/usr/src/shname-1.0/dkms.conf"
	( cd "$MK" && "$NDKMS" --root "$ROOT" add shname/1.0 ) >"$OUT" 2>&1
	check "add of a dkms.conf with $1 is refused" [ "$?" != 0 ]
	expect_out "add: the message names $2" "dkms.conf: Error! '$2' directive in record #0 must be"
	check "add: shname is not registered" [ ! -e "$ROOT/var/lib/dkms/shname" ]
	( cd "$MK" && "$NDKMS" lint "$ROOT/usr/src/shname-1.0/dkms.conf" ) >"$OUT" 2>&1
	check "lint of a dkms.conf with $1 is an error" [ "$?" != 0 ]
	expect_out "lint: the message names $2" "'$2' directive in record #0 must be"
	check "no code from $1 ran" sh -c '! find "$1" "$2" -name "pwned*" | grep -q .' - "$MK" "$TMPROOT"
}
conf_case "a ';' in BUILT_MODULE_NAME" BUILT_MODULE_NAME 'hello;touch pwned-built'
conf_case "\$(...) in BUILT_MODULE_NAME" BUILT_MODULE_NAME 'hello\$(touch pwned-built2)'
conf_case "a ';' in DEST_MODULE_NAME" DEST_MODULE_NAME 'x;touch pwned-dest'
conf_case "\$(...) in DEST_MODULE_LOCATION" DEST_MODULE_LOCATION '/updates/\$(touch pwned-loc)'
conf_case "a ';' in DEST_MODULE_LOCATION" DEST_MODULE_LOCATION '/extra/x;touch pwned-loc2'
conf_case "a space in DEST_MODULE_LOCATION" DEST_MODULE_LOCATION '/extra/a b'
rm -rf "$ROOT/usr/src/shname-1.0" "$ROOT/var/lib/dkms/shname"
# a built module file whose name holds shell code (left by another tool in the state folder)
# never reaches the spec's %install: mkkmod --format rpm refuses it
MODDIR=$ROOT/var/lib/dkms/hello/1.0/$KVER/$ARCH/module
cp "$MODDIR/hello.ko" "$MODDIR/x;touch pwned-rpm;y.ko"
( cd "$MK" && "$NDKMS" --root "$ROOT" mkkmod hello/1.0 -k "$KVER" --format rpm --out "$MK/rpms" ) >"$OUT" 2>&1
check "mkkmod --format rpm of a module file named with shell code fails" [ "$?" != 0 ]
expect_out "mkkmod says which file cannot go into a spec" \
	"mkkmod: module file 'x;touch pwned-rpm;y.ko' cannot be used in an RPM spec."
check "no rpm written" sh -c '! find "$1" -name "*.rpm" 2>/dev/null | grep -q .' - "$MK/rpms"
check "no code from the file name ran" sh -c '! find "$1" "$2" -name "pwned*" | grep -q .' - "$MK" "$TMPROOT"
rm -f "$MODDIR/x;touch pwned-rpm;y.ko"

check "nothing written outside the root" host_unchanged
done_testing

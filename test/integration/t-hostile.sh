#!/bin/sh
# t-hostile.sh - dkms.conf values and package names that try to leave their trees, run shell
# code, or exhaust the evaluator: each is refused or bounded with a message and an exit status,
# and nothing appears outside the throwaway root.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
mkroot
TAG=ndkms-hostile-$$
OUTSIDE=$(mktemp -d "$TMPROOT/outside.XXXXXX")
MARK=$TMPROOT/$TAG.mark
trap 'rm -rf "$OUTSIDE" "$MARK" "$TMPROOT/$TAG.outside" /tmp/$TAG*; cleanup' EXIT
: >"$MARK"
printf 'PACKAGE_NAME="out"\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="hello"\nDEST_MODULE_LOCATION[0]="/updates"\n' \
	>"$OUTSIDE/dkms.conf"
cp "$REPO/examples/hello/hello.c" "$REPO/examples/hello/Kbuild" "$OUTSIDE/"
sums() { find "$OUTSIDE" -type f | LC_ALL=C sort | xargs md5sum; }
sums >"$TMPROOT/$TAG.outside"

# pkg NAME LINE...: /usr/src/NAME-1.0 with the example's sources and a dkms.conf of the lines
# after the usual name, version and module lines (later lines override them).
pkg() {
	d="$ROOT/usr/src/$1-1.0"
	shift
	rm -rf "$d"
	mkdir -p "$d"
	cp "$REPO/examples/hello/hello.c" "$REPO/examples/hello/Kbuild" "$d/"
	{
		echo "PACKAGE_NAME=\"${d##*/usr/src/}\""
		echo 'PACKAGE_NAME="${PACKAGE_NAME%-1.0}"'
		echo 'PACKAGE_VERSION="1.0"'
		echo 'BUILT_MODULE_NAME[0]="hello"'
		echo 'DEST_MODULE_LOCATION[0]="/updates/dkms"'
		for l in "$@"; do echo "$l"; done
	} >"$d/dkms.conf"
}

# refused DESC RC PATTERN CMD...: the command exits RC, says PATTERN, and registers nothing
# that an uninstall would have to clean up outside the state tree.
refused() {
	desc=$1 rc=$2 pat=$3
	shift 3
	expect_rc "$desc" "$rc" "$@"
	expect_out "$desc: says why" "$pat"
}

# dkms.conf values that try to escape
pkg esc1 'DEST_MODULE_LOCATION[0]="/updates/../../../../tmp/'"$TAG"'"'
refused "DEST_MODULE_LOCATION with .." 8 "DEST_MODULE_LOCATION" nd install esc1/1.0 -k "$KVER"
pkg esc2 'BUILT_MODULE_LOCATION[0]="../../../../tmp/'"$TAG"'"'
refused "BUILT_MODULE_LOCATION with .." 8 "BUILT_MODULE_LOCATION" nd install esc2/1.0 -k "$KVER"
pkg esc3 'BUILT_MODULE_LOCATION[0]="/tmp"'
refused "absolute BUILT_MODULE_LOCATION" 8 "BUILT_MODULE_LOCATION" nd install esc3/1.0 -k "$KVER"
pkg esc4 'BUILT_MODULE_NAME[0]="../../../../../tmp/'"$TAG"'"'
refused "BUILT_MODULE_NAME with .." 8 "BUILT_MODULE_NAME" nd install esc4/1.0 -k "$KVER"
pkg esc5 'DEST_MODULE_NAME[0]="../../../../../tmp/'"$TAG"'"'
refused "DEST_MODULE_NAME with .." 8 "DEST_MODULE_NAME" nd install esc5/1.0 -k "$KVER"
pkg esc6 'DEST_MODULE_NAME[0]="/tmp/'"$TAG"'"'
refused "absolute DEST_MODULE_NAME" 8 "DEST_MODULE_NAME" nd install esc6/1.0 -k "$KVER"
pkg esc7 'PATCH[0]="../../../../../tmp/'"$TAG"'.patch"'
printf -- '--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+x\n' >"/tmp/$TAG.patch"
refused "PATCH with .." 5 "contains '..' path component" nd build esc7/1.0 -k "$KVER"
pkg goodpatch 'PATCH[0]="fix.patch"'
mkdir -p "$ROOT/usr/src/goodpatch-1.0/patches"
printf -- '--- /dev/null\n+++ b/patched.txt\n@@ -0,0 +1 @@\n+patched\n' >"$ROOT/usr/src/goodpatch-1.0/patches/fix.patch"
expect_rc "a patch inside patches/ applies" 0 nd build goodpatch/1.0 -k "$KVER"
check "make.log names it as dkms does" grep -qxF "# command: patch -p1 < ./patches/fix.patch" "$ROOT/var/lib/dkms/goodpatch/1.0/$KVER/$ARCH/log/make.log"
pkg esc8 'PRE_BUILD="../../../../../tmp/'"$TAG"'.sh"'
printf '#!/bin/sh\ntouch /tmp/%s.ran\n' "$TAG" >"/tmp/$TAG.sh"
chmod +x "/tmp/$TAG.sh"
refused "PRE_BUILD outside the source folder" 8 "is outside its folder; refusing" nd build esc8/1.0 -k "$KVER"
pkg esc9 'POST_ADD="/tmp/'"$TAG"'.sh"'
refused "absolute POST_ADD" 8 "is outside its folder; refusing" nd add esc9/1.0
check "no script outside the package ran" [ ! -e "/tmp/$TAG.ran" ]
for m in esc1 esc2 esc3 esc4 esc5 esc6 esc7 esc8 esc9; do
	nd remove "$m/1.0" --all >/dev/null 2>&1
done

# a source folder that is a link to /etc: no dkms.conf there; one linking out of the root is
# read (as dkms reads it) but never written: the build works on a copy
ln -s /etc "$ROOT/usr/src/etc-1.0"
refused "source folder linking to /etc" 4 "File: /usr/src/etc-1.0/dkms.conf does not exist." \
	nd add etc/1.0
check "nothing registered through the /etc link" [ ! -e "$ROOT/var/lib/dkms/etc" ]
ln -s "$OUTSIDE" "$ROOT/usr/src/out-1.0"
expect_rc "source folder linking out of the root: built from a copy" 0 nd build out/1.0 -k "$KVER"
check "the linked folder is untouched" sh -c "find '$OUTSIDE' -type f | LC_ALL=C sort | xargs md5sum | cmp -s - '$TMPROOT/$TAG.outside'"
nd remove out/1.0 --all >/dev/null 2>&1

# names and versions with a slash, a newline or shell code
SUB='$(touch /tmp/'"$TAG"'.sub)'
BQ='`touch /tmp/'"$TAG"'.bq`'
# (in dkms.conf, dkms's second expansion pass runs $(...) even in single quotes, and so does
# ndkms's bash fallback; with shell_fallback = false the value is refused instead)
mkdir -p "$ROOT/etc/ndkms"
echo 'shell_fallback = false;' >"$ROOT/etc/ndkms/ndkms.conf"
for name in "a/b" "$(printf 'nl\nx')" "x$SUB" "y$BQ" "z;touch /tmp/$TAG.semi"; do
	shown=$(printf %s "$name" | tr '\n' '?')
	refused "module name '$shown' on the command line" 1 "Invalid module name or version" \
		nd add "$name/1.0"
	refused "version '$shown' on the command line" 1 "Invalid module name or version" \
		nd add "hello/$name"
	mkdir -p "$ROOT/usr/src/q-1.0"
	printf 'PACKAGE_NAME=%s\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="hello"\nDEST_MODULE_LOCATION[0]="/updates"\n' \
		"'$name'" >"$ROOT/usr/src/q-1.0/dkms.conf"
	cp "$REPO/examples/hello/hello.c" "$REPO/examples/hello/Kbuild" "$ROOT/usr/src/q-1.0/"
	expect_rc "PACKAGE_NAME '$shown' in a package added by its folder" 1 nd add /usr/src/q-1.0
	rm -rf "$ROOT/usr/src/q-1.0"
done
rm -f "$ROOT/etc/ndkms/ndkms.conf"
check "no shell code in a name ran" sh -c "! ls /tmp/$TAG.sub /tmp/$TAG.bq /tmp/$TAG.semi 2>/dev/null | grep -q ."

# sizes: a 1 MB value, 10 000 array entries, a loop that never ends
pkg big "MAKE[0]=\"$(head -c 1048576 /dev/zero | tr '\0' x)\""
start=$(date +%s)
expect_rc "a 1 MB value is read within the evaluator's bounds" 0 nd add big/1.0
nd remove big/1.0 --all >/dev/null 2>&1
pkg huge "MAKE[0]=\"$(head -c 9437184 /dev/zero | tr '\0' x)\""
refused "a 9 MB dkms.conf" 8 "dkms.conf" nd add huge/1.0
rm -rf "$ROOT/usr/src/big-1.0" "$ROOT/usr/src/huge-1.0"
pkg many "$(i=0; while [ $i -lt 10000 ]; do echo "BUILT_MODULE_NAME[$i]=\"m$i\""; i=$((i + 1)); done)"
refused "10 000 array entries" 8 "many" nd add many/1.0
pkg loop 'while :; do :; done'
refused "a loop that never ends" 8 "" nd add loop/1.0
pkg rec 'f() { f; }; f'
refused "endless recursion" 8 "" nd add rec/1.0
end=$(date +%s)
check "each was stopped in bounded time ($((end - start)) s)" [ $((end - start)) -lt 100 ]

# nothing outside the root: no file named after the attacks, no host tree touched
check "no file named by an attack outside the root" sh -c \
	"! find /tmp /etc /var /lib/modules /usr/src '$TMPROOT' -xdev -name '$TAG*' ! -name '$TAG.mark' ! -name '$TAG.outside' ! -name '$TAG.sh' ! -name '$TAG.patch' 2>/dev/null | grep -v '^$ROOT/' | grep -q ."
check "no host file changed under /etc or /usr/src" sh -c \
	"! find /etc /usr/src /var/lib/dkms -xdev -newer '$MARK' 2>/dev/null | grep -q ."
check "nothing written outside the root" host_unchanged
done_testing

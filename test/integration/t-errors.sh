#!/bin/sh
# t-errors.sh - exit codes and messages for bad command lines, bad dkms.conf files, missing
# headers, missing privileges and hostile values.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
mkroot
add_source hello 1.0

expect_rc "unknown option" 2 nd build --frobnicate
expect_out "unknown option message" "Error! Unknown option: --frobnicate"
expect_rc "missing module and version" 1 nd build
expect_out "missing arguments message" "Arguments <module> and <module-version> are not specified."
expect_rc "uninstall of a module never added" 3 nd uninstall nosuch/1.0 -k "$KVER"
expect_out "not in tree message" "The module/version combo: nosuch/1.0 is not located in the DKMS tree."
expect_rc "two actions" 4 nd build install hello/1.0
expect_rc "-k with --all" 2 nd remove hello/1.0 -k "$KVER" --all
expect_rc "--all where not supported" 5 nd build hello/1.0 --all
expect_rc "-V" 0 nd -V
expect_out "version line" "ndkms "

mkdir -p "$ROOT/lib/modules/0.0.1-noheaders"
expect_rc "build without headers" 21 nd build hello/1.0 -k 0.0.1-noheaders
expect_out "missing headers text" "Your kernel headers for kernel 0.0.1-noheaders cannot be found at /lib/modules/0.0.1-noheaders/build or /lib/modules/0.0.1-noheaders/source."
expect_rc "remove after the failed build" 0 nd remove hello/1.0 --all

if command -v setpriv >/dev/null; then
	# a root nobody can reach wherever the checkout lives
	MAIN_ROOT=$ROOT
	scratch_dir SD
	mkroot "$SD"
	chmod 755 "$ROOT"
	add_source hello 1.0
	expect_rc "install as an ordinary user" 1 as_nobody "$NDKMS" --root "$ROOT" install hello/1.0 -k "$KVER"
	expect_out "not root message" "You must be root to use this command."
	check "nothing registered by the ordinary user" [ ! -e "$ROOT/var/lib/dkms/hello" ]
	ROOT=$MAIN_ROOT
else
	skip "setpriv is not installed (util-linux): install as an ordinary user"
fi

# malformed dkms.conf
mkdir -p "$ROOT/usr/src/bad-1.0"
printf 'PACKAGE_NAME="bad"\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="bad.ko"\nDEST_MODULE_LOCATION[0]="/updates"\n' \
	>"$ROOT/usr/src/bad-1.0/dkms.conf"
expect_rc "malformed dkms.conf" 8 nd add bad/1.0
expect_out "names the file" "File: /usr/src/bad-1.0/dkms.conf does not represent a valid dkms.conf file."
check "nothing registered" [ ! -e "$ROOT/var/lib/dkms/bad" ]

# values that try to leave their tree
for v in 'DEST_MODULE_LOCATION[0]="/../../etc"' 'DEST_MODULE_LOCATION[0]="/updates/../../../etc"' \
	'BUILT_MODULE_NAME[0]="../x"' 'BUILT_MODULE_LOCATION[0]="/tmp"'; do
	rm -rf "$ROOT/usr/src/esc-1.0"
	mkdir -p "$ROOT/usr/src/esc-1.0"
	cp "$REPO/examples/hello/hello.c" "$REPO/examples/hello/Kbuild" "$ROOT/usr/src/esc-1.0/"
	{
		echo 'PACKAGE_NAME="esc"'
		echo 'PACKAGE_VERSION="1.0"'
		echo 'BUILT_MODULE_NAME[0]="hello"'
		echo 'DEST_MODULE_LOCATION[0]="/updates/dkms"'
		echo "$v"
	} >"$ROOT/usr/src/esc-1.0/dkms.conf"
	expect_rc "refused: $v" 8 nd install esc/1.0 -k "$KVER"
	check "nothing registered for $v" [ ! -e "$ROOT/var/lib/dkms/esc" ]
	check "no hello.ko written to /etc for $v" [ ! -e "$ROOT/etc/hello.ko" ]
	check "no x.ko written to /etc for $v" [ ! -e "$ROOT/etc/x.ko" ]
done

# a dkms.conf that ends the shell, or never ends, under the bash fallback
mkdir -p "$ROOT/etc/ndkms"
echo 'shell_timeout = 2;' >"$ROOT/etc/ndkms/ndkms.conf"
mkdir -p "$ROOT/usr/src/quit-1.0" "$ROOT/usr/src/loop-1.0"
printf 'PACKAGE_NAME="quit"\nPACKAGE_VERSION="1.0"\nexit 1\n' >"$ROOT/usr/src/quit-1.0/dkms.conf"
printf 'PACKAGE_NAME="loop"\nPACKAGE_VERSION="1.0"\nwhile :; do :; done\n' >"$ROOT/usr/src/loop-1.0/dkms.conf"
expect_rc "dkms.conf running exit 1" 8 nd add quit/1.0
start=$(date +%s)
expect_rc "dkms.conf looping forever" 8 nd add loop/1.0
end=$(date +%s)
check "the loop was stopped in bounded time" [ $((end - start)) -lt 30 ]
# a folder without dkms.conf given to add: dkms's usage error, not a name check
mkdir -p "$ROOT/tmp/noconf"
expect_rc "add of a folder without dkms.conf" 1 nd add "$ROOT/tmp/noconf"
expect_out "dkms's message" "Arguments <module> and <module-version> are not specified."

# a failure whose errno is known keeps its cause beside dkms's exit status: the original module
# cannot be archived because a file stands where its folder goes
mkdir -p "$ROOT/lib/modules/$KVER/extra"
echo notamodule >"$ROOT/lib/modules/$KVER/extra/hello.ko"
expect_rc "build before the install whose original cannot be archived" 0 nd build hello/1.0 -k "$KVER"
: >"$ROOT/var/lib/dkms/hello/original_module"
expect_rc "install whose original cannot be archived" 6 nd install hello/1.0 -k "$KVER"
expect_out "... names the file, the folder and the cause" \
	"Could not archive /lib/modules/$KVER/extra/hello.ko in /var/lib/dkms/hello/original_module/$KVER/$(uname -m): Not a directory"
check "... installs nothing" [ ! -e "$ROOT/lib/modules/$KVER/updates/dkms/hello.ko" ]
check "... and leaves the original where it was" \
	[ "$(cat "$ROOT/lib/modules/$KVER/extra/hello.ko")" = notamodule ]
rm -f "$ROOT/var/lib/dkms/hello/original_module" "$ROOT/lib/modules/$KVER/extra/hello.ko"
expect_rc "remove after the refused install" 0 nd remove hello/1.0 --all
check "nothing written outside the root" host_unchanged
done_testing

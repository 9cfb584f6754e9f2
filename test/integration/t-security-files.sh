#!/bin/sh
# t-security-files.sh - the file side of running as root among users, each attack replayed by
# nobody against ndkms run as root: modes copied from a user's tree, planted temporary names of
# mktarball and mkkmod --out, locks nobody can hold, planted rpm-safe-upgrade markers, hostile
# tarballs.  The root lives in a traversable folder under /tmp so that nobody can reach it.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
command -v setpriv >/dev/null || skip_all "no setpriv"
[ "$(id -u)" = 0 ] || skip_all "not root"
scratch_dir PUB
mkroot "$PUB"
chmod 0755 "$ROOT"
# the secret nobody must not get written over: root's, 0600
SECRET=$PUB/secret
echo root-only >"$SECRET"
chmod 0600 "$SECRET"

# 1. modes: a user's tree with a setuid file and world-writable folders
U=$PUB/user-tree
mkdir "$U"
cp -r "$REPO/examples/hello/." "$U/"
sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="6.6"/' "$U/dkms.conf"
echo 'PRE_BUILD="probe.sh"' >>"$U/dkms.conf"
# run as root in the build folder before make: what could another user do there?
cat >"$U/probe.sh" <<PROBE
#!/bin/sh
find . -perm /7022 >'$PUB/build-perms'
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c ': >planted' 2>/dev/null
[ -e planted ] && echo 'nobody planted a file' >>'$PUB/build-perms'
rm -f planted
exit 0
PROBE
chmod 0755 "$U/probe.sh"
mkdir "$U/sub"
cp /bin/true "$U/sub/suid"
chown -R 65534:65534 "$U"
as_nobody sh -c "chmod 4755 '$U/sub/suid' && chmod 2755 '$U/hello.c' && chmod 0777 '$U' '$U/sub' && chmod 1777 '$U/sub'"
check "the user's tree has a setuid file" [ -u "$U/sub/suid" ]
expect_rc "add the user's tree" 0 nd add "$U"
S=$ROOT/usr/src/hello-6.6
check "the tree is in /usr/src" [ -f "$S/sub/suid" ]
check "nothing setuid, setgid or sticky in /usr/src/hello-6.6" sh -c "[ -z \"\$(find '$S' -perm /7000)\" ]"
check "nothing group or other writable in /usr/src/hello-6.6" sh -c "[ -z \"\$(find '$S' -perm /022)\" ]"
check "the setuid file is 0755 like cp -r leaves it" [ "$(stat -c %a "$S/sub/suid")" = 755 ]
check "folders are 0755" [ "$(stat -c %a "$S/sub")" = 755 ]
expect_rc "build it" 0 nd build hello/6.6 -k "$KVER"
check "the build ran the probe in its folder" [ -f "$PUB/build-perms" ]
check "nothing setuid, sticky or writable by others in the build folder, nobody planted nothing" \
	sh -c "[ -f '$PUB/build-perms' ] && [ ! -s '$PUB/build-perms' ]"
sed 's/^/# build folder: /' "$PUB/build-perms" 2>/dev/null

# 2. outputs in a directory others can write: planted names at the old temporary names
D=$PUB/drop
mkdir "$D"
chmod 1777 "$D"
# sh's $$ becomes ndkms's pid through exec: the name main used is .NAME.ndkms-tmp.PID
expect_rc "mktarball with a symlink planted at its temporary name" 0 sh -c \
	'setpriv --reuid=65534 --regid=65534 --clear-groups ln -s "$3" "$2/.a.tar.gz.ndkms-tmp.$$" && exec "$0" --root "$1" mktarball hello/6.6 -k "$4" --archive "$2/a.tar.gz"' \
	"$NDKMS" "$ROOT" "$D" "$SECRET" "$KVER"
check "the root-only file is untouched" [ "$(cat "$SECRET")" = root-only ]
check "the archive is a real archive" sh -c "tar -tzf '$D/a.tar.gz' | grep -qx ./dkms_source_tree/dkms.conf"
check "the archive is root's, 0644" [ "$(stat -c '%U %a %F' "$D/a.tar.gz")" = "root 644 regular file" ]
expect_rc "mktarball with a 0666 file planted at its temporary name" 0 sh -c \
	'setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "umask 0; : >\"\$0\"" "$2/.b.tar.gz.ndkms-tmp.$$" && exec "$0" --root "$1" mktarball hello/6.6 -k "$3" --archive "$2/b.tar.gz"' \
	"$NDKMS" "$ROOT" "$D" "$KVER"
check "that archive is root's, 0644" [ "$(stat -c '%U %a' "$D/b.tar.gz")" = "root 644" ]
check "nobody cannot rewrite it" sh -c "! setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo x >>\"$D/b.tar.gz\"' 2>/dev/null"
check "it is intact" sh -c "tar -tzf '$D/b.tar.gz' >/dev/null"
cp -p "$SECRET" "$SECRET.2"
expect_rc "mktarball over a symlink at the final name" 0 sh -c \
	'setpriv --reuid=65534 --regid=65534 --clear-groups ln -s "$3" "$2/c.tar.gz" && exec "$0" --root "$1" mktarball hello/6.6 -k "$4" --archive "$2/c.tar.gz"' \
	"$NDKMS" "$ROOT" "$D" "$SECRET.2" "$KVER"
check "the link was replaced, not followed" sh -c "[ ! -L '$D/c.tar.gz' ] && [ \"\$(cat '$SECRET.2')\" = root-only ]"
PK=kmod-hello-$KVER-6.6-1-$ARCH.pkg.tar.zst
as_nobody ln -s "$SECRET" "$D/$PK.tmp"
expect_rc "mkkmod --format pacman --out with a symlink at NAME.tmp" 0 nd mkkmod hello/6.6 -k "$KVER" --format pacman --out "$D"
check "the root-only file is untouched by mkkmod" [ "$(cat "$SECRET")" = root-only ]
check "the package is root's, 0644" [ "$(stat -c '%U %a %F' "$D/$PK")" = "root 644 regular file" ]
if command -v bsdtar >/dev/null; then
	check "the package is a real archive" sh -c "bsdtar -tf '$D/$PK' | grep -qx .PKGINFO"
else
	skip "no bsdtar to read the package"
fi
rm -f "$D/$PK" "$D/$PK.tmp"
as_nobody sh -c "umask 0; : >'$D/$PK.tmp'"
expect_rc "mkkmod with a 0666 file at NAME.tmp" 0 nd mkkmod hello/6.6 -k "$KVER" --format pacman --out "$D"
check "that package is root's, 0644" [ "$(stat -c '%U %a' "$D/$PK")" = "root 644" ]
check "no temporary of ours left in the folder" sh -c "! ls -A '$D' | grep -v '\.ndkms-tmp\.\|\.tmp\$' | grep -q '^\.'"

# 3. locks: nobody can neither open nor hold them
L=$ROOT/var/lib/dkms/.ndkms-lock
KL=$L/kernel-$KVER.lock
expect_rc "install as root" 0 nd install hello/6.6 -k "$KVER"
check "the lock folder is root's, 0700" [ "$(stat -c '%U %a' "$L")" = "root 700" ]
check "the kernel lock is root's, 0600" [ "$(stat -c '%U %a' "$KL")" = "root 600" ]
check "nobody cannot open the kernel lock" sh -c "! setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'exec 9<\"$KL\"' 2>/dev/null"
# nobody tries to hold it the way flock(1) does, on a read-only descriptor, for 60 seconds
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'exec 9<"$0" && flock 9 && exec sleep 60' "$KL" 2>/dev/null &
HOLDER=$!
sleep 1
expect_rc "uninstall as root proceeds while nobody tries to hold the kernel lock" 0 timeout 30 "$NDKMS" --root "$ROOT" uninstall hello/6.6 -k "$KVER"
expect_rc "install as root proceeds too" 0 timeout 30 "$NDKMS" --root "$ROOT" install hello/6.6 -k "$KVER"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
chmod 0777 "$L"
chmod 0666 "$KL"
expect_rc "uninstall with a lock folder left 0777" 0 nd uninstall hello/6.6 -k "$KVER"
check "the lock folder is 0700 again" [ "$(stat -c %a "$L")" = 700 ]
check "the kernel lock is 0600 again" [ "$(stat -c %a "$KL")" = 600 ]
chown 65534 "$L"
expect_rc "a lock folder owned by nobody is refused" 1 nd install hello/6.6 -k "$KVER"
expect_out "the refusal says why" "is not a folder of root's alone"
check "nothing was installed through it" [ ! -e "$ROOT/lib/modules/$KVER/updates/dkms/hello.ko" ]
chown 0 "$L"
rm -f "$KL"
ln -s "$SECRET" "$KL"
expect_rc "a symlink at the lock file is refused" 6 nd install hello/6.6 -k "$KVER"
expect_out "that refusal says why" "is not a regular file of root's"
check "the root-only file is untouched by the lock" [ "$(cat "$SECRET")" = root-only ]
rm -f "$KL"

# 4. rpm-safe-upgrade markers: what nobody plants in /tmp cancels nothing, a FIFO hangs nothing
cat >"$PUB/plant.sh" <<'PLANT'
# plant.sh KIND DIR PID: nobody plants a marker (or a FIFO) for rpm process PID in DIR
start=$(sed 's/.*) //' "/proc/$3/stat" | cut -d' ' -f20)
f=$2/dkms_rpm_safe_upgrade_lock.$3.planted
case $1 in
marker) setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'printf "hello-6.6\n%s\n" "$1" >"$0"' "$f" "$start" ;;
fifo) setpriv --reuid=65534 --regid=65534 --clear-groups mkfifo -m 0666 "$f" ;;
root-fifo) mkfifo -m 0600 "$f" ;;
esac
PLANT
# the shell that runs ndkms stays its parent (the command is not its last), so its parent is
# what ndkms takes for the rpm process, as a %preun scriptlet's rpm
rpm_remove() {
	TMPDIR=$D timeout 30 sh -c 'sh "$2/plant.sh" "$3" "$4" "$PPID"; "$0" --root "$1" remove hello/6.6 --all --rpm_safe_upgrade; exit $?' \
		"$NDKMS" "$ROOT" "$PUB" "$1" "$2"
}
expect_rc "remove --rpm_safe_upgrade with a FIFO planted in /tmp does not hang" 0 rpm_remove fifo "$D"
check "the module is removed" [ ! -e "$ROOT/var/lib/dkms/hello/6.6" ]
expect_rc "add it again" 0 nd add hello/6.6
expect_rc "remove --rpm_safe_upgrade with a marker nobody planted in /tmp" 0 rpm_remove marker "$D"
expect_no_out "not cancelled by the planted marker" "Remove cancelled"
check "the module is removed despite the marker" [ ! -e "$ROOT/var/lib/dkms/hello/6.6" ]
expect_rc "add it again" 0 nd add hello/6.6
mkdir -p "$ROOT/run/ndkms"
chmod 0777 "$ROOT/run/ndkms"
expect_rc "a marker in a marker folder others can write counts for nothing" 0 rpm_remove marker "$ROOT/run/ndkms"
check "the module is removed despite that marker" [ ! -e "$ROOT/var/lib/dkms/hello/6.6" ]
rm -rf "$ROOT/run/ndkms"
expect_rc "add it again" 0 nd add hello/6.6
mkdir -m 0700 "$ROOT/run/ndkms"
expect_rc "a FIFO in the marker folder does not hang remove either" 0 rpm_remove root-fifo "$ROOT/run/ndkms"
check "removed" [ ! -e "$ROOT/var/lib/dkms/hello/6.6" ]
expect_rc "add it again" 0 nd add hello/6.6

# 5. tarballs: everything checked before anything is written, nothing half-loaded stays
ESC=$(printf '\033')
T=$PUB/tarballs
# mk_tree DIR NAME VERSION: a dkms-layout tarball tree (source and one kernel's build) in DIR
mk_tree() {
	rm -rf "$1"
	mkdir -p "$1/dkms_source_tree" "$1/dkms_main_tree/$KVER/$ARCH/module" "$1/dkms_main_tree/$KVER/$ARCH/log"
	printf 'PACKAGE_NAME="%s"\nPACKAGE_VERSION="%s"\nBUILT_MODULE_NAME[0]="hello"\nDEST_MODULE_LOCATION[0]="/updates/dkms"\n' \
		"$2" "$3" >"$1/dkms_source_tree/dkms.conf"
	cp "$REPO/examples/hello/hello.c" "$1/dkms_source_tree/"
	sh "$REPO/test/fixtures/fake-ko.sh" "$1/dkms_main_tree/$KVER/$ARCH/module/hello.ko" hello "$3"
	: >"$1/dkms_main_tree/$KVER/$ARCH/log/make.log"
}
mk_tar() { tar -czf "$T/$2.tar.gz" -C "$1" . ; }
src_before=$(ls -A "$ROOT/usr/src" | sort | tr '\n' ' ')
dkms_before=$(ls -A "$ROOT/var/lib/dkms" | sort | tr '\n' ' ')
nothing_written() {
	[ "$(ls -A "$ROOT/usr/src" | sort | tr '\n' ' ')" = "$src_before" ] &&
		[ "$(ls -A "$ROOT/var/lib/dkms" | sort | tr '\n' ' ')" = "$dkms_before" ]
}
mkdir -p "$T"

mk_tree "$T/t1" "evil${ESC}[2K" 1.0
mk_tar "$T/t1" ctl-name
expect_rc "ldtarball of a module name with a control character is refused" 7 nd ldtarball "$T/ctl-name.tar.gz"
check "nothing was written for it" nothing_written
check "the name is never printed raw" sh -c "! grep -q '$ESC' '$OUT'"
expect_rc "status after it" 0 nd status
check "status shows no escape sequence" sh -c "! grep -q '$ESC' '$OUT'"

mk_tree "$T/t2" ctlmember 1.0
: >"$T/t2/dkms_source_tree/x${ESC}[1Ay.c"
mk_tar "$T/t2" ctl-member
expect_rc "a member name with a control character is refused" 6 nd ldtarball "$T/ctl-member.tar.gz"
expect_out "it says what" "holds control characters"
check "nothing was written for that one" nothing_written
check "that name is never printed raw" sh -c "! grep -q '$ESC' '$OUT'"

mk_tree "$T/t3" badkver 1.0
mv "$T/t3/dkms_main_tree/$KVER" "$T/t3/dkms_main_tree/6.1;x"
mk_tar "$T/t3" bad-kver
expect_rc "a kernel folder that is no kernel version is refused" 6 nd ldtarball "$T/bad-kver.tar.gz"
expect_out "it names the folder" "is not a kernel version"
check "nothing was written: not /usr/src/badkver-1.0 first" nothing_written

# links are checked against the folder that is kept, not against the archive's top
mkdir -p "$T/t4/a/b/escape-1.0/pkg"
printf 'PACKAGE_NAME="escape"\nPACKAGE_VERSION="1.0"\nBUILT_MODULE_NAME[0]="hello"\n' >"$T/t4/a/b/escape-1.0/dkms.conf"
ln -s ../../.. "$T/t4/a/b/escape-1.0/pkg/hostroot"
mk_tar "$T/t4" plain-escape
expect_rc "a plain source tarball with a link out of its kept folder is refused" 6 nd ldtarball "$T/plain-escape.tar.gz"
expect_out "it names the link" "pkg/hostroot"
check "no /usr/src/escape-1.0" [ ! -e "$ROOT/usr/src/escape-1.0" ]
check "nothing was written for the plain tarball" nothing_written
mk_tree "$T/t5" srcescape 1.0
ln -s ../dkms_main_tree "$T/t5/dkms_source_tree/up"
mk_tar "$T/t5" src-escape
expect_rc "a source tree with a link out of dkms_source_tree is refused" 6 nd ldtarball "$T/src-escape.tar.gz"
check "nothing was written for the source link" nothing_written
mk_tree "$T/t6" buildescape 1.0
ln -s ../../../../dkms_source_tree "$T/t6/dkms_main_tree/$KVER/$ARCH/module/src"
mk_tar "$T/t6" build-escape
expect_rc "a build with a link out of its kernel/arch folder is refused" 6 nd ldtarball "$T/build-escape.tar.gz"
check "nothing was written for the build link" nothing_written
mk_tree "$T/t7" inside 1.0
mkdir "$T/t7/dkms_source_tree/inc"
ln -s ../hello.c "$T/t7/dkms_source_tree/inc/hello.c"
mk_tar "$T/t7" inside
expect_rc "a link inside the kept folder is fine" 0 nd ldtarball "$T/inside.tar.gz"
check "it was loaded with its link" [ "$(readlink "$ROOT/usr/src/inside-1.0/inc/hello.c")" = ../hello.c ]
check "and its build" [ -f "$ROOT/var/lib/dkms/inside/1.0/$KVER/$ARCH/module/hello.ko" ]
expect_rc "remove it" 0 nd remove inside/1.0 --all
rm -rf "$ROOT/usr/src/inside-1.0"

# a failure after the source is written takes the source back out
mk_tree "$T/t8" rollback 1.0
mk_tar "$T/t8" rollback
mkdir -p "$ROOT/var/lib/dkms/rollback/1.0"
: >"$ROOT/var/lib/dkms/rollback/1.0/$KVER"
dkms_before=$(ls -A "$ROOT/var/lib/dkms" | sort | tr '\n' ' ')
expect_rc "a build that cannot be written fails the load" 6 nd ldtarball "$T/rollback.tar.gz"
check "the source written before it is rolled back" [ ! -e "$ROOT/usr/src/rollback-1.0" ]
check "no staging folder left in /usr/src" sh -c "! ls -A '$ROOT/usr/src' | grep -q ndkms"
rm -rf "$ROOT/var/lib/dkms/rollback"

check "nothing written outside the root" host_unchanged
done_testing

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
check "the package is a real archive" sh -c "bsdtar -tf '$D/$PK' | grep -qx .PKGINFO"
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

check "nothing written outside the root" host_unchanged
done_testing

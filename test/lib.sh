# lib.sh - shared helpers for the shell tests: throwaway roots, the binary, TAP assertions.
# Sourced by test/integration/t-*.sh and test/e2e/t-*.sh, from the repository root.

[ -n "${REPO:-}" ] || REPO=$(cd "$(dirname "$0")/../.." && pwd)
NDKMS=${NDKMS:-$REPO/build/san/ndkms}
# VALGRIND=1 (make valgrind): the release build under valgrind memcheck
[ -n "${VALGRIND:-}" ] && NDKMS=$REPO/test/valgrind-ndkms.sh
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=98}
export LC_ALL=C TZ=UTC
TESTN=0
TMPROOT=$REPO/build/tmp
mkdir -p "$TMPROOT"

# The newest kernel on this machine that has headers (linux-headers-amd64 in CI).
newest_kver() {
	for d in /lib/modules/*/build/include; do
		[ -d "$d" ] || continue
		d=${d%/build/include}
		echo "${d##*/}"
	done | sort -V | tail -n 1
}
KVER=${KVER:-$(newest_kver)}
ARCH=$(uname -m)

# TAP: every test ends with done_testing (the plan, "1..N"); test/run.sh counts a test that
# prints no plan, fewer or more results than its plan, or exits non-zero as failed.
ok() { TESTN=$((TESTN + 1)); echo "ok $TESTN - $*"; }
notok() { TESTN=$((TESTN + 1)); echo "not ok $TESTN - $*"; }
# skip REASON: one assertion that cannot run here, counted as skipped (never as passed).
skip() { TESTN=$((TESTN + 1)); echo "ok $TESTN # SKIP $*"; }
# skip_all REASON: the rest of the test cannot run here; the whole test counts as skipped (or,
# after some results, the remaining part as one skipped assertion).
skip_all() {
	if [ "$TESTN" = 0 ]; then echo "1..0 # SKIP $*"; else skip "$*"; done_testing; fi
	exit 0
}
done_testing() { echo "1..$TESTN"; }
# need_module_signing: skip the whole test unless $KVER's headers are here and that kernel signs modules.
need_module_signing() {
	[ -n "$KVER" ] || skip_all "no kernel headers installed"
	grep -q '^CONFIG_MODULE_SIG_HASH=' "/lib/modules/$KVER/build/include/config/auto.conf" ||
		skip_all "$KVER is built without module signatures"
}

# check DESC CMD...: one TAP line from a command's status.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else notok "$desc"; fi
}

# expect_rc DESC RC CMD...: run CMD (output to $OUT), compare its exit status.
OUT=$TMPROOT/out.$$
expect_rc() {
	desc=$1 want=$2
	shift 2
	"$@" >"$OUT" 2>&1
	got=$?
	if [ "$got" = "$want" ]; then
		ok "$desc (exit $got)"
	else
		notok "$desc: exit $got, expected $want"
		sed 's/^/# | /' "$OUT"
	fi
}

# expect_out DESC PATTERN: the last command's output contains the fixed string.
expect_out() {
	if grep -qF -- "$2" "$OUT"; then
		ok "$1"
	else
		notok "$1: output lacks '$2'"
		sed 's/^/# | /' "$OUT"
	fi
}

expect_no_out() {
	if grep -qF -- "$2" "$OUT"; then
		notok "$1: output has '$2'"
		sed 's/^/# | /' "$OUT"
	else
		ok "$1"
	fi
}

# mkroot: a throwaway root with os-release, the real headers of $KVER, an empty module tree
# with its indexes, /usr/src and /var/lib/dkms.  Sets ROOT.
# kernel_tree DIR: DIR becomes an installed kernel's module folder: one in-tree module (so that
# the indexes are never empty, as on a real system), modules.order, builtin lists, indexes.
kernel_tree() {
	mkdir -p "$1/kernel/drivers/dummy"
	sh "$REPO/test/fixtures/fake-ko.sh" "$1/kernel/drivers/dummy/intree_dummy.ko" intree_dummy 1.0
	echo kernel/drivers/dummy/intree_dummy.ko >"$1/modules.order"
	: >"$1/modules.builtin"
	: >"$1/modules.builtin.modinfo"
	/sbin/depmod -b "${1%/lib/modules/*}" "${1##*/}" 2>/dev/null
}

mkroot() { # [PARENT]: the folder to make it in (default build/tmp; a scratch_dir for nobody)
	ROOT=$(mktemp -d "${1:-$TMPROOT}/root.XXXXXX")
	mkdir -p "$ROOT/etc" "$ROOT/usr/src" "$ROOT/var/lib/dkms" "$ROOT/lib/modules/$KVER"
	cp /etc/os-release "$ROOT/etc/os-release"
	ln -s "$(readlink -f "/lib/modules/$KVER/build")" "$ROOT/lib/modules/$KVER/build"
	kernel_tree "$ROOT/lib/modules/$KVER"
}

# overlay_root: in a private mount namespace (unshare -m), an overlay of the host's / on
# $S/merged whose writes land in $S/up, with /dev, /proc and an empty /tmp.  Sets R.
overlay_root() {
	mount --make-rprivate /
	mkdir -p "$S/up" "$S/wd" "$S/merged"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$S/up,workdir=$S/wd" "$S/merged" ||
		skip_all "no overlayfs"
	R=$S/merged
	mount --rbind /dev "$R/dev"
	mount -t proc proc "$R/proc"
	mount -t tmpfs tmpfs "$R/tmp"
}

nd() { "$NDKMS" --root "$ROOT" "$@"; }

# A copy of an example module in the root's /usr/src (examples/NAME -> /usr/src/NAME-VER).
add_source() {
	mkdir -p "$ROOT/usr/src/$1-$2"
	cp -a "$REPO/examples/$1/." "$ROOT/usr/src/$1-$2/"
	sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$2\"/" "$ROOT/usr/src/$1-$2/dkms.conf"
}

# scratch_dir VAR: a private folder an unprivileged step can reach wherever the checkout lives
# (a clone in /root, mode 0700, is not): mktemp -d under /tmp, mode 0755, removed at exit.
SCRATCH_DIRS=
scratch_dir() {
	_d=$(mktemp -d "${TMPDIR_SCRATCH:-/tmp}/ndkms-test.XXXXXX") || return 1
	chmod 755 "$_d"
	SCRATCH_DIRS="$SCRATCH_DIRS $_d"
	eval "$1=\$_d"
}

# as_nobody [-C DIR] CMD...: CMD as nobody (65534, no groups), in DIR (default /).  "$NDKMS"
# as CMD runs a copy of the binary in a scratch folder (the checkout may be out of reach).
as_nobody() {
	_cwd=/
	[ "$1" = -C ] && { _cwd=$2; shift 2; }
	if [ "$1" = "$NDKMS" ]; then
		if [ -z "${NOBODY_NDKMS:-}" ]; then
			scratch_dir _nb
			cp "$NDKMS" "$_nb/ndkms"
			NOBODY_NDKMS=$_nb/ndkms
		fi
		shift
		set -- "$NOBODY_NDKMS" "$@"
	fi
	(cd "$_cwd" && setpriv --reuid=65534 --regid=65534 --clear-groups "$@")
}

cleanup() {
	[ -n "${ROOT:-}" ] && rm -rf "$ROOT"
	rm -f "$OUT"
	# shellcheck disable=SC2086
	[ -n "$SCRATCH_DIRS" ] && rm -rf $SCRATCH_DIRS
	[ "${HOST_SNAP_OWNER:-}" = $$ ] && rm -f "$HOST_SNAP"
}
trap cleanup EXIT

# A test never writes outside its root.  host_snapshot records the host trees ndkms could
# write (every entry's type, mode, owner, size, mtime and link target); host_unchanged compares
# them with that record and shows what changed.  lib.sh takes the snapshot when it is sourced
# (a test re-run in a private mount namespace inherits its parent's through HOST_SNAP).
HOST_PATHS=${HOST_PATHS:-"/lib/modules /usr/lib/modules /usr/src /var/lib/dkms /etc/dkms /etc/ndkms
	/var/cache/ndkms /boot /etc/depmod.d /etc/modprobe.d /etc/kernel /var/lib/pacman /var/lib/rpm /usr/share/libalpm/hooks /usr/lib/kernel/install.d"}
host_list() {
	# shellcheck disable=SC2086
	for p in $HOST_PATHS; do
		[ -e "$p" ] || [ -L "$p" ] || { echo "absent $p"; continue; }
		find -H "$p" -printf '%y %m %u:%g %s %T@ %p -> %l\n' 2>/dev/null
	done | LC_ALL=C sort
}
host_snapshot() {
	HOST_SNAP=$TMPROOT/host.$$.snap
	HOST_SNAP_OWNER=$$
	host_list >"$HOST_SNAP"
	export HOST_SNAP HOST_SNAP_OWNER
}
host_unchanged() {
	[ -f "${HOST_SNAP:-}" ] || { echo "# host_unchanged: no host_snapshot taken"; return 1; }
	host_list >"$HOST_SNAP.now"
	if cmp -s "$HOST_SNAP" "$HOST_SNAP.now"; then
		rm -f "$HOST_SNAP.now"
		return 0
	fi
	diff "$HOST_SNAP" "$HOST_SNAP.now" | grep '^[<>]' | head -n 20 | sed 's/^/# host changed: /'
	rm -f "$HOST_SNAP.now"
	return 1
}
# (the name the tests used before)
host_untouched() { host_unchanged; }
[ -f "${HOST_SNAP:-}" ] || host_snapshot

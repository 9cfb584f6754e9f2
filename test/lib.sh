# lib.sh - shared helpers for the shell tests: throwaway roots, the binary, TAP assertions.
# Sourced by test/integration/t-*.sh and test/e2e/t-*.sh, from the repository root.

REPO=$(cd "$(dirname "$0")/../.." && pwd)
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

ok() { TESTN=$((TESTN + 1)); echo "ok $TESTN - $*"; }
notok() { TESTN=$((TESTN + 1)); echo "not ok $TESTN - $*"; }
skip_all() { echo "1..0 # skip $*"; exit 0; }

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

mkroot() {
	ROOT=$(mktemp -d "$TMPROOT/root.XXXXXX")
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

cleanup() { [ -n "${ROOT:-}" ] && rm -rf "$ROOT"; rm -f "$OUT"; }
trap cleanup EXIT

# A test never writes outside its root: the host trees it could touch must be unchanged.
host_untouched() {
	[ ! -e /var/lib/dkms/hello ] && [ ! -e "/lib/modules/$KVER/updates/dkms/hello.ko" ]
}

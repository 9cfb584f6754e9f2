#!/bin/sh
# b-autoinstall.sh - autoinstall of 6 small modules (examples/hello and five renamed copies)
# for one kernel: ndkms against Debian's dkms, both in an overlay of / in a private mount namespace
# (the host's trees are never written), same resulting state checked.  Medians of RUNS runs.
cd "$(dirname "$0")/../.." || exit 1
REPO=$PWD
RUNS=${RUNS:-3}
NDKMS=${NDKMS:-$PWD/build/ndkms}
KVER=$(for d in /lib/modules/*/build/include; do [ -d "$d" ] && d=${d%/build/include} && echo "${d##*/}"; done | sort -V | tail -n 1)
[ -n "$KVER" ] || { echo "no kernel headers: skipped"; exit 0; }
command -v dkms >/dev/null || { echo "Debian's dkms is not installed: skipped"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "needs root for the private mount namespace: skipped"; exit 0; }

if [ -z "${NDKMS_IN_NS:-}" ]; then
	mkdir -p build
	S=$(mktemp -d "$PWD/build/b-autoinstall.XXXXXX")
	NDKMS_IN_NS=1 S=$S unshare -m sh "$0"
	rc=$?
	rm -rf "$S"
	exit $rc
fi

mount --make-rprivate /
mkdir -p "$S/up" "$S/wd" "$S/merged"
mount -t overlay overlay -o "lowerdir=/,upperdir=$S/up,workdir=$S/wd" "$S/merged" ||
	{ echo "no overlayfs: skipped"; exit 0; }
R=$S/merged
mount --rbind /dev "$R/dev"
mount -t proc proc "$R/proc"
mount -t tmpfs tmpfs "$R/tmp"
install -Dm755 "$NDKMS" "$R/usr/local/sbin/ndkms"
KD=$R/lib/modules/$KVER
mkdir -p "$KD/kernel/drivers/dummy"
sh test/fixtures/fake-ko.sh "$KD/kernel/drivers/dummy/intree_dummy.ko" intree_dummy 1.0
echo kernel/drivers/dummy/intree_dummy.ko >"$KD/modules.order"
: >"$KD/modules.builtin"
/sbin/depmod -b "$R" "$KVER" 2>/dev/null
MODS="hello alpha beta gamma delta epsilon"
rm -rf "$R/var/lib/dkms"
mkdir -p "$R/var/lib/dkms"
for m in $MODS; do rm -rf "$R/usr/src/$m-1.0"; done
mkdir -p "$R/usr/src/hello-1.0"
cp -a examples/hello/. "$R/usr/src/hello-1.0/"
for m in alpha beta gamma delta epsilon; do sh test/fixtures/clone-module.sh "$R/usr/src" $m 1.0; done

# one fresh state: every module added, nothing built or installed
reset() {
	rm -rf "$R/var/lib/dkms" "$KD/updates"
	mkdir -p "$R/var/lib/dkms"
	/sbin/depmod -b "$R" "$KVER" 2>/dev/null
	for m in $MODS; do chroot "$R" "$1" add -m $m -v 1.0 >/dev/null 2>&1; done
}
now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
state() {
	chroot "$R" "$1" status 2>/dev/null | sort
	(cd "$KD" && find updates -type f | sort)
	sed 's/\.ko\.[a-z]*/.ko/g' "$KD/modules.dep" | sort
}

: >"$S/t.dkms"
: >"$S/t.ndkms"
ok=1
for i in $(seq "$RUNS"); do
	for tool in dkms ndkms; do
		bin=/usr/sbin/dkms
		[ $tool = ndkms ] && bin=/usr/local/sbin/ndkms
		reset $bin
		t0=$(now)
		chroot "$R" $bin autoinstall -k "$KVER" >"$S/out.$tool" 2>&1 || ok=0
		t1=$(now)
		echo "$t1 - $t0" | bc >>"$S/t.$tool"
		state $bin >"$S/state.$tool"
	done
	cmp -s "$S/state.dkms" "$S/state.ndkms" || ok=0
done
d=$(median <"$S/t.dkms")
n=$(median <"$S/t.ndkms")
echo "autoinstall, 6 modules for $KVER, $RUNS runs each, medians, $(nproc) CPUs"
echo "  wall time: ratio $(ratio "$n" "$d") (target <= 0.6)   ndkms ${n}s, dkms ${d}s"
if [ $ok = 1 ]; then
	echo "  same resulting state (status, installed files, modules.dep)"
else
	echo "  DIFFERENT resulting state or a failed run:"
	diff "$S/state.dkms" "$S/state.ndkms" | sed 's/^/    /'
	tail -n 5 "$S/out.dkms" "$S/out.ndkms" | sed 's/^/    /'
	exit 1
fi

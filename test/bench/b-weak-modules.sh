#!/bin/sh
# b-weak-modules.sh - weak-modules --add-modules of one module against 4 installed kernels, each a
# copy of the real Debian module tree with its own symvers: wall time with a warm depmod cache and
# the number of module files parsed.  Medians of RUNS runs.
cd "$(dirname "$0")/../.." || exit 1
RUNS=${RUNS:-5}
NDKMS=${NDKMS:-$PWD/build/ndkms}
KVER=$(sh test/fixtures/kernel-tree.sh kver)
TREE=$(sh test/fixtures/kernel-tree.sh tree) || exit 1
TINY=$(sh test/fixtures/kernel-tree.sh tiny) || exit 1
SV=/lib/modules/$KVER/build/Module.symvers
[ -f "$SV" ] || { echo "no Module.symvers in the headers: skipped"; exit 0; }
W=$(mktemp -d "$PWD/build/b-weak.XXXXXX")
trap 'rm -rf "$W"' EXIT
R=$W/root
mkdir -p "$R/boot" "$R/lib/modules"
# a private copy to hard-link from: tests that link and unlink the shared fixture change the
# ctime of its files, which the parse cache rightly takes for a change
cp -a "$TREE/lib/modules/$KVER" "$W/src"
for k in "$KVER" 6.1.0-801-amd64 6.1.0-802-amd64 6.1.0-803-amd64 6.1.0-804-amd64; do
	cp -al "$W/src" "$R/lib/modules/$k"
	rm -f "$R/lib/modules/$k/build" "$R/lib/modules/$k/source"
	gzip -c "$SV" >"$R/boot/symvers-$k.gz"
done
mkdir -p "$R/lib/modules/$KVER/extra"
cp "$TINY/ndk_exp.ko" "$R/lib/modules/$KVER/extra/ndk_exp.ko"
M=/lib/modules/$KVER/extra/ndk_exp.ko
wm() { echo "$M" | "$NDKMS" --root "$R" weak-modules "$@"; }
# warm: every kernel's indexes and parse cache written once
wm --add-modules >/dev/null 2>&1
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: >"$W/t"
for i in $(seq "$RUNS"); do
	for k in 801 802 803 804; do
		"$NDKMS" --root "$R" weak-modules --remove-kernel "6.1.0-$k-amd64" >/dev/null 2>&1
	done
	s=$(date +%s.%N)
	wm --add-modules --verbose >"$W/out" 2>&1
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }' >>"$W/t"
done
# the same, but each kernel's indexes were regenerated after its links went away: every target
# kernel then needs a real depmod with the new link (its module's own kernel is unchanged)
: >"$W/t2"
for i in $(seq "$RUNS"); do
	for k in 801 802 803 804; do
		"$NDKMS" --root "$R" weak-modules --remove-kernel "6.1.0-$k-amd64" >/dev/null 2>&1
		"$NDKMS" --root "$R" depmod "6.1.0-$k-amd64" >/dev/null 2>&1
	done
	s=$(date +%s.%N)
	wm --add-modules --verbose >"$W/out2" 2>&1
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }' >>"$W/t2"
done
full=$(grep -c ' parsed, [0-9]* from the cache' "$W/out2")
n=$(find "$R/lib/modules/6.1.0-801-amd64" -name '*.ko*' | wc -l)
links=$(find "$R/lib/modules" -path '*weak-updates*' -name 'ndk_exp.ko' | wc -l)
parsed=$(sed -n 's/.*depmod: [0-9]* modules: \([0-9]*\) parsed.*/\1/p' "$W/out" | awk '{ s += $1 } END { print s + 0 }')
own=$(sed -n "s/.*target kernels' modules: \([0-9]*\) parsed, \([0-9]*\) from.*/\1 parsed, \2 cached/p" "$W/out")
echo "weak-modules --add-modules, 1 module, 4 target kernels of $n modules, $RUNS runs, $(nproc) CPUs"
echo "  wall time, warm cache, links re-added: $(median <"$W/t")s (target < 0.3s)   links made: $links"
echo "  module files parsed: $parsed by the depmod runs (one new link per kernel), exports check: $own"
echo "  wall time, indexes without the link: $(median <"$W/t2")s   full depmods: $full of 5"

#!/bin/sh
# b-depmod.sh - ndkms depmod against kmod's depmod on the real Debian module tree:
# cold full run, one module added with a warm cache, and peak memory.  Medians of RUNS runs.
cd "$(dirname "$0")/../.." || exit 1
RUNS=${RUNS:-7}
NDKMS=${NDKMS:-$PWD/build/ndkms}
command -v depmod >/dev/null || { echo "kmod's depmod missing: skipped"; exit 0; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (package 'time'): skipped"; exit 0; }
KVER=$(sh test/fixtures/kernel-tree.sh kver)
TREE=$(sh test/fixtures/kernel-tree.sh tree) || exit 1
TINY=$(sh test/fixtures/kernel-tree.sh tiny) || exit 1
W=$(mktemp -d "$PWD/build/b-depmod.XXXXXX")
trap 'rm -rf "$W"' EXIT
cp -a "$TREE" "$W/t" # a private copy: the page cache holds it after the first pass
M=$W/t/lib/modules/$KVER
mkdir -p "$M/updates/dkms" "$W/noconf" "$W/root" # ndkms refuses a --root that does not exist

# "seconds kilobytes" of one command
measure() {
	/usr/bin/time -f '%e %M' -o "$W/time" "$@" >/dev/null 2>&1
	tail -n 1 "$W/time"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }

kmod_run() { measure depmod -b "$W/t" -C "$W/noconf" "$KVER"; }
ndkms_run() { measure "$NDKMS" --root "$W/root" depmod -b "$W/t" "$KVER"; }

# warm the page cache
kmod_run >/dev/null
ndkms_run >/dev/null

: >"$W/kmod"
: >"$W/cold"
: >"$W/add"
for i in $(seq "$RUNS"); do
	kmod_run >>"$W/kmod"
	rm -rf "$W/root/var/cache"
	ndkms_run >>"$W/cold"
	# warm cache for the tree without the module, then add it and time that run only
	rm -f "$M/updates/dkms/ndk_exp.ko"
	ndkms_run >/dev/null
	cp "$TINY/ndk_exp.ko" "$M/updates/dkms/ndk_exp.ko"
	ndkms_run >>"$W/add"
	rm -f "$M/updates/dkms/ndk_exp.ko"
done

k_t=$(cut -d' ' -f1 "$W/kmod" | median)
k_m=$(cut -d' ' -f2 "$W/kmod" | median)
c_t=$(cut -d' ' -f1 "$W/cold" | median)
c_m=$(cut -d' ' -f2 "$W/cold" | median)
a_t=$(cut -d' ' -f1 "$W/add" | median)
a_m=$(cut -d' ' -f2 "$W/add" | median)
n=$(find "$M" -name '*.ko*' | wc -l)
echo "depmod, $n modules ($KVER), $RUNS runs each, medians, $(nproc) CPUs"
echo "  cold full run:       ratio $(ratio "$c_t" "$k_t") (target <= 0.6)   ndkms ${c_t}s, kmod ${k_t}s"
echo "  add one, warm cache: ratio $(ratio "$a_t" "$k_t") (target <= 0.1)   ndkms ${a_t}s, kmod full ${k_t}s"
echo "  peak RSS, cold:      ratio $(ratio "$c_m" "$k_m")   ndkms ${c_m} KB, kmod ${k_m} KB"
echo "  peak RSS, add one:   ratio $(ratio "$a_m" "$k_m")   ndkms ${a_m} KB, kmod ${k_m} KB"

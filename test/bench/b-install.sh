#!/bin/sh
# b-install.sh - "install of an already built module" on the real Debian module tree: ndkms
# against Debian's dkms, each in its own throwaway trees, medians of RUNS runs.  Debian's dkms runs
# in a private mount namespace whose /lib/modules, /var/lib/dkms and /usr/src are the throwaway
# copies, because it always runs depmod on the real /lib/modules path.
cd "$(dirname "$0")/../.." || exit 1
RUNS=${RUNS:-5}
NDKMS=${NDKMS:-$PWD/build/ndkms}
command -v dkms >/dev/null || { echo "Debian's dkms is not installed: skipped"; exit 0; }
command -v unshare >/dev/null || { echo "unshare missing: skipped"; exit 0; }
KVER=$(sh test/fixtures/kernel-tree.sh kver)
TREE=$(sh test/fixtures/kernel-tree.sh tree) || exit 1
W=$(mktemp -d "$PWD/build/b-install.XXXXXX")
trap 'rm -rf "$W"' EXIT
ARCH=$(uname -m)
HDR=$(readlink -f "/lib/modules/$KVER/build")

# two identical roots: the real module tree, the headers, the example module's source
for r in nd dk; do
	mkdir -p "$W/$r/etc" "$W/$r/usr/src" "$W/$r/var/lib/dkms" "$W/$r/lib"
	cp /etc/os-release "$W/$r/etc/"
	cp -a "$TREE/lib/modules" "$W/$r/lib/modules"
	ln -sfn "$HDR" "$W/$r/lib/modules/$KVER/build"
	cp -a examples/hello "$W/$r/usr/src/hello-1.0"
done

dk() {
	unshare -m sh -c '
		for h in /usr/src/linux-*; do
			mkdir -p "$1$h" && mount --bind "$h" "$1$h" || exit 1
		done
		mount --bind "$1/lib/modules" /lib/modules &&
		mount --bind "$1/var/lib/dkms" /var/lib/dkms &&
		mount --rbind "$1/usr/src" /usr/src && shift && exec dkms "$@"' sh "$W/dk" "$@"
}
nd() { "$NDKMS" --root "$W/nd" "$@"; }

secs() { # run a command, print its wall time in seconds
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || echo "failed: $*" >&2
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f\n", e - s }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

dk add -m hello -v 1.0 >/dev/null 2>&1
dk build -m hello -v 1.0 -k "$KVER" >"$W/dkbuild.log" 2>&1 || { echo "dkms build failed: skipped"; exit 0; }
nd build hello/1.0 -k "$KVER" >"$W/ndbuild.log" 2>&1 || { cat "$W/ndbuild.log"; echo "ndkms build failed"; exit 1; }
nd depmod -b "$W/nd" "$KVER" >/dev/null 2>&1 # the depmod cache is warm on a real system
: >"$W/t.nd"
: >"$W/t.dk"
for i in $(seq "$RUNS"); do
	secs dk install -m hello -v 1.0 -k "$KVER" >>"$W/t.dk"
	dk uninstall -m hello -v 1.0 -k "$KVER" >/dev/null 2>&1
	secs nd install hello/1.0 -k "$KVER" >>"$W/t.nd"
	nd uninstall hello/1.0 -k "$KVER" >/dev/null 2>&1
done
nd install hello/1.0 -k "$KVER" >/dev/null 2>&1
dk install -m hello -v 1.0 -k "$KVER" >/dev/null 2>&1
same=no
grep -q '^updates/dkms/hello.ko:' "$W/nd/lib/modules/$KVER/modules.dep" &&
	grep -q '^updates/dkms/hello.ko:' "$W/dk/lib/modules/$KVER/modules.dep" &&
	cmp -s "$W/nd/lib/modules/$KVER/modules.dep" "$W/dk/lib/modules/$KVER/modules.dep" && same=yes
n=$(median <"$W/t.nd")
d=$(median <"$W/t.dk")
echo "install of a built module, $(find "$W/nd/lib/modules/$KVER" -name '*.ko*' | wc -l) modules ($KVER), $RUNS runs each, medians, $(nproc) CPUs"
echo "  ndkms / dkms: ratio $(awk -v a="$n" -v b="$d" 'BEGIN { printf "%.3f", a / b }') (target <= 0.15)   ndkms ${n}s, Debian dkms ${d}s"
echo "  same modules.dep afterwards: $same"

#!/bin/sh
# t-parallel.sh - autoinstall of several modules (greeter depending on hello through
# BUILD_DEPENDS) with parallel workers gives the same state as one module at a time (-j1):
# same status, same installed files, same modules.dep; builds overlap, order is kept.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"

setup() {
	mkroot
	add_source hello 1.0
	add_source greeter 1.0
	for m in alpha beta; do sh "$REPO/test/fixtures/clone-module.sh" "$ROOT/usr/src" $m 1.0; done
	for m in greeter alpha hello beta; do nd add $m/1.0 >/dev/null || notok "add $m"; done
}

setup
SEQ=$ROOT
expect_rc "sequential autoinstall (-j1)" 0 nd autoinstall -k "$KVER" -j1
cp "$OUT" "$SEQ/ai.out"
setup
PAR=$ROOT
expect_rc "parallel autoinstall (-j4)" 0 nd autoinstall -k "$KVER" -j4
cp "$OUT" "$PAR/ai.out"
trap 'rm -rf "$SEQ" "$PAR"; cleanup' EXIT

for r in SEQ PAR; do
	eval root=\$$r
	"$NDKMS" --root "$root" status >"$root/status.out" 2>&1
	(cd "$root/lib/modules/$KVER" && find updates -type f | sort) >"$root/files.out"
done
check "same status" cmp -s "$SEQ/status.out" "$PAR/status.out"
check "every module installed" [ "$(grep -c ': installed$' "$PAR/status.out")" = 4 ]
check "same installed files" cmp -s "$SEQ/files.out" "$PAR/files.out"
check "same modules.dep" cmp -s "$SEQ/lib/modules/$KVER/modules.dep" "$PAR/lib/modules/$KVER/modules.dep"
check "greeter depends on hello" grep -qx "updates/dkms/greeter.ko: updates/dkms/hello.ko" \
	"$PAR/lib/modules/$KVER/modules.dep"
# two start lines before the first build's output: two builds ran at once
check "builds overlapped in parallel" sh -c "grep -E '^(Autoinstall of module|Building module)' '$PAR/ai.out' | head -n 2 | grep -c '^Autoinstall of module' | grep -qx 2"
check "one at a time with -j1" sh -c "grep -E '^(Autoinstall of module|Building module)' '$SEQ/ai.out' | head -n 2 | grep -c '^Autoinstall of module' | grep -qx 1"
h=$(grep -n "^hello/1.0 for kernel $KVER ($ARCH): installed" "$PAR/ai.out" | cut -d: -f1)
g=$(grep -n "^Autoinstall of module greeter/1.0" "$PAR/ai.out" | cut -d: -f1)
check "greeter started after hello ended ($h < $g)" [ "${h:-99}" -lt "${g:-0}" ]
check "one depmod in parallel" [ "$(grep -c 'Running depmod' "$PAR/ai.out")" = 1 ]
check "nothing written outside the root" host_unchanged
done_testing

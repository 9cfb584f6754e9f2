#!/bin/sh
# run.sh - run every unit, integration and e2e test; print "N passed, N failed" last.
# Each test prints TAP lines ("ok ..." / "not ok ..."); a test program that exits non-zero
# without reporting a failure counts as one failure.
cd "$(dirname "$0")/.." || exit 1
out=${TEST_RESULTS:-build/test-results}
rm -rf "$out"
mkdir -p "$out"
pass=0
fail=0
run_one() {
	name=$1
	shift
	log="$out/$(echo "$name" | tr '/' '_').log"
	printf '== %s\n' "$name"
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	grep -E '^(not ok|# )' "$log" | sed 's/^/   /'
	[ "$f" != 0 ] && { echo "   (log: $log)"; tail -n 25 "$log" | sed 's/^/   | /'; }
	printf '   %s passed, %s failed\n' "$p" "$f"
	pass=$((pass + p))
	fail=$((fail + f))
}
only=${TESTS:-}
for t in build/unit/t-*; do
	[ -x "$t" ] || continue
	case $t in *.d) continue ;; esac
	[ -n "$only" ] && ! echo "$t" | grep -q -- "$only" && continue
	run_one "$t" "$t"
done
for t in test/integration/t-*.sh test/e2e/t-*.sh; do
	[ -f "$t" ] || continue
	[ -n "$only" ] && ! echo "$t" | grep -q -- "$only" && continue
	run_one "$t" sh "$t"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

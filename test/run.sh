#!/bin/sh
# run.sh - run every unit, integration and e2e test; print "N passed, N failed, N skipped" last,
# after the list of what was skipped and why.
# Each test prints TAP: "ok ...", "not ok ...", "ok N # SKIP reason" (skipped, not passed) and a
# plan "1..N" ("1..0 # SKIP reason": the whole test skipped).  A test counts one failure more
# when it exits non-zero, prints no plan, or prints another number of results than its plan.
cd "$(dirname "$0")/.." || exit 1
out=${TEST_RESULTS:-build/test-results}
rm -rf "$out"
mkdir -p "$out"
pass=0
fail=0
skipped=0
: >"$out/skipped.list"
run_one() {
	name=$1
	shift
	log="$out/$(echo "$name" | tr '/' '_').log"
	printf '== %s\n' "$name"
	"$@" >"$log" 2>&1
	rc=$?
	s=$(grep -ciE '^ok .*# *skip' "$log")
	p=$(($(grep -c '^ok ' "$log") - s))
	f=$(grep -c '^not ok ' "$log")
	plan=$(grep -E '^1\.\.[0-9]+' "$log" | tail -n 1)
	n=${plan#1..}
	n=${n%%[!0-9]*}
	why=
	if [ "$rc" != 0 ]; then
		why="exited with status $rc"
	elif [ -z "$plan" ]; then
		why="printed no plan (1..N): it stopped early, or does not end with done_testing"
	elif [ "$n" = 0 ] && [ $((p + s + f)) = 0 ]; then
		if echo "$plan" | grep -qiE '^1\.\.0 *# *skip'; then
			s=1
			echo "$name: $(echo "$plan" | sed -E 's/^1\.\.0 *# *[Ss][Kk][Ii][Pp][A-Za-z]*:? *//')" \
				>>"$out/skipped.list"
		else
			why="ran no test and gave no reason to skip"
		fi
	elif [ "$n" != $((p + s + f)) ]; then
		why="planned $n results, printed $((p + s + f))"
	fi
	if [ -n "$why" ]; then
		f=$((f + 1))
		echo "not ok - $name $why" >>"$log"
	fi
	awk -v n="$name" 'tolower($0) ~ /^ok .*# *skip/ {
		r = $0; sub(/^[^#]*# *[Ss][Kk][Ii][Pp][A-Za-z]*:? */, "", r); print n " (" $2 "): " r
	}' "$log" >>"$out/skipped.list"
	grep -iE '^(not ok|# |ok .*# *skip)' "$log" | sed 's/^/   /'
	[ "$f" != 0 ] && { echo "   (log: $log)"; tail -n 25 "$log" | sed 's/^/   | /'; }
	printf '   %s passed, %s failed, %s skipped\n' "$p" "$f" "$s"
	pass=$((pass + p))
	fail=$((fail + f))
	skipped=$((skipped + s))
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
if [ -s "$out/skipped.list" ]; then
	echo "skipped:"
	sed 's/^/   /' "$out/skipped.list"
fi
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]

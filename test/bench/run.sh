#!/bin/sh
# run.sh - run every benchmark (test/bench/b-*.sh) against build/ndkms; each prints its ratios.
cd "$(dirname "$0")/../.." || exit 1
rc=0
for b in test/bench/b-*.sh; do
	[ -f "$b" ] || continue
	printf '== %s\n' "$b"
	sh "$b" || rc=1
done
exit $rc

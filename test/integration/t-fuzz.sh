#!/bin/sh
# t-fuzz.sh - the libFuzzer targets for FUZZ_SECONDS each (30 in make check); see test/fuzz/run.sh.
cd "$(dirname "$0")/../.." || exit 1
[ -n "${VALGRIND:-}" ] && { echo "1..0 # skip not under valgrind"; exit 0; }
exec sh test/fuzz/run.sh

#!/bin/sh
# run.sh - run every libFuzzer target for FUZZ_SECONDS (default 30) on its seed corpus; TAP lines.
# A crash, a hang (over 10 s for one input) or a sanitizer report fails the target.
cd "$(dirname "$0")/../.." || exit 1
secs=${FUZZ_SECONDS:-30}
out=build/fuzz/out
mkdir -p "$out"
n=0
for bin in build/fuzz/fuzz-*; do
	[ -x "$bin" ] || continue
	name=${bin##*/}
	n=$((n + 1))
	seeds=build/fuzz/corpus/$name
	mkdir -p "$seeds"
	case $name in
	fuzz-conf) cp -n ../shared/corpus/dkms.conf/* examples/*/dkms.conf "$seeds/" 2>/dev/null ;;
	fuzz-index) printf 'crc7\tkernel/lib/crc7.ko:\nusb:v*\tusbcore\ncrc8\tabc\300\ncaf\303\251\tx\n' >"$seeds/seed" ;;
	fuzz-extract) [ -e "$seeds/seed.tar" ] ||
		tar -C examples -cf "$seeds/seed.tar" hello 2>/dev/null ;;
	fuzz-efisig) [ -e "$seeds/seed" ] || { head -c 64 /dev/urandom >"$out/seed-cert" &&
		sh test/fixtures/efivars.sh raw "$out/seed-efi" MokListRT "$out/seed-cert" &&
		cp "$out/seed-efi/mok-variables/MokListRT" "$seeds/seed"; } ;;
	fuzz-bashrec) printf 'PACKAGE_NAME s 0 5:hello\nMAKE a 0 4:make\nMAKE a 3 6:a\nb:c \nEND\n' >"$seeds/seed"
		printf 'A s 0 99999999:' >"$seeds/truncated" ;;
	fuzz-modparse) for f in build/san/../tmp/*.ko build/dmdrv/*.ko; do
		[ -f "$f" ] && cp -n "$f" "$seeds/" 2>/dev/null; done ;;
	esac
	log=$out/$name.log
	if TMPDIR=$out "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/$name-" "$seeds" >"$log" 2>&1; then
		echo "ok $n - $name: ${secs}s, $(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" |
			sed "s/.*: //") runs without a crash, hang or sanitizer report"
	else
		echo "not ok $n - $name: see $log"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 5 | sed 's/^/# /'
	fi
done
if [ "$n" = 0 ]; then echo "1..0 # SKIP no fuzz targets built (make fuzz-bins)"; else echo "1..$n"; fi
exit 0

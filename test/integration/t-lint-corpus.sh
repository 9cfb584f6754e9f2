#!/bin/sh
# t-lint-corpus.sh - "ndkms lint --print" against the reference evaluator on every corpus dkms.conf.
# Both run live on this machine (real nproc, uname, kernel headers); the native-only run (shell
# fallback disabled in ndkms.conf) must handle 90% of the corpus alone, with identical output.
cd "$(dirname "$0")/../.." || exit 1
repo=$(pwd)
corpus=$(dirname "$repo")/shared/corpus
ndkms=${NDKMS:-$repo/build/san/ndkms}
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }

if [ ! -d "$corpus/dkms.conf" ]; then
	echo "1..0 # skipped: no corpus at $corpus/dkms.conf"
	exit 0
fi
kver=$(for d in /lib/modules/*/; do [ -e "${d}build" ] && basename "$d"; done | sort -V | tail -n 1)
if [ -z "$kver" ]; then
	echo "1..0 # skipped: no /lib/modules/*/build on this machine"
	exit 0
fi
echo "# kernel $kver"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
eval_ref=$corpus/eval-dkms-conf.sh

# 1. every file, default settings (native path with the bash fallback); lint runs no code of
# a file unless given --allow-shell, so a file that needs bash is refused first (exit 8, with
# the construct named and nothing printed) and then evaluated with --allow-shell
total=0
shell=0
for f in "$corpus"/dkms.conf/*.conf; do
	b=$(basename "$f")
	total=$((total + 1))
	"$eval_ref" --dkms-reeval --no-shims "$f" "$kver" x86_64 >"$tmp/ref" 2>/dev/null
	"$ndkms" lint --print "$f" -k "$kver" -a x86_64 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" != 0 ] && grep -q "needs the shell fallback (/bin/bash); lint runs a file's code only with --allow-shell" "$tmp/err"; then
		shell=$((shell + 1))
		if [ "$rc" != 8 ] || [ -s "$tmp/out" ]; then
			notok "lint --print $b without --allow-shell: exit 8 and no output (rc $rc)"
			continue
		fi
		"$ndkms" lint --print --allow-shell "$f" -k "$kver" -a x86_64 >"$tmp/out" 2>"$tmp/err"
	fi
	if cmp -s "$tmp/ref" "$tmp/out"; then
		ok "lint --print $b"
	else
		notok "lint --print $b"
		diff "$tmp/ref" "$tmp/out" | head -n 10 | sed 's/^/# /'
		head -n 5 "$tmp/err" | sed 's/^/# /'
	fi
	cp "$tmp/ref" "$tmp/ref-$b"
done
echo "# $shell of $total files need --allow-shell"

# 2. the native path alone: shell_fallback = false in <root>/etc/ndkms/ndkms.conf
root=$tmp/root
mkdir -p "$root/etc/ndkms"
echo 'shell_fallback = false;' >"$root/etc/ndkms/ndkms.conf"
native=0
mismatch=0
for f in "$corpus"/dkms.conf/*.conf; do
	b=$(basename "$f")
	if "$ndkms" --root "$root" lint --print "$f" -k "$kver" -a x86_64 >"$tmp/out" 2>"$tmp/err"; then
		native=$((native + 1))
		if ! cmp -s "$tmp/ref-$b" "$tmp/out"; then
			mismatch=$((mismatch + 1))
			echo "# native output differs: $b"
		fi
	elif ! grep -q "needs the shell fallback, which is disabled in /etc/ndkms/ndkms.conf" "$tmp/err"; then
		mismatch=$((mismatch + 1))
		echo "# native path failed without naming a construct: $b"
		head -n 3 "$tmp/err" | sed 's/^/# /'
	fi
done
pct=$((native * 100 / total))
echo "# native: $native/$total ($((native * 1000 / total / 10)).$((native * 1000 / total % 10))%)"
if [ "$mismatch" = 0 ]; then ok "native-only results equal the reference"; else notok "native-only results equal the reference ($mismatch differ)"; fi
if [ "$pct" -ge 90 ]; then ok "native path handles $pct% of the corpus (>= 90%)"; else notok "native path handles only $pct% of the corpus"; fi

# 3. fallback disabled: the error names file, line and construct, exit status 8
mkdir -p "$tmp/m"
printf 'PACKAGE_NAME=x\nPACKAGE_VERSION=1\nMAKE="make $(git describe)"\n' >"$tmp/m/dkms.conf"
"$ndkms" --root "$root" lint --print "$tmp/m/dkms.conf" -k "$kver" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 8 ] && grep -q "dkms.conf:3: the command substitution \$(git) needs the shell fallback, which is disabled in /etc/ndkms/ndkms.conf" "$tmp/err"; then
	ok "fallback disabled: error names file, line and construct"
else
	notok "fallback disabled: error names file, line and construct (rc $rc)"
	sed 's/^/# /' "$tmp/err"
fi
"$ndkms" --root "$root" lint "$tmp/m/dkms.conf" -k "$kver" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 8 ] && grep -q "dkms.conf:3: error: .*needs the shell fallback" "$tmp/out"; then
	ok "lint reports the construct as an error when the fallback is disabled"
else
	notok "lint reports the construct as an error when the fallback is disabled (rc $rc)"
	sed 's/^/# /' "$tmp/out" "$tmp/err"
fi

# 4. under the fallback (--allow-shell), exit 1 and an endless loop end with an error in bounded time
root2=$tmp/root2
mkdir -p "$root2/etc/ndkms"
echo 'shell_timeout = 2;' >"$root2/etc/ndkms/ndkms.conf"
printf 'PACKAGE_NAME=x\nexit 1\n' >"$tmp/m/exit.conf"
printf 'PACKAGE_NAME=x\nwhile :; do :; done\n' >"$tmp/m/loop.conf"
start=$(date +%s)
"$ndkms" --root "$root2" lint --print --allow-shell "$tmp/m/exit.conf" -k "$kver" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 8 ] && [ ! -s "$tmp/out" ] && grep -q "ended the shell" "$tmp/err"; then
	ok "a file running exit 1 is an error"
else
	notok "a file running exit 1 is an error (rc $rc)"
	sed 's/^/# /' "$tmp/err"
fi
timeout 60 "$ndkms" --root "$root2" lint --print --allow-shell "$tmp/m/loop.conf" -k "$kver" >"$tmp/out" 2>"$tmp/err"
rc=$?
took=$(($(date +%s) - start))
if [ "$rc" = 8 ] && grep -q "did not finish within 2.000 seconds" "$tmp/err" && [ "$took" -lt 30 ]; then
	ok "an endless loop is stopped after shell_timeout"
else
	notok "an endless loop is stopped after shell_timeout (rc $rc, ${took}s)"
	sed 's/^/# /' "$tmp/err"
fi

# 5. lint findings for packagers
printf 'PACKAGE_NAME=x\nPACKAGE_VERSION=1\nBUILD_MODULE_NAME=x\nDEST_MODULE_LOCATION=/extra\nREMAKE_INITRD=no\n' >"$tmp/m/dkms.conf"
"$ndkms" lint "$tmp/m" -k "$kver" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && grep -q "dkms.conf:3: warning: 'BUILD_MODULE_NAME' is not a dkms directive.*BUILT_MODULE_NAME" "$tmp/out" &&
	grep -q "dkms.conf:5: warning: REMAKE_INITRD is deprecated" "$tmp/out"; then
	ok "lint warns about a directive typo and deprecated directives"
else
	notok "lint warns about a directive typo and deprecated directives (rc $rc)"
	sed 's/^/# /' "$tmp/out" "$tmp/err"
fi
printf 'PACKAGE_NAME=x\nPACKAGE_VERSION=1\nBUILT_MODULE_NAME=x\nDEST_MODULE_LOCATION=/updates/../../etc\n' >"$tmp/m/dkms.conf"
"$ndkms" lint "$tmp/m/dkms.conf" -k "$kver" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 8 ] && grep -q "dkms.conf:4: error: .*DEST_MODULE_LOCATION" "$tmp/out"; then
	ok "lint refuses a DEST_MODULE_LOCATION escaping its tree"
else
	notok "lint refuses a DEST_MODULE_LOCATION escaping its tree (rc $rc)"
	sed 's/^/# /' "$tmp/out" "$tmp/err"
fi
"$ndkms" lint >"$tmp/out" 2>"$tmp/err"
if [ "$?" = 2 ]; then ok "lint without a file is a usage error"; else notok "lint without a file is a usage error"; fi
echo "1..$n"

#!/bin/sh
# t-concurrency.sh - 8 concurrent ndkms invocations mixing install, uninstall, status and depmod
# on the same and on different modules and kernels, 50 rounds (CONC_ROUNDS): no failure but a
# "waiting for the lock" line, the final state of a sequential run, indexes equal to kmod's.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
ROUNDS=${CONC_ROUNDS:-50}
K2=9.9.9-fake

# Template: hello and alpha built for $KVER, and for a second kernel (a copy of the build,
# registered under K2's name, with K2's tree holding one in-tree module).
mkroot
add_source hello 1.0
sh "$REPO/test/fixtures/clone-module.sh" "$ROOT/usr/src" alpha 1.0
nd build hello/1.0 -k "$KVER" >/dev/null 2>&1 || notok "build hello"
nd add alpha/1.0 >/dev/null 2>&1; nd build alpha/1.0 -k "$KVER" >/dev/null 2>&1 || notok "build alpha"
for m in hello alpha; do
	mkdir -p "$ROOT/var/lib/dkms/$m/1.0/$K2"
	cp -a "$ROOT/var/lib/dkms/$m/1.0/$KVER/$ARCH" "$ROOT/var/lib/dkms/$m/1.0/$K2/$ARCH"
done
mkdir -p "$ROOT/lib/modules/$K2/kernel"
cp -a "$ROOT/lib/modules/$KVER/kernel/drivers" "$ROOT/lib/modules/$K2/kernel/"
cp "$ROOT/lib/modules/$KVER/modules.order" "$ROOT/lib/modules/$K2/"
: >"$ROOT/lib/modules/$K2/modules.builtin"
: >"$ROOT/lib/modules/$K2/modules.builtin.modinfo"
/sbin/depmod -b "$ROOT" "$K2" 2>/dev/null
TMPL=$ROOT
W=$(mktemp -d "$TMPROOT/conc.XXXXXX")
trap 'rm -rf "$TMPL" "$W"; cleanup' EXIT

# The mix: the final state does not depend on the order (each module/kernel pair ends installed
# or uninstalled by the one command that changes it; status and depmod only read or rebuild).
mix() {
	echo "install hello/1.0 -k $KVER"
	echo "install alpha/1.0 -k $KVER"
	echo "install hello/1.0 -k $K2"
	echo "uninstall alpha/1.0 -k $K2"
	echo "status"
	echo "depmod -b @ROOT@ $KVER"
	echo "depmod -b @ROOT@ $K2"
	echo "status hello/1.0"
}

snap() {
	(cd "$1" && find var/lib/dkms lib/modules -name .ndkms-lock -prune -o -printf '%y %p %l\n' |
		LC_ALL=C sort)
	"$NDKMS" --root "$1" status 2>&1
}

run_line() {
	r=$1
	shift
	# shellcheck disable=SC2046
	set -- $(echo "$*" | sed "s|@ROOT@|$r|g")
	"$NDKMS" --root "$r" "$@"
}

# the sequential reference (alpha is installed on K2 first, so that its uninstall has work)
SEQ=$W/seq
cp -a "$TMPL" "$SEQ"
"$NDKMS" --root "$SEQ" install alpha/1.0 -k "$K2" >/dev/null 2>&1
mkdir -p "$W/base" && cp -a "$SEQ/." "$W/base/"
mix >"$W/mix"
while read -r line; do run_line "$SEQ" "$line" >/dev/null 2>&1; done <"$W/mix"
snap "$SEQ" >"$W/seq.snap"
check "sequential run installs three" [ "$(grep -c ': installed' "$W/seq.snap")" = 3 ]

bad_rc=0 bad_out=0 bad_state=0 bad_index=0 waited=0
i=1
while [ "$i" -le "$ROUNDS" ]; do
	R=$W/r
	rm -rf "$R"
	cp -a "$W/base" "$R"
	n=0
	while read -r line; do
		n=$((n + 1))
		(
			run_line "$R" "$line"
			echo $? >"$W/rc.$n"
		) >"$W/out.$n" 2>&1 &
	done <"$W/mix"
	wait
	for f in "$W"/rc.*; do
		[ "$(cat "$f")" = 0 ] && continue
		bad_rc=$((bad_rc + 1))
		[ "$bad_rc" -le 3 ] && sed "s|^|# round $i exit $(cat "$f"): |" "$W/out.${f##*.}" | head -n 8
	done
	for o in "$W"/out.*; do
		if grep -v -e '^ndkms: waiting for the lock' "$o" | grep -qiE 'error|warning|failed|sanitizer'; then
			bad_out=$((bad_out + 1))
			[ "$bad_out" -le 3 ] && sed "s|^|# round $i $(basename "$o"): |" "$o" | head -n 8
		fi
		grep -q 'waiting for the lock' "$o" && waited=$((waited + 1))
	done
	snap "$R" >"$W/r.snap"
	if ! cmp -s "$W/r.snap" "$W/seq.snap"; then
		bad_state=$((bad_state + 1))
		[ "$bad_state" -le 3 ] && diff "$W/seq.snap" "$W/r.snap" | head -n 10 | sed "s/^/# round $i: /"
	fi
	for k in "$KVER" "$K2"; do
		rm -rf "$W/kmod"
		mkdir -p "$W/kmod/lib/modules"
		cp -a "$R/lib/modules/$k" "$W/kmod/lib/modules/"
		/sbin/depmod -b "$W/kmod" "$k" 2>/dev/null
		for f in modules.dep modules.dep.bin modules.alias modules.alias.bin modules.symbols \
			modules.symbols.bin modules.softdep modules.devname; do
			cmp -s "$R/lib/modules/$k/$f" "$W/kmod/lib/modules/$k/$f" || {
				bad_index=$((bad_index + 1))
				[ "$bad_index" -le 3 ] && echo "# round $i: $k/$f differs from kmod's depmod"
			}
		done
	done
	rm -f "$W"/out.* "$W"/rc.*
	i=$((i + 1))
done
check "$ROUNDS rounds of 8 concurrent invocations: every one exits 0" [ "$bad_rc" = 0 ]
check "$ROUNDS rounds: no output but the waiting-for-lock line looks like an error" [ "$bad_out" = 0 ]
check "$ROUNDS rounds: final state equals the sequential run" [ "$bad_state" = 0 ]
check "$ROUNDS rounds: indexes equal kmod's depmod of the final tree" [ "$bad_index" = 0 ]
echo "# $waited invocations printed a waiting-for-lock line"
check "nothing written outside the root" host_unchanged
done_testing

# crash-lib.sh - kill-point sweeps and tree invariants for t-crash.sh (sourced after lib.sh).
# A command runs against a copy of a template root; "@ROOT@" in its arguments names that copy.

CRASH_WORK=$(mktemp -d "$TMPROOT/crash.XXXXXX")
GOOD_KOS=

# fault_build: the binary counts fault points (NDKMS_FAULT_TRACE gets written).
fault_build() {
	mkdir -p "$CRASH_WORK/probe/lib/modules/0.0"
	NDKMS_FAULT_TRACE=$CRASH_WORK/probe.trace "$NDKMS" --root "$CRASH_WORK/probe" depmod 0.0 \
		>/dev/null 2>&1
	[ -s "$CRASH_WORK/probe.trace" ]
}

# good_kos FILE...: the only contents a *.ko in the install tree may have.
good_kos() { GOOD_KOS="$*"; }

# run_cmd ROOT ARGS...: the command with @ROOT@ replaced, its own session (a kill takes its
# children too).  Sets RC.
run_cmd() {
	r=$1
	shift
	set -- "$@" END_OF_ARGS
	while [ "$1" != END_OF_ARGS ]; do
		a=$1
		shift
		[ "$a" = @ROOT@ ] && a=$r
		set -- "$@" "$a"
	done
	shift
	setsid -w "$NDKMS" --root "$r" "$@" >"$r.out" 2>&1 </dev/null
	RC=$?
}

# snapshot ROOT: everything the command may change, in a comparable text form.
snapshot() {
	(
		cd "$1" || exit 1
		find var/lib/dkms lib/modules usr/src -name .ndkms-lock -prune -o -printf '%y %p %l\n' |
			LC_ALL=C sort
		find lib/modules var/lib/dkms -name .ndkms-lock -prune -o -type f -print |
			LC_ALL=C sort | xargs -r md5sum
	)
	"$NDKMS" --root "$1" status 2>&1
}

# tree_ok ROOT BEFORE AFTER: the invariants a crash must keep.  Prints what is wrong.
tree_ok() {
	w=$1 before=$2 after=$3 bad=0
	for f in $(cd "$w/lib/modules/$KVER" && find . -name '*.ko*' ! -name '.*'); do
		same=
		for g in $GOOD_KOS; do
			cmp -s "$w/lib/modules/$KVER/$f" "$g" && same=1
		done
		[ -n "$same" ] || { echo "truncated or foreign module $f"; bad=1; }
	done
	for f in $(cd "$after/lib/modules/$KVER" && ls modules.*); do
		cmp -s "$w/lib/modules/$KVER/$f" "$before/lib/modules/$KVER/$f" ||
			cmp -s "$w/lib/modules/$KVER/$f" "$after/lib/modules/$KVER/$f" ||
			{ echo "index $f is neither the old nor the new one"; bad=1; }
	done
	/sbin/modinfo -b "$w" -k "$KVER" -F name intree_dummy >/dev/null 2>&1 ||
		{ echo "libkmod cannot read the indexes"; bad=1; }
	return $bad
}

# crash_sweep NAME TEMPLATE ARGS...: count the fault points of one uninterrupted run, then
# kill at each one; after each kill check the tree, rerun the command, compare with the
# uninterrupted run.
crash_sweep() {
	name=$1 tmpl=$2
	shift 2
	ref=$CRASH_WORK/ref
	rm -rf "$ref" "$ref.trace"
	cp -a "$tmpl" "$ref"
	NDKMS_FAULT_TRACE=$ref.trace run_cmd "$ref" "$@"
	ref_rc=$RC
	n=$(wc -l <"$ref.trace")
	snapshot "$ref" >"$ref.snap"
	if [ "$ref_rc" != 0 ] || [ "$n" = 0 ]; then
		notok "$name: uninterrupted run (exit $ref_rc, $n fault points)"
		sed 's/^/# | /' "$ref.out"
		return
	fi
	ok "$name: uninterrupted run has $n fault points"
	last=${CRASH_POINTS:-$n}
	[ "$last" -gt "$n" ] && last=$n
	nk=0 nt=0 nr=0 i=1
	: >"$CRASH_WORK/fails"
	while [ "$i" -le "$last" ]; do
		w=$CRASH_WORK/w
		rm -rf "$w"
		cp -a "$tmpl" "$w"
		NDKMS_FAULT_KILL_AT=$i run_cmd "$w" "$@"
		if [ "$RC" != 137 ]; then
			echo "point $i: not killed (exit $RC)" >>"$CRASH_WORK/fails"
			nk=$((nk + 1))
		fi
		if ! tree_ok "$w" "$tmpl" "$ref" >"$w.why"; then
			sed "s/^/point $i ($(sed -n "${i}p" "$ref.trace")): /" "$w.why" >>"$CRASH_WORK/fails"
			nt=$((nt + 1))
		fi
		run_cmd "$w" "$@"
		snapshot "$w" >"$w.snap"
		if ! cmp -s "$w.snap" "$ref.snap"; then
			{
				echo "point $i ($(sed -n "${i}p" "$ref.trace")): rerun (exit $RC) differs:"
				diff "$ref.snap" "$w.snap" | head -n 8
				tail -n 5 "$w.out"
			} >>"$CRASH_WORK/fails"
			nr=$((nr + 1))
		fi
		i=$((i + 1))
	done
	count=$((i - 1))
	if [ "$nk" = 0 ]; then ok "$name: killed at each of $count points"; else
		notok "$name: $nk of $count kill points did not kill"; fi
	if [ "$nt" = 0 ]; then ok "$name: old or new module and indexes at $count kill points"; else
		notok "$name: broken tree after $nt of $count kill points"; fi
	if [ "$nr" = 0 ]; then ok "$name: a rerun after each of $count kills ends as an uninterrupted run"; else
		notok "$name: the rerun differs after $nr of $count kills"; fi
	[ -s "$CRASH_WORK/fails" ] && head -n 60 "$CRASH_WORK/fails" | sed 's/^/# /'
	rm -rf "$CRASH_WORK/w" "$CRASH_WORK/w.out" "$ref"
}

# make_templates NAME: the three throwaway roots both sweeps start from, built once.  T_BUILT:
# hello added and built, with an older in-tree hello.ko to archive; T_INST: hello installed;
# T_NODEP: installed without indexes (for depmod).  Sets K and the modules a tree may hold.
make_templates() {
	K=lib/modules/$KVER
	mkroot
	T_BUILT=$ROOT
	mkdir -p "$T_BUILT/$K/kernel/drivers/misc"
	sh "$REPO/test/fixtures/fake-ko.sh" "$T_BUILT/$K/kernel/drivers/misc/hello.ko" hello 0.5
	/sbin/depmod -b "$T_BUILT" "$KVER"
	add_source hello 1.0
	nd build hello/1.0 -k "$KVER" >/dev/null 2>&1 || notok "template build"
	T_INST=$(mktemp -d "$TMPROOT/$1-inst.XXXXXX")
	T_NODEP=$(mktemp -d "$TMPROOT/$1-nodep.XXXXXX")
	cp -a "$T_BUILT/." "$T_INST/"
	"$NDKMS" --root "$T_INST" install hello/1.0 -k "$KVER" >/dev/null 2>&1 ||
		notok "template install"
	cp -a "$T_BUILT/." "$T_NODEP/"
	"$NDKMS" --root "$T_NODEP" install hello/1.0 -k "$KVER" --no-depmod >/dev/null 2>&1 ||
		notok "template install --no-depmod"
	# the modules that may legitimately sit in the tree: our build and the archived original
	good_kos "$T_BUILT/$K/kernel/drivers/dummy/intree_dummy.ko" \
		"$T_BUILT/var/lib/dkms/hello/1.0/$KVER/$ARCH/module/hello.ko" \
		"$T_BUILT/$K/kernel/drivers/misc/hello.ko"
}

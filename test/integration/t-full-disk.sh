#!/bin/sh
# t-full-disk.sh - install, uninstall, remove --all, autoinstall and depmod on a tmpfs that runs
# out of room mid-write, and on trees mounted read-only: a non-zero exit naming the cause, the
# previous state intact (tree, checksums, indexes libkmod reads, status), and once there is room
# again (or the tree is writable) the same command ends in the state of an undisturbed run.
# Runs in a private mount namespace (root only).  FULL_STEP=KB changes the fill step (4).
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
if [ -z "${NDKMS_FULL_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || skip_all "needs root (tmpfs and bind mounts)"
	unshare -m true 2>/dev/null || skip_all "cannot make a mount namespace"
	NDKMS_FULL_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/../crash-lib.sh"
STEP=${FULL_STEP:-4}

make_templates full
W=$CRASH_WORK/w
mkdir -p "$W"
cleanup_full() {
	while mountpoint -q "$W"; do umount -l "$W"; done
	rm -rf "$T_BUILT" "$T_INST" "$T_NODEP" "$CRASH_WORK"
	cleanup
}
trap cleanup_full EXIT

# fresh TEMPLATE LEAVE: W is a new tmpfs holding a copy of TEMPLATE with LEAVE KB free (-1: as
# much as the 64 MB allow).
fresh() {
	while mountpoint -q "$W"; do umount "$W" || return 1; done
	mount -t tmpfs -o size=64m,mode=755 ndkms-full "$W" || return 1
	cp -a "$1/." "$W/" || return 1
	[ "$2" -lt 0 ] && return 0
	avail=$(df -k --output=avail "$W" | tail -n 1)
	fallocate -l $(((avail - $2) * 1024)) "$W/.filler"
}

# sane RC: the command failed on its own terms (no kill, no sanitizer report).
sane() { [ "$1" -ge 1 ] && [ "$1" -le 80 ] && ! grep -q 'Sanitizer' "$W.out"; }

# ref TEMPLATE ARGS...: the undisturbed run on a tmpfs; sets REF_KB (KB it took).
ref() {
	tmpl=$1
	shift
	fresh "$tmpl" -1 || return 1
	snapshot "$W" >"$CRASH_WORK/before.snap"
	a0=$(df -k --output=avail "$W" | tail -n 1)
	run_cmd "$W" "$@"
	REF_KB=$((a0 - $(df -k --output=avail "$W" | tail -n 1)))
	snapshot "$W" >"$CRASH_WORK/ref.snap"
	cp -a "$W" "$CRASH_WORK/ref"
	[ "$RC" = 0 ]
}

# after_failure CAUSE: the failed run named CAUSE (an extended regular expression) and left
# the old state: tree, checksums, indexes and status, give or take the marker of a change to
# roll back.  With HALF=1 (uninstall, autoinstall) a change it could not finish may stay behind
# its marker (an uninstall's .ndkms-txn-K-A, autoinstall's pending .ndkms-depmod-K): the next
# command finishes it, as after a crash.  Sets KEPT to old or marked.
after_failure() {
	why=
	sane "$RC" || why="exit $RC"
	grep -Eq "$1" "$W.out" || why="$why, no '$1' in the output"
	tree_ok "$W" "$tmpl" "$CRASH_WORK/ref" >/dev/null || why="$why, broken tree"
	snapshot "$W" | grep -v '/\.ndkms-txn-' >"$W.snap"
	KEPT=old
	if ! grep -v '/\.ndkms-txn-' "$CRASH_WORK/before.snap" | cmp -s - "$W.snap"; then
		KEPT=marked
		if [ -z "${HALF:-}" ] || ! find "$W/var/lib/dkms" -maxdepth 2 \
			\( -name '.ndkms-txn-*' -o -name '.ndkms-depmod-*' \) | grep -q .; then
			why="$why, state changed: $(grep -v '/\.ndkms-txn-' "$CRASH_WORK/before.snap" |
				diff - "$W.snap" | grep '^[<>]' | head -n 4 | tr '\n' ' ')"
		fi
	fi
	[ -z "$why" ]
}

# rerun_ok ARGS...: the command run again ends as the undisturbed run.
rerun_ok() {
	run_cmd "$W" "$@"
	snapshot "$W" >"$W.snap"
	[ "$RC" = 0 ] && cmp -s "$W.snap" "$CRASH_WORK/ref.snap"
}

# full_sweep NAME TEMPLATE ARGS...: run with 0, STEP, 2*STEP ... KB free until two runs in a row
# succeed; each failure must be clean, and each rerun with room must end as the reference.
full_sweep() {
	name=$1 tmpl=$2
	shift 2
	if ! ref "$tmpl" "$@"; then
		notok "$name: undisturbed run on tmpfs (exit $RC)"
		sed 's/^/# | /' "$W.out"
		return
	fi
	: >"$CRASH_WORK/fails"
	leave=0 nfail=0 nok=0 nhalf=0 streak=0
	while [ "$streak" -lt 2 ] && [ "$leave" -le $((REF_KB + 256)) ]; do
		fresh "$tmpl" "$leave" || { notok "$name: tmpfs with $leave KB free"; return; }
		run_cmd "$W" "$@"
		if [ "$RC" = 0 ]; then
			streak=$((streak + 1)) nok=$((nok + 1))
			snapshot "$W" >"$W.snap"
			cmp -s "$W.snap" "$CRASH_WORK/ref.snap" ||
				echo "$leave KB free: succeeded in another state" >>"$CRASH_WORK/fails"
		else
			streak=0 nfail=$((nfail + 1))
			after_failure "No space left on device" && [ "$KEPT" = marked ] &&
				nhalf=$((nhalf + 1))
			[ -z "$why" ] ||
				{ echo "$leave KB free: $why"; sed -n '1,4s/^/  | /p' "$W.out"; } \
					>>"$CRASH_WORK/fails"
			rm -f "$W/.filler"
			rerun_ok "$@" || {
				echo "$leave KB free: rerun with room (exit $RC) differs"
				diff "$CRASH_WORK/ref.snap" "$W.snap" | grep '^[<>]' | head -n 6
			} >>"$CRASH_WORK/fails"
		fi
		leave=$((leave + STEP))
	done
	if [ "$nfail" -gt 0 ] && [ ! -s "$CRASH_WORK/fails" ]; then
		ok "$name: $nfail fill levels fail cleanly ($((nfail - nhalf)) leave the old state, $nhalf a marked half-done change), a rerun with room finishes ($nok succeed, ${REF_KB} KB used)"
	else
		notok "$name: $nfail failing and $nok succeeding fill levels"
		head -n 40 "$CRASH_WORK/fails" | sed 's/^/# /'
	fi
	ro_sweep "$name" "$tmpl" "$@"
	rm -rf "$CRASH_WORK/ref"
}

# ro_sweep NAME TEMPLATE ARGS...: the whole root, the module tree and the dkms tree read-only
# in turn (the reference of full_sweep stays).
ro_sweep() {
	name=$1 tmpl=$2
	shift 2
	for sub in . "$K" var/lib/dkms; do
		fresh "$tmpl" -1 || { notok "$name: tmpfs"; return; }
		mount --bind "$W/$sub" "$W/$sub" && mount -o remount,bind,ro "$W/$sub" ||
			{ notok "$name: read-only bind mount of $sub"; continue; }
		run_cmd "$W" "$@"
		if [ "$RC" = 0 ]; then
			# a command that need not write there may succeed, as the undisturbed run
			umount "$W/$sub"
			snapshot "$W" >"$W.snap"
			if cmp -s "$W.snap" "$CRASH_WORK/ref.snap"; then
				ok "$name: $sub read-only: not written, succeeds"
			else
				notok "$name: $sub read-only: succeeded in another state"
			fi
			continue
		fi
		if after_failure "Read-only file system|No write access"; then
			ok "$name: $sub read-only: exit $RC, the cause named, $KEPT state left"
		else
			notok "$name: $sub read-only: $why"
			sed 's/^/# | /' "$W.out" | head -n 8
		fi
		umount "$W/$sub"
		if rerun_ok "$@"; then
			ok "$name: $sub writable again: the rerun finishes"
		else
			notok "$name: $sub writable again: the rerun (exit $RC) differs"
			diff "$CRASH_WORK/ref.snap" "$W.snap" | head -n 8 | sed 's/^/# /'
		fi
	done
}

full_sweep install "$T_BUILT" install hello/1.0 -k "$KVER"
HALF=1 full_sweep uninstall "$T_INST" uninstall hello/1.0 -k "$KVER"
HALF=1 full_sweep "remove --all" "$T_INST" remove hello/1.0 --all
HALF=1 full_sweep autoinstall "$T_BUILT" autoinstall -k "$KVER"
full_sweep depmod "$T_NODEP" depmod -b @ROOT@ "$KVER"
check "nothing written outside the roots" host_unchanged
done_testing

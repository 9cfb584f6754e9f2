#!/bin/sh
# t-mkkmod-sysext.sh - mkkmod --format sysext: an extension for a base system (a copy of the real
# kernel's module tree with hello installed, and an os-release) holding greeter (xz-compressed, as
# that base's kernel config wants); overlay-mounted over the base as systemd-sysext merges it
# (lowerdir=ext:base), kmod's modinfo and modprobe resolve greeter and its dependency hello through
# the extension's indexes; its extension-release matches the base and is refused by
# systemd-sysext once VERSION_ID changes.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] && [ -f "/lib/modules/$KVER/build/Makefile" ] || skip_all "no kernel headers installed"
[ "$(id -u)" = 0 ] || skip_all "needs root for the private mount namespace"
for c in unshare modinfo modprobe tar zstd; do
	command -v $c >/dev/null || skip_all "$c is not installed"
done

if [ -z "${NDKMS_IN_NS:-}" ]; then
	TREE=$(sh "$REPO/test/fixtures/kernel-tree.sh" tree) || { notok "kernel fixture tree"; exit 1; }
	S=$(mktemp -d "$TMPROOT/sysext.XXXXXX")
	chmod 755 "$S"
	# the base: merged /usr as on Debian 12 and the image-based systems, the real module tree
	# (hard links into the fixture), os-release in /usr/lib with /etc/os-release linking to it
	mkroot
	K=$ROOT/lib/modules/$KVER
	rm -rf "$K/kernel" "$K"/modules.*
	cp -al "$TREE/lib/modules/$KVER/." "$K/" 2>/dev/null || cp -a "$TREE/lib/modules/$KVER/." "$K/"
	mkdir -p "$ROOT/usr/lib"
	mv "$ROOT/lib/modules" "$ROOT/usr/lib/modules"
	rmdir "$ROOT/lib"
	ln -s usr/lib "$ROOT/lib"
	printf 'NAME="Test OS"\nID=testos\nVERSION_ID="12.5"\n' >"$ROOT/usr/lib/os-release"
	rm -f "$ROOT/etc/os-release"
	ln -s ../usr/lib/os-release "$ROOT/etc/os-release"
	expect_rc "depmod of the base" 0 nd depmod "$KVER"
	add_source hello 1.0
	add_source greeter 1.0
	expect_rc "hello installed in the base" 0 nd install hello/1.0 -k "$KVER"
	# this base's kernel wants xz-compressed modules (its config, given with --config)
	{ cat "/lib/modules/$KVER/build/.config"; echo CONFIG_MODULE_COMPRESS_XZ=y; } >"$S/config-xz"
	expect_rc "greeter built (not installed)" 0 nd build greeter/1.0 -k "$KVER" --config "$S/config-xz"
	check "the base's indexes do not know greeter" sh -c "! grep -q greeter '$K/modules.dep'"
	cp -a "$K/modules.dep" "$S/base-modules.dep"

	expect_rc "mkkmod --format sysext --archive" 0 \
		nd mkkmod greeter/1.0 -k "$KVER" --format sysext --archive --out "$S/out"
	E=$S/out/kmod-greeter
	EK=$E/usr/lib/modules/$KVER
	GKO=$(cd "$EK" && ls updates/greeter.ko* 2>/dev/null | head -n 1)
	check "the module is in usr/lib/modules/KVER/updates" [ -n "$GKO" ]
	check "  compressed as the kernel wants (updates/greeter.ko.xz)" [ "$GKO" = updates/greeter.ko.xz ]
	missing=
	for f in dep dep.bin alias alias.bin softdep symbols symbols.bin builtin.bin builtin.alias.bin devname; do
		[ -f "$EK/modules.$f" ] || missing="$missing modules.$f"
	done
	check "the ten indexes are in the extension${missing:+ (missing:$missing)}" [ -z "$missing" ]
	check "its modules.dep: greeter needs the base's hello" grep -qx "$GKO: updates/dkms/hello.ko" "$EK/modules.dep"
	check "its modules.dep keeps the base's modules" \
		sh -c "[ \$(wc -l <'$EK/modules.dep') -eq \$((\$(wc -l <'$S/base-modules.dep') + 1)) ]"
	check "the base's indexes were not changed" cmp -s "$K/modules.dep" "$S/base-modules.dep"
	check "nothing else in the extension" \
		[ "$(cd "$E" && find . -type f | grep -v '/modules\.' | sort | tr '\n' ' ')" = \
		"./usr/lib/extension-release.d/extension-release.kmod-greeter ./usr/lib/modules/$KVER/$GKO " ]
	REL=$E/usr/lib/extension-release.d/extension-release.kmod-greeter
	check "extension-release: the base's ID and VERSION_ID" \
		[ "$(cat "$REL" 2>/dev/null)" = "$(printf 'ID=testos\nVERSION_ID=12.5')" ]
	check "the folder is readable by all (0755)" [ "$(stat -c %a "$E")" = 755 ]
	check "the tarball holds the same files" \
		[ "$(tar -tf "$S/out/kmod-greeter.tar.zst" | sed 's,^\./,,; s,/$,,' | grep . | sort | tr '\n' ' ')" = \
		"$(cd "$E" && find . -mindepth 1 | sed 's,^\./,,' | sort | tr '\n' ' ')" ]
	check "no temporary folder left in --out" [ "$(ls -A "$S/out" | tr '\n' ' ')" = "kmod-greeter kmod-greeter.tar.zst " ]
	expect_rc "a second run replaces the extension" 0 \
		nd mkkmod greeter/1.0 -k "$KVER" --format sysext --out "$S/out"
	check "still one extension folder" [ "$(ls -A "$S/out" | tr '\n' ' ')" = "kmod-greeter kmod-greeter.tar.zst " ]
	sed 's/^VERSION_ID=.*//' "$ROOT/usr/lib/os-release" >"$S/os-release" && cp "$S/os-release" "$ROOT/usr/lib/os-release"
	expect_rc "no VERSION_ID nor SYSEXT_LEVEL in the base: refused" 1 \
		nd mkkmod greeter/1.0 -k "$KVER" --format sysext --out "$S/out2"
	expect_out "refusal says why" "VERSION_ID or SYSEXT_LEVEL"
	printf 'ID=testos\nVERSION_ID="12.5"\n' >"$ROOT/usr/lib/os-release"

	NDKMS_IN_NS=1 S=$S ROOT=$ROOT GKO=$GKO NDKMS_TESTN=$TESTN unshare -m sh "$0"
	rc=$?
	rm -rf "$S"
	exit $rc
fi

TESTN=${NDKMS_TESTN:-0}
mount --make-rprivate /
E=$S/out/kmod-greeter
# the merged system as systemd-sysext makes it: /usr an overlay of the extension's usr over the base's
M=$S/merged
mkdir -p "$M/usr" "$M/etc"
ln -s usr/lib "$M/lib"
ln -s ../usr/lib/os-release "$M/etc/os-release"
check "overlay mounted (lowerdir=ext:base)" mount -t overlay overlay -o "ro,lowerdir=$E/usr:$ROOT/usr" "$M/usr"
expect_rc "modinfo finds greeter in the merged tree" 0 modinfo -b "$M" -k "$KVER" -F filename greeter
expect_out "  at the extension's path" "$M/lib/modules/$KVER/$GKO"
expect_rc "modinfo: its dependency" 0 modinfo -b "$M" -k "$KVER" -F depends greeter
expect_out "  is hello" "hello"
expect_rc "modprobe --show-depends by alias (-d, -S)" 0 modprobe -d "$M" -S "$KVER" --show-depends ndkms-greeter
check "  hello (the base's) then greeter (the extension's)" \
	[ "$(awk '$1 == "insmod" { print $2 }' "$OUT" | tr '\n' ' ')" = \
	"$M/lib/modules/$KVER/updates/dkms/hello.ko $M/lib/modules/$KVER/$GKO " ]
expect_rc "an in-tree module still resolves (the base's modules are in the indexes)" 0 \
	modprobe -d "$M" -S "$KVER" --show-depends ext4
expect_out "  ext4 with its dependencies" "/kernel/fs/ext4/ext4.ko"
expect_out "  jbd2 first" "/kernel/fs/jbd2/jbd2.ko"
expect_rc "without the extension, the base does not know greeter" 1 \
	modprobe -d "$ROOT" -S "$KVER" --show-depends ndkms-greeter
umount "$M/usr"

# the release check: systemd-sysext's own, merging into the base root
if command -v systemd-sysext >/dev/null; then
	# systemd-sysext mounts from a child namespace: ours must be shared for its mounts to show up
	# here (a new peer group, nothing reaches the host), and it needs /run to be a mount point
	mount --make-rshared /
	mount -t tmpfs tmpfs /run
	mkdir -p "$ROOT/var/lib/extensions"
	cp -a "$E" "$ROOT/var/lib/extensions/"
	expect_rc "systemd-sysext --root merges the extension over the matching base" 0 \
		systemd-sysext --root="$ROOT" merge
	check "  the merged /usr has greeter" [ -f "$ROOT/usr/lib/modules/$KVER/$GKO" ]
	check "  and the extension's modules.dep" grep -q "^$GKO:" "$ROOT/usr/lib/modules/$KVER/modules.dep"
	expect_rc "systemd-sysext unmerge" 0 systemd-sysext --root="$ROOT" unmerge
	check "  greeter gone after unmerge" [ ! -e "$ROOT/usr/lib/modules/$KVER/$GKO" ]
	printf 'ID=testos\nVERSION_ID="12.6"\n' >"$ROOT/usr/lib/os-release"
	systemd-sysext --root="$ROOT" merge >"$OUT" 2>&1
	check "after an OS update (VERSION_ID 12.6) systemd-sysext does not merge it" \
		[ ! -e "$ROOT/usr/lib/modules/$KVER/$GKO" ]
	expect_out "  systemd-sysext: incompatible version" "ignored due to incompatible version"
	grep -q " $ROOT/usr " /proc/self/mountinfo && umount "$ROOT/usr"
else
	# own comparison (systemd-sysext is not installed): ID and VERSION_ID of base and extension
	REL=$E/usr/lib/extension-release.d/extension-release.kmod-greeter
	relval() { sed -n "s/^$1=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}\$/\\1/p" "$2"; }
	check "own comparison (no systemd-sysext): the extension matches the base" \
		[ "$(relval ID "$REL") $(relval VERSION_ID "$REL")" = \
		"$(relval ID "$ROOT/usr/lib/os-release") $(relval VERSION_ID "$ROOT/usr/lib/os-release")" ]
	printf 'ID=testos\nVERSION_ID="12.6"\n' >"$ROOT/usr/lib/os-release"
	check "own comparison (no systemd-sysext): VERSION_ID 12.6 does not match" \
		[ "$(relval VERSION_ID "$REL")" != "$(relval VERSION_ID "$ROOT/usr/lib/os-release")" ]
fi
check "nothing written outside the root" host_unchanged
done_testing

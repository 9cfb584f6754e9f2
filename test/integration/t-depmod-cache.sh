#!/bin/sh
# t-depmod-cache.sh - ndkms depmod's per-module cache: incremental runs stay byte-identical to
# kmod's depmod, parse only what changed, and survive corrupt, truncated or foreign cache files.
cd "$(dirname "$0")/../.." || exit 1
command -v depmod >/dev/null || { echo "1..0 # SKIP kmod's depmod missing"; exit 0; }
. test/fixtures/depmod-lib.sh

R=$W/root
N=$W/n
K=$W/k
# a private copy, not hard links to the shared fixture: other tests that link and unlink the
# fixture change its files' ctime, which the cache rightly takes for a changed module
rm -rf "$N"
cp -a "$TREE" "$N"
m=$(moddir "$N")
mkdir -p "$m/updates/dkms"

# kmod gets a fresh copy of the same tree state each time
kmod_like() {
	rm -rf "$K"
	cp -a "$N" "$K"
	rm -f "$(moddir "$K")"/modules.dep* "$(moddir "$K")"/modules.alias* \
		"$(moddir "$K")"/modules.symbols* "$(moddir "$K")"/modules.softdep \
		"$(moddir "$K")"/modules.devname "$(moddir "$K")"/modules.builtin.*bin
	kmod_depmod "$K" 2>/dev/null
}

cache_file() { ls "$R"/var/cache/ndkms/depmod/*.cache 2>/dev/null | head -n 1; }
# the next run must read the cache: forget that the indexes on disk match the tree
full_next() { rm -f "$R"/var/cache/ndkms/depmod/*.cache.last; }

ndkms_depmod "$N" "$R"
check "cold run parses every module" test "$(parsed_count)" -gt 4000
check "cold run writes a cache" test -s "$(cache_file)"

before=$(stat -c %i.%Z "$m/modules.dep")
grep '^depmod: ' "$W/ndkms.err" >"$W/msgs.full"
ndkms_depmod "$N" "$R"
check "warm run, nothing changed: nothing parsed" test "$(parsed_count)" = 0
check "nothing changed: indexes found up to date" grep -q "indexes up to date" "$W/ndkms.err"
grep '^depmod: ' "$W/ndkms.err" >"$W/msgs.skip"
check "nothing changed: the same depmod messages as the full run" \
	cmp -s "$W/msgs.full" "$W/msgs.skip"
check "nothing changed: modules.dep not rewritten" \
	test "$before" = "$(stat -c %i.%Z "$m/modules.dep")"
rm -f "$m/modules.alias.bin"
ndkms_depmod "$N" "$R"
check "an index file removed: written again" test -s "$m/modules.alias.bin"
cp "$m/modules.symbols" "$W/sym" && mv "$W/sym" "$m/modules.symbols"
ndkms_depmod "$N" "$R"
check "an index file replaced: a full run from the cache" \
	grep -q "0 parsed, 4[0-9]* from the cache" "$W/ndkms.err"
kmod_like
check "an index file replaced: identical to kmod" same_outputs "$K" "$N"

cp "$TINY/ndk_exp.ko" "$m/updates/dkms/ndk_exp.ko"
ndkms_depmod "$N" "$R"
check "add one module: only it is parsed ($(parsed_count))" test "$(parsed_count)" = 1
kmod_like
check "add one module: identical to kmod" same_outputs "$K" "$N"

# a directory whose listing the walk keeps: a file added to it changes its mtime and ctime.
# Listings of directories changed in the last 2 s are not kept (the copy above just made them).
sleep 3
ndkms_depmod "$N" "$R"
ndkms_depmod "$N" "$R"
check "the walk keeps directory listings" \
	grep -q "walk: [1-9][0-9][0-9]* directory listings from the cache" "$W/ndkms.err"
cp "$TINY/ndk_imp.ko" "$m/kernel/lib/ndk_imp.ko"
ndkms_depmod "$N" "$R"
check "a module added to a listed directory is found" test "$(parsed_count)" = 1
kmod_like
check "a module added to a listed directory: identical to kmod" same_outputs "$K" "$N"
rm -f "$m/kernel/lib/ndk_imp.ko"
ndkms_depmod "$N" "$R"
kmod_like
check "and removed from it: identical to kmod" same_outputs "$K" "$N"

cp "$TINY/ndk_imp.ko" "$m/updates/dkms/ndk_imp.ko"
cp "$m/kernel/drivers/md/dm-multipath.ko" "$m/updates/dkms/dm-multipath.ko"
ndkms_depmod "$N" "$R"
check "add an override of an in-tree module: two parsed ($(parsed_count))" \
	test "$(parsed_count)" = 2
kmod_like
check "override: identical to kmod" same_outputs "$K" "$N"

# replace in place (same inode, new content): another module's data under ndk_exp's name
cat "$m/kernel/lib/crc7.ko" >"$m/updates/dkms/ndk_exp.ko"
ndkms_depmod "$N" "$R"
check "replace a module in place: only it is parsed ($(parsed_count))" test "$(parsed_count)" = 1
kmod_like
check "replace in place: identical to kmod" same_outputs "$K" "$N"

# replace by rename (new inode), same size and mtime as the old file
cp "$TINY/ndk_exp.ko" "$W/new.ko"
touch -r "$m/updates/dkms/ndk_exp.ko" "$W/new.ko"
mv "$W/new.ko" "$m/updates/dkms/ndk_exp.ko"
ndkms_depmod "$N" "$R"
check "replace by rename: only it is parsed ($(parsed_count))" test "$(parsed_count)" = 1
kmod_like
check "replace by rename: identical to kmod" same_outputs "$K" "$N"

rm -f "$m/updates/dkms/ndk_imp.ko"
ndkms_depmod "$N" "$R"
check "remove a module: nothing parsed ($(parsed_count))" test "$(parsed_count)" = 0
kmod_like
check "remove: identical to kmod" same_outputs "$K" "$N"

rm -f "$m/updates/dkms/dm-multipath.ko"
ndkms_depmod "$N" "$R"
check "remove an override: at most the in-tree module it hid is parsed ($(parsed_count))" \
	test "$(parsed_count)" -le 1
kmod_like
check "remove an override: identical to kmod" same_outputs "$K" "$N"

size=$(stat -c %s "$(cache_file)")
full_next
dd if=/dev/urandom of="$(cache_file)" bs=1 count=64 seek=$((size / 2)) conv=notrunc 2>/dev/null
ndkms_depmod "$N" "$R"
c=$(parsed_count)
check "corrupted record: some modules parsed again ($c)" test "$c" -gt 0 -a "$c" -lt 100
kmod_like
check "corrupted record: identical to kmod" same_outputs "$K" "$N"
full_next
ndkms_depmod "$N" "$R"
check "corrupted record: cache rebuilt" test "$(parsed_count)" = 0

full_next
truncate -s $((size / 3)) "$(cache_file)"
ndkms_depmod "$N" "$R"
c=$(parsed_count)
check "truncated cache: the lost part parsed again ($c)" test "$c" -gt 1000
check "truncated cache: identical to kmod" same_outputs "$K" "$N"

full_next
dd if=/dev/zero of="$(cache_file)" bs=1 count=8 conv=notrunc 2>/dev/null
ndkms_depmod "$N" "$R"
check "bad magic: everything parsed again" test "$(parsed_count)" -gt 4000
check "bad magic: identical to kmod" same_outputs "$K" "$N"

full_next
head -c 100000 /dev/urandom >"$(cache_file)"
ndkms_depmod "$N" "$R"
check "foreign file: everything parsed again" test "$(parsed_count)" -gt 4000
check "foreign file: identical to kmod" same_outputs "$K" "$N"

full_next
: >"$(cache_file)"
ndkms_depmod "$N" "$R"
check "empty cache file: everything parsed again" test "$(parsed_count)" -gt 4000
full_next
ndkms_depmod "$N" "$R"
check "and the rebuilt cache serves everything" test "$(parsed_count)" = 0
check "identical to kmod at the end" same_outputs "$K" "$N"

# -A: nothing newer than modules.dep means nothing is done
before=$(stat -c %Y.%i "$m/modules.dep")
ndkms_depmod "$N" "$R" -A
check "-A on an up-to-date tree leaves modules.dep alone" \
	test "$before" = "$(stat -c %Y.%i "$m/modules.dep")"

# -b DIR without --root: another tree is read without the cache; the host's cache is not written
hostcache() { find /var/cache/ndkms -printf '%y %p %s %T@\n' 2>/dev/null | LC_ALL=C sort; }
mkdir -p "$W/plain/lib/modules/$KVER/extra"
cp "$TINY/ndk_exp.ko" "$W/plain/lib/modules/$KVER/extra/"
hostcache >"$W/hc.before"
env -u NDKMS_ROOT "$NDKMS" depmod -b "$W/plain" "$KVER" 2>"$W/plain.err"
check "-b DIR without --root: indexes written" grep -q "^extra/ndk_exp.ko:" "$W/plain/lib/modules/$KVER/modules.dep"
hostcache >"$W/hc.after"
check "-b DIR without --root: the host's /var/cache/ndkms is not written" cmp -s "$W/hc.before" "$W/hc.after"
check "-b DIR without --root: nothing but lib/modules under DIR" test "$(ls -A "$W/plain")" = lib

echo "1..$tap_n"

#!/bin/sh
# t-depmod-compare.sh - ndkms depmod writes the same ten files as kmod's depmod on real trees.
cd "$(dirname "$0")/../.." || exit 1
command -v depmod >/dev/null || { echo "1..0 # SKIP kmod's depmod missing"; exit 0; }
. test/fixtures/depmod-lib.sh

echo "# kernel $KVER, tree $TREE"

prep_plain() { :; }

prep_updates() {
	m=$(moddir "$1")
	mkdir -p "$m/updates/dkms" "$m/extra"
	cp "$TINY/ndk_exp.ko" "$TINY/ndk_imp.ko" "$m/updates/dkms/"
	cp "$m/kernel/drivers/net/wireguard/wireguard.ko" "$m/updates/dkms/wg_dkms.ko"
	cp "$m/kernel/drivers/md/dm-multipath.ko" "$m/extra/zz-dm-multipath.ko"
	cp "$m/kernel/lib/crc7.ko" "$m/extra/ndk-crc7-copy.ko"
}

prep_dups() {
	m=$(moddir "$1")
	mkdir -p "$m/updates/dkms" "$m/updates/u1" "$m/updates/u2" "$m/updates/u3" "$m/extra" \
		"$m/kernel/zz"
	cp "$m/kernel/drivers/md/dm-multipath.ko" "$m/updates/dkms/dm-multipath.ko"
	cp "$m/kernel/drivers/md/dm-multipath.ko" "$m/extra/dm-multipath.ko"
	for u in u1 u2 u3; do
		cp "$m/kernel/drivers/md/raid456.ko" "$m/updates/$u/raid456.ko"
	done
	cp "$m/kernel/lib/crc7.ko" "$m/extra/crc7.ko"
	cp "$m/kernel/lib/crc8.ko" "$m/kernel/zz/crc8.ko"
	cp "$TINY/ndk_exp.ko" "$m/extra/ndk_exp.ko"
	cp "$TINY/ndk_exp.ko" "$m/kernel/zz/ndk-exp.ko"
}

prep_config() {
	m=$(moddir "$1")
	mkdir -p "$m/updates/dkms" "$m/extra" "$m/kernel/skipme" "$m/updates/skipme"
	cp "$m/kernel/lib/crc7.ko" "$m/updates/dkms/crc7.ko"
	cp "$m/kernel/lib/crc7.ko" "$m/extra/crc7.ko"
	cp "$m/kernel/drivers/md/dm-multipath.ko" "$m/extra/dm_multipath.ko"
	cp "$m/kernel/drivers/md/dm-multipath.ko" "$m/updates/dm-multipath.ko"
	cp "$m/kernel/lib/crc8.ko" "$m/updates/skipme/crc8.ko"
	cp "$TINY/ndk_exp.ko" "$m/kernel/skipme/ndk_exp.ko"
}

mkdir -p "$W/conf.d" "$W/ext1" "$W/ext2"
cat >"$W/conf.d/10-search.conf" <<CONF
# search order, overrides, exclusions and external folders
search updates extra external built-in
override dm_multipath * extra
override crc7 ^6\\.[0-9]+\\..* extra
override crc8 9.99 updates
exclude skipme
external * $W/ext1
external ^6 \\
	$W/ext2
bogus line here
CONF
cat >"$W/conf.d/20-more.conf" <<CONF
search updates/dkms
CONF
cp "$TINY/ndk_imp.ko" "$W/ext1/ndk_imp.ko"
cp "$TINY/ndk_exp.ko" "$W/ext2/ndk_exp.ko"
cp "$TREE/lib/modules/$KVER/kernel/lib/crc8.ko" "$W/ext2/crc8.ko"

# compressed copies made once, hard-linked into both trees
mkdir -p "$W/comp"
have_xz=false
have_zstd=false
command -v xz >/dev/null && have_xz=true
command -v zstd >/dev/null && have_zstd=true
if $have_xz; then
	for f in "$TREE/lib/modules/$KVER/kernel/drivers/md/"*.ko; do
		xz --check=crc32 --lzma2=dict=1MiB -c "$f" >"$W/comp/$(basename "$f").xz"
	done
fi
if $have_zstd; then
	for f in "$TREE/lib/modules/$KVER/kernel/lib/"*.ko; do
		zstd -q -c "$f" >"$W/comp/$(basename "$f").zst"
	done
fi
gzip -c "$TREE/lib/modules/$KVER/kernel/fs/nls/nls_cp437.ko" >"$W/comp/nls_cp437.ko.gz"

prep_compressed() {
	m=$(moddir "$1")
	for c in "$W/comp/"*.xz; do
		[ -e "$c" ] || continue
		b=$(basename "$c" .xz)
		rm -f "$m/kernel/drivers/md/$b"
		ln "$c" "$m/kernel/drivers/md/$b.xz"
	done
	for c in "$W/comp/"*.zst; do
		[ -e "$c" ] || continue
		b=$(basename "$c" .zst)
		rm -f "$m/kernel/lib/$b"
		ln "$c" "$m/kernel/lib/$b.zst"
	done
	rm -f "$m/kernel/fs/nls/nls_cp437.ko"
	ln "$W/comp/nls_cp437.ko.gz" "$m/kernel/fs/nls/nls_cp437.ko.gz"
	mkdir -p "$m/updates/dkms"
	$have_xz && xz -c "$TINY/ndk_exp.ko" >"$m/updates/dkms/ndk_exp.ko.xz"
	$have_zstd && zstd -q -c "$TINY/ndk_imp.ko" >"$m/updates/dkms/ndk_imp.ko.zst"
	:
}

prep_no_order() {
	prep_updates "$1"
	rm -f "$(moddir "$1")/modules.order"
}

prep_order_no_newline() {
	m=$(moddir "$1")
	head -c -1 "$m/modules.order" >"$m/modules.order.new"
	mv "$m/modules.order.new" "$m/modules.order"
}

prep_no_builtin() {
	m=$(moddir "$1")
	rm -f "$m/modules.builtin" "$m/modules.builtin.modinfo"
}

compare_scenario "real tree: all ten files identical" prep_plain
compare_scenario "updates/dkms and extra modules (kbuild-built and renamed copies)" prep_updates
compare_scenario "duplicate names across updates/, extra/ and kernel/" prep_dups
compare_scenario "depmod.d: search, override, exclude, external (-C folder)" prep_config \
	-C "$W/conf.d"
compare_scenario "depmod.d given as a single -C file" prep_config -C "$W/conf.d/10-search.conf"
if $have_xz && $have_zstd; then
	compare_scenario "xz-, zstd- and (ignored) gzip-compressed modules" prep_compressed
else
	ok "# SKIP xz or zstd missing"
fi
compare_scenario "tree without modules.order" prep_no_order
compare_scenario "modules.order without a final newline" prep_order_no_newline
compare_scenario "no modules.builtin / modules.builtin.modinfo" prep_no_builtin

# the default depmod.d folders are looked up under ndkms's root
new_tree "$W/k"
new_tree "$W/n"
prep_config "$W/k"
prep_config "$W/n"
mkdir -p "$W/rootc/etc/depmod.d" "$W/rootc/lib/depmod.d"
cp "$W/conf.d/10-search.conf" "$W/rootc/etc/depmod.d/"
cp "$W/conf.d/20-more.conf" "$W/rootc/lib/depmod.d/"
echo "search built-in" >"$W/rootc/lib/depmod.d/10-search.conf" # masked by /etc's file
kmod_depmod "$W/k" -C "$W/rootc/etc/depmod.d" -C "$W/rootc/lib/depmod.d" 2>/dev/null
ndkms_depmod "$W/n" "$W/rootc"
check "default depmod.d folders under the ndkms root, first folder wins" \
	same_outputs "$W/k" "$W/n"

# an empty tree
for t in k n; do
	rm -rf "${W:?}/$t"
	mkdir -p "$W/$t/lib/modules/$KVER"
done
kmod_depmod "$W/k" 2>/dev/null
ndkms_depmod "$W/n" "$W/root"
check "empty tree" same_outputs "$W/k" "$W/n"

# -n prints the text files
new_tree "$W/k"
prep_updates "$W/k"
kmod_depmod "$W/k" -n >"$W/kmod.out" 2>/dev/null
ndkms_depmod "$W/k" "$W/root" -n >"$W/ndkms.out"
check "-n prints the same text" cmp -s "$W/kmod.out" "$W/ndkms.out"
check "-n writes nothing" test ! -e "$(moddir "$W/k")/modules.dep"

# a dependency cycle: exit 1, nothing written, old files kept
prep_cycle() {
	m=$(moddir "$1")
	mkdir -p "$m/updates/dkms"
	cp "$TINY/ndk_cyc_a.ko" "$TINY/ndk_cyc_b.ko" "$m/updates/dkms/"
}
new_tree "$W/k"
new_tree "$W/n"
prep_cycle "$W/k"
prep_cycle "$W/n"
kmod_depmod "$W/k" 2>"$W/kmod.err"
krc=$?
ndkms_depmod "$W/n" "$W/root"
nrc=$?
check "cycle: both fail with status 1 ($krc, $nrc)" test "$krc" = 1 -a "$nrc" = 1
check "cycle: no file written" test ! -e "$(moddir "$W/n")/modules.dep" -a \
	! -e "$(moddir "$W/n")/modules.alias.bin"
check "cycle: reported like kmod" grep -q "Cycle detected: ndk_cyc_" "$W/ndkms.err"
rm -f "$(moddir "$W/n")/updates/dkms/ndk_cyc_b.ko"
ndkms_depmod "$W/n" "$W/root" >/dev/null 2>&1
cp "$(moddir "$W/n")/modules.dep" "$W/dep.before"
cp "$TINY/ndk_cyc_b.ko" "$(moddir "$W/n")/updates/dkms/"
ndkms_depmod "$W/n" "$W/root" 2>/dev/null
check "cycle: the previous files are kept" cmp -s "$W/dep.before" "$(moddir "$W/n")/modules.dep"

echo "1..$tap_n"

#!/bin/sh
# t-mkkmod-repo-rpm.sh - mkkmod --format rpm --repo DIR: the kmod RPMs written into DIR and
# indexed by createrepo_c (repodata/ lists every package, a second run adds the new version);
# without createrepo_c in PATH only a warning.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] && [ -f "/lib/modules/$KVER/build/Makefile" ] || skip_all "no kernel headers installed"
for c in rpmbuild createrepo_c; do
	command -v $c >/dev/null || skip_all "$c is not installed"
done

# the package names of the repository's primary metadata (compressed as createrepo_c chose)
primary_names() {
	p=$(ls "$1"/repodata/*primary.xml.* 2>/dev/null | head -n 1)
	case $p in
	*.gz) zcat "$p" ;; *.zst) zstd -dc "$p" ;; *.xz) xz -dc "$p" ;; *.bz2) bzip2 -dc "$p" ;;
	esac | sed -n 's,.*<name>\(.*\)</name>.*,\1,p; s,.*<version epoch="[0-9]*" ver="\([^"]*\)".*,  \1,p' | paste -d' ' - - | sort
}

S=$(mktemp -d "$TMPROOT/repo-rpm.XXXXXX")
trap 'cleanup; rm -rf "$S"' EXIT
mkroot
add_source hello 1.0
expect_rc "build hello 1.0" 0 nd build hello/1.0 -k "$KVER"
F=$S/fleet
expect_rc "mkkmod --format rpm --repo" 0 nd mkkmod hello/1.0 -k "$KVER" --repo "$F"
expect_out "says the repository was updated" "Updated the repository $F with"
check "the packages are in the repository folder" \
	sh -c "[ -f '$F/$ARCH/kmod-hello-$KVER-1.0-1.$ARCH.rpm' ] && [ -f '$F/$ARCH/kmod-hello-1.0-1.$ARCH.rpm' ]"
check "createrepo_c wrote repodata/repomd.xml" [ -f "$F/repodata/repomd.xml" ]
check "its primary metadata lists both packages" \
	[ "$(primary_names "$F" | tr '\n' ';')" = "kmod-hello   1.0;kmod-hello-$KVER   1.0;" ]

add_source hello 1.1
expect_rc "build hello 1.1" 0 nd build hello/1.1 -k "$KVER"
expect_rc "mkkmod --repo again with 1.1" 0 nd mkkmod hello/1.1 -k "$KVER" --repo "$F"
check "the repository now lists 1.0 and 1.1 of both" \
	[ "$(primary_names "$F" | tr '\n' ';')" = "kmod-hello   1.0;kmod-hello   1.1;kmod-hello-$KVER   1.0;kmod-hello-$KVER   1.1;" ]

# a PATH with every program of this machine but createrepo_c (rpmbuild needs the rest)
mkdir -p "$S/bin"
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
	for f in "$d"/*; do
		n=${f##*/}
		[ "$n" = createrepo_c ] || [ -e "$S/bin/$n" ] || ln -s "$f" "$S/bin/$n"
	done
done
PATH=$S/bin expect_rc "without createrepo_c in PATH: still written" 0 \
	"$NDKMS" --root "$ROOT" mkkmod hello/1.0 -k "$KVER" --repo "$S/norepo"
expect_out "  with a warning" "createrepo_c is not installed"
check "  the packages are there" [ -f "$S/norepo/$ARCH/kmod-hello-1.0-1.$ARCH.rpm" ]
check "  no repodata" [ ! -e "$S/norepo/repodata" ]
check "no temporary folder left in the repository" [ -z "$(ls -A "$F" | grep '^\.')" ]
# rpmbuild writes into a private folder; the packages are moved out, never through a link
mkdir -p "$S/planted" "$S/elsewhere"
ln -s "$S/elsewhere" "$S/planted/$ARCH"
expect_rc "a link planted at OUT/ARCH is refused" 1 nd mkkmod hello/1.0 -k "$KVER" --out "$S/planted"
expect_out "  saying so" "$S/planted/$ARCH is not a folder"
check "  nothing written through it" [ -z "$(ls -A "$S/elsewhere")" ]
check "  no temporary folder left" [ "$(ls -A "$S/planted" | tr '\n' ' ')" = "$ARCH " ]
check "nothing written outside the root" host_unchanged
done_testing

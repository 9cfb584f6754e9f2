#!/bin/sh
# t-completions.sh - the bash, zsh and fish completions name every action of the command table
# and every long option of the command line; fish loads its file and completes actions,
# abbreviated options, modules under --root and the hook verbs.
. "$(dirname "$0")/../lib.sh"
F=$REPO/completions/fish/ndkms.fish
W=$(mktemp -d "$TMPROOT/compl.XXXXXX")
trap 'rm -rf "$W"; cleanup' EXIT
# the actions and long options main.c knows
sed -n '/^static const struct cmd \*const commands\[\]/,/^};/p' "$REPO/src/main.c" |
	grep -o '&cmd_[a-z_]*' | sed 's/&cmd_//; s/^weak_modules$/weak-modules/' >"$W/actions"
sed -n '/^static const char \*const long_with_value\[\]/,/^};/p; /^static const char \*const long_flags\[\]/,/^};/p' \
	"$REPO/src/main.c" | grep -o '"[a-z_-]*"' | tr -d '"' >"$W/longs"
check "the command table was read" [ "$(wc -l <"$W/actions")" -gt 15 ]
check "the long options were read" [ "$(wc -l <"$W/longs")" -gt 20 ]
# deprecated no-op flags (no-initrd, ...) and --debug are not offered
grep -v -e '^no-initrd$' -e '^no-clean-kernel$' -e '^no-prepare-kernel$' -e '^debug$' "$W/longs" >"$W/offered"
for f in "$REPO/completions/bash/ndkms" "$REPO/completions/zsh/_ndkms" "$F"; do
	n=${f#"$REPO"/}
	miss=$(while read -r a; do grep -qw -- "$a" "$f" || echo "$a"; done <"$W/actions")
	check "$n names every action" [ -z "$miss" ]
	[ -z "$miss" ] || echo "# missing in $n: $miss"
done
miss=$(while read -r o; do grep -q -- "-l $o\\b" "$F" || echo "$o"; done <"$W/offered")
check "fish offers every long option" [ -z "$miss" ]
[ -z "$miss" ] || echo "# missing in fish: $miss"
miss=$(grep -o -- '--[a-z_-]*' "$REPO/completions/bash/ndkms" | sort -u | sed 's/^--//' |
	while read -r o; do grep -q -- "-l $o\\b" "$F" || echo "$o"; done)
check "fish offers every long option bash offers" [ -z "$miss" ]
[ -z "$miss" ] || echo "# missing in fish: $miss"

command -v fish >/dev/null || skip_all "fish is not installed"
fc() { fish --no-config -c "source '$F'; complete -C '$1'" 2>&1; }
check "fish reads the file without error" fish --no-config -n "$F"
fc "ndkms " >"$OUT"
check "the actions after ndkms" sh -c "grep -q '^autoinstall	' '$OUT' && grep -q '^generate_mok	' '$OUT' &&
	grep -q '^weak-modules	' '$OUT'"
fc "dkms " >"$OUT"
check "and after dkms" grep -q '^install	' "$OUT"
fc "ndkms --kernelv" >"$OUT"
check "an abbreviated option completes" grep -q '^--kernelver' "$OUT"
mkdir -p "$W/r/usr/src/hello-1.0" "$W/r/var/lib/dkms/greeter/2.0" "$W/r/lib/modules/6.1.0-9-test"
: >"$W/r/usr/src/hello-1.0/dkms.conf"
ln -s /usr/src/greeter-2.0 "$W/r/var/lib/dkms/greeter/2.0/source"
fc "ndkms --root $W/r install " >"$OUT"
check "modules under --root: a source tree and a registered one" sh -c "grep -qx 'hello/1.0' '$OUT' &&
	grep -qx 'greeter/2.0' '$OUT'"
fc "ndkms --root $W/r build hello/1.0 -k " >"$OUT"
check "kernels under --root" grep -q '^6.1.0-9-test	' "$OUT"
fc "ndkms hook alpm " >"$OUT"
check "the hook verbs" sh -c "grep -qx install '$OUT' && grep -qx upgrade '$OUT' && grep -qx remove '$OUT'"
fc "ndkms mkkmod hello/1.0 --format " >"$OUT"
check "mkkmod formats" sh -c "grep -qx sysext '$OUT' && grep -qx pkgbuild '$OUT'"
done_testing

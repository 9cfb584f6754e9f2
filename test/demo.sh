#!/bin/sh
# demo.sh - add, build and install examples/hello for the newest kernel headers on this machine,
# inside a throwaway root under build/, then show status and modinfo.
set -eu
cd "$(dirname "$0")/.."
kver=
for d in /lib/modules/*/build/include; do
	[ -d "$d" ] || continue
	d=${d%/build/include}
	kver=$(printf '%s\n%s\n' "$kver" "${d##*/}" | sort -V | tail -n 1)
done
if [ -z "$kver" ]; then
	echo "No kernel headers found; installing linux-headers-amd64."
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-headers-amd64 >/dev/null
	exec "$0"
fi
root=$PWD/build/demo-root
rm -rf "$root"
mkdir -p "$root/etc" "$root/usr/src" "$root/var/lib/dkms" "$root/lib/modules/$kver/kernel"
cp /etc/os-release "$root/etc/os-release"
ln -s "$(readlink -f "/lib/modules/$kver/build")" "$root/lib/modules/$kver/build"
: >"$root/lib/modules/$kver/modules.order"
: >"$root/lib/modules/$kver/modules.builtin"
: >"$root/lib/modules/$kver/modules.builtin.modinfo"
cp -a examples/hello "$root/usr/src/hello-1.0"
nd() { echo "\$ ndkms --root build/demo-root $*"; ./build/ndkms --root "$root" "$@"; }
./build/ndkms --root "$root" depmod "$kver"
echo "Kernel: $kver (headers: $(readlink -f "/lib/modules/$kver/build"))"
nd add hello/1.0
nd build hello/1.0 -k "$kver"
nd install hello/1.0 -k "$kver"
nd status
echo "\$ modinfo build/demo-root/lib/modules/$kver/updates/dkms/hello.ko"
/sbin/modinfo "$root/lib/modules/$kver/updates/dkms/hello.ko"
grep -q 'updates/dkms/hello.ko' "$root/lib/modules/$kver/modules.dep"
echo "modules.dep: $(grep hello "$root/lib/modules/$kver/modules.dep")"

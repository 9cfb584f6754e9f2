#!/bin/sh
# deps.sh - install what building (build) or testing (test) ndkms needs on Debian, if missing.
set -eu
want=$1
build_pkgs="gcc make pkg-config libkmod-dev libconfig-dev libarchive-dev libssl-dev liblzma-dev libzstd-dev zlib1g-dev"
test_pkgs="$build_pkgs kmod linux-headers-amd64 bc patch dkms xz-utils zstd time"
# reliability: libFuzzer (clang + its runtime), valgrind memcheck, unshare/mount for full disks
test_pkgs="$test_pkgs clang libclang-rt-14-dev valgrind util-linux"
# hooks and ownership: real pacman and rpm transactions, kernel-install, makepkg
test_pkgs="$test_pkgs pacman-package-manager makepkg libarchive-tools libalpm-dev libcurl4-openssl-dev
	libgpgme-dev rpm librpm-dev systemd fakeroot busybox-static"
# mkkmod --repo: RPM repository metadata (pacman's repo-add comes with pacman-package-manager)
test_pkgs="$test_pkgs createrepo-c"
# the real kernel booted in qemu (tcg) on a busybox initramfs
test_pkgs="$test_pkgs qemu-system-x86"
case $want in
build) pkgs=$build_pkgs ;;
test) pkgs=$test_pkgs ;;
*) echo "usage: deps.sh build|test" >&2; exit 2 ;;
esac
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null

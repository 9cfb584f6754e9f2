#!/bin/sh
# deps.sh - install what building (build), the demo (demo) or testing (test) ndkms needs on
# Debian, if missing; "deps.sh list SET" prints the packages of a set.
set -eu
want=$1
build_pkgs="gcc make pkg-config libkmod-dev libconfig-dev libarchive-dev libssl-dev liblzma-dev libzstd-dev zlib1g-dev"
# make demo: the build, and what test/demo.sh runs beyond the base system (debootstrap minbase:
# Essential and Priority: required packages): modinfo (kmod); t-demo-deps.sh checks the list
demo_pkgs="$build_pkgs kmod"
test_pkgs="$build_pkgs kmod linux-headers-amd64 bc patch dkms xz-utils zstd time"
# the certificate fields t-sign and t-mok compare with what openssl reads; JSON parsed by python3
test_pkgs="$test_pkgs openssl python3"
# reliability: libFuzzer (clang + its runtime), valgrind memcheck, unshare/mount for full disks
test_pkgs="$test_pkgs clang libclang-rt-14-dev valgrind util-linux"
# hooks and ownership: real pacman and rpm transactions, kernel-install, makepkg
test_pkgs="$test_pkgs pacman-package-manager makepkg libarchive-tools libalpm-dev libcurl4-openssl-dev
	libgpgme-dev rpm librpm-dev systemd fakeroot busybox-static"
# mkkmod --repo: RPM repository metadata (pacman's repo-add comes with pacman-package-manager)
test_pkgs="$test_pkgs createrepo-c"
# the fish completions, loaded and asked by fish itself
test_pkgs="$test_pkgs fish"
# the real kernel booted in qemu (tcg) on a busybox initramfs
test_pkgs="$test_pkgs qemu-system-x86"
# the Debian kernel hook order and the initramfs of modules needed at boot (t-initramfs.sh)
test_pkgs="$test_pkgs initramfs-tools"
set_pkgs() {
	case $1 in
	build) echo $build_pkgs ;;
	demo) echo $demo_pkgs ;;
	test) echo $test_pkgs ;;
	*) echo "usage: deps.sh build|demo|test, or deps.sh list build|demo|test" >&2; exit 2 ;;
	esac
}
if [ "$want" = list ]; then
	set_pkgs "${2:-}" | tr ' ' '\n'
	exit 0
fi
pkgs=$(set_pkgs "$want")
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

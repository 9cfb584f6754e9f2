#!/bin/sh
# t-crash.sh - SIGKILL at every fault point of install, uninstall, remove --all, autoinstall and
# depmod: the install tree holds the old or the new module, every index is the old or the new one
# and readable by libkmod, and a rerun ends in the state of an uninterrupted run.
# CRASH_FULL=1 (make crash-full) adds a two-module package, --force reinstall and kernel_prerm.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../crash-lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
fault_build || skip_all "$NDKMS has no fault points (built without -DNDKMS_FAULT)"

make_templates crash
trap 'rm -rf "$T_BUILT" "$T_INST" "$T_NODEP" "$CRASH_WORK"; cleanup' EXIT

crash_sweep install "$T_BUILT" install hello/1.0 -k "$KVER"
crash_sweep uninstall "$T_INST" uninstall hello/1.0 -k "$KVER"
crash_sweep remove "$T_INST" remove hello/1.0 --all
crash_sweep autoinstall "$T_BUILT" autoinstall -k "$KVER"
crash_sweep depmod "$T_NODEP" depmod -b @ROOT@ "$KVER"

if [ -n "${CRASH_FULL:-}" ]; then
	crash_sweep "install --force" "$T_INST" install hello/1.0 -k "$KVER" --force
	crash_sweep kernel_prerm "$T_INST" kernel_prerm -k "$KVER"
	# a package of two modules (hello and a clone in one tree): a crash between the two
	ROOT=$T_BUILT
	add_source greeter 1.0
	nd build greeter/1.0 -k "$KVER" >/dev/null 2>&1 || notok "greeter build"
	good_kos "$T_BUILT/$K/kernel/drivers/dummy/intree_dummy.ko" \
		"$T_BUILT/var/lib/dkms/hello/1.0/$KVER/$ARCH/module/hello.ko" \
		"$T_BUILT/$K/kernel/drivers/misc/hello.ko" \
		"$T_BUILT/var/lib/dkms/greeter/1.0/$KVER/$ARCH/module/greeter.ko"
	crash_sweep "autoinstall of two" "$T_BUILT" autoinstall -k "$KVER" -j2
fi
check "nothing written outside the roots" host_unchanged
done_testing

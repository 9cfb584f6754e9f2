#!/bin/sh
# t-rpm-safe.sh - --rpm_safe_upgrade: in one rpm transaction, the new package's add cancels the
# old package's remove of the same module/version; a remove from another transaction is not.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
mkroot
add_source hello 1.0
export TMPDIR=$ROOT/tmp
mkdir -p "$TMPDIR"
# both run from scriptlet shells of the same parent, as rpm runs %post and %preun
expect_rc "add --rpm_safe_upgrade (new package's %post)" 0 sh -c '"$0" --root "$1" add hello/1.0 --rpm_safe_upgrade' "$NDKMS" "$ROOT"
# the marker lives in root's own folder, never in the (world-writable) temporary folder
MK=$ROOT/run/ndkms
check "marker left" sh -c "ls '$MK' | grep -q '^dkms_rpm_safe_upgrade_lock\.'"
check "the marker folder is root's alone" [ "$(stat -c '%U %a' "$MK")" = "root 700" ]
check "no marker in the temporary folder" sh -c "! ls '$TMPDIR' | grep -q '^dkms_rpm_safe_upgrade_lock\.'"
expect_rc "remove --rpm_safe_upgrade (old package's %preun)" 0 sh -c '"$0" --root "$1" remove hello/1.0 --all --rpm_safe_upgrade' "$NDKMS" "$ROOT"
expect_out "cancelled" "Remove cancelled because --rpm_safe_upgrade scenario detected."
check "module still added" [ -L "$ROOT/var/lib/dkms/hello/1.0/source" ]
check "marker used up" sh -c "! ls '$MK' | grep -q '^dkms_rpm_safe_upgrade_lock\.'"
expect_rc "a later remove is not cancelled" 0 sh -c '"$0" --root "$1" remove hello/1.0 --all --rpm_safe_upgrade' "$NDKMS" "$ROOT"
expect_out "removed" "Deleting module hello/1.0 completely from the DKMS tree."
check "module gone" [ ! -e "$ROOT/var/lib/dkms/hello" ]
check "nothing written outside the root" host_unchanged
done_testing

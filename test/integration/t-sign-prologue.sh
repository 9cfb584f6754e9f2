#!/bin/sh
# t-sign-prologue.sh - the signing prologue ("Sign command:", "Signing key:", "Public
# certificate (MOK):", a blank line) is printed when dkms 3.4.3 prints it: once per run and
# kernel, by the first build; never by an install that builds nothing, a BUILD_EXCLUSIVE
# refusal, an autoinstall with nothing to build, or the rebuild of a dependant after a build.
. "$(dirname "$0")/../lib.sh"
need_module_signing
mkroot
add_source hello 1.0
add_source hello 1.1
add_source greeter 1.0
echo 'BUILD_DEPENDS_REBUILD="yes"' >>"$ROOT/usr/src/greeter-1.0/dkms.conf"
mkdir -p "$ROOT/etc/dkms"
echo 'try_sign_modules=true' >"$ROOT/etc/dkms/framework.conf"

# prologues: how many times the prologue appears in the last output
prologues() { grep -c '^Sign command: ' "$OUT"; }

expect_rc "build hello 1.0" 0 nd build hello/1.0 -k "$KVER"
check "one prologue" [ "$(prologues)" = 1 ]
check "the four lines in order, the blank line after the pair's" sh -c "
	awk '/^Sign command: /{ s = NR } END { exit !s }' '$OUT' &&
	grep -A5 '^Sign command: ' '$OUT' | sed -n '2p;3p' | tr '\n' '|' |
		grep -qx 'Signing key: /var/lib/dkms/mok.key|Public certificate (MOK): /var/lib/dkms/mok.pub|' &&
	grep -A5 '^Sign command: ' '$OUT' | sed -n '4p;5p' | tr '\n' '|' |
		grep -qx 'Certificate or key are missing, generating self signed certificate for MOK...||'"
expect_rc "install hello 1.0 (already built)" 0 nd install hello/1.0 -k "$KVER"
check "an install that builds nothing prints none" [ "$(prologues)" = 0 ]
expect_rc "install greeter (builds)" 0 nd install greeter/1.0 -k "$KVER"
check "one prologue for its build" [ "$(prologues)" = 1 ]
expect_no_out "no key generated twice" "Certificate or key are missing"

expect_rc "install hello 1.1: a build, then greeter rebuilt" 0 nd install hello/1.1 -k "$KVER" \
	--force-version-override
expect_out "greeter was rebuilt" "Rebuilding module greeter/1.0 due to updated dependencies"
check "one prologue for both builds" [ "$(prologues)" = 1 ]
check "printed by the first build, before the rebuild" sh -c "
	[ \"\$(grep -n '^Sign command: ' '$OUT' | cut -d: -f1)\" -lt \
	  \"\$(grep -n '^Rebuilding module greeter' '$OUT' | cut -d: -f1)\" ]"

expect_rc "autoinstall with everything installed" 0 nd autoinstall -k "$KVER"
check "nothing built: no prologue" [ "$(prologues)" = 0 ]

nd uninstall greeter/1.0 -k "$KVER" >/dev/null 2>&1
nd unbuild greeter/1.0 -k "$KVER" >/dev/null 2>&1
nd uninstall hello/1.1 -k "$KVER" >/dev/null 2>&1
nd unbuild hello/1.1 -k "$KVER" >/dev/null 2>&1
expect_rc "autoinstall building two modules" 0 nd autoinstall -k "$KVER"
check "both installed" sh -c "[ -f '$ROOT/lib/modules/$KVER/updates/dkms/hello.ko' ] &&
	[ -f '$ROOT/lib/modules/$KVER/updates/dkms/greeter.ko' ]"
check "one prologue for the run" [ "$(prologues)" = 1 ]

# a module stuck on a dependency never builds: no prologue for it (dkms prepares signing only
# for a module whose dependencies are met)
sh "$REPO/test/fixtures/clone-module.sh" "$ROOT/usr/src" lonely 1.0
printf 'BUILD_DEPENDS[0]="nosuch"\nAUTOINSTALL="yes"\n' >>"$ROOT/usr/src/lonely-1.0/dkms.conf"
nd add lonely/1.0 >/dev/null 2>&1
nd autoinstall -k "$KVER" >"$OUT" 2>&1
check "autoinstall with only a stuck module prints no prologue" sh -c "[ \"\$(grep -c '^Sign command: ' '$OUT')\" = 0 ] &&
	grep -q 'lonely/1.0' '$OUT'"
nd remove lonely/1.0 --all >/dev/null 2>&1

# BUILD_EXCLUSIVE: refused before signing is prepared
sh "$REPO/test/fixtures/clone-module.sh" "$ROOT/usr/src" excl 1.0
echo 'BUILD_EXCLUSIVE_KERNEL="^no-such-kernel"' >>"$ROOT/usr/src/excl-1.0/dkms.conf"
nd add excl/1.0 >/dev/null 2>&1
expect_rc "build of an excluded module" 77 nd build excl/1.0 -k "$KVER"
check "no prologue" [ "$(prologues)" = 0 ]

# signing off: dkms's one line and the blank line instead
echo 'try_sign_modules=false' >"$ROOT/etc/dkms/framework.conf"
expect_rc "build with signing off" 0 nd build hello/1.0 -k "$KVER" --force
check "no prologue, the policy line and a blank line" sh -c "! grep -q '^Sign command: ' '$OUT' &&
	grep -A1 -x \"Module signing is disabled by policy, modules won't be signed\" '$OUT' | sed -n 2p | grep -qx ''"
check "nothing written outside the root" host_unchanged
done_testing

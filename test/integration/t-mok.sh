#!/bin/sh
# t-mok.sh - mok status against efivarfs-format variables built here (enrolled, another
# certificate, none, pending, Secure Boot off, mok-variables copies, malformed lists), mok
# enroll through mokutil, and the one Secure Boot warning of build, install and autoinstall.
. "$(dirname "$0")/../lib.sh"
need_module_signing
mkroot
add_source hello 1.0
mkdir -p "$ROOT/etc/dkms"
W=$(mktemp -d "$TMPROOT/mok.XXXXXX")
trap 'cleanup; rm -rf "$W"' EXIT
EFI=$ROOT/sys/firmware/efi
EV="sh $REPO/test/fixtures/efivars.sh"
CERT=$ROOT/var/lib/dkms/mok.pub

# another certificate (another key pair), then ours
printf 'mok_signing_key=/var/lib/dkms/other.key\nmok_certificate=/var/lib/dkms/other.pub\n' \
	>"$ROOT/etc/dkms/framework.conf"
expect_rc "generate another certificate" 0 nd generate_mok
OTHER=$ROOT/var/lib/dkms/other.pub
echo 'try_sign_modules=true' >"$ROOT/etc/dkms/framework.conf"

expect_rc "no certificate yet: status" 0 nd mok status -k "$KVER"
expect_out "missing certificate named" "Certificate: /var/lib/dkms/mok.pub (missing)"
expect_rc "generate_mok" 0 nd generate_mok
check "the two certificates differ" sh -c "! cmp -s '$CERT' '$OTHER'"

# no /sys/firmware/efi in the root: not booted with UEFI
expect_rc "status without UEFI" 0 nd mok status -k "$KVER"
expect_out "Secure Boot off without UEFI" "Secure Boot: off (not booted with UEFI)"
expect_out "certificate shown" "Certificate: /var/lib/dkms/mok.pub"
expect_out "subject shown" "Subject: CN = DKMS module signing key"
if command -v openssl >/dev/null; then
	fp=$(openssl x509 -inform DER -in "$CERT" -noout -fingerprint -sha256 | sed 's/.*=//')
	expect_out "fingerprint as openssl computes it" "SHA-256 fingerprint: $fp"
	end=$(openssl x509 -inform DER -in "$CERT" -noout -enddate | sed 's/.*=//')
	want=$(date -u -d "$end" '+%Y-%m-%d %H:%M:%S UTC')
	expect_out "expiry as openssl reads it" "Expires: $want"
else
	skip "openssl is not installed: the fingerprint as openssl computes it"
	skip "openssl is not installed: the expiry as openssl reads it"
fi

# Secure Boot on, MokListRT holding only the other certificate
$EV secureboot "$EFI" 1
$EV list "$EFI" MokListRT "$OTHER"
expect_rc "status: not enrolled is exit 1" 1 nd mok status -k "$KVER"
expect_out "Secure Boot on" "Secure Boot: on"
expect_out "not enrolled" "Enrolled (MokListRT): no"
expect_out "not pending" "Pending enrollment (MokNew): no"
expect_out "tells the command" "enroll it with 'ndkms mok enroll'"
expect_rc "status --json" 1 nd mok status -k "$KVER" --json
expect_out "json: secure_boot" '"secure_boot":"on"'
expect_out "json: enrolled" '"enrolled":"no"'
expect_out "json: untrusted" '"untrusted":true'
check "json is one line" [ "$(wc -l <"$OUT")" = 1 ]
if command -v python3 >/dev/null; then
	check "json parses" python3 -c "import json,sys; json.load(open('$OUT'))"
else
	skip "python3 is not installed: the JSON is not parsed"
fi

# the build warns, once
expect_rc "build with Secure Boot on, not enrolled" 0 nd build hello/1.0 -k "$KVER"
expect_out "module signed" "Signing module /var/lib/dkms/hello/1.0/build/hello.ko"
check "one Secure Boot warning in the build" [ "$(grep -c 'Secure Boot is on' "$OUT")" = 1 ]
expect_out "warning names the certificate and the command" \
	"signing certificate /var/lib/dkms/mok.pub is not enrolled"
expect_out "warning tells what to run" "Enroll it with: ndkms mok enroll"
expect_rc "install of the built module" 0 nd install hello/1.0 -k "$KVER"
check "one Secure Boot warning in the install" [ "$(grep -c 'Secure Boot is on' "$OUT")" = 1 ]
expect_rc "uninstall" 0 nd uninstall hello/1.0 -k "$KVER"
check "uninstall does not warn" sh -c "! grep -q 'Secure Boot is on' '$OUT'"
expect_rc "unbuild" 0 nd unbuild hello/1.0 -k "$KVER"
# a second module: autoinstall builds and installs both, and warns once
mkdir -p "$ROOT/usr/src/greeter-1.0"
cp -a "$REPO/examples/greeter/." "$ROOT/usr/src/greeter-1.0/"
sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="1.0"/' "$ROOT/usr/src/greeter-1.0/dkms.conf"
sed -i 's/^AUTOINSTALL=.*/AUTOINSTALL="yes"/' "$ROOT/usr/src/greeter-1.0/dkms.conf" \
	"$ROOT/usr/src/hello-1.0/dkms.conf"
grep -q '^AUTOINSTALL' "$ROOT/usr/src/hello-1.0/dkms.conf" ||
	echo 'AUTOINSTALL="yes"' >>"$ROOT/usr/src/hello-1.0/dkms.conf"
grep -q '^AUTOINSTALL' "$ROOT/usr/src/greeter-1.0/dkms.conf" ||
	echo 'AUTOINSTALL="yes"' >>"$ROOT/usr/src/greeter-1.0/dkms.conf"
expect_rc "add greeter" 0 nd add greeter/1.0
expect_rc "autoinstall of two modules" 0 nd autoinstall -k "$KVER"
check "both installed" sh -c "ls '$ROOT/lib/modules/$KVER/updates/dkms/' | grep -q hello &&
	ls '$ROOT/lib/modules/$KVER/updates/dkms/' | grep -q greeter"
check "one Secure Boot warning in the autoinstall" [ "$(grep -c 'Secure Boot is on' "$OUT")" = 1 ]
# the package-manager hook: both sources arrive in one transaction
expect_rc "remove hello" 0 nd remove hello/1.0 --all
expect_rc "remove greeter" 0 nd remove greeter/1.0 --all
printf 'usr/src/hello-1.0/dkms.conf\nusr/src/greeter-1.0/dkms.conf\n' >"$W/targets"
expect_rc "alpm hook installs both" 0 nd hook alpm install <"$W/targets"
expect_out "hook installed hello" "hello/1.0, $KVER, $ARCH: installed"
check "one Secure Boot warning in the hook" [ "$(grep -c 'Secure Boot is on' "$OUT")" = 1 ]

# pending enrollment: MokNew holds ours
$EV list "$EFI" MokNew "$CERT"
expect_rc "status: pending is exit 0" 0 nd mok status -k "$KVER"
expect_out "pending" "Pending enrollment (MokNew): yes"
expect_out "still not enrolled" "Enrolled (MokListRT): no"
expect_rc "rebuild while pending" 0 nd build hello/1.0 -k "$KVER" --force
check "no warning while pending" sh -c "! grep -q 'Secure Boot is on' '$OUT'"
rm "$EFI/efivars/MokNew-"*

# enrolled: MokListRT holds both certificates
$EV list "$EFI" MokListRT "$OTHER" "$CERT"
expect_rc "status: enrolled" 0 nd mok status -k "$KVER"
expect_out "enrolled" "Enrolled (MokListRT): yes"
expect_out "trusted" "The firmware trusts this certificate."
expect_rc "rebuild while enrolled" 0 nd build hello/1.0 -k "$KVER" --force
check "no warning when enrolled" sh -c "! grep -q 'Secure Boot is on' '$OUT'"

# shim's mok-variables copy (no efivarfs MokListRT)
rm "$EFI/efivars/MokListRT-"*
$EV raw "$EFI" MokListRT "$CERT"
expect_rc "status from mok-variables" 0 nd mok status -k "$KVER"
expect_out "enrolled via mok-variables" "Enrolled (MokListRT): yes"
# a long list split by shim: MokListRT holds another, MokListRT1 ours
rm -r "$EFI/mok-variables"
$EV list "$EFI" MokListRT "$OTHER"
$EV list "$EFI" MokListRT1 "$CERT"
expect_rc "status with MokListRT1" 0 nd mok status -k "$KVER"
expect_out "enrolled via MokListRT1" "Enrolled (MokListRT): yes"
rm "$EFI/efivars/MokListRT1-"*

# malformed: a list claiming more bytes than the variable has
$EV bytes "$EFI" MokListRT 07000000a159c0a5e494a74a87b5ab155c2bf072ffff000000000000ff000000
expect_rc "status with a malformed MokListRT" 1 nd mok status -k "$KVER"
expect_out "malformed is unknown" "Enrolled (MokListRT): unknown"
expect_out "malformed named" "MokListRT is not a valid EFI signature list"

# Secure Boot off: nothing to warn about, even with ours missing
$EV list "$EFI" MokListRT "$OTHER"
$EV secureboot "$EFI" 0
expect_rc "status with Secure Boot off" 0 nd mok status -k "$KVER"
expect_out "Secure Boot off" "Secure Boot: off"
expect_out "off explained" "Secure Boot is off"
expect_rc "rebuild with Secure Boot off" 0 nd build hello/1.0 -k "$KVER" --force
check "no warning with Secure Boot off" sh -c "! grep -q 'Secure Boot is on' '$OUT'"
# SecureBoot on, but the firmware in setup mode, or shim's validation off: the kernel does not
# enforce signatures, and nothing is to be enrolled
$EV secureboot "$EFI" 1
$EV setupmode "$EFI" 1
expect_rc "status in setup mode" 0 nd mok status -k "$KVER"
expect_out "setup mode is off" "Secure Boot: off (the firmware is in setup mode)"
$EV setupmode "$EFI" 0
expect_rc "status with setup mode 0" 1 nd mok status -k "$KVER"
expect_out "Secure Boot on again" "Secure Boot: on"
$EV bytes "$EFI" MokSBStateRT 0600000001
expect_rc "status with shim's validation off" 0 nd mok status -k "$KVER"
expect_out "MokSBStateRT is off" "Secure Boot: off (shim's validation is disabled, MokSBStateRT)"
expect_rc "rebuild with shim's validation off" 0 nd build hello/1.0 -k "$KVER" --force
check "no warning with shim's validation off" sh -c "! grep -q 'Secure Boot is on' '$OUT'"
rm "$EFI/efivars/MokSBStateRT-"* "$EFI/efivars/SetupMode-"*
# SecureBoot variable unreadable under UEFI: unknown, no warning
rm "$EFI/efivars/SecureBoot-"*
expect_rc "status with no SecureBoot variable" 0 nd mok status -k "$KVER"
expect_out "unknown" "Secure Boot: unknown"

# mok enroll through mokutil (a stand-in that records its arguments and reads the terminal)
$EV secureboot "$EFI" 1
mkdir -p "$W/bin" "$W/nobin"
cat >"$W/bin/mokutil" <<EOS
#!/bin/sh
echo "\$@" >"$W/mokutil.args"
read pw && echo "\$pw" >"$W/mokutil.stdin"
EOS
chmod +x "$W/bin/mokutil"
echo secret | PATH="$W/bin:$PATH" "$NDKMS" --root "$ROOT" mok enroll -k "$KVER" >"$OUT" 2>&1
check "enroll ran" [ $? = 0 ]
check "mokutil --import the certificate" [ "$(cat "$W/mokutil.args")" = "--import $CERT" ]
check "mokutil reads the user's terminal" [ "$(cat "$W/mokutil.stdin" 2>/dev/null)" = secret ]
expect_out "enroll explains the reboot" "At the next reboot the firmware starts the MOK manager"
expect_out "enroll shows the fingerprint" "(SHA-256 "
rm -f "$W/mokutil.args"
PATH="$W/nobin" "$NDKMS" --root "$ROOT" mok enroll -k "$KVER" >"$OUT" 2>&1
check "enroll without mokutil fails" [ $? = 1 ]
expect_out "names the missing tool" "install the mokutil package"
$EV list "$EFI" MokListRT "$CERT"
PATH="$W/bin:$PATH" "$NDKMS" --root "$ROOT" mok enroll -k "$KVER" >"$OUT" 2>&1
check "enroll when enrolled succeeds" [ $? = 0 ]
expect_out "nothing to do" "is enrolled already"
check "mokutil not run when enrolled" [ ! -e "$W/mokutil.args" ]
expect_rc "mok without a subcommand" 2 nd mok
expect_rc "mok status with a bad kernel version" 2 nd mok status -k "../../x"
expect_rc "mok --help" 0 nd mok --help
expect_out "help names enroll" "mok enroll"
check "host untouched" host_unchanged
done_testing

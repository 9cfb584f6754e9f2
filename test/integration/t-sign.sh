#!/bin/sh
# t-sign.sh - MOK generation and in-process module signing of examples/hello against the real
# headers, byte-compared with the kernel's own sign-file, a lone key or certificate (a new pair, the old
# file kept aside, as dkms 3.4.3 makes one), and the failures that must not leave a half-signed or
# unsigned module installed.
. "$(dirname "$0")/../lib.sh"
[ -n "$KVER" ] || skip_all "no kernel headers installed"
SIGNFILE=/usr/lib/linux-kbuild-${KVER%.*}/scripts/sign-file
[ -x "$SIGNFILE" ] || SIGNFILE=/lib/modules/$KVER/build/scripts/sign-file
[ -x "$SIGNFILE" ] || skip_all "no sign-file for $KVER"
grep -q '^CONFIG_MODULE_SIG_HASH=' "/lib/modules/$KVER/build/include/config/auto.conf" ||
	skip_all "$KVER is built without module signatures"
mkroot
add_source hello 1.0
mkdir -p "$ROOT/etc/dkms"
echo 'try_sign_modules=true' >"$ROOT/etc/dkms/framework.conf"
K=$ROOT/lib/modules/$KVER
T=$ROOT/var/lib/dkms/hello
B=$T/1.0/$KVER/$ARCH
KEY=$ROOT/var/lib/dkms/mok.key
CERT=$ROOT/var/lib/dkms/mok.pub
W=$(mktemp -d "$TMPROOT/sign.XXXXXX")
trap 'cleanup; rm -rf "$W"' EXIT

# unsign FILE OUT: the module without its signature trailer
unsign() {
	size=$(stat -c %s "$1")
	siglen=$(od -An -tu4 --endian=big -j $((size - 32)) -N4 "$1" | tr -d ' ')
	head -c $((size - 40 - siglen)) "$1" >"$2"
}

expect_rc "generate_mok" 0 nd generate_mok
expect_out "generate_mok names the key" "Signing key: /var/lib/dkms/mok.key"
expect_out "generate_mok names the certificate" "Public certificate (MOK): /var/lib/dkms/mok.pub"
check "key is mode 0600" [ "$(stat -c %a "$KEY")" = 600 ]
check "key is PEM" grep -q "BEGIN PRIVATE KEY" "$KEY"
check "certificate is DER" [ "$(od -An -tx1 -N1 "$CERT" | tr -d ' ')" = 30 ]
sum_before=$(cat "$KEY" "$CERT" | sha256sum)
expect_rc "generate_mok again" 0 nd generate_mok
check "existing key and certificate left alone" [ "$(cat "$KEY" "$CERT" | sha256sum)" = "$sum_before" ]
if command -v openssl >/dev/null; then
	openssl x509 -inform DER -in "$CERT" -noout -text >"$W/cert.txt" 2>&1
	check "certificate subject" grep -q "CN *= *DKMS module signing key" "$W/cert.txt"
	check "certificate has the codeSigning usage" grep -q "Code Signing" "$W/cert.txt"
else
	skip "openssl is not installed: the certificate's subject and codeSigning usage"
fi

expect_rc "build signs (sha256)" 0 nd build hello/1.0 -k "$KVER"
expect_out "sign command shown" "Sign command:"
expect_out "signing key shown" "Signing key: /var/lib/dkms/mok.key"
expect_out "signing line" "Signing module /var/lib/dkms/hello/1.0/build/hello.ko"
check "signed module ends with the magic" sh -c "tail -c 28 '$B/module/hello.ko' | grep -q 'Module signature appended'"
unsign "$B/module/hello.ko" "$W/plain.ko"
cp "$W/plain.ko" "$W/ref256.ko"
"$SIGNFILE" sha256 "$KEY" "$CERT" "$W/ref256.ko"
check "sha256 signature byte-identical to sign-file" cmp "$B/module/hello.ko" "$W/ref256.ko"
check "modinfo shows the signer" sh -c "/sbin/modinfo -F signer '$B/module/hello.ko' | grep -qx 'DKMS module signing key'"
check "modinfo shows sha256" sh -c "/sbin/modinfo -F sig_hashalgo '$B/module/hello.ko' | grep -qx sha256"

# sha512 through a kernel config naming it
sed 's/^CONFIG_MODULE_SIG_HASH=.*/CONFIG_MODULE_SIG_HASH="sha512"/' \
	"/lib/modules/$KVER/build/include/config/auto.conf" >"$W/config512"
expect_rc "rebuild signs with sha512" 0 nd build hello/1.0 -k "$KVER" --force --config "$W/config512"
unsign "$B/module/hello.ko" "$W/plain512.ko"
cp "$W/plain512.ko" "$W/ref512.ko"
"$SIGNFILE" sha512 "$KEY" "$CERT" "$W/ref512.ko"
check "sha512 signature byte-identical to sign-file" cmp "$B/module/hello.ko" "$W/ref512.ko"
check "modinfo shows sha512" sh -c "/sbin/modinfo -F sig_hashalgo '$B/module/hello.ko' | grep -qx sha512"

expect_rc "install the signed module" 0 nd install hello/1.0 -k "$KVER"
check "installed module carries the signer" sh -c "/sbin/modinfo -F signer '$K/updates/dkms/hello.ko' | grep -qx 'DKMS module signing key'"
expect_rc "remove" 0 nd remove hello/1.0 --all

# a lone certificate (dkms 3.4.3): a new pair is generated, the old certificate kept aside
mv "$KEY" "$W/good.key"
cp "$CERT" "$W/good.pub"
expect_rc "install with the key missing (lone certificate)" 0 nd install hello/1.0 -k "$KVER"
expect_out "dkms's message" "Certificate or key are missing, generating self signed certificate for MOK..."
check "the message follows the prologue" sh -c "grep -A1 -x 'Public certificate (MOK): /var/lib/dkms/mok.pub' '$OUT' |
	grep -qx 'Certificate or key are missing, generating self signed certificate for MOK...'"
check "a new key, mode 0600" sh -c "[ -f '$KEY' ] && [ \"\$(stat -c %a '$KEY')\" = 600 ]"
check "a new certificate" sh -c "[ -f '$CERT' ] && ! cmp -s '$CERT' '$W/good.pub'"
set -- "$ROOT"/var/lib/dkms/mok.pub.orig-*
check "the old certificate kept aside, once" sh -c "[ $# = 1 ] && [ -f '$1' ]"
check "with its content" cmp -s "$1" "$W/good.pub"
check "named mok.pub.orig-DATE" sh -c "echo '${1##*/}' | grep -Eqx 'mok\.pub\.orig-[0-9]{8}-[0-9]{6}'"
check "installed, signed" sh -c "/sbin/modinfo -F signer '$K/updates/dkms/hello.ko' | grep -qx 'DKMS module signing key'"
unsign "$B/module/hello.ko" "$W/plain-new.ko"
"$SIGNFILE" sha256 "$KEY" "$CERT" "$W/plain-new.ko"
check "signed with the new pair" cmp "$B/module/hello.ko" "$W/plain-new.ko"
expect_rc "remove" 0 nd remove hello/1.0 --all
rm -f "$1"

# a lone key: the same, the old key kept aside (mode 0600 kept)
cp "$KEY" "$W/lone.key"
rm -f "$CERT"
expect_rc "build with the certificate missing (lone key)" 0 nd build hello/1.0 -k "$KVER"
expect_out "dkms's message (lone key)" "Certificate or key are missing, generating self signed certificate for MOK..."
set -- "$ROOT"/var/lib/dkms/mok.key.orig-*
check "the old key kept aside, once" sh -c "[ $# = 1 ] && [ -f '$1' ]"
check "with its content" cmp -s "$1" "$W/lone.key"
check "still mode 0600" [ "$(stat -c %a "$1")" = 600 ]
check "a new pair in place" sh -c "[ -f '$KEY' ] && [ -f '$CERT' ] && ! cmp -s '$KEY' '$W/lone.key'"
check "built and signed" sh -c "tail -c 28 '$B/module/hello.ko' | grep -q 'Module signature appended'"
expect_rc "unbuild" 0 nd unbuild hello/1.0 -k "$KVER"
rm -f "$1"

# generate_mok with a lone key says where the old one went
cp "$KEY" "$W/lone2.key"
rm -f "$CERT"
expect_rc "generate_mok with a lone key" 0 nd generate_mok
expect_out "it names the kept key" "The lone key /var/lib/dkms/mok.key was kept as mok.key.orig-"
set -- "$ROOT"/var/lib/dkms/mok.key.orig-*
check "kept with its content" cmp -s "$1" "$W/lone2.key"
check "a new pair" sh -c "[ -f '$KEY' ] && [ -f '$CERT' ]"
rm -f "$1"

# no pair can be made where the configured folder does not exist: unsigned, as dkms, and
# nothing moved or created
sum_now=$(cat "$KEY" "$CERT" | sha256sum)
printf 'try_sign_modules=true\nmok_certificate=/no/such/path.crt\n' >"$ROOT/etc/dkms/framework.conf"
expect_rc "certificate in a missing folder" 0 nd build hello/1.0 -k "$KVER"
expect_out "dkms's message (certificate)" "Certificate file /no/such/path.crt not found and can't be generated, modules won't be signed"
check "built unsigned" sh -c "[ -f '$B/module/hello.ko' ] && ! tail -c 28 '$B/module/hello.ko' | grep -q 'Module signature appended'"
check "the key stays, not moved aside" sh -c "[ \"\$(cat '$KEY' '$CERT' | sha256sum)\" = '$sum_now' ] &&
	! ls '$ROOT'/var/lib/dkms/ | grep -q orig"
check "no folder created for it" [ ! -e "$ROOT/no" ]
expect_rc "unbuild" 0 nd unbuild hello/1.0 -k "$KVER"
printf 'try_sign_modules=true\nmok_signing_key=/no/such/path.key\n' >"$ROOT/etc/dkms/framework.conf"
expect_rc "key in a missing folder" 0 nd build hello/1.0 -k "$KVER"
expect_out "dkms's message (key)" "Key file /no/such/path.key not found and can't be generated, modules won't be signed"
check "the certificate stays, not moved aside" sh -c "[ \"\$(cat '$KEY' '$CERT' | sha256sum)\" = '$sum_now' ] &&
	! ls '$ROOT'/var/lib/dkms/ | grep -q orig"
check "no folder created for the key" [ ! -e "$ROOT/no" ]
expect_rc "unbuild" 0 nd unbuild hello/1.0 -k "$KVER"
# both missing, the key's folder there, the certificate's not: dkms names the certificate
printf 'try_sign_modules=true\nmok_signing_key=/var/lib/dkms/new.key\nmok_certificate=/no/such/path.crt\n' \
	>"$ROOT/etc/dkms/framework.conf"
expect_rc "a new key, its certificate in a missing folder" 0 nd build hello/1.0 -k "$KVER"
expect_out "dkms's message names the certificate" "Certificate file /no/such/path.crt not found and can't be generated, modules won't be signed"
check "no lone new key left behind" [ ! -e "$ROOT/var/lib/dkms/new.key" ]
expect_rc "unbuild" 0 nd unbuild hello/1.0 -k "$KVER"
echo 'try_sign_modules=true' >"$ROOT/etc/dkms/framework.conf"
cp "$W/good.key" "$KEY"
cp "$W/good.pub" "$CERT"

echo "garbage" >"$KEY"
chmod 600 "$KEY"
expect_rc "install with a corrupt key" 1 nd install hello/1.0 -k "$KVER"
expect_out "corrupt key named" "/var/lib/dkms/mok.key is not a readable unencrypted private key"
check "not built (corrupt key)" [ ! -e "$B" ]
check "not installed (corrupt key)" [ ! -e "$K/updates/dkms/hello.ko" ]

# a certificate from another key
cat >"$ROOT/etc/dkms/framework.conf" <<'EOC'
try_sign_modules=true
mok_signing_key=/var/lib/dkms/other.key
mok_certificate=/var/lib/dkms/other.pub
EOC
expect_rc "generate a second pair" 0 nd generate_mok
cp "$W/good.key" "$KEY"
cat >"$ROOT/etc/dkms/framework.conf" <<'EOC'
try_sign_modules=true
mok_signing_key=/var/lib/dkms/mok.key
mok_certificate=/var/lib/dkms/other.pub
EOC
expect_rc "install with a certificate of another key" 1 nd install hello/1.0 -k "$KVER"
expect_out "mismatch named" "the certificate /var/lib/dkms/other.pub does not match the key /var/lib/dkms/mok.key"
check "not installed (mismatch)" [ ! -e "$K/updates/dkms/hello.ko" ]

# $kernelver in the configured paths
cat >"$ROOT/etc/dkms/framework.conf" <<'EOC'
try_sign_modules=true
mok_signing_key='/var/lib/dkms/keys/$kernelver.key'
mok_certificate="/var/lib/dkms/keys/${kernelver}.der"
EOC
expect_rc "keys per kernel, folder missing" 0 nd build hello/1.0 -k "$KVER"
expect_out "not created: built unsigned" "Key file /var/lib/dkms/keys/$KVER.key not found and can't be generated, modules won't be signed"
check "the folder is not created" [ ! -e "$ROOT/var/lib/dkms/keys" ]
expect_rc "unbuild" 0 nd unbuild hello/1.0 -k "$KVER"
mkdir -p "$ROOT/var/lib/dkms/keys"
expect_rc "keys per kernel (\$kernelver)" 0 nd build hello/1.0 -k "$KVER"
expect_out "kernelver expanded" "Signing key: /var/lib/dkms/keys/$KVER.key"
check "per-kernel key created" [ -f "$ROOT/var/lib/dkms/keys/$KVER.key" ]
expect_rc "unbuild" 0 nd unbuild hello/1.0 -k "$KVER"

# an unsupported hash
echo 'try_sign_modules=true' >"$ROOT/etc/dkms/framework.conf"
sed 's/^CONFIG_MODULE_SIG_HASH=.*/CONFIG_MODULE_SIG_HASH="md4"/' \
	"/lib/modules/$KVER/build/include/config/auto.conf" >"$W/configmd4"
expect_rc "unsupported hash" 1 nd build hello/1.0 -k "$KVER" --config "$W/configmd4"
expect_out "unsupported hash named" "Unsupported module signing hash 'md4'"
check "not built (md4)" [ ! -e "$B" ]

# no signing facility, and signing switched off
grep -v '^CONFIG_MODULE_SIG' "/lib/modules/$KVER/build/include/config/auto.conf" >"$W/configns"
expect_rc "kernel without module signatures" 0 nd build hello/1.0 -k "$KVER" --config "$W/configns"
expect_out "no signing facility" "The kernel is built without module signing facility, modules won't be signed"
check "module left unsigned" sh -c "! tail -c 28 '$B/module/hello.ko' | grep -q 'Module signature appended'"
echo 'try_sign_modules=false' >"$ROOT/etc/dkms/framework.conf"
expect_rc "try_sign_modules=false" 0 nd build hello/1.0 -k "$KVER" --force
expect_no_out "no signing line" "Signing module"
expect_out "policy named" "Module signing is disabled by policy, modules won't be signed"

# a sign_file the administrator configured is run, as dkms runs it
printf 'try_sign_modules=true\nsign_file=/no/such/file\n' >"$ROOT/etc/dkms/framework.conf"
expect_rc "configured sign_file missing" 0 nd build hello/1.0 -k "$KVER" --force
expect_out "dkms's message" "Binary /no/such/file not found, modules won't be signed"
check "module left unsigned (no tool)" sh -c "! tail -c 28 '$B/module/hello.ko' | grep -q 'Module signature appended'"
printf 'try_sign_modules=true\nsign_file=%s\n' "$SIGNFILE" >"$ROOT/etc/dkms/framework.conf"
expect_rc "configured sign_file" 0 nd build hello/1.0 -k "$KVER" --force
expect_out "the tool is named" "Sign command: $SIGNFILE"
check "signed by the tool" sh -c "tail -c 28 '$B/module/hello.ko' | grep -q 'Module signature appended'"
printf 'try_sign_modules=true\nsign_file=/bin/false\n' >"$ROOT/etc/dkms/framework.conf"
# as dkms 3.4.3: a configured sign_file that fails leaves the module built but unsigned, with
# a warning
expect_rc "a failing sign_file: built anyway" 0 nd build hello/1.0 -k "$KVER" --force
expect_out "failure named as a warning" "Warning: Failed to sign module"
check "module left unsigned (tool failed)" sh -c "! tail -c 28 '$B/module/hello.ko' | grep -q 'Module signature appended'"
# try_sign_modules unset means not_in_chroot, decided as dkms decides it, except that a mount
# namespace of one's own (a service's, a test's) is no chroot
rm -f "$ROOT/etc/dkms/framework.conf"
expect_rc "own mount namespace: built" 0 unshare -m "$NDKMS" --root "$ROOT" build hello/1.0 -k "$KVER" --force
expect_out "own mount namespace: signed" "Signing module"
C=$(mktemp -d "$TMPROOT/chroot.XXXXXX")
# (unbuilt first: overlayfs refuses to rename over a folder of its lower layer, EXDEV)
nd unbuild hello/1.0 -k "$KVER" >/dev/null
expect_rc "in a chroot: built" 0 unshare -m sh -ec 'mount --make-rprivate /
	mkdir -p "$1/up" "$1/wd" "$1/m"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$1/up,workdir=$1/wd" "$1/m"
	mount -t proc proc "$1/m/proc"
	mount --rbind /dev "$1/m/dev"
	chroot "$1/m" "$2" --root "$3" build hello/1.0 -k "$4" --force' _ "$C" "$NDKMS" "$ROOT" "$KVER"
expect_out "in a chroot: dkms's message" "Running in chroot, modules won't be signed"
expect_no_out "in a chroot: not signed" "Signing module"
rm -rf "$C"
check "nothing written outside the root" host_unchanged
done_testing

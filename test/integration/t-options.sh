#!/bin/sh
# t-options.sh - long options abbreviated to any prefix that names one option only (as
# getopt_long), "--name=value" and "--name value"; an exact name wins over longer ones
# (--force); an ambiguous prefix is an error naming the candidates (exit 2), as is an unknown
# option; --root=DIR is kept after the parse (it was read after being freed).  The commands
# with their own options (lint, mok, depmod, weak-modules, mkkmod) take prefixes too.
. "$(dirname "$0")/../lib.sh"
mkroot
add_source hello 1.0

expect_rc "--modu=hello/1.0 (module)" 0 nd add --modu=hello/1.0
expect_out "added" "Creating symlink /var/lib/dkms/hello/1.0/source -> /usr/src/hello-1.0"
expect_rc "--ro DIR (root), --kernelv KVER (kernelver)" 0 "$NDKMS" --ro "$ROOT" status --kernelv "$KVER"
check "status of that root" grep -qx "hello/1.0: added" "$OUT"
expect_rc "--root=DIR" 0 "$NDKMS" --root="$ROOT" status
check "the root given with = is used" grep -qx "hello/1.0: added" "$OUT"
expect_rc "--ar is ambiguous" 2 nd unbuild hello/1.0 --ar x86_64
expect_out "names both" "Ambiguous option: --ar (--arch, --archive)"
expect_rc "--kernelver=K --arch=A" 0 nd unbuild hello/1.0 --kernelver=9.9.9-x --arch=x86_64
expect_out "the kernel reached the command" "Module hello/1.0 is not built for kernel 9.9.9-x (x86_64)."
expect_rc "--kernelv=K" 0 nd unbuild hello/1.0 --kernelv=9.9.8-y
expect_out "the abbreviation with =" "Module hello/1.0 is not built for kernel 9.9.8-y (x86_64)."
expect_rc "--kernel is ambiguous" 2 nd unbuild hello/1.0 --kernel 9.9.9-x
expect_out "names both kernel options" "Ambiguous option: --kernel (--kernelver, --kernelsourcedir)"
expect_out "and the usage" "Usage: ndkms [action] [options]"
expect_rc "--ver is ambiguous" 2 "$NDKMS" --ver
expect_out "verbose or version" "Ambiguous option: --ver (--verbose, --version)"
expect_rc "--vers (version)" 0 "$NDKMS" --vers
expect_out "the version" "ndkms $(cat "$REPO/VERSION") (dkms 3.4.3 compatible)"
expect_rc "--forc is ambiguous" 2 nd status --forc
expect_out "force or force-version-override" "Ambiguous option: --forc (--force, --force-version-override)"
expect_rc "--force is exact, not ambiguous" 0 nd status --force
expect_rc "--force-v (force-version-override)" 0 nd status --force-v
expect_rc "an unknown option" 2 nd status --nosuch
expect_out "named" "Unknown option: --nosuch"
expect_rc "a flag does not take =value" 2 nd status --verbose=1
expect_rc "an abbreviated flag with =value neither" 2 nd status --verb=1
# the commands that read their own options take prefixes as well, and keep their messages
expect_rc "lint --pri (print)" 0 nd lint --pri "$ROOT/usr/src/hello-1.0" -k "$KVER"
expect_out "the directives" "PACKAGE_NAME=hello"
expect_rc "lint --he (help)" 0 nd lint --he
expect_out "lint's help" "Usage: ndkms lint"
expect_rc "lint -hx is not -h" 2 nd lint -hx
expect_out "the word as given" "Unknown option: -hx"
expect_rc "lint -- is an option" 2 nd lint -- "$ROOT/usr/src/hello-1.0"
expect_out "the word" "Unknown option: --"
expect_rc "lint with two files" 2 nd lint "$ROOT/usr/src/hello-1.0" "$ROOT/usr/src/hello-1.0" --nosuch
expect_out "the first error is told" "lint takes one dkms.conf, a folder or MODULE/VERSION."
expect_rc "mok --he (help)" 0 nd mok --he
expect_out "mok's help" "mok enroll"
expect_rc "mok status --kernelv KVER" 2 nd mok status --kernelv ../x
expect_out "the kernel reached mok" "Invalid kernel version: ../x"
expect_rc "mok status --nosuch" 2 nd mok status --nosuch
expect_out "named" "Unknown option or argument: --nosuch"
expect_rc "depmod --sh (show)" 0 nd depmod --sh "$KVER"
expect_out "the indexes on stdout" "kernel/drivers/dummy/intree_dummy.ko:"
expect_rc "depmod --nosuch" 1 nd depmod --nosuch
expect_out "getopt_long's message" "depmod: unrecognized option '--nosuch'"
expect_rc "weak-modules --add is ambiguous" 1 nd weak-modules --add
expect_out "getopt_long names them" "option '--add' is ambiguous"
expect_rc "mkkmod --sty x (style)" 2 nd mkkmod hello/1.0 --sty x
expect_out "mkkmod's usage" "Usage: ndkms mkkmod"
expect_rc "--al (all) for remove" 0 nd remove --modu hello/1.0 --al
expect_out "removed" "Deleting module hello/1.0 completely from the DKMS tree."
check "gone" [ ! -e "$ROOT/var/lib/dkms/hello" ]
check "nothing written outside the root" host_unchanged
done_testing

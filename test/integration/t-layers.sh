#!/bin/sh
# t-layers.sh - the layer rule of src/ (util < conf < depmod < kabi/sign/pkg < core < cmd <
# main.c) holds over the #include lines and the built objects' calls, with no circle between
# files or folders, and only cmd/ and main.c choose dkms exit statuses (DKMS_EXIT); and the
# checker catches each kind of violation planted in a copy.
. "$(dirname "$0")/../lib.sh"
LAYERS="$REPO/test/layers.sh"
W=$TMPROOT/layers.$$
trap 'rm -rf "$W"; rm -f "$OUT"' EXIT
rm -rf "$W"
mkdir -p "$W"

# The real tree: includes, and the calls of the sanitizer build's objects when they are there.
expect_rc "src/ keeps the layer rule and has no include circle" 0 sh "$LAYERS" "$REPO/src"
if [ -f "$REPO/build/san/main.o" ]; then
	expect_rc "the built objects call only downwards, with no circle between files" 0 \
		sh "$LAYERS" "$REPO/src" "$REPO/build/san"
else
	skip "build/san has no objects (make build/san/ndkms)"
fi

# planted: an upward include (util including core)
cp -r "$REPO/src" "$W/up"
printf '#include "core/ctx.h"\n' >>"$W/up/util/log.h"
expect_rc "an upward include fails the check" 1 sh "$LAYERS" "$W/up"
expect_out "... naming the include and the rule" \
	"util/log.h includes core/ctx.h: upward (util may not use core)"

# planted: conf including depmod (one layer up)
cp -r "$REPO/src" "$W/up2"
printf '#include "depmod/depmod.h"\n' >>"$W/up2/conf/eval.h"
expect_rc "conf including depmod fails" 1 sh "$LAYERS" "$W/up2"
expect_out "... as upward" "conf/eval.h includes depmod/depmod.h: upward"

# planted: two headers of one folder including each other
cp -r "$REPO/src" "$W/circle"
printf '#include "util/strbuf.h"\n' >>"$W/circle/util/strv.h"
printf '#include "util/strv.h"\n' >>"$W/circle/util/strbuf.h"
expect_rc "an include circle between two files fails" 1 sh "$LAYERS" "$W/circle"
check "... and shows the circle" grep -qE \
	'^circle \(includes\): util/(strbuf.h -> util/strv.h -> util/strbuf.h|strv.h -> util/strbuf.h -> util/strv.h)$' "$OUT"

# planted: the peer folders kabi and sign including each other
cp -r "$REPO/src" "$W/peers"
printf '#include "sign/keys.h"\n' >>"$W/peers/kabi/symtab.h"
printf '#include "kabi/symvers.h"\n' >>"$W/peers/sign/mok.h"
expect_rc "two folders of one layer including each other fail" 1 sh "$LAYERS" "$W/peers"
expect_out "... as a folder circle" "circle (folders):"
expect_out "... through kabi and sign" "kabi -> sign"

# planted: an include of a file that does not exist under src/
cp -r "$REPO/src" "$W/missing"
printf '#include "core/nosuch.h"\n' >>"$W/missing/core/ctx.h"
expect_rc "an include of a missing file fails" 1 sh "$LAYERS" "$W/missing"
expect_out "... naming it" "core/ctx.h includes core/nosuch.h: no such file under src/"

# planted: core reading the command line's module instead of its target
cp -r "$REPO/src" "$W/opt"
printf 'static const char *m(const struct ndkms_ctx *ctx) { return ctx->opt.module; }\n' \
	>>"$W/opt/core/state.c"
expect_rc "core reading ctx->opt.module fails" 1 sh "$LAYERS" "$W/opt"
expect_out "... naming the file and the rule" \
	"reads the command line's module or version: only cmd/ may"
check "... at the planted line" grep -q "^core/state.c:$(wc -l <"$W/opt/core/state.c") " "$OUT"

# planted: a dkms exit status chosen in core, and one in util's header
cp -r "$REPO/src" "$W/exit"
printf 'static inline int planted(void) { return DKMS_EXIT(6); }\n' >>"$W/exit/core/lock.h"
printf '#define PLANTED DKMS_EXIT(1)\n' >>"$W/exit/util/errors.h"
expect_rc "DKMS_EXIT below the command layer fails" 1 sh "$LAYERS" "$W/exit"
expect_out "... naming the file and line" "core/lock.h:$(wc -l <"$W/exit/core/lock.h") uses DKMS_EXIT"
expect_out "... in util too" "util/errors.h:$(wc -l <"$W/exit/util/errors.h") uses DKMS_EXIT"
printf '#define PLANTED DKMS_EXIT(1)\n' >>"$W/exit/cmd/exitcode.h"
printf 'static int planted(void) { return DKMS_EXIT(2); }\n' >>"$W/exit/main.c"
expect_rc "... still, with more of it in cmd/ and main.c" 1 sh "$LAYERS" "$W/exit"
check "... where it is allowed" sh -c "! grep -q '^cmd/\|^main\.c' '$OUT'"

# planted objects: two conf files calling each other, a util file calling into core
mkdir -p "$W/cs/conf" "$W/cs/util" "$W/cs/core" "$W/co/conf" "$W/co/util" "$W/co/core"
printf 'int pa(int);\nint pb(int x) { return x ? pa(x - 1) : 0; }\n' >"$W/cs/conf/b.c"
printf 'int pb(int);\nint pa(int x) { return x ? pb(x - 1) : 1; }\n' >"$W/cs/conf/a.c"
printf 'int pc(void);\nint pu(void) { return pc(); }\n' >"$W/cs/util/u.c"
printf 'int pc(void) { return 3; }\n' >"$W/cs/core/c.c"
for f in conf/a conf/b util/u core/c; do
	cc -c -o "$W/co/$f.o" "$W/cs/$f.c" || notok "compiling the planted $f.c"
done
expect_rc "objects calling each other fail" 1 sh "$LAYERS" "$W/cs" "$W/co"
check "... as a circle between the files" grep -qE \
	'^circle \(calls\): conf/(a.c -> conf/b.c -> conf/a.c|b.c -> conf/a.c -> conf/b.c)$' "$OUT"
expect_out "... and an upward call is named with its symbol" \
	"util/u.c calls core/c.c (pc): upward (util may not use core)"
rm -f "$W/co/conf/b.o"
printf 'int pb(int x) { return x; }\n' >"$W/cs/conf/b.c"
cc -c -o "$W/co/conf/b.o" "$W/cs/conf/b.c"
rm -f "$W/co/util/u.o"
expect_rc "the same objects without the back call pass" 0 sh "$LAYERS" "$W/cs" "$W/co"
done_testing

#!/bin/sh
# t-harness.sh - the test harness itself: no assertion in test/**/*.sh whose condition runs outside
# it (`check D [ A ] && [ B ]` asserts A only; `check D cmd >/dev/null` hides the TAP line), and
# test/run.sh counts skips, missing plans, short runs and non-zero exits as it says.
. "$(dirname "$0")/../lib.sh"
W=$(mktemp -d "$TMPROOT/harness.XXXXXX")
trap 'rm -rf "$W"; cleanup' EXIT

# tap_scan FILE...: "FILE:LINE: text" for each assertion (check, expect_rc, expect_out,
# expect_no_out, ok, notok, skip) followed, outside quotes and $(...), by &&, ||, |, &, a
# redirection of its standard output, or by "; CMD" where CMD is not another assertion or a
# keyword.  Here-documents and comments are skipped.
tap_scan() {
	awk '
	function isassert(w) { return w ~ /^(check|expect_rc|expect_out|expect_no_out|ok|notok|skip)$/ }
	function iskw(w) { return w ~ /^(if|then|else|elif|fi|do|done|while|until|esac|!|\{|\}|;;)$/ }
	function flag(why) { if (!flagged) print FILENAME ":" start ": " why ": " logical; flagged = 1 }
	# the end of a word at the top level
	function endword() {
		if (word == "") return
		if (after_semi) {
			after_semi = 0
			if (!isassert(word) && !iskw(word) && word !~ /^(done_testing|exit|return|break|continue)$/)
				flag("a command after \"; \" on the line of an assertion")
		}
		if (cmdstart) {
			if (word ~ /^[A-Za-z_][A-Za-z0-9_]*=/ || iskw(word)) { word = ""; return }
			if (isassert(word)) inassert = 1
			cmdstart = 0
		}
		word = ""
	}
	FNR == 1 { heredoc = "" }
	heredoc != "" {
		l = $0
		if (hdtabs) sub(/^\t+/, "", l)
		if (l == heredoc) heredoc = ""
		next
	}
	{
		if (!cont) { logical = ""; start = FNR; top = 0; cmdstart = 1; inassert = 0; flagged = 0
			word = ""; after_semi = 0; pending = "" }
		line = $0
		cont = 0
		if (line ~ /\\$/ && line !~ /\\\\$/ && (top == 0 || st[top] != "S")) {
			cont = 1
			line = substr(line, 1, length(line) - 1)
		}
		logical = logical (logical == "" ? "" : " ") line
		n = length(line)
		for (i = 1; i <= n; i++) {
			c = substr(line, i, 1)
			ctx = top > 0 ? st[top] : "T"
			if (ctx == "S") { if (c == "\047") top--; continue }
			if (c == "\\") { i++; if (ctx == "T") word = word "x"; continue }
			if (ctx == "D") {
				if (c == "\"") top--
				else if (c == "$" && substr(line, i + 1, 1) == "(") { st[++top] = "C"; i++ }
				else if (c == "`") st[++top] = "B"
				continue
			}
			if (ctx == "B") { if (c == "`") top--; continue }
			# top level or inside $(...)
			if (c == "\047") { st[++top] = "S"; if (ctx == "T") word = word "q"; continue }
			if (c == "\"") { st[++top] = "D"; if (ctx == "T") word = word "q"; continue }
			if (c == "`") { st[++top] = "B"; continue }
			if (c == "$" && substr(line, i + 1, 1) == "(") { st[++top] = "C"; i++; if (ctx == "T") word = word "v"; continue }
			if (ctx == "C") {
				if (c == "(") st[++top] = "C"
				else if (c == ")") top--
				continue
			}
			if (c == "#" && word == "") break
			if (c == " " || c == "\t") { endword(); continue }
			if (c == "<" && substr(line, i + 1, 1) == "<") {
				endword()
				rest = substr(line, i + 2)
				hdtabs = (rest ~ /^-/)
				sub(/^-/, "", rest)
				if (match(rest, /^[ \t]*[\047"]?[A-Za-z_][A-Za-z0-9_]*/)) {
					d = substr(rest, RSTART, RLENGTH)
					gsub(/[ \t\047"]/, "", d)
					pending = d
				}
				i++
				continue
			}
			if (c == ">") {
				prev = word
				endword()
				if (inassert && prev != "2" && prev != "") flag("a redirection of an assertion")
				else if (inassert && prev == "" && substr(line, i - 1, 1) != "2") flag("a redirection of the output of an assertion")
				continue
			}
			if (c == ";" || c == "&" || c == "|") {
				endword()
				two = substr(line, i, 2)
				if (two == ";;") { i++; cmdstart = 1; inassert = 0; continue }
				if (two == "&&" || two == "||") i++
				if (inassert) {
					if (c == ";") after_semi = 1
					else if (two == "&&" || two == "||") flag("\"" two "\" after an assertion")
					else if (c == "&" && substr(line, i - 1, 1) != ">") flag("an assertion run in the background")
					else if (c == "|") flag("the output of an assertion piped away")
				}
				cmdstart = 1
				inassert = 0
				continue
			}
			if (c == "(" || c == ")") { endword(); cmdstart = 1; inassert = 0; continue }
			word = word c
		}
		if (top > 0) cont = 1	# a quoted string or $(...) goes on
		else if (cont) endword()
		if (!cont) {
			endword()
			after_semi = 0
			if (pending != "") { heredoc = pending; pending = "" }
		}
	}' "$@"
}

# 1. no such assertion anywhere in the tests
find "$REPO/test" -name '*.sh' | LC_ALL=C sort >"$W/files"
# shellcheck disable=SC2046
tap_scan $(cat "$W/files") >"$W/found"
check "every assertion in test/**/*.sh ($(wc -l <"$W/files") files) runs its whole condition" \
	[ ! -s "$W/found" ]
sed 's/^/# /' "$W/found"

# 2. the scanner finds each planted pattern, and leaves the correct forms alone
cat >"$W/planted.sh" <<'EOF'
check "and" [ -e /a ] && [ -e /b ]
check "or" [ -e /a ] || [ -e /b ]
check "pipe" grep -q x /etc/hostname | cat
	check "indented" [ -f "$B/x" ] &&
		[ ! -e "$B/y" ]
check "continued" [ -f "$(ls "$W" | head -n 1)" ] \
	&& true
WMOPT=--add-modules expect_rc "assignment first" 0 wm a && true
check "redirected" grep -q x /etc/hostname >/dev/null
check "semicolon" [ -e /a ]; [ -e /b ]
EOF
tap_scan "$W/planted.sh" >"$W/planted.found"
for l in 1 2 3 4 6 8 9 10; do
	check "planted pattern on line $l found" grep -q "^$W/planted.sh:$l: " "$W/planted.found"
done
sed 's/^/# /' "$W/planted.found"
cat >"$W/fine.sh" <<'EOF'
check "sh -c" sh -c "[ -e /a ] && [ -e /b ] || echo '|' ; true"
check "two" [ -e /a ]
check "substitution" [ "$(ls -A "$W" | wc -l)" = 0 ]
check "stderr away" grep -q x /etc/hostname 2>/dev/null
if [ -e /a ]; then check "then" [ -e /b ]; else skip "no /a"; fi
expect_rc "here-document" 0 cat <<IN
check "inside a here-document" [ a ] && [ b ]
IN
[ -n "$x" ] && check "guarded" [ -e /c ]
check "comment" [ -e /a ] # && not code
case $x in a) check "case" [ -e /a ] ;; esac
for v in 1 2; do check "loop $v" [ -e /a ]; done
EOF
tap_scan "$W/fine.sh" >"$W/fine.found"
check "correct forms are not flagged" [ ! -s "$W/fine.found" ]
sed 's/^/# /' "$W/fine.found"

# 3. run.sh: skips counted and listed, a missing plan, a short run and a non-zero exit fail
mkdir -p "$W/r/test/integration" "$W/r/build"
cp "$REPO/test/run.sh" "$W/r/test/run.sh"
t() { cat >"$W/r/test/integration/t-$1.sh"; }
t good <<'EOF'
echo "ok 1 - a"
echo "ok 2 # SKIP no frobnicator"
echo "1..2"
EOF
t all <<'EOF'
echo "1..0 # SKIP no kernel headers installed"
EOF
(cd "$W/r" && env -u TESTS -u TEST_RESULTS sh test/run.sh) >"$W/run1" 2>&1
rc1=$?
check "passing and skipped: exit 0" [ "$rc1" = 0 ]
check "final line counts the skips apart" [ "$(tail -n 1 "$W/run1")" = "1 passed, 0 failed, 2 skipped" ]
check "the skipped assertion is listed with its reason" \
	grep -qx "   test/integration/t-good.sh (2): no frobnicator" "$W/run1"
check "the skipped test is listed with its reason" \
	grep -qx "   test/integration/t-all.sh: no kernel headers installed" "$W/run1"
t noplan <<'EOF'
echo "ok 1 - a"
EOF
t short <<'EOF'
echo "ok 1 - a"
echo "1..3"
EOF
t exit <<'EOF'
echo "ok 1 - a"
echo "1..1"
exit 3
EOF
t silent <<'EOF'
exit 0
EOF
(cd "$W/r" && env -u TESTS -u TEST_RESULTS sh test/run.sh) >"$W/run2" 2>&1
rc2=$?
check "failures make run.sh fail" [ "$rc2" = 1 ]
check "each bad test counts one failure" [ "$(tail -n 1 "$W/run2")" = "4 passed, 4 failed, 2 skipped" ]
check "a missing plan is named" grep -q "t-noplan.sh printed no plan" "$W/run2"
check "a short run is named" grep -q "t-short.sh planned 3 results, printed 1" "$W/run2"
check "a non-zero exit is named" grep -q "t-exit.sh exited with status 3" "$W/run2"
check "a silent test is a failure" grep -q "t-silent.sh printed no plan" "$W/run2"

# 4. lib.sh: skip and skip_all in TAP, host_unchanged sees a change
lib() { env -u HOST_SNAP -u HOST_SNAP_OWNER REPO="$REPO" sh -c ". '$REPO/test/lib.sh'; $1"; }
lib "ok a; skip 'no b'; done_testing" >"$W/lib1" 2>&1
check "skip prints an ok line with the SKIP directive" grep -qx "ok 2 # SKIP no b" "$W/lib1"
check "done_testing prints the plan" grep -qx "1..2" "$W/lib1"
lib "skip_all 'no c'; ok never" >"$W/lib2" 2>&1
check "skip_all prints the 1..0 plan with the SKIP directive and stops" [ "$(cat "$W/lib2")" = "1..0 # SKIP no c" ]
mkdir -p "$W/h"
HOST_PATHS=$W/h lib "host_unchanged && touch '$W/h/new' && ! host_unchanged" >"$W/lib3" 2>&1
check "host_unchanged: true before, false after a change" [ "$?" = 0 ]
check "host_unchanged shows what changed" grep -q "^# host changed: > f .*$W/h/new" "$W/lib3"
done_testing

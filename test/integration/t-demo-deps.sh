#!/bin/sh
# t-demo-deps.sh - every external command test/demo.sh runs comes from a package that `make demo`
# installs (test/deps.sh's demo set) or from the base system a fresh Debian 12 has (debootstrap
# minbase: Essential and Priority: required packages).  Packages are found with dpkg -S.
. "$(dirname "$0")/../lib.sh"
command -v dpkg >/dev/null || skip_all "dpkg is not installed (not a Debian system)"
W=$(mktemp -d "$TMPROOT/demo-deps.XXXXXX")
trap 'rm -rf "$W"; cleanup' EXIT

# commands FILE: the first word of every simple command in a shell script (after assignments
# and keywords; also inside $(...) and after |, &&, ||, ;), minus builtins and its functions.
commands() {
	awk '
	BEGIN {
		split("if then else elif fi do done while until esac ! { }", k, " ")
		for (i in k) kw[k[i]] = 1
		split(". : [ alias break cd command continue echo eval exec exit export false getopts " \
			"hash local printf pwd read readonly return set shift test times trap true type " \
			"ulimit umask unalias unset wait", b, " ")
		for (i in b) builtin[b[i]] = 1
		top = 0; ctx[0] = "T"; cs[0] = 1; wd[0] = ""; skip[0] = ""
	}
	# the end of a word in a command context
	function endword(w) {
		w = wd[top]; wd[top] = ""
		if (w == "") return
		if (redir) { redir = 0; return }
		if (skip[top] != "") { if (w == skip[top]) { skip[top] = ""; cs[top] = 1 } ; return }
		if (!cs[top]) return
		if (w ~ /^[A-Za-z_][A-Za-z0-9_]*=/ || w in kw) return
		if (w == "for") { skip[top] = "do"; return }
		if (w == "case") { skip[top] = "in"; return }
		if (w ~ /^[A-Za-z_][A-Za-z0-9_]*\(\)$/) { sub(/\(\)$/, "", w); func_[w] = 1; return }
		cs[top] = 0
		if (w !~ /^[q$]/) cmd[w] = 1
	}
	function push(c) { top++; ctx[top] = c; cs[top] = 1; wd[top] = ""; skip[top] = "" }
	{
		line = $0
		n = length(line)
		for (i = 1; i <= n; i++) {
			c = substr(line, i, 1)
			x = ctx[top]
			if (x == "S") { if (c == "\047") top--; continue }
			if (x == "A") {	# $(( arithmetic ))
				if (c == "(") depth[top]++
				else if (c == ")" && --depth[top] == 0) top--
				continue
			}
			if (c == "$" && substr(line, i + 1, 2) == "((") {
				if (x != "D") wd[top] = wd[top] "$"
				top++; ctx[top] = "A"; depth[top] = 2; i += 2; continue
			}
			if (c == "\\") { i++; if (x != "D") wd[top] = wd[top] "e"; continue }
			if (x == "D") {
				if (c == "\"") top--
				else if (c == "$" && substr(line, i + 1, 1) == "(") { i++; push("C") }
				continue
			}
			if (c == "\047") { wd[top] = wd[top] "q"; top++; ctx[top] = "S"; continue }
			if (c == "\"") { wd[top] = wd[top] "q"; top++; ctx[top] = "D"; continue }
			if (c == "$" && substr(line, i + 1, 1) == "(") { wd[top] = wd[top] "$"; i++; push("C"); continue }
			if (c == "#" && wd[top] == "") break
			if (c == " " || c == "\t") { endword(); continue }
			if (c == "(" && substr(line, i + 1, 1) == ")" && wd[top] ~ /^[A-Za-z_][A-Za-z0-9_]*$/) {
				func_[wd[top]] = 1; wd[top] = ""; i++; continue	# a function definition
			}
			if (c == ")" && x == "C") { endword(); top--; continue }
			if (c == ";" || c == "&" || c == "|" || c == "(" || c == ")") {
				endword(); if (skip[top] == "do" || skip[top] == "") { skip[top] = ""; cs[top] = 1 }
				continue
			}
			if (c == "<" || c == ">") {	# a redirection: its fd and target are no command
				if (wd[top] ~ /^[0-9]+$/) wd[top] = ""
				endword()
				while (substr(line, i + 1, 1) ~ /[<>&]/) i++
				redir = 1
				continue
			}
			wd[top] = wd[top] c
		}
		if (ctx[top] == "T" || ctx[top] == "C") { endword(); if (skip[top] != "in") cs[top] = 1 }
	}
	END { for (c in cmd) if (!(c in builtin) && !(c in func_)) print c }
	' "$1" | LC_ALL=C sort
}

# package CMD: the Debian package shipping CMD, or nothing
package() {
	case $1 in
	/*) p=$1 ;;
	*) p=$(command -v "$1") || return 1 ;;
	esac
	for f in "$p" "$(readlink -f "$p")" "/usr${p#/usr}" "${p#/usr}"; do
		dpkg -S "$f" 2>/dev/null | sed -n 's/^\([^:,]*\)\(:[a-z0-9]*\)\{0,1\}: .*/\1/p' | head -n 1 | grep . &&
			return 0
	done
	return 1
}

# base PKG: part of every Debian 12 (Essential, or Priority: required)
base() {
	[ "$(dpkg-query -W -f '${Essential}' "$1" 2>/dev/null)" = yes ] ||
		[ "$(dpkg-query -W -f '${Priority}' "$1" 2>/dev/null)" = required ]
}

# uncovered SCRIPT DEPS: one line per command of SCRIPT not covered by the package list DEPS
uncovered() {
	commands "$1" | while read -r c; do
		case $c in ./build/ndkms) continue ;; esac	# what make demo builds
		pkg=$(package "$c") || { echo "$c: no package provides it"; continue; }
		grep -qx "$pkg" "$2" && continue
		base "$pkg" && continue
		echo "$c: from $pkg, which the demo's dependencies do not install"
	done
}

sh "$REPO/test/deps.sh" list demo >"$W/demo.pkgs"
commands "$REPO/test/demo.sh" >"$W/cmds"
echo "# demo.sh runs: $(tr '\n' ' ' <"$W/cmds")"
check "the commands of demo.sh are found (modinfo among them)" grep -qx /sbin/modinfo "$W/cmds"
check "the demo builds and runs ndkms" grep -qx ./build/ndkms "$W/cmds"
uncovered "$REPO/test/demo.sh" "$W/demo.pkgs" >"$W/missing"
check "every external command of demo.sh is installed by make demo's dependencies" [ ! -s "$W/missing" ]
sed 's/^/# /' "$W/missing"

# the check can fail: without kmod in the list, modinfo is named
grep -vx kmod "$W/demo.pkgs" >"$W/nokmod.pkgs"
uncovered "$REPO/test/demo.sh" "$W/nokmod.pkgs" >"$W/missing2"
check "a list without kmod is caught (modinfo)" grep -q "^/sbin/modinfo: from kmod," "$W/missing2"
# and a command no package provides, or one outside the list, in a planted script
printf '#!/bin/sh\nx=$(no-such-tool-ndkms --v | sort)\nif true; then rpm -q x; fi\n' >"$W/planted.sh"
uncovered "$W/planted.sh" "$W/demo.pkgs" >"$W/missing3"
check "a command nothing provides is caught" grep -q "^no-such-tool-ndkms: no package provides it" "$W/missing3"
if command -v rpm >/dev/null; then
	check "a command from a package outside the list is caught" grep -q "^rpm: from rpm," "$W/missing3"
else
	skip "rpm is not installed: a command from a package outside the list"
fi
check "base-system commands are not reported (sort)" sh -c "! grep -q '^sort:' '$W/missing3'"
done_testing

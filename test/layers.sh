#!/bin/sh
# layers.sh - check the layer rule of src/: util < conf < depmod < kabi/sign/pkg < core < cmd < main.c.
# usage: test/layers.sh SRCDIR [OBJDIR]
# Over the #include lines of SRCDIR: no file includes a header of a higher layer, the folders
# of one layer (kabi, sign, pkg) include each other at most one way, and no include circle.
# Over the objects in OBJDIR (when given): the same for calls, from the symbols each object
# defines and uses (nm), and no circle between files: a .c file that calls into another never
# is called back by it, directly or round a longer loop.
# Below cmd/, no file reads the command line's module or version (ctx->opt.module/version).
# Over the sources: dkms exit statuses are chosen in cmd/ and main.c only (DKMS_EXIT appears
# nowhere else; the layers below return -errno or an error kind of util/errors.h).
# Prints one line per violation; exits 1 if there is any.
LC_ALL=C
export LC_ALL
src=${1:?usage: layers.sh SRCDIR [OBJDIR]}
obj=${2:-}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# Edges "FROM TO", paths relative to SRCDIR: includes first ...
(cd "$src" && find . -name '*.[ch]' | sed 's|^\./||' | sort) >"$tmp/files"
while read -r f; do
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$src/$f" |
		while read -r inc; do
			if [ -f "$src/$inc" ]; then
				echo "$f $inc"
			else
				echo "$f !$inc"
			fi
		done
done <"$tmp/files" >"$tmp/inc"

# ... then calls: FROM uses a symbol TO defines.
: >"$tmp/call"
if [ -n "$obj" ]; then
	(cd "$obj" && find . -name '*.o' | sed 's|^\./||' | sort) | while read -r o; do
		nm "$obj/$o" | awk -v f="${o%.o}.c" '
			NF == 3 && $2 ~ /^[TDBR]$/ { print "D", $3, f }
			NF == 2 && $1 == "U" { print "U", $2, f }'
	done >"$tmp/syms"
	awk '$1 == "D" { def[$2] = $3 }
	     $1 == "U" && ($2 in def) && def[$2] != $3 { print $3, def[$2], $2 }' \
		"$tmp/syms" "$tmp/syms" | sort -u >"$tmp/call"
fi

awk -v incfile="$tmp/inc" -v callfile="$tmp/call" '
function layer(p,   d) {
	if (p == "main.c")
		return 7
	d = p
	sub(/\/.*/, "", d)
	return (d in rank) ? rank[d] : -1
}
function folder(p) {
	if (p !~ /\//)
		return p
	sub(/\/.*/, "", p)
	return p
}
# A circle through v in graph "g" (an edge list per node); prints it once.
function dfs(g, v,   n, i, w, j, path, nb) {
	color[g, v] = 1
	stack[++sp] = v
	n = split(adj[g, v], nb, " ")
	for (i = 1; i <= n; i++) {
		w = nb[i]
		if (w == "")
			continue
		if (color[g, w] == 1) {
			path = w
			for (j = sp; j >= 1 && stack[j] != w; j--)
				path = stack[j] " -> " path
			path = w " -> " path
			print "circle (" g "): " path
			bad = 1
		} else if (color[g, w] == 0) {
			dfs(g, w)
		}
	}
	sp--
	color[g, v] = 2
}
function edge(g, a, b,   i, v) {
	if (index(" " adj[g, a] " ", " " b " "))
		return
	adj[g, a] = adj[g, a] " " b
	for (i = 0; i < 2; i++) {
		v = i ? b : a
		if (!((g, v) in seen)) {
			seen[g, v] = 1
			order[++nn] = g SUBSEP v
		}
	}
}
function rule(kind, a, b, why) {
	la = layer(a)
	lb = layer(b)
	if (la < 0) {
		print a ": not in a layer folder"
		bad = 1
	} else if (lb < 0) {
		print a " " kind " " b ": not in a layer folder"
		bad = 1
	} else if (lb > la) {
		print a " " kind " " b why ": upward (" name[la] " may not use " name[lb] ")"
		bad = 1
	}
	if (folder(a) != folder(b))
		edge("folders", folder(a), folder(b))
}
BEGIN {
	rank["util"] = 1; rank["conf"] = 2; rank["depmod"] = 3
	rank["kabi"] = 4; rank["sign"] = 4; rank["pkg"] = 4
	rank["core"] = 5; rank["cmd"] = 6
	name[1] = "util"; name[2] = "conf"; name[3] = "depmod"; name[4] = "kabi/sign/pkg"
	name[5] = "core"; name[6] = "cmd"; name[7] = "main.c"
	while ((getline line < incfile) > 0) {
		split(line, e, " ")
		if (substr(e[2], 1, 1) == "!") {
			print e[1] " includes " substr(e[2], 2) ": no such file under src/"
			bad = 1
			continue
		}
		rule("includes", e[1], e[2], "")
		edge("includes", e[1], e[2])
	}
	while ((getline line < callfile) > 0) {
		split(line, e, " ")
		rule("calls", e[1], e[2], " (" e[3] ")")
		edge("calls", e[1], e[2])
	}
	for (i = 1; i <= nn; i++) {
		split(order[i], p, SUBSEP)
		if (color[p[1], p[2]] == 0)
			dfs(p[1], p[2])
	}
	exit bad
}'
rc=$?

# below_cmd PATTERN MESSAGE: every line of a file below cmd/ (and main.c) that matches PATTERN.
below_cmd() {
	while read -r f; do
		case $f in cmd/* | main.c) continue ;; esac
		grep -n "$1" "$src/$f" | while IFS=: read -r line _; do
			echo "$f:$line $2"
		done
	done <"$tmp/files" >"$tmp/below"
	[ -s "$tmp/below" ] || return 0
	cat "$tmp/below"
	rc=1
}
# Explicit targets: below the command layer nothing reads the command line's module or version;
# the command layer passes a struct target.
below_cmd 'opt\.\(module\|version\)\b' \
	"reads the command line's module or version: only cmd/ may (pass a target)"
# Exit statuses: only the command layer chooses dkms exit statuses; below it, code returns
# -errno or an error kind of util/errors.h.
below_cmd 'DKMS_EXIT' "uses DKMS_EXIT: only cmd/ and main.c choose dkms exit statuses"
exit $rc

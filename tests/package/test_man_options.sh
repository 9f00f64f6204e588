#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The man pages keep up with the programs: every long option a program's
# --help lists (ixgate-conf: also `export ixf --help`) is named in its man
# page source (doc/man/NAME.SECTION.scd), as a whole word (--trace is not
# found in --trace-stages); and every command of ixgatectl (its own list
# and the show commands of a running ixgate-control), ixgate-conf and
# ixgate-apitool starts a definition line of the page (*show counters*
# ...). A new option or command without documentation fails here.
# Usage: test_man_options.sh PROGRAM...   (meson passes the built ones)
set -u
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d)
CTLD_PID=
cleanup() {
	if [ -n "$CTLD_PID" ]; then
		kill "$CTLD_PID" 2>/dev/null
		wait "$CTLD_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

declare -A SECTION=([ixgate-dataplane]=8 [ixgate-control]=8 [ixgatectl]=8
	[ixgate-apitool]=8 [ixgate-gen]=8 [ixgate-conf]=1 [ixgate-mkconfig]=1
	[ixgate-pcapgen]=1)
[ $# -gt 0 ] || fail "usage: $0 PROGRAM..."

# help NAME OUTFILE CMD...: CMD's usage on stdout, exit 0, or fail.
help() {
	local name=$1 out=$2
	shift 2
	timeout 10 "$@" >"$out" 2>"$TMP/err" ||
		fail "$name: '${*:2}' exits $?: $(head -3 "$TMP/err")"
	[ -s "$out" ] || fail "$name: '${*:2}' printed nothing"
}

CTL=''
CTLD=''
for prog in "$@"; do
	name=$(basename "$prog")
	[ -n "${SECTION[$name]:-}" ] || fail "$name: no man page section known"
	[ -f "$SRC/doc/man/$name.${SECTION[$name]}.scd" ] ||
		fail "$name: no doc/man/$name.${SECTION[$name]}.scd"
	mkdir -p "$TMP/help/$name"
	case $name in
	ixgatectl)
		CTL=$prog
		# Without a daemon: the built-in list of show commands.
		help "$name" "$TMP/help/$name/builtin" "$prog" --socket "$TMP/none.sock" --help ;;
	ixgate-control)
		CTLD=$prog
		help "$name" "$TMP/help/$name/help" "$prog" --help ;;
	ixgate-conf)
		help "$name" "$TMP/help/$name/help" "$prog" --help
		help "$name" "$TMP/help/$name/export" "$prog" export ixf --help ;;
	*)
		help "$name" "$TMP/help/$name/help" "$prog" --help ;;
	esac
done

# ixgatectl --help with a daemon answering: the daemon's show commands.
if [ -n "$CTL" ] && [ -n "$CTLD" ]; then
	"$CTLD" --config "$SRC/config/demo.conf" --api-socket "$TMP/api.sock" \
		--ctl-socket "$TMP/ctl.sock" --state-dir "" \
		--metrics-listen none >"$TMP/ctld.out" 2>&1 &
	CTLD_PID=$!
	for _ in $(seq 100); do
		[ -S "$TMP/ctl.sock" ] && break
		kill -0 "$CTLD_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -S "$TMP/ctl.sock" ] ||
		fail "ixgate-control never served $TMP/ctl.sock: $(tail -5 "$TMP/ctld.out")"
	help ixgatectl "$TMP/help/ixgatectl/daemon" "$CTL" --socket "$TMP/ctl.sock" --help
	grep -q '^  show help ' "$TMP/help/ixgatectl/daemon" ||
		fail "ixgatectl --help did not print the daemon's show list"
	kill "$CTLD_PID"
	wait "$CTLD_PID" 2>/dev/null
	CTLD_PID=
fi

python3 - "$SRC/doc/man" "$TMP/help" <<'EOF'
import os
import re
import sys

man_dir, help_dir = sys.argv[1], sys.argv[2]
SECTION = {"ixgate-dataplane": 8, "ixgate-control": 8, "ixgatectl": 8,
           "ixgate-apitool": 8, "ixgate-gen": 8, "ixgate-conf": 1,
           "ixgate-mkconfig": 1, "ixgate-pcapgen": 1}
OPT = re.compile(r"(?<![A-Za-z0-9_-])--[a-z0-9][a-z0-9-]*")
WORD = re.compile(r"[a-z][a-z0-9-]*$")


def name_of(syntax):
    """Leading lowercase words of 'matrix peers [--top N|--all]'."""
    words = []
    for w in syntax.split():
        if not WORD.match(w):
            break
        words.append(w)
    return " ".join(words)


def entries(lines):
    """Two-space-indented entries of a usage, continuations joined."""
    out = []
    for ln in lines:
        if re.match(r"  [a-z]", ln):
            out.append(ln.strip())
        elif re.match(r"   +\S", ln) and out:
            out[-1] += " " + ln.strip()
        else:
            break
    return out


def commands(name, kind, text):
    lines = text.splitlines()
    if name == "ixgate-conf":
        return sorted({name_of(m.group(1)) for m in
                       re.finditer(r"(?m)^(?:usage:)?\s*ixgate-conf (\w.*)$",
                                   text)} - {""})
    if name == "ixgate-apitool":
        return [name_of(e) for e in entries(lines[1:])]
    if name == "ixgatectl":
        i = lines.index("commands:") + 1
        found = []
        for e in entries(lines[i:]):
            syntax = re.split(r"\s{2,}", e)[0]
            if syntax.startswith("show ") and " | " in syntax:
                # ixgatectl's own list: show a | b NAME | c ...
                found += ["show " + name_of(a)
                          for a in syntax[5:].split("|") if name_of(a)]
            else:
                found.append(name_of(syntax))
        return found
    return []


failures = 0
checked_opts = checked_cmds = 0
for name in sorted(os.listdir(help_dir)):
    page = "%s.%d.scd" % (name, SECTION[name])
    src = open(os.path.join(man_dir, page), encoding="utf-8").read()
    defs = [ln for ln in src.splitlines() if ln.startswith("*")]
    opts, cmds = set(), []
    for kind in sorted(os.listdir(os.path.join(help_dir, name))):
        text = open(os.path.join(help_dir, name, kind)).read()
        opts |= set(OPT.findall(text))
        cmds += commands(name, kind, text)
    if name in ("ixgatectl", "ixgate-conf", "ixgate-apitool") and not cmds:
        print("FAIL: %s: no commands found in its --help" % name)
        failures += 1
    for o in sorted(opts):
        checked_opts += 1
        if not re.search(r"(?<![A-Za-z0-9-])%s(?![A-Za-z0-9-])"
                         % re.escape(o), src):
            print("FAIL: %s --help lists %s; doc/man/%s does not name it"
                  % (name, o, page))
            failures += 1
    for c in sorted(set(cmds)):
        checked_cmds += 1
        want = re.compile(r"^\*%s\*(\s|$)" % re.escape(c))
        if not any(want.match(d) for d in defs):
            print("FAIL: %s --help lists the command '%s'; doc/man/%s has "
                  "no definition line '*%s*'" % (name, c, page, c))
            failures += 1
if failures:
    sys.exit(1)
print("ok: %d options and %d commands of %d programs, each in its man page"
      % (checked_opts, checked_cmds, len(os.listdir(help_dir))))
EOF

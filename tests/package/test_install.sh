#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# `meson install --destdir` puts every piece of a server install where the
# build's paths say, and each piece works:
# - the programs (each answers --version), one man page per program plus
#   ixgate.conf(5), both systemd units, the default file, tmpfiles.d,
#   logrotate, bash completion, the example config and the docs;
# - the installed example config passes `ixgate-conf check`; a second
#   install keeps an edited config;
# - no @VAR@ left anywhere; every path a unit, the tmpfiles entry or a man
#   page's FILES section names is installed (or is made at run time);
# - `systemd-analyze verify` accepts both units (binaries at their
#   DESTDIR paths), and `systemd-analyze security --offline` rates them;
# - systemd-tmpfiles creates the runtime and log directories (modes);
# - logrotate parses its file; man renders every page without warnings;
# - bash completion completes commands, show views and, from a running
#   ixgate-control, peer names.
# systemd is not PID 1 here: starting the units is not tested (see
# test_daemons_systemd.sh for what they rely on: READY=1, log format).
. "$SRC/tests/integration/lib.sh"
command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed"

DEST=$TMP/dest
meson install -C "$BUILD" --destdir "$DEST" --no-rebuild --quiet >"$TMP/install.log" 2>&1 ||
	{ cat "$TMP/install.log"; fail "meson install failed"; }

# The build's paths, as meson resolved them.
eval "$(python3 - "$BUILD" <<'PY'
import json, subprocess, sys
opts = {o["name"]: o["value"] for o in json.loads(subprocess.check_output(
    ["meson", "introspect", "--buildoptions", sys.argv[1]]))}
p = opts["prefix"]
j = lambda *a: __import__("os").path.join(*a)
print("PREFIX=%s" % p)
print("BINDIR=%s" % j(p, opts["bindir"]))
print("SYSCONFDIR=%s" % j(p, opts["sysconfdir"]))
print("MANDIR=%s" % j(p, opts["mandir"]))
print("RUNDIR=%s" % opts["rundir"])
print("LOGDIR=%s" % j(p, opts["localstatedir"], "log", "ixgate"))
print("STATEDIR=%s" % j(p, opts["localstatedir"], "lib", "ixgate"))
PY
)"
UNITDIR=$(dirname "$(cd "$DEST" && find . -name ixgate-control.service | head -1 | sed 's|^\.||')")
[ -n "$UNITDIR" ] || fail "no ixgate-control.service installed"
log "prefix $PREFIX, units in $UNITDIR, config in $SYSCONFDIR/ixgate, logs in $LOGDIR"

(cd "$DEST" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort) >"$TMP/files"
log "installed $(wc -l <"$TMP/files") files"

# ---- every piece is there --------------------------------------------
PROGRAMS="ixgate-dataplane ixgate-control ixgatectl ixgate-conf ixgate-pcapgen ixgate-gen ixgate-apitool ixgate-mkconfig"
declare -A SECTION=([ixgate-dataplane]=8 [ixgate-control]=8 [ixgatectl]=8
	[ixgate-apitool]=8 [ixgate-gen]=8 [ixgate-conf]=1 [ixgate-mkconfig]=1
	[ixgate-pcapgen]=1)
want=()
for p in $PROGRAMS; do
	want+=("$BINDIR/$p" "$MANDIR/man${SECTION[$p]}/$p.${SECTION[$p]}")
done
want+=("$MANDIR/man5/ixgate.conf.5"
	"$UNITDIR/ixgate-dataplane.service" "$UNITDIR/ixgate-control.service"
	"$SYSCONFDIR/default/ixgate" "$SYSCONFDIR/logrotate.d/ixgate"
	"$SYSCONFDIR/ixgate/ixgate.conf" "$SYSCONFDIR/ixgate/data/as7473.txt")
for f in "${want[@]}"; do
	grep -qxF "$f" "$TMP/files" || fail "not installed: $f"
done
TMPFILES=$(grep '/tmpfiles.d/ixgate.conf$' "$TMP/files") || fail "no tmpfiles.d/ixgate.conf"
COMPL=$(grep '/completions/ixgatectl$' "$TMP/files") || fail "no bash completion"
grep -q '/completions/ixgate-conf$' "$TMP/files" || fail "no ixgate-conf completion"
grep -q '/doc/ixgate/README.md$' "$TMP/files" || fail "no README.md in the docs"
grep -q '/doc/ixgate/examples/demo.conf$' "$TMP/files" || fail "no examples"
log "ok: ${#want[@]} expected files, tmpfiles.d, completion, docs"

# ---- programs --------------------------------------------------------
for p in $PROGRAMS; do
	v=$("$DEST$BINDIR/$p" --version) || fail "$p --version"
	[[ $v =~ ^$p\ [0-9.]+\ \(git\ .+\)$ ]] || fail "$p --version: $v"
done
log "ok: every installed program answers --version"
"$DEST$BINDIR/ixgate-conf" check "$DEST$SYSCONFDIR/ixgate/ixgate.conf" >"$TMP/check" 2>&1 ||
	{ cat "$TMP/check"; fail "installed example config does not check"; }
assert_contains "installed example config checks" "$TMP/check" '^configuration OK$'

# A second install keeps an edited config.
echo "# edited by the operator" >>"$DEST$SYSCONFDIR/ixgate/ixgate.conf"
meson install -C "$BUILD" --destdir "$DEST" --no-rebuild --quiet >/dev/null 2>&1 ||
	fail "second meson install failed"
tail -1 "$DEST$SYSCONFDIR/ixgate/ixgate.conf" | grep -q "edited by the operator" ||
	fail "a second install overwrote the config"
log "ok: a second install keeps the operator's config"

# ---- no unsubstituted variables; named paths exist --------------------
if grep -rlE '@[A-Z_]+@' "$DEST$UNITDIR" "$DEST$SYSCONFDIR/default" \
	"$DEST$SYSCONFDIR/logrotate.d" "$DEST$TMPFILES" "$DEST$MANDIR"; then
	fail "unsubstituted @VAR@ in the files above"
fi
# Paths made at run time (sockets, logs, DPDK's directory, hugetlbfs,
# the final counters) or by systemd (/dev/...), and tools of the system.
runtime_path() {
	case $1 in
	"$RUNDIR"/* | "$LOGDIR" | "$LOGDIR"/* | "$STATEDIR" | /dev/* | /mnt/huge | /proc/*) return 0 ;;
	esac
	return 1
}
check_paths() { # FILE [LABEL]: every absolute path in FILE exists in DEST
	local p n=0 label=${2:-$(basename "$1")}
	for p in $(grep -v '^#' "$1" | grep -oE '(^|[ =:"(_])/[A-Za-z0-9._/-]+' | sed 's/^[ =:"(_]//' | sort -u); do
		p=${p%.}
		p=${p%/}
		runtime_path "$p" && continue
		[ -e "$DEST$p" ] || [ -e "$p" ] || fail "$label names $p, which is not installed"
		n=$((n + 1))
	done
	log "ok: $label: $n paths, all installed"
}
for u in ixgate-dataplane.service ixgate-control.service; do
	check_paths "$DEST$UNITDIR/$u"
done
check_paths "$DEST$TMPFILES"
# Man pages: the FILES sections (roff source; paths are in \fI...\fR).
for m in $(grep "^$MANDIR/" "$TMP/files"); do
	sed -n '/^\.SH FILES/,/^\.SH /p' "$DEST$m" |
		sed 's/\\f[BIR]//g; s/\\-/-/g; s/\\&//g' >"$TMP/files-section"
	check_paths "$TMP/files-section" "man $(basename "$m"), FILES"
done

# ---- the units -------------------------------------------------------
mkdir -p "$TMP/units"
for u in ixgate-dataplane.service ixgate-control.service; do
	# The binaries at their DESTDIR paths, so verify finds them.
	sed "s|$BINDIR/|$DEST$BINDIR/|g" "$DEST$UNITDIR/$u" >"$TMP/units/$u"
done
systemd-analyze verify --man=no "$TMP/units/ixgate-dataplane.service" \
	"$TMP/units/ixgate-control.service" >"$TMP/verify" 2>&1 ||
	{ cat "$TMP/verify"; fail "systemd-analyze verify"; }
[ -s "$TMP/verify" ] && { cat "$TMP/verify"; fail "systemd-analyze verify printed warnings"; }
log "ok: systemd-analyze verify: both units"
for u in ixgate-dataplane ixgate-control; do
	grep -q '^Type=notify$' "$TMP/units/$u.service" || fail "$u: not Type=notify"
	grep -q '^RuntimeDirectoryPreserve=yes$' "$TMP/units/$u.service" ||
		fail "$u: the runtime directory would go with the unit"
	for d in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes; do
		grep -q "^$d$" "$TMP/units/$u.service" || fail "$u: no $d"
	done
	grep -q '^CapabilityBoundingSet=' "$TMP/units/$u.service" || fail "$u: no CapabilityBoundingSet"
	score=$(systemd-analyze security --offline=yes "$TMP/units/$u.service" 2>&1 |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	[ -n "$score" ] || fail "$u: no exposure score"
	log "ok: $u: systemd-analyze security exposure $score (0 safest, 10 unsafe)"
done
grep -q '^After=ixgate-dataplane.service$' "$TMP/units/ixgate-control.service" &&
	grep -q '^Wants=ixgate-dataplane.service$' "$TMP/units/ixgate-control.service" ||
	fail "control unit not ordered after the dataplane"
# The sockets both units name are the ones the daemons and ixgatectl use
# by default (so ixgatectl needs no --socket on an installed node).
grep -q -- "--api-socket $RUNDIR/ixgate/dataplane.sock" "$TMP/units/ixgate-dataplane.service" ||
	fail "dataplane unit: API socket"
grep -q -- "--api-socket $RUNDIR/ixgate/dataplane.sock .*--ctl-socket $RUNDIR/ixgate/control.sock" \
	"$TMP/units/ixgate-control.service" || fail "control unit: sockets"
"$DEST$BINDIR/ixgatectl" --help | grep -q "default socket: $RUNDIR/ixgate/control.sock" ||
	fail "ixgatectl's default socket is not the unit's"

# ---- tmpfiles.d: the directories and their modes ----------------------
ROOT=$TMP/root
mkdir -p "$ROOT/etc"
grep -E '^(root|adm):' /etc/group >"$ROOT/etc/group"
grep -E '^root:' /etc/passwd >"$ROOT/etc/passwd"
systemd-tmpfiles --create --root="$ROOT" "$DEST$TMPFILES" ||
	fail "systemd-tmpfiles --create"
assert_eq "runtime directory mode" "755 root root" "$(stat -c '%a %U %G' "$ROOT$RUNDIR/ixgate")"
assert_eq "log directory mode" "750 root adm" "$(stat -c '%a %U %G' "$ROOT$LOGDIR")"
assert_eq "state directory mode" "750 root root" "$(stat -c '%a %U %G' "$ROOT$STATEDIR")"

# ---- logrotate -------------------------------------------------------
if command -v logrotate >/dev/null; then
	logrotate -d -s "$TMP/logrotate.state" "$DEST$SYSCONFDIR/logrotate.d/ixgate" \
		>"$TMP/logrotate.out" 2>&1 || { cat "$TMP/logrotate.out"; fail "logrotate -d"; }
	grep -qi "error" "$TMP/logrotate.out" && { cat "$TMP/logrotate.out"; fail "logrotate errors"; }
	assert_contains "logrotate rotates the audit log" "$TMP/logrotate.out" "$LOGDIR/audit.log"
fi

# ---- man pages -------------------------------------------------------
for m in $(grep "^$MANDIR/" "$TMP/files"); do
	page=$(basename "$m")
	MANWIDTH=80 man --warnings -l "$DEST$m" >"$TMP/man.out" 2>"$TMP/man.err" ||
		fail "man $page"
	[ -s "$TMP/man.err" ] && { cat "$TMP/man.err"; fail "man $page: warnings"; }
	name=${page%.*}
	grep -q "^NAME" "$TMP/man.out" && grep -A1 "^NAME" "$TMP/man.out" | grep -q "$name - " ||
		fail "man $page: NAME section"
done
log "ok: $(grep -c "^$MANDIR/" "$TMP/files") man pages render without warnings"

# ---- bash completion ---------------------------------------------------
complete_words() { # LINE: what bash completion offers for LINE
	bash --norc -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"
		PATH=$2:$PATH
		COMP_LINE=$3
		read -ra COMP_WORDS <<<"$COMP_LINE"
		[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_POINT=${#COMP_LINE}
		_${COMP_WORDS[0]//-/_} "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
	' _ "$DEST$COMPL" "$DEST$BINDIR" "$1"
}
[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion not installed (rest passed)"
assert_eq "complete 'ixgatectl '" "check confirm reload rollback show " "$(complete_words 'ixgatectl ')"
assert_eq "complete 'ixgatectl show ma'" "matrix " "$(complete_words 'ixgatectl show ma')"
assert_eq "complete 'ixgatectl show matrix '" "countries peers " "$(complete_words 'ixgatectl show matrix ')"
assert_eq "complete 'ixgatectl --j'" "--json " "$(complete_words 'ixgatectl --j')"
assert_eq "complete 'ixgate-conf export '" "ixf " "$(complete_words 'ixgate-conf export ')"
# Peer names from a running daemon (the demo config's ten members).
. "$SRC/tests/integration/control_lib.sh"
copy_config "net_null0,no-rx=1" "net_null1,no-rx=1"
start_ctld
got=$(complete_words "ixgatectl --socket $CTL_SOCK show peer v")
assert_eq "complete peer names from the daemon" "viettel vnpt " "$got"
got=$(complete_words "ixgatectl --socket $CTL_SOCK show peer ")
n=$(wc -w <<<"$got")
assert_eq "every demo peer offered" 10 "$n"
log "ok: installed tree complete and consistent"

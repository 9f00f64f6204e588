#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The Debian package, end to end on this machine (suite 'slow': the build
# takes minutes): `scripts/deb.sh` (what `make deb` runs) builds it; apt
# installs it; then
# - every program in /usr/bin answers --version with the package version,
#   `ixgate-conf check /etc/ixgate/ixgate.conf` passes on the installed
#   example, the conffiles are registered, both units are enabled, and
#   tmpfiles.d made /run/ixgate and /var/log/ixgate with their modes;
# - `systemd-analyze verify` accepts the installed units;
# - both daemons start with their units' own command lines (Environment=,
#   /etc/default/ixgate, ExecStartPre=, ExecStart=; only EAL and the
#   example's NIC replaced by --no-huge and net_null), tell $NOTIFY_SOCKET
#   READY=1, and the installed ixgatectl reaches them on the default socket;
# - every path in the FILES section of every installed man page exists
#   (sockets and the audit log included, while the daemons run);
# - `dpkg --purge` leaves no file of the package, no /etc/ixgate,
#   /var/log/ixgate, /run/ixgate or enablement link, and no process.
# systemd is not PID 1 here: `systemctl start` itself is not tested.
. "$SRC/tests/integration/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (dpkg)"
command -v dpkg-buildpackage >/dev/null || skip "dpkg-dev not installed"
if dpkg-query -W -f='${Status}' ixgate 2>/dev/null | grep -q "install ok"; then
	skip "an ixgate package is already installed here: not touching it"
fi
for s in /run/ixgate/control.sock /run/ixgate/dataplane.sock; do
	[ -S "$s" ] && skip "$s exists: another ixgate runs here"
done

# ---- build ---------------------------------------------------------------
log "building the package (dpkg-buildpackage, a few minutes)"
nice -n 5 sh "$SRC/scripts/deb.sh" "$TMP/deb" >"$TMP/deb.out" 2>&1 ||
	{ cat "$TMP/deb.out"; fail "scripts/deb.sh"; }
DEB=$(ls "$TMP"/deb/ixgate_*_*.deb) || fail "no .deb built"
VERSION=$(dpkg-deb -f "$DEB" Version)
log "built $(basename "$DEB") ($(du -k "$DEB" | cut -f1) KiB)"
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|' >"$TMP/contents"
assert_contains "package holds the control unit" "$TMP/contents" '^/lib/systemd/system/ixgate-control.service$'
assert_contains "package holds ixgate.conf(5)" "$TMP/contents" '^/usr/share/man/man5/ixgate.conf.5.gz$'

# ---- install -------------------------------------------------------------
INSTALLED=0
DAEMONS=()
cleanup_deb() {
	local pid
	for pid in "${DAEMONS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	if [ "$INSTALLED" = 1 ]; then
		DEBIAN_FRONTEND=noninteractive dpkg --purge ixgate >/dev/null 2>&1
	fi
	ixg_cleanup
}
trap cleanup_deb EXIT
INSTALLED=1
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -q \
	install "$DEB" >"$TMP/apt.out" 2>&1 || { cat "$TMP/apt.out"; fail "apt-get install"; }
dpkg-query -W -f='${Status} ${Version}\n' ixgate | grep -q "install ok installed $VERSION" ||
	fail "not installed: $(dpkg-query -W -f='${Status}' ixgate)"
dpkg -L ixgate | sort >"$TMP/files"
log "installed ixgate $VERSION: $(wc -l <"$TMP/files") paths"

for p in ixgate-dataplane ixgate-control ixgatectl ixgate-conf ixgate-pcapgen ixgate-gen ixgate-apitool ixgate-mkconfig; do
	[ -x /usr/bin/$p ] || fail "/usr/bin/$p missing"
	v=$(/usr/bin/$p --version) || fail "$p --version"
	[[ $v =~ ^$p\ $VERSION\ \(git\ .+\)$ ]] || fail "$p --version: '$v' (package $VERSION)"
	man -w "$p" >/dev/null 2>&1 || fail "no man page for $p"
done
log "ok: 8 programs answer --version $VERSION and have a man page"
/usr/bin/ixgate-conf check /etc/ixgate/ixgate.conf >"$TMP/check" 2>&1 ||
	{ cat "$TMP/check"; fail "ixgate-conf check /etc/ixgate/ixgate.conf"; }
assert_contains "installed example config checks" "$TMP/check" '^configuration OK$'
dpkg-query -W -f='${Conffiles}\n' ixgate >"$TMP/conffiles"
for f in /etc/ixgate/ixgate.conf /etc/default/ixgate /etc/logrotate.d/ixgate; do
	grep -q " $f " "$TMP/conffiles" || fail "$f is not a conffile"
done
for u in ixgate-dataplane ixgate-control; do
	[ -L /etc/systemd/system/multi-user.target.wants/$u.service ] || fail "$u not enabled"
done
assert_eq "tmpfiles: /run/ixgate" "755 root root" "$(stat -c '%a %U %G' /run/ixgate)"
assert_eq "tmpfiles: /var/log/ixgate" "750 root adm" "$(stat -c '%a %U %G' /var/log/ixgate)"
assert_eq "tmpfiles: /var/lib/ixgate" "750 root root" "$(stat -c '%a %U %G' /var/lib/ixgate)"
systemd-analyze verify --man=no /lib/systemd/system/ixgate-dataplane.service \
	/lib/systemd/system/ixgate-control.service >"$TMP/verify" 2>&1 ||
	{ cat "$TMP/verify"; fail "systemd-analyze verify of the installed units"; }
[ -s "$TMP/verify" ] && { cat "$TMP/verify"; fail "systemd-analyze verify warned"; }
log "ok: conffiles, units enabled and verified, directories made"
# The user ixgate-control may run as, its groups, and the drop-in for it.
getent passwd ixgate >/dev/null || fail "postinst made no ixgate user"
for g in ixgate ixgate-api ixgate-noc; do
	getent group "$g" >/dev/null || fail "postinst made no $g group"
done
id -nG ixgate | grep -qw ixgate-api || fail "ixgate is not in ixgate-api"
[ -f /usr/share/doc/ixgate/ixgate-control-user.conf ] || fail "no user drop-in in the docs"
grep -q "kill --signal=SIGUSR1" /etc/logrotate.d/ixgate || fail "logrotate does not signal the daemon"
grep -q copytruncate /etc/logrotate.d/ixgate && fail "logrotate truncates the audit log"
logrotate --debug /etc/logrotate.d/ixgate >"$TMP/logrotate" 2>&1 ||
	{ cat "$TMP/logrotate"; fail "logrotate --debug /etc/logrotate.d/ixgate"; }
log "ok: ixgate user and groups, user drop-in, logrotate reopens (USR1) and checks"

# ---- start both daemons as their units would -----------------------------
UNIT_EXEC="python3 $SRC/tests/package/unit_exec.py"
recv_notify() { # SOCKET_TO_CHECK LABEL
	rm -f "$TMP/notify.sock"
	bg python3 "$SRC/tests/package/notify_recv.py" "$TMP/notify.sock" "$1" 90 >"$TMP/notify-$2.out"
	NOTIFY_PID=$BG_PID
	wait_for 10 grep -q bound "$TMP/notify-$2.out" || fail "notify receiver did not start"
}
wait_for() { # SECONDS CMD...
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
DP_OVR=("IXGATE_EAL=-l 0,1 $(eal_mem_args) --no-pci --file-prefix $(eal_prefix) --log-level=*:warning"
	"IXGATE_DATAPLANE_ARGS=--device uplink=net_null0,no-rx=1 --json-out $TMP/final.json")
$UNIT_EXEC --print /lib/systemd/system/ixgate-dataplane.service "${DP_OVR[@]}"
$UNIT_EXEC --print /lib/systemd/system/ixgate-control.service
recv_notify /run/ixgate/dataplane.sock dp
NOTIFY_SOCKET=$TMP/notify.sock bg $UNIT_EXEC /lib/systemd/system/ixgate-dataplane.service \
	"${DP_OVR[@]}" >"$TMP/dp.out" 2>"$TMP/dp.err"
DAEMONS+=("$BG_PID")
wait "$NOTIFY_PID"
assert_contains "installed dataplane: READY=1 once its API listens" "$TMP/notify-dp.out" \
	'^READY=1\|STATUS=forwarding sock=yes$' || { cat "$TMP/dp.err"; exit 1; }
recv_notify /run/ixgate/control.sock ctl
NOTIFY_SOCKET=$TMP/notify.sock bg $UNIT_EXEC /lib/systemd/system/ixgate-control.service \
	>"$TMP/ctl.out" 2>"$TMP/ctl.err"
DAEMONS+=("$BG_PID")
wait "$NOTIFY_PID"
assert_contains "installed control plane: READY=1 once its socket listens" "$TMP/notify-ctl.out" \
	'^READY=1\|STATUS=serving sock=yes$'
wait_for 20 sh -c '/usr/bin/ixgatectl show generation | grep -q "^dataplane *connected"' ||
	{ /usr/bin/ixgatectl show generation; cat "$TMP/ctl.err"; fail "control plane never connected"; }
/usr/bin/ixgatectl show peers >"$TMP/peers" || fail "ixgatectl show peers"
for p in example-net transit-net listed-net; do
	assert_contains "ixgatectl (default socket) shows $p" "$TMP/peers" "^$p "
done
wait_for 10 test -s /var/log/ixgate/audit.log || fail "no audit log line"
assert_contains "audit log: the startup commit" /var/log/ixgate/audit.log '"action": "startup".*"result": "ok"'

# The man pages' FILES sections, now that sockets and logs exist.
n=0
for m in $(grep -E '^/usr/share/man/man[0-9]/.*\.gz$' "$TMP/files"); do
	for p in $(zcat "$m" | sed -n '/^\.SH FILES/,/^\.SH /p' | sed 's/\\f[BIR]//g; s/\\-/-/g; s/\\&//g' |
		grep -oE '(^|[ (])/[A-Za-z0-9._/-]+' | sed 's/^[ (]//; s/[.]$//; s|/$||' | sort -u); do
		[ -e "$p" ] || fail "$(basename "$m") names $p, which does not exist"
		n=$((n + 1))
	done
done
log "ok: $n paths named by the man pages' FILES sections exist"

for pid in "${DAEMONS[@]}"; do
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
done
DAEMONS=()
[ -s "$TMP/final.json" ] || fail "the dataplane wrote no final counters"
log "ok: both daemons started from their units, served, and stopped"

# ---- purge -----------------------------------------------------------------
DEBIAN_FRONTEND=noninteractive dpkg --purge ixgate >"$TMP/purge.out" 2>&1 ||
	{ cat "$TMP/purge.out"; fail "dpkg --purge"; }
INSTALLED=0
dpkg-query -W -f='${Status}' ixgate 2>/dev/null | grep -q "install ok" && fail "still installed"
left=0
while read -r f; do
	[ -d "$f" ] && continue # directories shared with other packages
	if [ -e "$f" ] || [ -L "$f" ]; then
		echo "left behind: $f"
		left=$((left + 1))
	fi
done <"$TMP/files"
[ $left -eq 0 ] || fail "$left files left after purge"
for d in /etc/ixgate /var/log/ixgate /var/lib/ixgate /run/ixgate /etc/default/ixgate \
	/etc/systemd/system/multi-user.target.wants/ixgate-dataplane.service \
	/etc/systemd/system/multi-user.target.wants/ixgate-control.service; do
	[ -e "$d" ] && fail "$d left after purge"
done
for exe in /proc/[0-9]*/exe; do
	case $(readlink "$exe" 2>/dev/null) in
	/usr/bin/ixgate-*) fail "a process still runs $(readlink "$exe")" ;;
	esac
done
log "ok: purge removed every file, directory and link; nothing runs"

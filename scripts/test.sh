#!/bin/sh
# Run every test suite through meson and print one closing summary line.
set -u
BUILD=${1:-build}
[ $# -gt 0 ] && shift
# Integration tests start DPDK processes; give them hugepages when we can,
# they fall back to --no-huge otherwise. Extra arguments go to meson test.
sh scripts/hugepages.sh >/dev/null 2>&1 || true
# Suite 'slow' (1,000 reloads under load, full real-table swap: 5-9 minutes
# each here) runs with `make test-slow`, not in every `make test`.
if [ $# -eq 0 ]; then
	set -- --no-suite slow
fi
meson test -C "$BUILD" --print-errorlogs --num-processes 2 "$@"
rc=$?
log="$BUILD/meson-logs/testlog.json"
if [ -f "$log" ]; then
	python3 - "$log" <<'PY'
import json, sys
ok = fail = skip = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): ok += 1
    elif r == "SKIP": skip += 1
    else: fail += 1
print(f"{ok} passed, {fail} failed, {skip} skipped")
PY
fi
exit $rc

#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The metrics exporter with the real tools (issue 11): ixgate-control serves
# /metrics over HTTPS with client certificates while the dataplane forwards
# a capture, and
#  1. `promtool check metrics` passes on the text format; the OpenMetrics
#     answer (Accept: application/openmetrics-text) ends with # EOF;
#  2. a real Prometheus (own storage, scrape config with https + a client
#     certificate) scrapes it in OpenMetrics (its preferred format: its
#     parser is strict), and a query through its HTTP API gives each
#     member's packet count equal to `ixgatectl show peers --json`;
#  3. curl without a client certificate, or with one from another CA, is
#     refused in the handshake; /healthz says ready; bad methods, paths and
#     requests get 405/404/400/414/431;
#  4. while a bad request line, huge headers, slowloris clients (TLS and
#     plain TCP) and idle handshakes are open, scrapes keep working; the
#     slow clients get 408 or are closed;
#  5. SIGHUP reloads the certificate without closing the listener: an open
#     connection keeps working, a new handshake sees the new certificate;
#     a bad certificate file keeps the old one (logged); `ixgatectl reload`
#     reloads it too.
#  6. every query of the Grafana dashboard (dist/grafana/) returns data.
#  7. the exporter's settings come from the config's metrics block (listen
#     addresses, certificate and key), a command-line option overrides its
#     field (--metrics-tls-client-ca over the block's tls-client-ca), and
#     `ixgatectl reload` of a block with another listen address binds it
#     and later closes it, the first listener serving throughout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"
# IXG_CTLD: another ixgate-control binary (an ASan build, say).
CTLD=${IXG_CTLD:-$CTLD}
command -v prometheus >/dev/null || skip "prometheus not installed"
command -v promtool >/dev/null || skip "promtool not installed"
command -v openssl >/dev/null || skip "openssl not installed"
command -v curl >/dev/null || skip "curl not installed"

# Free TCP ports on loopback (the kernel picks; nothing else binds them in
# the next seconds).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
MPORT=$(free_port)
PPORT=$(free_port)
# A second listener on IPv6 loopback when the machine has one.
V6=""
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", '"$MPORT"'))' 2>/dev/null; then
	V6="listen [::1]:$MPORT;"
fi
PKI=$TMP/pki
mkdir -p "$PKI"

# ---- a throwaway CA, server and client certificates -------------------------
mkcert() { # NAME CN CA_NAME [SAN]
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.csr" -subj "/CN=$2" 2>/dev/null ||
		fail "openssl req $1"
	printf '%s\n' "${4:-subjectAltName=DNS:$2}" >"$PKI/$1.ext"
	openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$3.pem" \
		-CAkey "$PKI/$3.key" -set_serial "0x$(openssl rand -hex 8)" \
		-days 2 -extfile "$PKI/$1.ext" -out "$PKI/$1.pem" 2>/dev/null ||
		fail "openssl x509 $1"
}
mkca() { # NAME CN
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.pem" -subj "/CN=$2" -days 2 \
		2>/dev/null || fail "openssl CA $1"
}
mkca ca "ixgate test CA"
mkca rogue "some other CA"
mkcert server localhost ca "subjectAltName=DNS:localhost,IP:127.0.0.1"
mkcert server2 localhost ca "subjectAltName=DNS:localhost,IP:127.0.0.1"
mkcert client prometheus ca
mkcert intruder prometheus rogue
cp "$PKI/server.pem" "$PKI/live.pem"
cp "$PKI/server.key" "$PKI/live.key"
log "PKI ready: CA, server, client, a client of another CA"

# ---- dataplane forwarding a finite capture, and ixgate-control ------------
COUNT=4096
timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count $COUNT \
	--seed 11 --port p0 --expect "$TMP/expect.json" >/dev/null || fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap" "net_null1,no-rx=1"
# The exporter's settings in the config; the command line's client CA
# overrides the block's (a client of the rogue CA is refused below).
cat >>"$CONF" <<EOF

metrics {
	listen 127.0.0.1:$MPORT;
	$V6
	tls-cert "$PKI/live.pem";
	tls-key "$PKI/live.key";
	tls-client-ca "$PKI/rogue.pem";
}
EOF
# --duration is a ceiling only: the test stops the dataplane (at 170 s a
# run under load could outlive it and find no dataplane).
start_dp 900 "$TMP/live.json"
bg "$CTLD" --config "$CONF" --api-socket "$API_SOCK" --ctl-socket "$CTL_SOCK" \
	--audit-log "$AUDIT" --metrics-tls-client-ca "$PKI/ca.pem" \
	>>"$TMP/ctld.out" 2>>"$TMP/ctld.err"
CTLD_PID=$BG_PID
wait_for 60 test -S "$CTL_SOCK" || { cat "$TMP/ctld.err" >&2; fail "ixgate-control did not start"; }
wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" || { cat "$TMP/ctld.err" >&2; fail "no first commit"; }
assert_contains "exporter serves https" "$TMP/ctld.err" \
	"metrics: serving https://127.0.0.1:$MPORT/metrics \\(client certificates required\\)"

URL=https://127.0.0.1:$MPORT
CURL=(curl -sS --max-time 10 --cacert "$PKI/ca.pem" --cert "$PKI/client.pem" --key "$PKI/client.key")

# Every packet of the capture forwarded (finite capture: counters settle).
settled() {
	local rx
	rx=$(ctl --json show peers | python3 -c '
import json, sys
print(sum(p["rx_packets"] for p in json.load(sys.stdin)["peers"]))')
	[ "$rx" -gt 0 ] && [ "$rx" = "${LAST_RX:-x}" ] && return 0
	LAST_RX=$rx
	return 1
}
wait_for 30 settled || fail "the capture never settled"
log "capture forwarded: $LAST_RX packets received from members"

# ---- 1. promtool on the text format; OpenMetrics shape ---------------------
"${CURL[@]}" -D "$TMP/text.hdr" -o "$TMP/metrics.txt" "$URL/metrics" || fail "scrape"
assert_contains "text format content type" "$TMP/text.hdr" \
	'^Content-Type: text/plain; version=0.0.4; charset=utf-8'
promtool check metrics <"$TMP/metrics.txt" >"$TMP/promtool.out" 2>&1 ||
	{ cat "$TMP/promtool.out" >&2; fail "promtool check metrics"; }
log "ok: promtool check metrics passes ($(wc -l <"$TMP/metrics.txt") lines, $(wc -c <"$TMP/metrics.txt") bytes)"
assert_contains "a member's counter" "$TMP/metrics.txt" \
	'^ixgate_peer_received_packets_total\{peer="china-telecom",asn="4134",country="CN"\} [1-9]'
"${CURL[@]}" -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' \
	-D "$TMP/om.hdr" -o "$TMP/metrics.om" "$URL/metrics" || fail "OpenMetrics scrape"
assert_contains "OpenMetrics content type" "$TMP/om.hdr" \
	'^Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8'
assert_eq "OpenMetrics ends with # EOF" "# EOF" "$(tail -1 "$TMP/metrics.om")"
assert_contains "OpenMetrics unit" "$TMP/metrics.om" '^# UNIT ixgate_peer_received_bytes bytes$'
assert_contains "OpenMetrics info" "$TMP/metrics.om" '^# TYPE ixgate_build info$'

# ---- 2. a real Prometheus over mTLS --------------------------------------
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: ixgate
    scheme: https
    tls_config:
      ca_file: $PKI/ca.pem
      cert_file: $PKI/client.pem
      key_file: $PKI/client.key
      server_name: localhost
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
promtool check config "$TMP/prometheus.yml" >/dev/null || fail "promtool check config"
bg timeout 900 prometheus --config.file="$TMP/prometheus.yml" \
	--storage.tsdb.path="$TMP/tsdb" --web.listen-address="127.0.0.1:$PPORT" \
	>"$TMP/prometheus.log" 2>&1
PROM_PID=$BG_PID
PROM=http://127.0.0.1:$PPORT
# query EXPR: the API's JSON result (instant query)
query() {
	curl -sS --max-time 5 --get --data-urlencode "query=$1" "$PROM/api/v1/query"
}
prom_up() {
	query 'up{job="ixgate"}' | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
sys.exit(0 if r and r[0]["value"][1] == "1" else 1)'
}
wait_for 60 prom_up || { tail -20 "$TMP/prometheus.log" >&2; curl -s "$PROM/api/v1/targets" >&2; fail "Prometheus never scraped ixgate (up != 1)"; }
log "ok: Prometheus scrapes ixgate over https with a client certificate (up == 1)"
curl -sS "$PROM/api/v1/targets" >"$TMP/targets.json"
python3 - "$TMP/targets.json" <<'EOF' || fail "Prometheus target state"
import json, sys
t = json.load(open(sys.argv[1]))["data"]["activeTargets"][0]
assert t["health"] == "up" and t["lastError"] == "", t
print("# ok: target %s healthy, no scrape error" % t["scrapeUrl"])
EOF

# Every member's packet count in Prometheus equals ixgatectl's.
compare_peers() {
	ctl --json show peers >"$TMP/peers.json" || return 1
	query 'ixgate_peer_received_packets_total' >"$TMP/q.json" || return 1
	python3 - "$TMP/peers.json" "$TMP/q.json" <<'EOF'
import json, sys
peers = {p["name"]: p["rx_packets"] for p in json.load(open(sys.argv[1]))["peers"]}
res = json.load(open(sys.argv[2]))["data"]["result"]
prom = {r["metric"]["peer"]: int(r["value"][1]) for r in res}
if prom != peers:
    print("# not yet: ixgatectl %s, Prometheus %s" % (peers, prom))
    sys.exit(1)
sent = [n for n, v in peers.items() if v > 0]
assert len(sent) >= 2, peers
print("# ok: Prometheus == ixgatectl for %d members (%d sending), e.g. %s" %
      (len(peers), len(sent), ", ".join("%s=%d" % (n, peers[n]) for n in sorted(sent)[:3])))
EOF
}
wait_for 15 compare_peers || { compare_peers; fail "Prometheus and ixgatectl disagree"; }
compare_peers
# The config Prometheus sees is the one ixgatectl shows.
ctl --json show generation >"$TMP/gen.json"
query 'ixgate_config_info' >"$TMP/qc.json"
python3 - "$TMP/gen.json" "$TMP/qc.json" <<'EOF' || fail "ixgate_config_info"
import json, sys
g = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))["data"]["result"]
assert len(r) == 1, r
m = r[0]["metric"]
assert m["sha256"] == g["dataplane_config_sha256"], (m, g)
gen = g["generation"]["running"] if isinstance(g["generation"], dict) else g["generation"]
assert int(m["generation"]) == gen, (m, g)
print("# ok: ixgate_config_info{sha256=%.16s..., generation=%s} as ixgatectl shows" %
      (m["sha256"], m["generation"]))
EOF
# A commit (a prefix added to a member nobody sends to): the generation
# moves in Prometheus, and no member's counter moves (none goes backwards).
cp "$TMP/peers.json" "$TMP/peers_before.json"
sed -i 's|^\t\t115.84.64.0/18;|\t\t115.84.64.0/18;\n\t\t100.127.254.0/24;|' \
	"$CONF_DIR/peers.d/asean.conf"
grep -q 100.127.254.0/24 "$CONF_DIR/peers.d/asean.conf" || fail "config edit"
g0=$(generation)
reload_connected "$TMP/reload.out" || fail "reload"
g1=$(generation)
assert_eq "generation after the reload" $((g0 + 1)) "$g1"
gen_in_prom() {
	query 'ixgate_config_generation' | grep -q "\"$g1\"\]"
}
wait_for 15 gen_in_prom || fail "Prometheus never saw generation $g1"
wait_for 15 compare_peers || fail "Prometheus and ixgatectl disagree after the reload"
python3 - "$TMP/peers_before.json" "$TMP/peers.json" <<'EOF' || fail "counters moved across the reload"
import json, sys
a = {p["name"]: p["rx_packets"] for p in json.load(open(sys.argv[1]))["peers"]}
b = {p["name"]: p["rx_packets"] for p in json.load(open(sys.argv[2]))["peers"]}
assert a == b, (a, b)
print("# ok: every member's count the same across the commit, as Prometheus shows")
EOF
# The Grafana dashboard (dist/grafana/): every query in it, with the
# dashboard's variables set as Grafana would, returns data from this
# Prometheus (a trailing "> 0" filter is dropped for the check: the series
# must exist even when nothing is being dropped right now).
python3 - "$SRC/dist/grafana/ixgate-exchange.json" "$PROM" <<'EOF' || fail "Grafana dashboard queries"
import json, re, sys, urllib.parse, urllib.request
dash = json.load(open(sys.argv[1]))
prom = sys.argv[2]
subst = {"$__rate_interval": "30s", "$__range": "5m", "$__interval": "15s",
         "$instance": ".*"}
def q(expr):
    for k, v in subst.items():
        expr = expr.replace(k, v)
    expr = re.sub(r"\s*>\s*0\s*$", "", expr)
    url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    r = json.load(urllib.request.urlopen(url, timeout=10))
    assert r["status"] == "success", (expr, r)
    return r["data"]["result"]
exprs = []
for p in dash["panels"]:
    assert p["title"] and p["datasource"]["uid"] == "${datasource}", p["title"]
    for t in p["targets"]:
        exprs.append((p["title"], t["expr"]))
for a in dash["annotations"]["list"]:
    exprs.append(("annotation " + a["name"], a["expr"]))
var = [v for v in dash["templating"]["list"] if v["name"] == "instance"][0]
m = re.match(r"label_values\((\w+), (\w+)\)", var["definition"])
assert m and all(m.group(2) in s["metric"] for s in q(m.group(1))), var
empty = [(title, e) for title, e in exprs if not q(e)]
assert not empty, "queries without data: %s" % empty
reloads = q([e for t, e in exprs if t == "Reloads in range"][0])
assert float(reloads[0]["value"][1]) >= 1, reloads
print("# ok: %d dashboard queries (%d panels, %d annotations, the instance variable) "
      "return data; the reload is in 'Reloads in range'" %
      (len(exprs), len(dash["panels"]), len(dash["annotations"]["list"])))
EOF
query 'process_start_time_seconds' | grep -q '"process":"ixgate-control"' ||
	fail "no ixgate-control start time in Prometheus"
query 'ixgate_dataplane_start_time_seconds > 0' | grep -q '"value"' ||
	fail "no dataplane start time in Prometheus"
log "ok: start times of both processes in Prometheus"
# Prometheus asked for OpenMetrics (its parser of it is strict) and got it:
# more than three such scrapes (1 s apart) in its own record, waited for
# (the steps above may take less time than four scrape intervals).
om_scraped() {
	query 'ixgate_exporter_scrapes_total{format="openmetrics"} > 3' |
		grep -q '"value"'
}
wait_for 30 om_scraped || fail "Prometheus did not scrape in OpenMetrics"
log "ok: Prometheus scraped in OpenMetrics 1.0.0 and ingested it"

# ---- 3. refusals: no certificate, another CA; status codes ---------------
if curl -sS --max-time 10 --cacert "$PKI/ca.pem" "$URL/metrics" >"$TMP/nocert.out" 2>&1; then
	fail "a client without a certificate got an answer"
fi
log "ok: no client certificate: refused ($(head -c 120 "$TMP/nocert.out"))"
if curl -sS --max-time 10 --cacert "$PKI/ca.pem" --cert "$PKI/intruder.pem" \
	--key "$PKI/intruder.key" "$URL/metrics" >"$TMP/rogue.out" 2>&1; then
	fail "a client certificate from another CA was accepted"
fi
log "ok: a certificate from another CA: refused"
assert_contains "handshake failures logged" "$TMP/ctld.err" "metrics: TLS handshake with 127.0.0.1 failed"

assert_eq "/healthz" "ready" "$("${CURL[@]}" "$URL/healthz")"
if [ -n "$V6" ]; then
	assert_eq "/healthz over IPv6" "ready" \
		"$("${CURL[@]}" --resolve "localhost:$MPORT:[::1]" "https://localhost:$MPORT/healthz")"
fi
code() { "${CURL[@]}" -o /dev/null -w '%{http_code}' "$@"; }
assert_eq "POST /metrics" 405 "$(code -X POST --data x "$URL/metrics")"
assert_eq "DELETE /healthz" 405 "$(code -X DELETE "$URL/healthz")"
assert_eq "GET /nothing" 404 "$(code "$URL/nothing")"
assert_eq "HEAD /metrics" 200 "$(code -I "$URL/metrics")"
assert_eq "a 3000-byte path" 414 "$(code "$URL/$(head -c 3000 /dev/zero | tr '\0' a)")"
# shellcheck disable=SC2046
assert_eq "100 header fields" 431 "$(code $(for i in $(seq 100); do printf -- '-H X-%d:v ' "$i"; done) "$URL/metrics")"

# ---- 4. hostile clients beside scrapes -----------------------------------
python3 - "$MPORT" "$PKI" "$URL" <<'EOF' || fail "hostile clients disturbed the scrapes"
import socket, ssl, sys, threading, time, subprocess
port, pki, url = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=pki + "/ca.pem")
ctx.load_cert_chain(pki + "/client.pem", pki + "/client.key")

def tls():
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    return ctx.wrap_socket(s, server_hostname="localhost")

def read_all(s, limit=1 << 20):
    data = b""
    try:
        while len(data) < limit:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except (socket.timeout, ConnectionResetError, ssl.SSLError):
        pass
    return data

results = {}
def bad_line():
    s = tls(); s.sendall(b"GARBAGE\x01 / HTTP/1.1\r\n\r\n")
    results["bad line"] = read_all(s).split(b"\r\n")[0]
def huge_headers():
    s = tls()
    try:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: a\r\n" + b"X-Junk: " + b"j" * 200000 + b"\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
        pass
    results["huge headers"] = read_all(s).split(b"\r\n")[0]
def slowloris():
    s = tls(); t0 = time.time()
    head = b"GET /metrics HTTP/1.1\r\nHost: a\r\nX-a: "
    s.sendall(head)
    # one byte a second, never finishing the head
    try:
        for i in range(30):
            s.sendall(b"b"); time.sleep(1)
    except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
        pass
    results["slowloris"] = (read_all(s).split(b"\r\n")[0], round(time.time() - t0, 1))
def silent_tcp():
    s = socket.create_connection(("127.0.0.1", port), timeout=30); t0 = time.time()
    d = read_all(s)
    results.setdefault("no handshake", []).append((d, round(time.time() - t0, 1)))

# 70 silent connections first: more than the 64 the exporter keeps, so it
# must close the longest-waiting ones to admit the others and the scrapes.
silent = [threading.Thread(target=silent_tcp) for _ in range(70)]
for t in silent:
    t.start()
time.sleep(0.5)
threads = [threading.Thread(target=f) for f in (bad_line, huge_headers)]
threads += [threading.Thread(target=slowloris) for _ in range(8)]
for t in threads:
    t.start()
threads += silent
time.sleep(1)
# scrapes while they are all open
ok = 0
t0 = time.time()
while time.time() - t0 < 6:
    r = subprocess.run(["curl", "-sS", "--max-time", "5", "--cacert", pki + "/ca.pem",
                        "--cert", pki + "/client.pem", "--key", pki + "/client.key",
                        "-o", "/dev/null", "-w", "%{http_code}", url + "/metrics"],
                       capture_output=True, text=True)
    assert r.stdout == "200", "scrape during the attack: %r %r" % (r.stdout, r.stderr)
    ok += 1
for t in threads:
    t.join(40)
assert results["bad line"] == b"HTTP/1.1 400 Bad Request", results["bad line"]
assert results["huge headers"] == b"HTTP/1.1 431 Request Header Fields Too Large", results["huge headers"]
line, secs = results["slowloris"]
assert line == b"HTTP/1.1 408 Request Timeout" and secs < 25, results["slowloris"]
silent_res = results["no handshake"]
assert len(silent_res) == 70 and all(d == b"" and secs < 25 for d, secs in silent_res), silent_res
evicted = sum(1 for d, secs in silent_res if secs < 5)
print("# ok: %d scrapes answered 200 beside a bad request line (400), 200 kB of "
      "headers (431), 8 slowloris clients (408 after %.0f s) and 70 silent TCP "
      "connections (%d closed early to admit others, the rest after %.0f s)" %
      (ok, results["slowloris"][1], evicted, max(s for d, s in silent_res)))
EOF
prom_up || fail "Prometheus lost its target during the attack"

# ---- 5. certificate reload without closing the listener ------------------
python3 - "$MPORT" "$PKI" "$CTLD_PID" "$CTL" "$CTL_SOCK" <<'EOF' || fail "certificate reload"
import re, socket, ssl, sys, time, os, signal, shutil, subprocess
port, pki, pid, ctl, sock = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=pki + "/ca.pem")
ctx.load_cert_chain(pki + "/client.pem", pki + "/client.key")

def serial_of(pem):
    out = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", pem],
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip().split("=")[1], 16)

def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return ctx.wrap_socket(s, server_hostname="localhost")

def peer_serial(s):
    return int(s.getpeercert()["serialNumber"], 16)

def get(s, path="/healthz"):
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    head, body = data.split(b"\r\n\r\n", 1)
    n = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
    while len(body) < n:
        body += s.recv(65536)
    return head.split(b"\r\n")[0], body

old_serial, new_serial = serial_of(pki + "/server.pem"), serial_of(pki + "/server2.pem")
keep = connect()
assert peer_serial(keep) == old_serial
assert get(keep)[0] == b"HTTP/1.1 200 OK"
# new files in place, SIGHUP
shutil.copy(pki + "/server2.pem", pki + "/live.pem")
shutil.copy(pki + "/server2.key", pki + "/live.key")
os.kill(pid, signal.SIGHUP)
deadline = time.time() + 10
while True:
    s = connect()
    got = peer_serial(s)
    s.close()
    if got == new_serial:
        break
    assert time.time() < deadline, "new handshakes still see the old certificate"
    time.sleep(0.2)
# the connection opened before the reload still works
line, body = get(keep)
assert line == b"HTTP/1.1 200 OK", line
line, body = get(keep, "/metrics")
assert line == b"HTTP/1.1 200 OK" and b"ixgate_build_info" in body
print("# ok: SIGHUP: new handshakes get serial %x, the open connection (serial %x) keeps working" % (new_serial, old_serial))
# a bad file: refused, the new certificate stays
with open(pki + "/live.pem", "w") as f:
    f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
os.kill(pid, signal.SIGHUP)
time.sleep(1.5)
s = connect()
assert peer_serial(s) == new_serial, "a bad file replaced the certificate"
assert get(s)[0] == b"HTTP/1.1 200 OK"
s.close()
print("# ok: a bad certificate file is refused; serial %x stays" % new_serial)
# back to the first certificate with `ixgatectl reload`
shutil.copy(pki + "/server.pem", pki + "/live.pem")
shutil.copy(pki + "/server.key", pki + "/live.key")
# (the daemon connected to its dataplane first: control_lib.sh's
# reload_connected)
deadline = time.time() + 60
while not re.search(rb"^dataplane *connected", subprocess.run(
        [ctl, "--socket", sock, "show", "generation"],
        capture_output=True).stdout, re.M):
    assert time.time() < deadline, "dataplane not connected for 60 s"
    time.sleep(0.1)
r = subprocess.run([ctl, "--socket", sock, "reload"], capture_output=True, text=True)
assert r.returncode == 0, "ixgatectl reload: " + r.stdout + r.stderr
deadline = time.time() + 10
while True:
    s = connect()
    got = peer_serial(s)
    s.close()
    if got == old_serial:
        break
    assert time.time() < deadline, "ixgatectl reload did not reload the certificate"
    time.sleep(0.2)
assert get(keep)[0] == b"HTTP/1.1 200 OK"
print("# ok: ixgatectl reload: serial %x again, the first connection still open" % old_serial)
EOF
assert_contains "refused reload logged" "$TMP/ctld.err" \
	'metrics: TLS reload refused, the previous certificate stays in use: certificate .*live.pem'
prom_up || fail "Prometheus lost its target after the reloads"

# ---- 7. a reload that changes the listen addresses -------------------------
MPORT2=$(free_port)
refused2() { ! curl -sS --max-time 2 "https://127.0.0.1:$MPORT2/healthz" -o /dev/null 2>/dev/null; }
sed -i "s|^\tlisten 127.0.0.1:$MPORT;|&\n\tlisten 127.0.0.1:$MPORT2;|" "$CONF"
grep -q "listen 127.0.0.1:$MPORT2;" "$CONF" || fail "could not add a listen address"
reload_connected "$TMP/reload2.out" || fail "reload adding a listener"
wait_for 10 sh -c "curl -sS --max-time 2 --cacert '$PKI/ca.pem' --cert '$PKI/client.pem' \
	--key '$PKI/client.key' https://127.0.0.1:$MPORT2/healthz | grep -q ready" ||
	{ tail -5 "$TMP/ctld.err" >&2; fail "the added listener does not serve"; }
assert_contains "the added listener is logged" "$TMP/ctld.err" \
	"metrics: serving https://127.0.0.1:$MPORT2/metrics"
assert_eq "the first listener still serves" "ready" "$("${CURL[@]}" "$URL/healthz")"
sed -i "/listen 127.0.0.1:$MPORT2;/d" "$CONF"
reload_connected "$TMP/reload3.out" || fail "reload removing a listener"
wait_for 10 refused2 || fail "the removed listener still accepts"
assert_contains "the removed listener is logged" "$TMP/ctld.err" \
	"metrics: no longer serving 127.0.0.1:$MPORT2 \\(the configuration changed\\)"
assert_eq "the first listener still serves" "ready" "$("${CURL[@]}" "$URL/healthz")"
prom_up || fail "Prometheus lost its target after the listen changes"
log "ok: a reload added a listener, another removed it; the first served throughout"

kill "$PROM_PID" 2>/dev/null
kill -TERM "$CTLD_PID"
wait "$CTLD_PID" || fail "ixgate-control exited non-zero"
kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exited non-zero"
check_invariant "$TMP/live.json"
echo "PASS"

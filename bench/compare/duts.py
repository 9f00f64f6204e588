# SPDX-License-Identifier: BSD-3-Clause
"""The devices under test of `ixgate-bench compare` and how to run them.

Every DUT gets the same two virtual ports: port 0 is net_pcap replaying the
traffic pcap from memory (infinite_rx=1), port 1 is net_null (no-rx=1); one
forwarding lcore; its own --file-prefix so its telemetry socket can be read;
--no-huge (the full tables do not fit the hugepages reserved here).

A DUT is started once, loads its tables, and is frozen with SIGSTOP as soon
as it forwards; each measurement round thaws it with SIGCONT for warm-up +
window and freezes it again. Loading the full table takes l3fwd 1-3 minutes,
so restarting every DUT every round would not fit the time budget; a frozen
process uses no CPU, so the DUT measured has the forwarding core alone.
"""

import os
import re
import shutil
import signal
import subprocess
import time

from setup import log
from telemetry import runtime_dir, try_connect

# l3fwd sizes its pool NB_MBUF(2 ports) = max(2*1024 rx + 2*32 + 2*1024 tx +
# 256 cache, 8192) = 8192 mbufs with one lcore and no option to change it;
# testpmd gets the same. ixgate sizes its own (rings + pcap-held mbufs +
# bursts + caches, rounded to 2^n - 1: 16383 here) and says so on stderr.
MBUFS = 8192

ORDER = ("testpmd", "l3fwd-lpm", "l3fwd-acl", "ixgate")
# Run only when asked (--duts ...,ovs): Debian's openvswitch-switch-dpdk.
OPTIONAL = ("ovs",)
OVS_VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"

LABELS = {
    "testpmd": "testpmd io (I/O floor)",
    "l3fwd-lpm": "l3fwd LPM",
    "l3fwd-acl": "l3fwd ACL",
    "ixgate": "ixgate full pipeline",
    "ovs": "OVS-DPDK, 1 OpenFlow rule",
}


class Dut:
    """One DUT process: command line, state, logs."""

    def __init__(self, name, argv, prefix, logdir, ports=(0, 1),
                 scenario=None):
        self.name = name
        # Scenario runs (ixgate-bench compare --scenarios) have several
        # instances of one DUT, each on its own table or traffic.
        self.scenario = scenario
        self.key = "%s/%s" % (scenario, name) if scenario else name
        self.argv = argv
        self.prefix = prefix
        self.ports = list(ports)
        self.log_path = os.path.join(logdir,
                                     self.key.replace("/", "--") + ".log")
        self.proc = None
        self.tel = None
        self.ready_s = None
        self.error = None
        self.frozen = False
        # A file the DUT's start-up creates once it is configured (OVS:
        # the OpenFlow rule is in); None: port 0 counting is enough.
        self.ready_file = None
        # A regex its log matches once it forwards (memif DUTs of
        # `latency`: no traffic before the generator connects, so port 0
        # counting cannot tell); None: port 0 counting.
        self.ready_log = None
        # Resident memory once forwarding (read_memory): MiB.
        self.memory = None

    def start(self):
        rd = runtime_dir(self.prefix)
        if os.path.exists(rd):
            shutil.rmtree(rd, ignore_errors=True)
        self.t_start = time.monotonic()
        self.logf = open(self.log_path, "w")
        # stdin is a pipe nobody writes: testpmd without -i exits on EOF.
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                     stdout=self.logf,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def poll_ready(self):
        """True once port 0 has received packets (tables loaded, forwarding
        started); freezes the DUT at that moment. Sets self.error and
        returns True if the DUT died."""
        if not self.alive():
            self.error = "exited with status %s before forwarding" % (
                self.proc.returncode if self.proc else "?")
            return True
        if self.ready_file and not os.path.exists(self.ready_file):
            return False
        if self.ready_log:
            try:
                with open(self.log_path, errors="replace") as f:
                    if not re.search(self.ready_log, f.read()):
                        return False
            except OSError:
                return False
            self.freeze()
            self.ready_s = time.monotonic() - self.t_start
            return True
        if self.tel is None:
            self.tel = try_connect(self.prefix)
            if self.tel is None:
                return False
        try:
            _, s = self.tel.port_stats([0])
        except (OSError, ValueError):
            return False
        if s[0]["ipackets"] == 0:
            return False
        self.freeze()
        self.ready_s = time.monotonic() - self.t_start
        return True

    def read_memory(self):
        """Records the process's memory once loaded: resident 4 KiB pages
        (VmRSS) and hugepages (HugetlbPages), in MiB, for sizing a run
        (what N DUTs of a phase need at once)."""
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                st = dict(l.split(":", 1) for l in f if ":" in l)
            self.memory = {
                k: round(int(st[f].split()[0]) / 1024.0, 1)
                for k, f in (("rss", "VmRSS"), ("hugetlb", "HugetlbPages"))
                if f in st}
        except (OSError, ValueError):
            self.memory = None

    def freeze(self):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGSTOP)
            self.frozen = True

    def thaw(self):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGCONT)
            self.frozen = False

    def thread_cpu_ns(self):
        """{tid: CPU time in ns} of the DUT's threads (schedstat)."""
        out = {}
        base = "/proc/%d/task" % self.proc.pid
        for tid in os.listdir(base):
            try:
                with open(os.path.join(base, tid, "schedstat")) as f:
                    out[tid] = int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                try:
                    with open(os.path.join(base, tid, "stat")) as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    ticks = int(fields[11]) + int(fields[12])
                    out[tid] = ticks * 10**9 // os.sysconf("SC_CLK_TCK")
                except (OSError, ValueError, IndexError):
                    pass
        return out

    def stop(self):
        """Ends the process (SIGTERM, then SIGKILL) and removes its EAL
        runtime directory."""
        if self.tel is not None:
            self.tel.close()
            self.tel = None
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                os.kill(self.proc.pid, signal.SIGCONT)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            except ProcessLookupError:
                pass
        if self.proc is not None and self.name == "ovs":
            # ovsdb-server and the flow-adding helper share the DUT's
            # process group (its own session).
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except OSError:
                pass
        if self.proc is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            self.logf.close()
            self._shrink_log()
        shutil.rmtree(runtime_dir(self.prefix), ignore_errors=True)
        if self.name == "ovs" and os.environ.get("KEEP") != "1":
            shutil.rmtree(ovs_rundir(self.prefix), ignore_errors=True)

    def _shrink_log(self):
        """l3fwd prints one line per LPM route (730k-1.5M) or ACL rule
        (90k): keep the rest."""
        try:
            if os.path.getsize(self.log_path) < 1 << 20:
                return
            with open(self.log_path, errors="replace") as f:
                lines = [l for l in f if "Adding route" not in l and
                         not re.match(r"\t\d+:", l)]
            with open(self.log_path, "w") as f:
                f.writelines(lines)
        except OSError:
            pass

    def log_tail(self, n=15):
        try:
            with open(self.log_path, errors="replace") as f:
                lines = [l for l in f.read().splitlines()
                         if "Adding route" not in l]
            return "\n".join(lines[-n:])
        except OSError:
            return ""


HUGE = False  # compare --huge: set before the DUTs start


def eal(core, main, prefix, mem, forwarding_only=False):
    """EAL arguments common to every DUT."""
    lcores = str(core) if forwarding_only else "%d,%d" % (main, core)
    # --huge-unlink: the hugepage files go with the process, even a killed
    # one (without it every run left its pages reserved in /dev/hugepages).
    memory = ["--huge-unlink"] if HUGE else ["--no-huge", "-m", str(mem)]
    return ["-l", lcores] + memory + ["--no-pci",
            "--file-prefix", prefix, "--log-level=*:notice"]


def command(name, o, paths, prefix, mem):
    """argv of DUT `name`. o: the parsed options; paths: binaries, config,
    rule files, pcap."""
    pcap_dev = "net_pcap0,rx_pcap=%s,infinite_rx=1" % paths["pcap"]
    null_dev = "net_null0,no-rx=1"
    if name == "testpmd":
        return ([paths["testpmd"]] + eal(o.core, o.main_core, prefix, mem) +
                ["--vdev", pcap_dev, "--vdev", null_dev, "--",
                 "--forward-mode=io", "--auto-start", "--nb-cores=1",
                 "--rxq=1", "--txq=1", "--total-num-mbufs=%d" % MBUFS])
    if name in ("l3fwd-lpm", "l3fwd-acl"):
        # -l with the forwarding core only: l3fwd opens one TX queue per
        # lcore and net_pcap with only rx_pcap has one (bench/README-data.md).
        rules = paths["l3fwd_rules"]
        if name == "l3fwd-lpm":
            lookup = ["--rule_ipv4", os.path.join(rules, "rule_ipv4.cfg"),
                      "--rule_ipv6", os.path.join(rules, "rule_ipv6.cfg")]
        else:
            lookup = ["--lookup", "acl",
                      "--rule_ipv4", os.path.join(rules, "acl_rule_ipv4.cfg"),
                      "--rule_ipv6", os.path.join(rules, "acl_rule_ipv6.cfg")]
        return ([paths["l3fwd"]] +
                eal(o.core, o.main_core, prefix, mem, forwarding_only=True) +
                ["--vdev", pcap_dev, "--vdev", null_dev, "--",
                 "-p", "0x3", "--config=(0,0,%d),(1,0,%d)" % (o.core, o.core),
                 "--parse-ptype"] + lookup)
    if name == "ovs":
        return ovs_command(o, paths, prefix, mem)
    if name == "ixgate":
        # Port p0 is the first config port, so DPDK port 0: the pcap.
        args = eal(o.core, o.main_core, prefix, mem)
        if getattr(o, "workers", 1) == 2:
            # main lcore 0 and worker lcore 2 share main_core; worker
            # lcore 1 has core; one RX queue (rx_pcap) per worker.
            args[0:2] = ["--lcores", "0@%d,1@%d,2@%d" % (
                o.main_core, o.core, o.main_core)]
            pcap_dev = "net_pcap0,rx_pcap=%s,rx_pcap=%s,infinite_rx=1" % (
                paths["pcap"], paths["pcap"])
        return ([paths["dataplane"]] + args +
                ["--", "--config", paths["config"],
                 "--device", "p0=" + pcap_dev,
                 "--device", "p1=net_null1,no-rx=1", "--no-api",
                 # no reload here: one copy of each FIB is enough
                 "--no-fib-spares"])
    raise ValueError(name)


# The memif DUTs of `ixgate-bench latency`: what each prints once it
# forwards (l3fwd after its link check, which waits ~9 s for a client).
MEMIF_DUTS = ("testpmd", "l3fwd-lpm", "ixgate")
MEMIF_READY = {
    "testpmd": r"Press enter to exit",
    "l3fwd-lpm": r"Checking link status\.*done",
    "ixgate": r"ixgate-dataplane: node",
}


def memif_devs(socks, role):
    """--vdev arguments of two net_memif ports on the given sockets: the
    DUT is the server of both, ixgate-gen the client (rsize=12: 4,096
    slots, so a scheduling gap of the DUT fills no ring at these rates)."""
    out = []
    for i, sock in enumerate(socks):
        out.append("net_memif%d,role=%s,id=%d,socket=%s,socket-abstract=no%s"
                   % (i, role, i, sock, ",rsize=12" if role == "client"
                      else ""))
    return out


def memif_command(name, o, paths, prefix, mem, socks):
    """argv of DUT `name` on two net_memif server ports (DPDK port 0 = the
    config's first port, 1 = the second), lcores o.dp_cores (main,
    forwarding). testpmd and l3fwd print through stdio: line-buffered
    (stdbuf), so that their readiness line reaches the log at once."""
    main_core, core = [int(x) for x in o.dp_cores.split(",")]
    devs = []
    for d in memif_devs(socks, "server"):
        devs += ["--vdev", d]
    if name == "testpmd":
        return (["stdbuf", "-oL", paths["testpmd"]] +
                eal(core, main_core, prefix, mem) + devs +
                ["--", "--forward-mode=io", "--auto-start", "--nb-cores=1",
                 "--rxq=1", "--txq=1", "--total-num-mbufs=%d" % MBUFS])
    if name == "l3fwd-lpm":
        # The forwarding lcore only: one TX queue per lcore, as in compare.
        rules = paths["l3fwd_rules"]
        return (["stdbuf", "-oL", paths["l3fwd"]] +
                eal(core, main_core, prefix, mem, forwarding_only=True) +
                devs + ["--", "-p", "0x3",
                        "--config=(0,0,%d),(1,0,%d)" % (core, core),
                        "--parse-ptype",
                        "--rule_ipv4", os.path.join(rules, "rule_ipv4.cfg"),
                        "--rule_ipv6", os.path.join(rules, "rule_ipv6.cfg")])
    if name == "ixgate":
        dev = memif_devs(socks, "server")
        return ([paths["dataplane"]] + eal(core, main_core, prefix, mem) +
                ["--", "--config", paths["config"],
                 "--device", "%s=%s" % (paths["ports"][0], dev[0]),
                 "--device", "%s=%s" % (paths["ports"][1], dev[1]),
                 "--no-api", "--no-fib-spares"])
    raise ValueError(name)


def ovs_rundir(prefix):
    return os.path.join("/tmp", prefix + "-ovs")


def ovs_command(o, paths, prefix, mem):
    """OVS with DPDK as a DUT: a private ovsdb-server and database in
    /tmp/PREFIX-ovs, a netdev bridge with the same two vdevs as the other
    DUTs (port 1 = net_pcap, 2 = net_null), one PMD thread on the
    forwarding core, and one OpenFlow rule in_port=1 -> output:2 (the
    rule the issue's 7 Mpps figure used; OVS has no routing table to load
    the real routes into, so it is the L2 floor of a switch). A shell
    starts ovsdb-server and configures the database, then execs
    ovs-vswitchd, so the DUT's pid is the switch itself; a helper adds the
    rule once the bridge exists and creates RUNDIR/ready."""
    r = ovs_rundir(prefix)
    extra = "--no-huge --legacy-mem -m %d --no-pci --file-prefix %s " \
        "--log-level=*:notice" \
        % (mem, prefix)
    pcap = "net_pcap0,rx_pcap=%s,infinite_rx=1" % paths["pcap"]
    script = r"""
set -e
R=%(r)s
rm -rf "$R"; mkdir -p "$R"
export OVS_RUNDIR="$R" OVS_LOGDIR="$R" OVS_DBDIR="$R"
ovsdb-tool create "$R/conf.db" %(schema)s
ovsdb-server "$R/conf.db" --remote=punix:"$R/db.sock"     --unixctl="$R/ovsdb.ctl" --log-file="$R/ovsdb.log" &
i=0; while [ ! -S "$R/db.sock" ]; do i=$((i+1)); [ $i -lt 100 ]; sleep 0.1; done
V="ovs-vsctl --db=unix:$R/db.sock --no-wait"
$V init
$V set Open_vSwitch . other_config:dpdk-init=true     "other_config:dpdk-extra=%(extra)s"     other_config:dpdk-lcore-mask=%(lmask)s other_config:pmd-cpu-mask=%(pmask)s
$V add-br br0 -- set bridge br0 datapath_type=netdev fail-mode=secure
$V add-port br0 p0 -- set Interface p0 type=dpdk     "options:dpdk-devargs=%(pcap)s" ofport_request=1
$V add-port br0 p1 -- set Interface p1 type=dpdk     options:dpdk-devargs=net_null0,no-rx=1 ofport_request=2
(for i in $(seq 600); do
    if ovs-ofctl add-flow br0 in_port=1,actions=output:2 2>/dev/null; then
        touch "$R/ready"; exit 0; fi
    sleep 0.5; done) &
exec %(vswitchd)s unix:"$R/db.sock" --unixctl="$R/vswitchd.ctl"     --log-file="$R/vswitchd.log"
""" % {"r": r, "schema": OVS_SCHEMA, "extra": extra, "pcap": pcap,
       "lmask": hex(1 << o.main_core), "pmask": hex(1 << o.core),
       "vswitchd": OVS_VSWITCHD}
    return ["sh", "-c", script]


def wait_ready(duts, timeout):
    """Polls every DUT until it forwards (and is frozen), dies or times
    out. A DUT that fails gets .error set and is stopped."""
    t_end = time.monotonic() + timeout
    pending = [d for d in duts if d.error is None]
    while pending and time.monotonic() < t_end:
        for d in list(pending):
            if d.poll_ready():
                pending.remove(d)
                if d.error is None:
                    log("%s ready after %.0f s (frozen)" % (d.key, d.ready_s))
                else:
                    log("%s: %s; skipped. Log tail (%s):\n%s" % (
                        d.key, d.error, d.log_path, d.log_tail()))
                    d.stop()
        time.sleep(0.25)
    for d in pending:
        d.error = "not forwarding after %d s" % timeout
        log("%s: %s; skipped. Log tail (%s):\n%s" % (
            d.key, d.error, d.log_path, d.log_tail()))
        d.stop()

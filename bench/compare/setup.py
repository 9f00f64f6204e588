# SPDX-License-Identifier: BSD-3-Clause
"""What `ixgate-bench compare` needs before it can run a DUT: the real-data
config (ixgate-mkconfig), its untagged variant, the l3fwd rule files, the
traffic (ixgate-pcapgen), the binaries. Everything generated is cached under
bench/data/compare/ (git-ignored) and reused while its inputs are unchanged.
"""

import hashlib
import os
import shutil
import subprocess
import sys


def log(msg):
    print("compare: " + msg, file=sys.stderr, flush=True)


def die(msg):
    log(msg)
    sys.exit(1)


def run(argv, quiet=True, **kw):
    """Runs argv; on failure prints its output and exits."""
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, **kw)
    if r.returncode != 0:
        sys.stderr.write(r.stdout[-4000:])
        die("failed (exit %d): %s" % (r.returncode, " ".join(argv)))
    if not quiet:
        sys.stderr.write(r.stdout)
    return r.stdout


def ensure_build(top, build, no_build=False):
    """Builds the four programs the comparison runs (meson set-up if the
    build directory is missing) and returns their paths. no_build: use
    them as they are (a tree being edited need not build)."""
    targets = {
        "dataplane": "dataplane/ixgate-dataplane",
        "pcapgen": "tools/ixgate-pcapgen",
        "mkconfig": "tools/ixgate-mkconfig",
        "conf": "conf/ixgate-conf",
    }
    out = {k: os.path.join(build, v) for k, v in targets.items()}
    if no_build:
        for p in out.values():
            if not os.access(p, os.X_OK):
                die("--no-build: %s is not built" % p)
        return out
    if not os.path.exists(os.path.join(build, "build.ninja")):
        log("meson setup %s" % build)
        run(["meson", "setup", build, top])
    run(["ninja", "-C", build] + list(targets.values()))
    return out


def ensure_data(top, data):
    csvs = ["asn-ipv4.csv", "asn-ipv6.csv", "asn-country-ipv4.csv",
            "asn-country-ipv6.csv"]
    if all(os.path.exists(os.path.join(data, f)) for f in csvs):
        return
    log("real data missing: bench/fetch-data.sh %s" % data)
    run([os.path.join(top, "bench", "fetch-data.sh"), data], quiet=False)


def ensure_l3fwd(top, path):
    """Path of the l3fwd binary, built by bench/l3fwd/build.sh if missing;
    None (with the reason logged) if it cannot be built."""
    if os.access(path, os.X_OK):
        return path
    out = os.path.dirname(path)
    log("l3fwd not built: bench/l3fwd/build.sh %s" % out)
    r = subprocess.run([os.path.join(top, "bench", "l3fwd", "build.sh"), out],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if r.returncode != 0 or not os.access(path, os.X_OK):
        sys.stderr.write(r.stdout[-2000:])
        log("l3fwd build failed: the l3fwd DUTs are skipped")
        return None
    return path


def _stamp_ok(stamp, key):
    try:
        with open(stamp) as f:
            return f.read() == key
    except OSError:
        return False


def ensure_config(bins, data, cache, mk_args):
    """Generates (or reuses) the config and the l3fwd rule files for the
    given ixgate-mkconfig arguments, untagged (--untagged: l3fwd and
    testpmd do not parse 802.1Q, so the traffic of the comparison carries
    no VLAN; the peers stay apart by their source MACs). Returns a dict of
    paths."""
    mk_args = ["--untagged"] + [a for a in mk_args if a != "--untagged"]
    key = hashlib.sha256(("\0".join(mk_args) + "\0" +
                          str(os.path.getmtime(bins["mkconfig"]))).encode()
                         ).hexdigest()[:12]
    d = os.path.join(cache, "table-" + key)
    paths = {
        "dir": d,
        "config": os.path.join(d, "untagged", "ixgate.conf"),
        "l3fwd": os.path.join(d, "l3fwd"),
        "mkconfig_args": mk_args,
    }
    stamp = os.path.join(d, "stamp")
    if _stamp_ok(stamp, key):
        return paths
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(d)
    log("ixgate-mkconfig %s" % " ".join(mk_args))
    run([bins["mkconfig"], "--data", data, "--out",
         os.path.dirname(paths["config"]), "--l3fwd-rules", paths["l3fwd"]]
        + mk_args, quiet=False)
    run([bins["conf"], "check", paths["config"]])
    with open(stamp, "w") as f:
        f.write(key)
    return paths


def ensure_traffic(bins, table, gen_args):
    """Generates (or reuses) the pcap the DUTs replay, from the untagged
    config, sent by the peers of port p0 (the pcap port). Returns
    (pcap path, expectation json path)."""
    key = hashlib.sha256(("\0".join(gen_args)).encode()).hexdigest()[:12]
    pcap = os.path.join(table["dir"], "traffic-%s.pcap" % key)
    expect = pcap[:-5] + ".expect.json"
    if os.path.exists(pcap) and os.path.exists(expect):
        return pcap, expect
    log("ixgate-pcapgen %s" % " ".join(gen_args))
    run([bins["pcapgen"], "--config", table["config"], "--out", pcap + ".tmp",
         "--expect", expect, "--port", "p0"] + gen_args, quiet=False)
    os.rename(pcap + ".tmp", pcap)
    return pcap, expect


def ensure_gnuplot():
    """True if gnuplot is there, installing Debian's gnuplot-nox if not
    (root only)."""
    if shutil.which("gnuplot"):
        return True
    if os.geteuid() != 0:
        log("gnuplot not installed (apt-get install gnuplot-nox): no plot")
        return False
    log("installing gnuplot-nox (Debian) for the plot")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends",
               "gnuplot-nox"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL,
             "env": env}
    # A stale package list is the usual reason for a failed install.
    if subprocess.run(install, **quiet).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], **quiet)
        subprocess.run(install, **quiet)
    if shutil.which("gnuplot"):
        return True
    log("gnuplot-nox could not be installed: no plot")
    return False

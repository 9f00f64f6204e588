#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run a service the way its systemd unit would, without systemd (which
is not PID 1 where the tests run): the unit's Environment= lines, then its
EnvironmentFile=, then VAR=VALUE overrides from the command line (as a
drop-in would); ExecStartPre= runs to completion (a failure stops here),
then this process becomes ExecStart= (exec: same PID, same stdio).
${VAR} expands to one word, $VAR to its words, as systemd.service(5) says.

  unit_exec.py UNIT_FILE [VAR=VALUE]...
  unit_exec.py --print UNIT_FILE [VAR=VALUE]...   (the command lines)
"""
import os
import re
import shlex
import subprocess
import sys


def parse_unit(path):
    service = {}
    section = None
    for line in open(path):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line
            continue
        if section != "[Service]":
            continue
        k, _, v = line.partition("=")
        service.setdefault(k, []).append(v)
    return service


def environment(service, overrides):
    env = {}
    for v in service.get("Environment", []):
        for word in shlex.split(v):
            k, _, val = word.partition("=")
            env[k] = val
    for f in service.get("EnvironmentFile", []):
        optional = f.startswith("-")
        f = f.lstrip("-")
        if not os.path.exists(f):
            if optional:
                continue
            sys.exit("EnvironmentFile %s missing" % f)
        for line in open(f):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            for word in shlex.split(line):
                k, _, val = word.partition("=")
                env[k] = val
    for o in overrides:
        k, _, val = o.partition("=")
        env[k] = val
    return env


def expand(cmd, env):
    argv = []
    for word in shlex.split(cmd):
        m = re.fullmatch(r"\$\{(\w+)\}", word)
        if m:
            argv.append(env.get(m.group(1), ""))
            continue
        m = re.fullmatch(r"\$(\w+)", word)
        if m:
            argv.extend(env.get(m.group(1), "").split())
            continue
        argv.append(re.sub(r"\$\{(\w+)\}", lambda x: env.get(x.group(1), ""), word))
    return argv


def main():
    args = sys.argv[1:]
    show = args and args[0] == "--print"
    if show:
        args = args[1:]
    service = parse_unit(args[0])
    env = environment(service, args[1:])
    pre = [expand(c.lstrip("-"), env) for c in service.get("ExecStartPre", [])]
    start = expand(service["ExecStart"][0], env)
    if show:
        for c in pre:
            print("ExecStartPre: " + shlex.join(c))
        print("ExecStart: " + shlex.join(start))
        return
    full = dict(os.environ)
    full.update(env)
    for c in pre:
        rc = subprocess.call(c, env=full)
        if rc != 0:
            sys.exit("ExecStartPre %s: exit %d" % (shlex.join(c), rc))
    os.execvpe(start[0], start, full)


main()

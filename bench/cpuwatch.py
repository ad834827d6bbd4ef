#!/usr/bin/env python3
"""Run a command and report where the machine's CPU time went while it ran.

  cpuwatch.py --json OUT.json --server-pid PID [--pg-db NAME] -- CMD ARGS...
  cpuwatch.py --mark OUT.json ATTEMPT     (adds "attempt" to OUT.json, prints cores_other)

CMD's stdout/stderr pass through. OUT.json gets, in cores (1.0 = one core busy for the
whole run): the command itself and its children (the load tool), the API server process,
the PostgreSQL backends connected to database --pg-db (found by their process title
`postgres: user db host(port) ...`; without --pg-db every `postgres` process; backends that
started or ended during the run are counted for the part they lived, sampled every 0.5 s), everything else, and the machine
total (from /proc/stat). Linux only, standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def proc_ticks(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (own threads, not children)


def comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def backend_db(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            title = f.read().replace(b"\0", b" ").decode("utf-8", "replace").split()
    except OSError:
        return None
    # "postgres: <user> <database> <host>(<port>) <state>"
    return title[2] if len(title) >= 4 and title[0] == "postgres:" and "(" in title[3] else None


def postgres_ticks(db: str | None) -> dict[int, int]:
    out = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and comm(int(name)) == "postgres":
            if db is not None and backend_db(int(name)) != db:
                continue
            t = proc_ticks(int(name))
            if t is not None:
                out[int(name)] = t
    return out


def machine() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs."""
    with open("/proc/stat") as f:
        vals = [int(v) for v in f.readline().split()[1:]]
    idle = vals[3] + vals[4]  # idle + iowait
    total = sum(vals[:8])      # without guest (already in user)
    return total - idle, total


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--mark":
        with open(sys.argv[2]) as f:
            data = json.load(f)
        data["attempt"] = int(sys.argv[3])
        with open(sys.argv[2], "w") as f:
            json.dump(data, f)
            f.write("\n")
        print(data["cores_other"])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--pg-db", help="count only backends of this database as postgres")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    if not cmd:
        sys.exit("cpuwatch.py: no command")

    ncpu = os.cpu_count() or 1
    srv0 = proc_ticks(args.server_pid) or 0
    pg0 = postgres_ticks(args.pg_db)
    busy0, total0 = machine()
    t0 = time.monotonic()
    # Ended postgres backends: sample while the command runs so their last ticks count.
    proc = subprocess.Popen(cmd)
    pg_last = dict(pg0)
    while proc.poll() is None:
        time.sleep(0.5)
        pg_last.update(postgres_ticks(args.pg_db))
    wall = time.monotonic() - t0
    busy1, total1 = machine()
    srv1 = proc_ticks(args.server_pid) or srv0
    pg_last.update(postgres_ticks(args.pg_db))
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)

    pg_used = sum(t - pg0.get(pid, 0) for pid, t in pg_last.items()) / TICK
    srv_used = (srv1 - srv0) / TICK
    load_used = ru.ru_utime + ru.ru_stime
    machine_busy = (busy1 - busy0) / (total1 - total0) * ncpu if total1 > total0 else 0.0
    result = {
        "wall_s": round(wall, 2),
        "ncpu": ncpu,
        "cores_machine": round(machine_busy, 2),
        "cores_server": round(srv_used / wall, 2),
        "cores_postgres": round(pg_used / wall, 2),
        "cores_loadtool": round(load_used / wall, 2),
        "cores_other": round(max(0.0, machine_busy - (srv_used + pg_used + load_used) / wall), 2),
        "exit": proc.returncode,
    }
    with open(args.json, "w") as f:
        json.dump(result, f)
        f.write("\n")
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()

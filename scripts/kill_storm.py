#!/usr/bin/env python3
"""Kill -9 storm: no crash may leave a database nobody can open (issue 11, item 2).

Runs `duban --db D set N STATUS` (and now and then `import --replace` of the sample, and a
`backup`), kills each with SIGKILL after a random delay, and after every kill checks that
`duban --db D list` opens the database. Prints how many processes were killed, how many
finished before their kill, and how many times the database could not be opened (with the
first few messages). A database that did not open is copied to <work>/unopenable-N for
study, and the storm goes on with a fresh one.

Not run in CI: it takes minutes. Use a release build:

    cargo build --release
    scripts/kill_storm.py --duban target/release/duban --kills 1000

Delays are drawn up to --max-delay-ms (default: about 1.5 times how long an uninterrupted
`set` takes on this machine, measured at start), so kills land in every part of a
command's life: starting, opening sled, committing, flushing, closing.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                      "sample_2020h1_wuhu.txt")
STATUSES = ["not_started", "on_track", "behind", "seriously_behind", "done"]


def run(duban, db, *args, timeout=120):
    return subprocess.run([duban, "--db", db, *args], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"}, timeout=timeout)


def timed(duban, db, *args):
    start = time.monotonic()
    run(duban, db, *args)
    return time.monotonic() - start


def victim_args(rng, backup_dir):
    roll = rng.random()
    if roll < 0.05:
        return ["import", "--replace", SAMPLE]
    if roll < 0.08:
        return ["backup", backup_dir]
    if roll < 0.15:
        return ["note", str(rng.randint(1, 116)), "storm note %d" % rng.randint(0, 10**6)]
    return ["set", str(rng.randint(1, 116)), rng.choice(STATUSES)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duban", default="target/release/duban")
    ap.add_argument("--kills", type=int, default=1000)
    ap.add_argument("--max-delay-ms", type=float, default=None)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--work", default=None, help="folder for the databases (default: a temp dir)")
    args = ap.parse_args()

    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    work = args.work or tempfile.mkdtemp(prefix="duban-storm-")
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, "db")
    backups = os.path.join(work, "backups")

    def fresh():
        shutil.rmtree(db, ignore_errors=True)
        r = run(args.duban, db, "import", SAMPLE)
        if r.returncode != 0:
            sys.exit("cannot create the database: " + r.stderr)

    fresh()
    if args.max_delay_ms is None:
        times = sorted(timed(args.duban, db, "set", "1", s) for s in STATUSES * 2)
        imports = timed(args.duban, db, "import", "--replace", SAMPLE)
        max_delay = 1.5 * max(times[len(times) // 2], 0.005)
        print("seed %d; uninterrupted: set median %.1f ms, import %.1f ms; delays up to %.1f ms"
              % (seed, times[len(times) // 2] * 1e3, imports * 1e3, max_delay * 1e3))
    else:
        max_delay = args.max_delay_ms / 1e3
        print("seed %d; delays up to %.1f ms" % (seed, max_delay * 1e3))

    kills = finished = unopenable = set_aside = started = 0
    messages = []
    began = time.monotonic()
    while kills < args.kills:
        cmd = victim_args(rng, backups)
        # Imports take longer: give their kills a longer range.
        limit = max_delay * (8 if cmd[0] == "import" else 1)
        p = subprocess.Popen([args.duban, "--db", db, *cmd], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
        started += 1
        time.sleep(rng.uniform(0, limit))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            kills += 1
        else:
            finished += 1
        p.wait()
        check = run(args.duban, db, "list")
        if "was moved to" in check.stderr:
            set_aside += 1
        if check.returncode != 0:
            unopenable += 1
            if len(messages) < 5:
                messages.append(check.stderr.strip())
            keep = os.path.join(work, "unopenable-%d" % unopenable)
            shutil.copytree(db, keep)
            print("UNOPENABLE after kill %d (%s): %s; kept in %s"
                  % (kills, " ".join(cmd), check.stderr.strip()[:200], keep), flush=True)
            fresh()
        if kills and kills % 100 == 0 and p.returncode == -signal.SIGKILL:
            print("%d kills, %d unopenable, %d opens set files aside (%.0f s)"
                  % (kills, unopenable, set_aside, time.monotonic() - began), flush=True)

    print("commands started: %d; killed: %d; finished before their kill: %d"
          % (started, kills, finished))
    print("opens that set sled's leftover files aside: %d" % set_aside)
    print("unopenable databases: %d" % unopenable)
    for m in messages:
        print("  " + m)
    print("work folder: %s" % work)
    return 1 if unopenable else 0


if __name__ == "__main__":
    sys.exit(main())

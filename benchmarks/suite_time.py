"""How long the project's own test suite takes, and where the time goes.

Runs README's test command (``python -m pytest tests``) with each given
number of pytest-xdist workers, in alternation, several rounds, and prints
for each: the median wall time, the machine's CPU time spent meanwhile
(from /proc/stat: every process counts, the sandbox's workers in their own
PID namespaces and nbgrader's kernels included, which a parent's rusage
misses), and how busy the cores were (CPU time / (wall x cores)): a suite
that keeps the cores busy can only get faster by doing less, one that
leaves them idle by waiting less or overlapping more.  With ``--modules``
the wall time per test module of the last round is printed too (from
pytest's JUnit XML: set-up, call and tear-down of each test).

    python benchmarks/suite_time.py [--workers 2 --workers 4] [--rounds 1]
        [--modules] [-- PYTEST ARGS...]

Run it on an otherwise idle machine: its figures are the machine's, not
the suite's alone (it warns when the load average says others are busy).
Nothing here asserts a speed; the tests never do either.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    """CPU time the whole machine has spent so far, in seconds (all cores,
    every state but idle and iowait)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run(workers: int, extra: list[str], junit: Path) -> tuple[float, float, int]:
    """One run of the suite: (wall seconds, machine CPU seconds, exit status)."""
    paths = [] if any(Path(ROOT, a.split("::")[0]).exists() for a in extra) else ["tests"]
    command = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider",
               "-n", str(workers), "-rfE", f"--junitxml={junit}", *extra]
    cpu, wall = cpu_seconds(), time.monotonic()
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    wall, cpu = time.monotonic() - wall, cpu_seconds() - cpu
    lines = done.stdout.strip().splitlines()
    last = lines[-1:] or ["(no output)"]
    print(f"  -n {workers}: {wall:6.1f} s wall, {cpu:6.1f} s CPU   {last[0]}", flush=True)
    for line in lines:                     # what failed, as pytest's summary names it
        if line.startswith(("FAILED ", "ERROR ")):
            print(f"      {line}")
    return wall, cpu, done.returncode


def per_module(junit: Path) -> dict[str, float]:
    times: dict[str, float] = defaultdict(float)
    for case in ET.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "?").split(".")[-1]
        times[module] += float(case.get("time", 0))
    return dict(sorted(times.items(), key=lambda kv: -kv[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, action="append",
                        help="pytest-xdist workers (repeat to compare; default 2)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--modules", action="store_true",
                        help="print each test module's wall time (last round)")
    parser.add_argument("pytest_args", nargs="*", help="more arguments for pytest (after --)")
    args = parser.parse_args()
    workers = args.workers or [2]
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    if load > 0.5:
        print(f"warning: load average {load:.1f}: other work is running; "
              "the figures will be the machine's, not the suite's", file=sys.stderr)
    results: dict[int, list[tuple[float, float]]] = {w: [] for w in workers}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}/{args.rounds}", flush=True)
            for w in workers:
                wall, cpu, status = run(w, args.pytest_args, junit)
                failed |= status != 0
                results[w].append((wall, cpu))
        if args.modules:
            print("\nwall time per module (last run; tests of a module may overlap "
                  "on several workers):")
            for module, seconds in per_module(junit).items():
                print(f"  {seconds:7.1f} s  {module}")
    print(f"\nmedians over {args.rounds} round(s), {cores} cores:")
    for w, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"  -n {w}: {wall:6.1f} s wall ({wall / 60:.1f} min), {cpu:6.1f} s CPU, "
              f"cores busy {cpu / (wall * cores):.0%}")
    if len(workers) > 1:
        base = statistics.median(r[0] for r in results[workers[0]])
        for w in workers[1:]:
            print(f"  wall -n {w} / -n {workers[0]}: "
                  f"{statistics.median(r[0] for r in results[w]) / base:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

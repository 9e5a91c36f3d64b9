"""How fast a whole class is graded: per-submission wall time of grade-class.

Makes N submissions in a temporary folder -- copies of solutions/calculus/, and
known-wrong variants in which one module is replaced by a submission from
tests/corpus/misconceptions/<id>/ (each such folder holds the one module a
student with that misconception would write) -- then times

    python -m autograder grade-class ROOT --out OUT --workers W --seed 1

several rounds, each with a fresh OUT, and prints the median wall time per
submission, the throughput and the projected time for 10 000 submissions
with the same number of workers.  The time includes the command's own start
(interpreter, imports, fork servers), as an instructor would see it; a class
of 2 is timed too, so that the fixed start-up cost and the cost of each
further submission can be told apart, and the projection is
start-up + 10 000 x the cost of each further submission.

    python benchmarks/class_speed.py [--n 200] [--workers 2] [--rounds 3]
        [--assignment calculus] [--assignment optimizers]

With two assignments, their classes are timed in alternation (round by
round) and the ratio of their costs per further submission is printed.

    python benchmarks/class_speed.py --against ../other-checkout [--n 200 ...]

times this checkout against another one (say, main's commit, before a
change), each with its own interpreter (the other's ``.venv/bin/python``,
or --against-python), in alternation round by round on the same classes,
and prints both and the ratios: a change's cost measured side by side.

Nothing here asserts a speed; the tests never do either.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# assignment -> (its reference solutions, its misconception corpus)
ASSIGNMENTS = {
    "calculus": (ROOT / "solutions" / "calculus", ROOT / "tests" / "corpus" / "misconceptions"),
    "optimizers": (ROOT / "solutions" / "optimizers",
                   ROOT / "tests" / "corpus" / "optimizers" / "misconceptions"),
}
SOLUTIONS, MISCONCEPTIONS = ASSIGNMENTS["calculus"]
PROJECTED = 10_000


def make_class(root: Path, n: int, wrong_every: int = 2, assignment: str = "calculus") -> Path:
    """``n`` student folders under ``root``: every ``wrong_every``-th one a
    copy of the assignment's reference solutions, the others the reference
    with one module replaced by a misconception variant (cycling through
    the assignment's corpus)."""
    solutions, misconceptions = ASSIGNMENTS[assignment]
    variants = sorted(p for p in misconceptions.iterdir() if p.is_dir())
    root.mkdir(parents=True, exist_ok=True)
    wrong = 0
    for i in range(n):
        student = root / f"student{i:05d}"
        student.mkdir()
        for path in solutions.glob("*.py"):
            shutil.copyfile(path, student / path.name)
        if variants and i % wrong_every:
            for path in variants[wrong % len(variants)].glob("*.py"):
                shutil.copyfile(path, student / path.name)
            wrong += 1
    return root


def time_grade_class(root: Path, workers: int, rounds: int,
                     assignment: str = "calculus", checkout: Path = ROOT,
                     python: str = sys.executable, cpu: list | None = None) -> list[float]:
    """Wall seconds of ``grade-class root`` with ``workers`` workers, one per
    round, each into a fresh OUT folder, run by ``python`` in ``checkout``;
    the CPU seconds of each run's processes are appended to ``cpu``."""
    times = []
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="class-speed-out-") as out:
            cmd = [python, "-m", "autograder", "grade-class", str(root),
                   "--out", out, "--workers", str(workers), "--seed", "1", "--no-progress"]
            if assignment != "calculus":     # the default (older versions know no other)
                cmd += ["--assignment", assignment]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, cwd=checkout, env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if cpu is not None:
                cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return times


# The comparison with `nbgrader autograde` of the same work as the
# classroom's notebooks is benchmarks/nbgrader_speed.py.


SMALL = 2   # the class timed to tell the fixed start-up cost apart


def describe(label: str, times: list[float], n: int, workers: int,
             small_times: list[float]) -> float:
    """Prints the figures; returns the cost of each further submission."""
    median, small = statistics.median(times), statistics.median(small_times)
    per = median / n
    further = max(median - small, 0.0) / (n - SMALL)
    projected = small + further * PROJECTED
    print(f"{label}: rounds {', '.join(f'{t:.2f}' for t in times)} s; "
          f"median {median:.2f} s for {n} submissions "
          f"({small:.2f} s for a class of {SMALL}: the start-up)")
    print(f"  per submission: {per * 1000:.1f} ms wall with {workers} worker(s), start-up "
          f"included; {further * 1000:.1f} ms for each further one")
    print(f"  throughput: {n / median:.1f} submissions/s")
    print(f"  projected for {PROJECTED} submissions: {projected / 60:.1f} min "
          f"({projected:.0f} s) with {workers} worker(s)")
    return further


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="submissions in the class (> 2)")
    parser.add_argument("--workers", type=int, default=2, help="grade-class --workers")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (median taken)")
    parser.add_argument("--assignment", action="append", choices=sorted(ASSIGNMENTS),
                        help="the assignment whose class is graded (default calculus); "
                        "twice: both, alternately, and the ratio")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="another checkout of this project (e.g. a worktree of main) "
                        "to time side by side with this one")
    parser.add_argument("--against-python", metavar="PYTHON",
                        help="its interpreter (default: CHECKOUT/.venv/bin/python)")
    args = parser.parse_args(argv)
    if args.n <= SMALL:
        parser.error(f"--n must be more than {SMALL}")
    if args.against is not None:
        python = args.against_python or str(args.against / ".venv" / "bin" / "python")
        return side_by_side(args, args.against.resolve(), python)
    names = list(dict.fromkeys(args.assignment or ["calculus"]))
    with tempfile.TemporaryDirectory(prefix="class-speed-") as tmp:
        classes = {a: (make_class(Path(tmp) / a / "class", args.n, assignment=a),
                       make_class(Path(tmp) / a / "small", SMALL, assignment=a)) for a in names}
        print(f"{args.n} submissions a class ({', '.join(names)}; misconception variants "
              f"cycled), {args.workers} worker(s), {os.cpu_count()} CPU(s), "
              f"python {sys.version.split()[0]}")
        times = {a: ([], []) for a in names}
        for _ in range(args.rounds):          # one round of each in turn
            for a in names:
                root, small_root = classes[a]
                times[a][1].extend(time_grade_class(small_root, args.workers, 1, a))
                times[a][0].extend(time_grade_class(root, args.workers, 1, a))
        further = {a: describe(f"grade-class ({a})", times[a][0], args.n, args.workers,
                               times[a][1]) for a in names}
        for a in names[1:]:
            print(f"{a} / {names[0]}: {further[a] / further[names[0]]:.2f}x the cost of each "
                  "further submission; "
                  f"{statistics.median(times[a][0]) / statistics.median(times[names[0]][0]):.2f}x "
                  "the class's wall time")
    return 0


def side_by_side(args, other: Path, python: str) -> int:
    """This checkout against ``other``, alternating round by round."""
    assignment = (args.assignment or ["calculus"])[0]
    runs = {"this": (ROOT, sys.executable), "against": (other, python)}
    with tempfile.TemporaryDirectory(prefix="class-speed-") as tmp:
        root = make_class(Path(tmp) / "class", args.n, assignment=assignment)
        small_root = make_class(Path(tmp) / "small", SMALL, assignment=assignment)
        print(f"{args.n} submissions ({assignment}), {args.workers} worker(s), "
              f"{os.cpu_count()} CPU(s); this = {ROOT}, against = {other}")
        times = {label: ([], []) for label in runs}
        cpu = {label: ([], []) for label in runs}
        for _ in range(args.rounds):
            for label, (checkout, interpreter) in runs.items():
                times[label][1].extend(time_grade_class(small_root, args.workers, 1, assignment,
                                                        checkout, interpreter, cpu[label][1]))
                times[label][0].extend(time_grade_class(root, args.workers, 1, assignment,
                                                        checkout, interpreter, cpu[label][0]))
        further = {label: describe(f"grade-class ({label})", times[label][0], args.n,
                                   args.workers, times[label][1]) for label in runs}
        whole = {label: statistics.median(times[label][0]) for label in runs}
        paired = [a / b for a, b in zip(times["this"][0], times["against"][0])]
        print(f"this / against: {whole['this'] / whole['against']:.3f}x the median wall time "
              f"of a class of {args.n} (per submission, start-up included); median of the "
              f"rounds' paired ratios {statistics.median(paired):.3f}; "
              f"{further['this'] / further['against']:.3f}x the cost of each further "
              "submission")
        # CPU seconds (the run's processes, as far as they are waited for) vary
        # less than wall time on a machine shared with other work.
        for label in runs:
            print(f"CPU ({label}): class of {args.n}: "
                  f"{', '.join(f'{t:.1f}' for t in cpu[label][0])} s, median "
                  f"{statistics.median(cpu[label][0]):.2f} s; class of {SMALL}: median "
                  f"{statistics.median(cpu[label][1]):.2f} s")
        paired = [a / b for a, b in zip(cpu["this"][0], cpu["against"][0])]
        medians = {label: statistics.median(cpu[label][0]) for label in runs}
        print(f"CPU this / against: {medians['this'] / medians['against']:.3f}x "
              f"the median for a class of {args.n}; median of paired ratios "
              f"{statistics.median(paired):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Does every submission get the same grade under every seed?

Grades each submission under many seeds (all seeds of one submission in one
go, in a pool of processes with a fork server each) and prints every
submission whose grade -- per check: outcome, score, misconception named --
differs between seeds, with the seeds and checks concerned.

    python benchmarks/seed_sweep.py ROOT [--seeds 50] [--first-seed 0] [--workers 2]
    python benchmarks/seed_sweep.py --corpus [--seeds 50] [--assignment optimizers]

ROOT holds one folder per submission (as for grade-class: the modules in
the folder or one folder down; .py files) of one assignment (--assignment,
default calculus).  --corpus sweeps the project's own corpus of that
assignment (each entry's modules beside the reference solutions).
The seeds of one submission share each exercise's time budget (--timeout,
default 10 s per exercise): raise it for slow code and many seeds.  Where
one seed's inputs make the code hang or crash, the seeds it cut short are
graded again; code that hangs under every seed is settled for two seeds
and the rest are reported as unsettled.  Exit
status 0 when every submission is stable, 1 when one is not, 2 for bad
arguments.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.channels.class_grading import find_students  # noqa: E402
from autograder.engine.config import ConfigError, resolve  # noqa: E402
from autograder.engine.seed_sweep import Job, sweep  # noqa: E402
from autograder.intake.submission import NotGradable, locate  # noqa: E402

SOLUTIONS = ROOT / "solutions" / "calculus"
CORPUS = ROOT / "tests" / "corpus"


ASSIGNMENTS = {"calculus": (SOLUTIONS, CORPUS), "optimizers": (ROOT / "solutions" / "optimizers",
                                                          CORPUS / "optimizers")}


def exercises_of(name: str):
    from autograder.course import assignment
    return assignment(name)


def corpus_jobs(base: Path, assignment: str) -> list[Job]:
    reference, corpus = ASSIGNMENTS[assignment]
    jobs = []
    for kind in sorted(p for p in corpus.iterdir() if p.is_dir()):
        for entry in sorted(p for p in kind.iterdir() if p.is_dir()):
            if entry.name == "kill_all":
                continue       # safe only inside a PID namespace of its own
            # Links and notebooks are the intake's entries (tests/test_intake.py);
            # a folder of entries (corpus/optimizers/) is another assignment's.
            modules = sorted(p for p in entry.glob("*.py") if not p.is_symlink())
            if not modules:
                continue
            target = base / kind.name / entry.name
            target.mkdir(parents=True)
            for path in reference.glob("*.py"):
                shutil.copyfile(path, target / path.name)
            for path in modules:
                shutil.copyfile(path, target / path.name)
            jobs.append(Job(target, tuple(p.stem for p in modules)))
    return jobs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", type=Path, help="one folder per submission")
    parser.add_argument("--corpus", action="store_true", help="sweep tests/corpus/")
    parser.add_argument("--assignment", choices=sorted(ASSIGNMENTS), default="calculus")
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--timeout", default=None)
    parser.add_argument("--memory", default=None)
    args = parser.parse_args(argv)
    if (args.root is None) == (not args.corpus) or args.seeds < 1:
        parser.print_usage(sys.stderr)
        print("seed_sweep.py: give ROOT or --corpus, and --seeds of at least 1", file=sys.stderr)
        return 2
    try:
        settings = resolve({"timeout": args.timeout, "memory": args.memory})
    except ConfigError as exc:
        print(f"seed_sweep.py: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="seed-sweep-") as tmp:
        if args.corpus:
            jobs = corpus_jobs(Path(tmp), args.assignment)
        else:
            if not args.root.is_dir():
                print(f"seed_sweep.py: {args.root}: not a folder; give the folder that holds "
                      "one folder per submission", file=sys.stderr)
                return 2
            jobs = [Job(folder) for s in find_students(args.root)
                    if (folder := module_folder(s, exercises_of(args.assignment))) is not None]
        seeds = range(args.first_seed, args.first_seed + args.seeds)
        started = time.monotonic()
        results = sweep(jobs, seeds, exercises_of(args.assignment), workers=args.workers,
                        limits=settings.limits, progress=sys.stderr.isatty())
        elapsed = time.monotonic() - started
    unstable = [r for r in results if not r.stable]
    for r in unstable:
        print(r.describe())
    partly = [r for r in results if r.unsettled]
    for r in partly:
        if r.stable:
            print(r.describe())
    print(f"{len(results)} submissions x {args.seeds} seeds in {elapsed:.1f} s: "
          f"{len(unstable)} with a grade that depends on the seed, "
          f"{len(partly)} with seeds left unsettled")
    return 1 if unstable else 0


def module_folder(student: Path, course) -> Path | None:
    """Where the student's modules of ``course`` are, as the intake finds
    them (a folder only: the sweep grades folders, not zips)."""
    try:
        found = locate(student, (course,))
    except NotGradable:
        return None
    return found if found.is_dir() else None


if __name__ == "__main__":
    sys.exit(main())

"""The command line: parse arguments, call the library, report.

    python -m autograder grade DIR [--json FILE] [--seed N] [--timeout S] ...
    python -m autograder gradescope OUT.zip [--seed N] [--timeout S] ...
    python -m autograder make-stubs

Exit status: 0 when grading completed (whatever the score), 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import HELP, ConfigError, resolve


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder",
                                     description="Grade the calculus-for-deep-learning exercises.")
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade one submission folder")
    grade.add_argument("folder", type=Path, help="folder holding derivatives.py, "
                       "gradient_descent.py, weight_updates.py, neuron.py")
    grade.add_argument("--json", type=Path, metavar="FILE",
                       help="write Gradescope's results.json format to FILE")
    for key in ("seed", "timeout", "memory", "output"):
        grade.add_argument(f"--{key}", help=HELP[key])
    grade.add_argument("--quiet", action="store_true", help="print only the score table")
    klass = sub.add_parser("grade-class", help="grade one folder per student under ROOT")
    klass.add_argument("root", type=Path, help="folder holding one folder per student")
    klass.add_argument("--out", type=Path, required=True,
                       help="folder for grades.csv and each student's results and feedback")
    klass.add_argument("--workers", type=int, default=None,
                       help="parallel graders (default: all cores)")
    klass.add_argument("--regrade", action="store_true",
                       help="grade everyone again (default: only who has no results yet)")
    klass.add_argument("--no-progress", action="store_true", help="no progress bar")
    for key in ("seed", "timeout", "memory", "output"):
        klass.add_argument(f"--{key}", help=HELP[key])
    scope = sub.add_parser(
        "gradescope", help="build a Gradescope autograder zip",
        description="Build a zip to upload as a Gradescope autograder: it installs this "
        "grader and grades every submission with the settings given here. The seed is "
        "fixed in the zip, so every student of the course gets the same hidden inputs "
        "and a regrade is identical.")
    scope.add_argument("out", type=Path, metavar="OUT.zip", help="the zip file to write")
    scope.add_argument("--seed", help="seed of the randomised checks, fixed in the zip "
                       "(default: a random one, printed; use the same seed to rebuild)")
    for key in ("timeout", "memory", "output"):
        scope.add_argument(f"--{key}", help=HELP[key])
    stubs = sub.add_parser("make-stubs", help="regenerate exercises/ from solutions/")
    stubs.add_argument("--solutions", type=Path, default=Path("solutions"))
    stubs.add_argument("--exercises", type=Path, default=Path("exercises"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "make-stubs":
        return make_stubs(args.solutions, args.exercises)
    if args.command == "grade-class":
        return grade_class(args)
    if args.command == "gradescope":
        return build_gradescope(args)
    return grade(args)


def grade_class(args: argparse.Namespace) -> int:
    from .batch import ClassError, grade_class as run
    try:
        settings = resolve({k: getattr(args, k) for k in ("seed", "timeout", "memory", "output")})
        if args.workers is not None and args.workers < 1:
            raise ConfigError(f"--workers: {args.workers} is not a positive number")
        summary = run(args.root, args.out, workers=args.workers, regrade=args.regrade,
                      seed=settings.seed, limits=settings.limits,
                      progress=not args.no_progress)
    except (ConfigError, ClassError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{summary.students} students: {summary.graded_now} graded now, "
          f"{summary.skipped} already graded; grades in {summary.grades_csv}")
    return 0


def build_gradescope(args: argparse.Namespace) -> int:
    from .gradescope import Baked, BuildError, build
    from .runner import new_seed
    try:
        settings = resolve({k: getattr(args, k) for k in ("seed", "timeout", "memory", "output")})
        baked = Baked(new_seed() if settings.seed is None else settings.seed, settings.limits)
        out = build(args.out, baked=baked)
    except (ConfigError, BuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out}: every submission is graded with {baked.describe()}")
    print(f"seed {baked.seed}: rebuild with --seed {baked.seed} to keep the same checks")
    return 0


def grade(args: argparse.Namespace) -> int:
    # The sandbox starts first, so its imports overlap with the grader's.
    from .sandbox import Sandbox
    try:
        settings = resolve({k: getattr(args, k) for k in ("seed", "timeout", "memory", "output")})
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json is not None and not args.json.parent.resolve().is_dir():
        print(f"error: cannot write {args.json}: folder {args.json.parent} does not exist",
              file=sys.stderr)
        return 2
    with Sandbox() as box:
        from .report import details, gradescope, score_table, write_json_atomic
        from .runner import SubmissionError, grade_submission
        try:
            result = grade_submission(args.folder, seed=settings.seed, limits=settings.limits,
                                      sandbox=box)
        except SubmissionError as exc:
            print(f"error: {exc}", file=sys.stderr)
            if args.json is not None:
                # The results file is always written, here with a zero and the reason.
                write_json_atomic(args.json, {"score": 0, "output": f"Not graded: {exc}",
                                              "tests": []})
            return 2
        except Exception as exc:   # a grader bug: still leave a results file that says so
            print(f"error: the grader failed on {args.folder}: {exc!r}", file=sys.stderr)
            if args.json is not None:
                write_json_atomic(args.json, {"score": 0, "tests": [], "output":
                                  f"Internal grader error ({type(exc).__name__}); "
                                  "please report it with this submission."})
            return 1
    if args.json is not None:
        # Written first: nothing printed afterwards can stop it being written.
        try:
            write_json_atomic(args.json, gradescope(result))
        except OSError as exc:
            print(f"error: cannot write {args.json}: {exc}", file=sys.stderr)
            return 2
    if not args.quiet:
        text = details(result)
        if text:
            print(text + "\n")
    print(score_table(result))
    if args.json is not None:
        print(f"results written to {args.json}")
    return 0


def make_stubs(solutions: Path, exercises: Path) -> int:
    from .stubs import write_stubs
    try:
        written = write_stubs(solutions, exercises)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0

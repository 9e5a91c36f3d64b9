"""The command line: parse arguments, call the library, report.

    python -m autograder grade DIR [--assignment NAME] [--json FILE] [--seed N] ...
    python -m autograder grade-class ROOT --out OUT [--assignment NAME] [--seed N] ...
    python -m autograder gradescope OUT.zip [--assignment NAME] [--seed N] ...
    python -m autograder github-classroom DIR --package-spec SPEC [--assignment NAME] ...
    python -m autograder watch DIR [--assignment NAME] [--seed N] ...
    python -m autograder make-stubs [--check]
    python -m autograder classroom COURSE_DIR [--assignment NAME] [--seed N] [--force]

Exit status: 0 when grading completed (whatever the score), 2 for bad input;
``watch`` ends with Ctrl-C (or SIGTERM) and exits 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
from pathlib import Path

from autograder.engine.config import HELP, ConfigError, resolve


class Later(str):
    """A help text made only when help is shown.  Texts that name the
    course's assignments import the course, which costs numpy's import:
    ``grade`` starts its sandbox first, so that the two overlap."""

    def __new__(cls, make):
        text = super().__new__(cls, "(made when shown)")
        text.make = make
        return text


class HelpFormatter(argparse.HelpFormatter):
    def _get_help_string(self, action):
        return action.help.make() if isinstance(action.help, Later) else action.help


def assignments_help() -> str:
    """Each assignment and its modules, for help texts."""
    from autograder.course import ASSIGNMENTS
    return "; ".join(f"{a.name}: " + ", ".join(f"{m}.py" for m in a.modules)
                     for a in ASSIGNMENTS.values()).replace("%", "%%")


def add_assignment(parser: argparse.ArgumentParser, what: str) -> None:
    """``--assignment NAME``, the course's first assignment by default (an
    unknown name is refused in one line by :func:`chosen_assignment`)."""
    def text() -> str:
        from autograder.course import ASSIGNMENTS, DEFAULT
        return f"the assignment {what}, one of {', '.join(ASSIGNMENTS)} (default: {DEFAULT})"
    parser.add_argument("--assignment", metavar="NAME", help=Later(text))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograder", formatter_class=HelpFormatter,
        description="Grade the exercises of the course's assignments.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=functools.partial(
        argparse.ArgumentParser, formatter_class=HelpFormatter))
    grade = sub.add_parser("grade", help="grade one submission folder")
    grade.add_argument("folder", type=Path, help=Later(
        lambda: f"folder holding one assignment's modules ({assignments_help()}), their "
                ".ipynb notebooks, the modules one folder down, or a .zip of them"))
    grade.add_argument("--json", type=Path, metavar="FILE",
                       help="write Gradescope's results.json format to FILE")
    for key in ("seed", "timeout", "memory", "output"):
        grade.add_argument(f"--{key}", help=HELP[key])
    grade.add_argument("--assignment", default=None, metavar="NAME", help=Later(
        lambda: "the assignment to grade, one of " + ", ".join(assignment_names())
                + " (default: the one whose modules the folder holds)"))
    grade.add_argument("--quiet", action="store_true", help="print only the score table")
    grade.add_argument("--only", action="append", metavar="EXERCISE[:N]",
                       help="grade only this exercise, or only its N-th check (from 1, in "
                       "the order of the README's table); repeatable")
    grade.add_argument("--strict", action="store_true",
                       help="exit 1 unless every graded check passed (for CI steps that "
                       "score all or nothing, such as GitHub Classroom's)")
    watching = sub.add_parser(
        "watch", help="grade a folder, then regrade each exercise when its file is saved",
        description="Grade a folder of modules, then keep the grader warm and regrade "
        "an exercise each time its file changes, printing what `grade` prints for it. "
        "Ctrl-C stops it (exit status 0).")
    watching.add_argument("folder", type=Path, help="the folder holding the modules you edit")
    watching.add_argument("--assignment", default=None, metavar="NAME", help=Later(
        lambda: "the assignment, one of " + ", ".join(assignment_names())
                + " (default: the one whose modules the folder holds)"))
    for key in ("seed", "timeout", "memory", "output"):
        watching.add_argument(f"--{key}", help=HELP[key] + (
            " (one for the whole session)" if key == "seed" else ""))
    klass = sub.add_parser("grade-class", help="grade one folder per student under ROOT")
    klass.add_argument("root", type=Path, help="folder holding one folder per student (each "
                       "as grade takes it: the modules, one folder down, or a .zip)")
    klass.add_argument("--out", type=Path, required=True,
                       help="folder for grades.csv and each student's results and feedback")
    klass.add_argument("--workers", type=int, default=None,
                       help="parallel graders (default: all cores)")
    klass.add_argument("--regrade", action="store_true",
                       help="grade everyone again (default: only who has no results yet)")
    klass.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_assignment(klass, "every student is graded on (one per OUT)")
    for key in ("seed", "timeout", "memory", "output"):
        klass.add_argument(f"--{key}", help=HELP[key])
    room = sub.add_parser("classroom", help="create or refresh an nbgrader course "
                          "(needs the [classroom] extra)")
    room.add_argument("course", type=Path, help="the course folder (created if missing)")
    room.add_argument("--assignment", default="calculus", help=Later(
        lambda: "the assignment whose notebooks to write in source/NAME/, one of "
                + ", ".join(assignment_names()) + " (default: calculus)"))
    room.add_argument("--seed", type=int, default=None,
                      help="the secret seed of the hidden tests (default: kept from the "
                      "last run, or chosen at random the first time)")
    room.add_argument("--solutions", type=Path, default=None,
                      help="the assignment's reference solutions (default: "
                      "solutions/NAME, NAME the assignment)")
    room.add_argument("--force", action="store_true",
                      help="also replace generated files you have edited since")
    room.add_argument("--show-solutions", action=argparse.BooleanOptionalAction, default=None,
                      help="whether solution(\"<function>\") in the notebooks shows the "
                      "reference solution (default: kept from the last run; off the first "
                      "time, as the notebooks are graded); hints are always on")
    scope = sub.add_parser(
        "gradescope", help="build a Gradescope autograder zip",
        description="Build a zip to upload as a Gradescope autograder: it installs this "
        "grader and grades every submission with the settings given here. The seed is "
        "fixed in the zip, so every student of the course gets the same hidden inputs "
        "and a regrade is identical.")
    scope.add_argument("out", type=Path, metavar="OUT.zip", help="the zip file to write")
    add_assignment(scope, "the zip grades")
    add_fixed_settings(scope, "zip")
    workflow = sub.add_parser(
        "github-classroom", help="write a GitHub Classroom autograding workflow",
        description="Write DIR/.github/workflows/classroom.yml for a GitHub Classroom "
        "template repository holding an assignment's modules at its root: one autograding "
        "step per check, with the contract's points. The seed is fixed in the workflow, as "
        "for the Gradescope zip.")
    workflow.add_argument("folder", type=Path, metavar="DIR", help="the template repository")
    add_assignment(workflow, "the repository holds")
    workflow.add_argument("--package-spec", metavar="SPEC", required=True,
                          help="pip requirement the workflow installs the grader from, e.g. "
                          "'calculus-autograder @ git+https://github.com/ORG/REPO@v0.1.0' "
                          "(required: every push installs exactly this, so name a source "
                          "you control)")
    workflow.add_argument("--force", action="store_true",
                          help="replace an existing, different classroom.yml")
    add_fixed_settings(workflow, "workflow")
    stubs = sub.add_parser("make-stubs", help="regenerate exercises/ from solutions/ (each "
                           "assignment's folder)")
    stubs.add_argument("--solutions", type=Path, default=Path("solutions"))
    stubs.add_argument("--exercises", type=Path, default=Path("exercises"))
    stubs.add_argument("--check", action="store_true",
                       help="write nothing; exit 1 naming the stubs that are out of date "
                       "(for CI or a pre-commit hook)")
    return parser


def add_fixed_settings(parser: argparse.ArgumentParser, where: str) -> None:
    """The settings a generated harness fixes for every submission."""
    parser.add_argument("--seed", help=f"seed of the randomised checks, fixed in the {where} "
                        "(default: a random one, printed; give it again to rebuild the same)")
    for key in ("timeout", "memory", "output"):
        parser.add_argument(f"--{key}", help=HELP[key])


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "make-stubs":
        return make_stubs(args.solutions, args.exercises, check=args.check)
    if args.command == "grade-class":
        return grade_class(args)
    if args.command == "classroom":
        return classroom(args)
    if args.command == "gradescope":
        return build_gradescope(args)
    if args.command == "github-classroom":
        return github_classroom(args)
    if args.command == "watch":
        return watch(args)
    return grade(args)


def grade_class(args: argparse.Namespace) -> int:
    from autograder.channels.class_grading import ClassError, grade_class as run
    try:
        settings = resolve({k: getattr(args, k) for k in ("seed", "timeout", "memory", "output")})
        course = chosen_assignment(args.assignment, first=True)
        if args.workers is not None and args.workers < 1:
            raise ConfigError(f"--workers: {args.workers} is not a positive number")
        summary = run(args.root, args.out, workers=args.workers, regrade=args.regrade,
                      seed=settings.seed, limits=settings.limits,
                      progress=not args.no_progress, assignment=course)
    except (ConfigError, ClassError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\ninterrupted: the students graded so far are in {args.out / 'grades.csv'}; "
              "run the same command again to grade the rest", file=sys.stderr)
        return 130
    print(f"{summary.students} students ({course.name}): {summary.graded_now} graded now, "
          f"{summary.skipped} already graded; grades in {summary.grades_csv}")
    if summary.common_misconceptions:
        print("most common misconceptions (all in misconceptions.csv; checks.csv per check):")
        for line in summary.common_misconceptions:
            print(f"  {line}")
    return 0


def build_gradescope(args: argparse.Namespace) -> int:
    from autograder.channels.gradescope import BuildError, build
    try:
        baked = baked_settings(args)
        out = build(args.out, baked=baked)
    except (ConfigError, BuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {out}: every submission is graded with {baked.describe()}")
    print(f"seed {baked.seed}: rebuild with --seed {baked.seed} to keep the same checks")
    return 0


def baked_settings(args: argparse.Namespace):
    """The settings a generated harness fixes: resolved as for ``grade``,
    with a new seed when none is given."""
    from autograder.channels.gradescope import Baked
    from autograder.engine.runner import new_seed
    settings = resolve({k: getattr(args, k) for k in ("seed", "timeout", "memory", "output")},
                       machine=False)   # the harness runs elsewhere: its own grade checks
    course = chosen_assignment(args.assignment, first=True)
    return Baked(new_seed() if settings.seed is None else settings.seed, settings.limits,
                 course.name)


def github_classroom(args: argparse.Namespace) -> int:
    from autograder.channels.github_classroom import WorkflowError, workflow_text, write_workflow
    try:
        baked = baked_settings(args)
        spec = args.package_spec
        path = write_workflow(args.folder, workflow_text(baked, spec), force=args.force)
    except (ConfigError, WorkflowError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write the workflow in {args.folder}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    print(f"wrote {path}: one step per check, installing {spec!r}, graded with "
          f"{baked.describe()}")
    print(f"seed {baked.seed}: regenerate with --seed {baked.seed} to keep the same checks")
    return 0


def watch(args: argparse.Namespace) -> int:
    from autograder.channels.watch import watch as run
    from autograder.engine.runner import new_seed
    try:
        settings = resolve({k: getattr(args, k) for k in ("seed", "timeout", "memory", "output")})
        chosen = chosen_assignment(args.assignment)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seed = new_seed() if settings.seed is None else settings.seed
    return run(args.folder, assignment=chosen, seed=seed, limits=settings.limits)


def grade(args: argparse.Namespace) -> int:
    # The sandbox starts first, so its imports overlap with the grader's.
    from autograder.sandbox.client import Sandbox
    try:
        settings = resolve({k: getattr(args, k) for k in ("seed", "timeout", "memory", "output")})
        chosen = chosen_assignment(args.assignment)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json is not None and not args.json.parent.resolve().is_dir():
        print(f"error: cannot write {args.json}: folder {args.json.parent} does not exist",
              file=sys.stderr)
        return 2
    with Sandbox() as box:
        from autograder.intake.submission import NotGradable, intake
        from autograder.channels.report import details, gradescope, score_table, write_json_atomic
        from autograder.engine.runner import (SubmissionError, grade_submission, keep_checks,
                                              parse_only)
        try:
            # Notebooks are read as modules (outside any kernel); a zip is opened.
            # The assignment named, or the first whose modules the folder holds.
            from autograder.course import looked_for
            with intake(args.folder, looked_for(chosen)) as handed_in:
                exercises = handed_in.assignment.exercises
                try:
                    selection = parse_only(args.only, exercises) if args.only else None
                except ValueError as exc:
                    print(f"error: --only {exc}", file=sys.stderr)
                    return 2
                result = grade_submission(handed_in.folder, handed_in.assignment,
                                          seed=settings.seed, limits=settings.limits,
                                          only=None if selection is None else tuple(selection),
                                          sandbox=box)
            result = dataclasses.replace(result, submission=str(handed_in.source))
            if selection is not None:
                result = keep_checks(result, selection)
        except (NotGradable, SubmissionError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            if args.json is not None:
                # The results file is always written, here with a zero and the reason.
                refusal = exc if isinstance(exc, NotGradable) else NotGradable(str(exc))
                write_json_atomic(args.json, refusal.results(settings.seed))
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
    if args.strict and result.score < result.max_score:
        return 1
    return 0


def assignment_names() -> list[str]:
    from autograder.course import ASSIGNMENTS
    return list(ASSIGNMENTS)


def chosen_assignment(name: str | None, *, first: bool = False):
    """The assignment ``--assignment NAME`` names; with no name, the
    course's first (``first``) or None (to be inferred).  An unknown name is
    a ConfigError naming the choices."""
    from autograder.course import ASSIGNMENTS, DEFAULT, assignment
    if name is None:
        return ASSIGNMENTS[DEFAULT] if first else None
    try:
        return assignment(name)
    except ValueError as exc:
        raise ConfigError(f"--assignment: {exc}") from None


def classroom(args: argparse.Namespace) -> int:
    try:
        import nbformat  # noqa: F401
    except ImportError:
        print("error: the classroom needs nbgrader: pip install 'calculus-autograder[classroom]' "
              "(or pip install -e '.[classroom]' in the repository)", file=sys.stderr)
        return 2
    from autograder.channels.classroom import MANIFEST, ClassroomError, make_course
    try:
        solutions = args.solutions or Path("solutions") / args.assignment
        seed, done = make_course(args.course, solutions=solutions,
                                 assignment=args.assignment, seed=args.seed, force=args.force,
                                 show_solutions=args.show_solutions)
    except (ClassroomError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for item in done:
        note = " (edited since it was generated; --force replaces it)" if item.action == "kept" else ""
        print(f"{item.action:>9}  {item.path}{note}")
    print(f"hidden tests use the course's secret seed {seed} "
          f"(kept in {args.course / '.autograder-classroom.json'})")
    import json
    shown = json.loads((args.course / MANIFEST).read_text(encoding="utf-8")).get(
        "show_solutions")
    print("solution() in the notebooks: " + ("shows the reference (--no-show-solutions "
          "switches it off)" if shown else "off (--show-solutions switches it on)"))
    return 0


def make_stubs(solutions: Path, exercises: Path, *, check: bool = False) -> int:
    from autograder.course.stubs import stub_differences, write_stubs
    try:
        if check:
            if not solutions.is_dir():
                raise FileNotFoundError(f"{solutions}: no such directory of solutions")
            stale = stub_differences(solutions, exercises)
            for name in stale:
                print(f"out of date: {exercises / name}")
            if stale:
                print("run `python -m autograder make-stubs` and commit the result",
                      file=sys.stderr)
            return 1 if stale else 0
        written = write_stubs(solutions, exercises)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0

"""Grade a submission: the loop over exercises, checks and cases.

This is the library entry point every front end uses.  It knows no
exercise in particular, nor which course it grades: the assignment (or its
exercises) is an argument of every entry point.  It asks each
:class:`~autograder.engine.spec.Check` for its cases, sends their probes to
the sandbox, turns what comes back into
:class:`~autograder.sandbox.protocol.ProbeResult` records and lets the
check judge them.
"""

from __future__ import annotations

import ast
import codecs
import dataclasses
import functools
import json
import secrets
import signal
from pathlib import Path

from autograder.engine.config import Limits
from autograder.engine.judging import blame_dependencies, forgive
from autograder.engine.outcomes import CheckResult, ExerciseResult, Feedback, Outcome, SubmissionResult, Verdict
from autograder.sandbox.client import RawRun, Sandbox
from autograder.engine.spec import Assignment, Exercise
from autograder.sandbox.protocol import ISOLATION_GAPS, ProbeResult, WorkerReport, read_lines


class SubmissionError(ValueError):
    """The folder cannot be graded at all (missing, or none of the modules)."""


def as_exercises(graded) -> tuple[Exercise, ...]:
    """The exercises to grade: an :class:`~autograder.engine.spec.Assignment`'s, or
    the given exercises themselves.  TypeError for anything else (seeds
    passed where the assignment belongs, say)."""
    exercises = graded.exercises if isinstance(graded, Assignment) else tuple(graded)
    wrong = [e for e in exercises if not isinstance(e, Exercise)]
    if wrong or not exercises:
        raise TypeError(f"expected an Assignment or Exercises, got {graded!r:.80}")
    return exercises


def check_submission(path: Path, modules: tuple[str, ...]) -> Path:
    """``path`` if it is a folder holding at least one of ``modules`` (the
    assignment's)."""
    path = Path(path)
    names = ", ".join(m + ".py" for m in modules)
    if not path.exists():
        raise SubmissionError(f"{path}: no such folder. Give the folder that holds {names}.")
    if not path.is_dir():
        raise SubmissionError(f"{path}: not a folder. Give the folder that holds {names}, "
                              "not a file.")
    if not any((path / f"{m}.py").is_file() for m in modules):
        raise SubmissionError(f"{path}: holds none of {names}; is this the right folder?")
    return path


def parse_only(texts, exercises) -> dict[str, tuple[int, ...] | None]:
    """What ``--only`` selects among ``exercises`` (an assignment or its
    exercises): ``EXERCISE`` (all its checks) or ``EXERCISE:N`` (its N-th
    check, counted from 1 in the contract's order), repeatable.  Raises
    ValueError naming the accepted values."""
    selection: dict[str, tuple[int, ...] | None] = {}
    by_module = {e.module: e for e in as_exercises(exercises)}
    for text in texts:
        module, _, number = str(text).partition(":")
        if module not in by_module:
            raise ValueError(f"{text!r}: no exercise {module!r} (one of {', '.join(by_module)})")
        if not number:
            selection[module] = None
            continue
        n_checks = len(by_module[module].checks)
        if not number.isdigit() or not 1 <= int(number) <= n_checks:
            raise ValueError(f"{text!r}: {module} has checks 1 to {n_checks}")
        if module not in selection or selection[module] is not None:
            selection[module] = tuple(sorted({*(selection.get(module) or ()), int(number)}))
    return selection


def keep_checks(result: SubmissionResult,
                selection: dict[str, tuple[int, ...] | None]) -> SubmissionResult:
    """Only the selected checks of ``result`` (exercises in lesson order)."""
    kept = []
    for e in result.exercises:
        if e.module not in selection:
            continue
        numbers = selection[e.module]
        if numbers is not None:
            e = dataclasses.replace(e, checks=tuple(c for i, c in enumerate(e.checks, 1)
                                                    if i in numbers))
        kept.append(e)
    return dataclasses.replace(result, exercises=tuple(kept))


# How long grade_seeds goes on starting workers for the seeds a cut run left
# unsettled, in exercise time budgets: a crash costs milliseconds a run, so
# every seed is settled; a hang costs a whole budget a run, so code that
# hangs under every seed is settled for two seeds and the others are
# reported as unsettled, never guessed.
SEED_BUDGETS = 2.0


def grade_seeds(submission: Path, exercises: Assignment | tuple[Exercise, ...], seeds, *,
                limits: Limits = Limits(), only: tuple[str, ...] | None = None,
                sandbox: Sandbox | None = None,
                budgets: float = SEED_BUDGETS) -> list[SubmissionResult | None]:
    """Grade ``submission`` under each of ``seeds`` at once, one result per
    seed (None where it could not be settled).  Used to check that a grade
    does not depend on the seed (:mod:`autograder.engine.seed_sweep`).

    One worker per exercise runs the probes of every seed, seed after seed
    (a probe that is the same under every seed runs once), and each seed's
    cases are judged on their own.  The seeds share the exercise's time
    budget, and the student's functions are taken to answer one call the
    same way each time.  When the worker is cut short (a hang, a crash, a
    limit) at one seed's probe, that seed is settled as its own grading
    would settle it (its later probes spoiled; out of time only if it ran
    first, with the budget to itself), the seeds that ran before it are
    settled too, and the others are graded again in a new worker, for
    as long as the runs of the exercise took less than ``budgets`` times its
    time budget; a seed still unsettled then makes its result None.  An
    exercise whose module does not import is settled for every seed.
    ``exercises``: the assignment (or its exercises) to grade."""
    assignment = as_exercises(exercises)
    submission = check_submission(submission, tuple(e.module for e in assignment))
    seeds = list(seeds)
    exercises = [e for e in assignment if only is None or e.module in only]
    own = sandbox is None
    box = sandbox or Sandbox()
    box.start()
    per_seed: dict[int, dict[str, ExerciseResult]] = {seed: {} for seed in seeds}
    try:
        for e in exercises:
            if not _module_file(submission, e):
                for seed in seeds:
                    per_seed[seed][e.module] = missing_module(submission, e)
                continue
            pending, spent = list(seeds), 0.0
            while pending and spent < budgets * limits.time_seconds:
                settled, elapsed = _grade_seeds_once(box, submission, e, pending, limits)
                for seed, result in settled.items():
                    per_seed[seed][e.module] = result
                pending = [seed for seed in pending if seed not in settled]
                spent += max(elapsed, 1e-3)
    finally:
        if own:
            box.close()
    return [SubmissionResult(str(submission), seed,
                             tuple(per_seed[seed][e.module] for e in exercises), ())
            if len(per_seed[seed]) == len(exercises) else None
            for seed in seeds]


def _grade_seeds_once(box: Sandbox, submission: Path, e: Exercise, seeds: list[int],
                      limits: Limits) -> tuple[dict[int, ExerciseResult], float]:
    """One worker runs the probes of ``seeds`` for exercise ``e``; returns
    the results of the seeds it settled (see :func:`grade_seeds`) and the
    run's wall time."""
    planned = [planned_cases(e, seed) for seed in seeds]
    plans = [case_lists for case_lists, _ in planned]
    # (seed number, check number) -> where each of its probes is run.
    where: dict[tuple[int, int], list[int]] = {}
    probes: list[dict] = []
    seen: dict[str, int] = {}
    for s, ((case_lists, as_sent), keys) in enumerate(zip(planned,
                                                          (probe_keys(e, seed) for seed in seeds))):
        # The seed's probes as sent, and what tells them apart, made once per seed.
        sent = iter(zip(as_sent, keys))
        for number in range(len(e.checks)):
            at = where[s, number] = []
            for _ in (p for case in case_lists[number] for p in case.probes):
                data, key = next(sent)
                if key not in seen:
                    seen[key] = len(probes)
                    probes.append(data)
                at.append(seen[key])
    # The first seed's checks get the deadlines its own grading gives them;
    # the other seeds run after its last check, within the rest of the budget.
    counts = [len(set(where[0, number]) - {i for k in range(number) for i in where[0, k]})
              for number in range(len(e.checks))]
    (raw,) = box.run_many(submission, [(e.module, probes,
                                        check_segments(counts, limits.time_seconds))], limits)
    report = read_report(submission, e, raw, len(probes))
    # Probes a check's own deadline cut (a new worker went on after them).
    holes = timed_out_probes(raw, len(probes)) - set(report.results)
    missing = [i for i in range(len(probes)) if i not in report.results and i not in holes]
    # Where the worker was cut short: the first probe without an answer.  A
    # module that never imported (or failed to) settles every seed alike.
    cut = missing[0] if missing and report.imported and report.import_error is None else None
    timed_out = raw.reason == "timeout" or raw.signal == signal.SIGXCPU
    settled = {}
    for s, seed in enumerate(seeds):
        # In this seed's own order, the first probe without an answer must be
        # the cut itself: then its grading stopped where its own would have.
        # (A probe shared with another seed may be the cut while this seed's
        # own earlier probes, placed after it, never ran: not settled.)
        own = [i for number in range(len(e.checks)) for i in where[s, number]]
        if s > 0 and any(i in holes for i in own):
            continue   # a probe it shares with the first seed was cut with that seed's check
        first_missing = next((i for i in own if i not in report.results and i not in holes),
                             None)
        if cut is not None and first_missing is not None and first_missing != cut:
            continue
        # Out of time at this seed: the seeds before it used part of the
        # budget, so it is settled only when it ran first, with the whole
        # budget to itself (the next run starts with it).
        if cut is not None and first_missing == cut and timed_out and s > 0:
            continue
        settled[seed] = judge_exercise(
            submission, e, plans[s], raw, limits, report,
            position=lambda number, k, s=s: where[s, number][k])
    return settled, raw.elapsed


def new_seed() -> int:
    return secrets.randbelow(2**31)


# What each isolation gap (see autograder/sandbox/worker.py) leaves open, for the note.
GAP_NOTES = {
    "pid": "a PID namespace (it could see the machine's processes and signal those of "
           "its user)",
    "network": "a network namespace (it could reach the network and this machine's "
               "services on 127.0.0.1)",
    "ipc": "an IPC namespace (shared memory and message queues it left behind could "
           "reach later students)",
    "mount": "a mount namespace (it could read every file its user may read, and write "
             "to shared folders)",
    "root": "a root file system of its own (only the grader's folders were hidden; "
            "other files its user may read were in reach)",
    "proc": "a /proc of its own (it had an empty one)",
}


def grade_submission(submission: Path, exercises: Assignment | tuple[Exercise, ...], *,
                     seed: int | None = None, limits: Limits = Limits(),
                     only: tuple[str, ...] | None = None,
                     sandbox: Sandbox | None = None) -> SubmissionResult:
    """Grade every exercise of ``exercises`` (an assignment, or some of its
    exercises) in ``submission``, or those named in ``only``."""
    assignment = as_exercises(exercises)
    submission = check_submission(submission, tuple(e.module for e in assignment))
    seed = new_seed() if seed is None else seed
    exercises = [e for e in assignment if only is None or e.module in only]
    own = sandbox is None
    box = sandbox or Sandbox()
    box.start()
    _preload_in_background(exercises, seed, box)
    try:
        results = grade_exercises(box, submission, exercises, seed, limits)
    finally:
        if own:
            box.close()
    notes = ()
    gaps = [g for g in ISOLATION_GAPS if any(g in e.gaps for e in results)]
    if gaps:
        notes = ("The student's code ran as an unprivileged user, but this system refused it "
                 + "; ".join(GAP_NOTES[g] for g in gaps) + ". Grade untrusted work where "
                 "the grader, as root, may create namespaces (a VM, or a privileged container).",)
    elif any(e.isolated is False for e in results):
        notes = ("The student's code could not be fully isolated here (the grader does not "
                 "run as root): it could read files and signal processes of the grader's "
                 "user. Grade untrusted work as root or in a container.",)
    return SubmissionResult(str(submission), seed, results, notes)


def grade_exercises(box: Sandbox, submission: Path, exercises: list[Exercise], seed: int,
                    limits: Limits) -> tuple[ExerciseResult, ...]:
    """All exercises in one pass through the sandbox; results in lesson order."""
    planned = [(e, planned_cases(e, seed)) for e in exercises]
    present = [(e, cases) for e, (cases, _) in planned if _module_file(submission, e)]
    jobs = [(e.module, probes, check_segments([_n_probes(c) for c in cases], limits.time_seconds))
            for e, (cases, probes) in planned if _module_file(submission, e)]
    results = {e.module: missing_module(submission, e) for e, _ in planned
               if not _module_file(submission, e)}
    for (exercise, case_lists), raw in zip(present, box.run_many(submission, jobs, limits)):
        results[exercise.module] = judge_exercise(submission, exercise, case_lists, raw, limits)
    return tuple(results[e.module] for e in exercises)


# A check's own deadline leaves this share of the exercise's time budget to
# each check after it: a check that hangs costs itself alone, and those
# after it still have this long each (more when the ones before took less).
RESERVE_SHARE = 0.5


def check_segments(counts: list[int], budget: float) -> list[tuple[int, float]]:
    """Each check's deadline, as the worker takes them: (its first probe,
    seconds from the start of the exercise).  Of the exercise's ``budget``,
    each check keeps back for every check after it RESERVE_SHARE of an
    even share (budget / number of checks); the last check's deadline is
    the whole budget.  ``counts``: each check's number of probes (a check
    without any is left out)."""
    n = len(counts)
    reserve = RESERVE_SHARE * budget / max(n, 1)
    segments, first = [], 0
    for i, count in enumerate(counts):
        if count:
            segments.append((first, budget - reserve * (n - 1 - i)))
        first += count
    return segments or [(0, budget)]


def _n_probes(cases) -> int:
    return sum(len(case.probes) for case in cases)


# A class shares one seed; a seed sweep (seed_sweep.py) holds 4 exercises x
# its seeds.
@functools.lru_cache(maxsize=256)
def planned_cases(exercise: Exercise, seed: int) -> tuple[tuple, tuple]:
    """The cases of each of ``exercise``'s checks for ``seed`` (with the
    grader's expected values) and all their probes as sent to the worker.

    They depend on nothing else, so they are made once per seed and shared
    by every submission graded with it (a class shares one seed; the
    reference computations, such as 1000 epochs of training, cost more
    than the rest of a submission's grading).  Shared, they are only ever
    read: checks make their cases, and judges and misconception models
    read them (tests/test_shared_cases.py holds them to that)."""
    case_lists = tuple(tuple(c.make_cases(seed, exercise.module)) for c in exercise.checks)
    probes = tuple(p.to_json() for cases in case_lists for case in cases for p in case.probes)
    return case_lists, probes


@functools.lru_cache(maxsize=256)
def probe_keys(exercise: Exercise, seed: int) -> tuple[str, ...]:
    """Each probe of ``planned_cases(exercise, seed)`` as a key: the same
    call under two seeds has the same key (grade_seeds runs it once)."""
    return tuple(json.dumps(data, sort_keys=True) for data in planned_cases(exercise, seed)[1])


def _module_file(submission: Path, exercise: Exercise) -> bool:
    """The module is there as a regular file (a symbolic link is not
    followed: it could point the grader at any file on the machine)."""
    path = submission / f"{exercise.module}.py"
    return path.is_file() and not path.is_symlink()


def missing_module(submission: Path, exercise: Exercise) -> ExerciseResult:
    path = submission / f"{exercise.module}.py"
    if path.is_symlink():
        verdict = Verdict(Outcome.ERROR, Feedback(
            f"{path} is a symbolic link; submit the file itself"))
    else:
        verdict = Verdict(Outcome.NOT_ATTEMPTED, Feedback(
            f"not attempted: {path.name} is missing; add it to the submission"))
    return ExerciseResult(exercise.module, str(path), tuple(
        CheckResult(exercise.module, c.name, c.function, c.points, verdict)
        for c in exercise.checks))


def _preload_in_background(exercises=(), seed: int = 0, box: Sandbox | None = None) -> None:
    """Import sympy on a thread while the sandbox starts, when the grading
    needs it: an exercise whose probes hand the student a sympy Symbol (the
    derivative of f), whose judge needs sympy too; and ask ``box``'s
    server to import it now, ahead of that exercise's job.  The start-ups
    then overlap.  Otherwise each side imports it when it needs it (the
    neuron's cases; a submission that names sympy): an assignment that
    never needs it (optimizers) does not pay its third of a second, twice.
    No ``exercises``: sympy is imported (the notebook's check())."""
    import sys
    if exercises and not any(_hands_a_symbol(p) for e in exercises
                             for p in planned_cases(e, seed)[1]):
        return
    if box is not None:
        box.warm_sympy()
    if "sympy" not in sys.modules:
        import importlib
        import threading
        threading.Thread(target=importlib.import_module, args=("sympy",),
                         name="autograder-preload", daemon=True).start()


def _hands_a_symbol(probe: dict) -> bool:
    return '"$symbol"' in json.dumps(probe)


def read_report(submission: Path, exercise: Exercise, raw: RawRun, n_probes: int) -> WorkerReport:
    """The worker's lines on one exercise, read (lines after a kill at the
    memory cap left out) and its stubs named."""
    lines = raw.lines
    if raw.memory_cap_line is not None:
        lines = lines[:raw.memory_cap_line]
    report = read_lines(lines, n_probes, restarts=len(raw.timeouts))
    name_stubs(report, submission / f"{exercise.module}.py")
    return report


def judge_exercise(submission: Path, exercise: Exercise, case_lists, raw: RawRun,
                   limits: Limits, report: WorkerReport | None = None,
                   position=None) -> ExerciseResult:
    """Turn the worker's report on one exercise into verdicts, check by check.
    ``position(check number, k)`` is where the k-th probe of that check sits
    in the report, when the report holds more than these cases' probes."""
    path = submission / f"{exercise.module}.py"
    if report is None:
        n_probes = sum(len(case.probes) for cases in case_lists for case in cases)
        report = read_report(submission, exercise, raw, n_probes)
    spoiled = spoiled_reason(raw, report, limits, exercise.module)
    where = position or _in_order(case_lists)
    # Each probe's place in the report, and the call it makes.
    placed, owner = {}, {}
    for number, cases in enumerate(case_lists):
        for k, probe in enumerate(p for case in cases for p in case.probes):
            placed[where(number, k)] = probe
            owner.setdefault(where(number, k), number)
    holes = timed_out_probes(raw, max(placed, default=-1) + 1)
    # Where the last worker was cut short (the module imported): the first
    # probe without an answer that no check's own deadline explains.
    cut = None
    if report.imported and report.import_error is None:
        cut = min((i for i in placed if i not in report.results and i not in holes), default=None)
    hung = raw.reason == "timeout" or raw.signal == signal.SIGXCPU

    unstarted = (raw.segments[raw.unstarted][0] if raw.unstarted is not None
                 and 0 <= raw.unstarted < len(raw.segments) else None)

    def result(i: int, number: int) -> ProbeResult:
        if i in report.results:
            return report.results[i]
        if unstarted is not None and i >= unstarted and raw.memory_cap_line is None:
            return ProbeResult("spoiled", never_ran=True, detail=(
                "the exercise's time budget of "
                f"{limits.time_seconds:g} s ran out (an earlier check hung) before this "
                "check's calls could run"))
        if raw.memory_cap_line is None and (i in holes or (hung and i == cut)):
            return ProbeResult("spoiled", detail=hang_text(placed[i].function, limits))
        if cut is not None and owner[cut] != number:
            # Cut short in an earlier check: this check's calls never ran.
            return ProbeResult("spoiled", detail=spoiled, cut_by=placed[cut].call_text(),
                               never_ran=True)
        return ProbeResult("spoiled", detail=spoiled,
                           never_ran=not report.imported and report.import_error is None
                           and raw.reason == "timeout")

    checks, judged = [], []
    imported = None if report.import_error is None else import_verdict(path, report.import_error)
    for number, (check, cases) in enumerate(zip(exercise.checks, case_lists)):
        per_case, k = [], 0
        for case in cases:
            per_case.append([result(where(number, k + j), number)
                             for j in range(len(case.probes))])
            k += len(case.probes)
        if imported is not None:
            verdict = imported
        else:
            try:
                verdict = check.judge(check, cases, per_case)
            except Exception as exc:
                # What came back had a shape no student function returns.
                verdict = Verdict(Outcome.ERROR, Feedback(
                    "the grader could not read what your code sent back "
                    f"({type(exc).__name__}); did it tamper with the grader?"))
        checks.append(CheckResult(exercise.module, check.name, check.function, check.points,
                                  verdict))
        judged.append(per_case)
    if imported is None:
        # One mistake costs once: what another check charges is not charged again.
        checks = [dataclasses.replace(c, verdict=forgive(
                      check, list(cases), per_case, c.verdict, checks[:n] + checks[n + 1:]))
                  for n, (c, check, cases, per_case)
                  in enumerate(zip(checks, exercise.checks, case_lists, judged))]
    checks = blame_dependencies(checks, {c.name: c.depends_on for c in exercise.checks})
    checks = with_nudges(checks, exercise)
    return ExerciseResult(exercise.module, str(path), tuple(checks), raw.elapsed, raw.output,
                          isolated=report.masked, gaps=report.gaps)


def with_nudges(checks: list[CheckResult], exercise: Exercise) -> list[CheckResult]:
    """A function not attempted yet gets its lesson's first hint (the
    nudge: the idea, no code) as the hint of its first check, where nothing
    else is said; the later levels are for the notebook's ``hint()``."""
    hints = exercise.lesson.hints if exercise.lesson else {}
    seen, out = set(), []
    for result in checks:
        levels = hints.get(result.function) or ()
        feedback = result.verdict.feedback
        if (result.outcome is Outcome.NOT_ATTEMPTED and levels and not feedback.hint
                and result.function not in seen):
            seen.add(result.function)
            result = dataclasses.replace(result, verdict=dataclasses.replace(
                result.verdict, feedback=dataclasses.replace(feedback, hint=levels[0])))
        out.append(result)
    return out


def name_stubs(report: WorkerReport, path: Path) -> None:
    """Name the function whose ``raise NotImplementedError`` a probe hit, from
    the line the worker reported (the file is parsed, never run)."""
    stubs = {i: r for i, r in report.results.items() if r.not_attempted and r.error_line}
    if not stubs:
        return
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError, RecursionError, MemoryError):
        return
    spans = [(n.lineno, n.end_lineno or n.lineno, n.name) for n in ast.walk(tree)
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for i, r in stubs.items():
        inside = [s for s in spans if s[0] <= r.error_line <= s[1]]
        if inside:
            name = max(inside, key=lambda s: s[0])[2]
            report.results[i] = dataclasses.replace(r, detail=name)


def _in_order(case_lists):
    """Where the k-th probe of each check sits when the report holds these
    cases' probes alone, in order."""
    starts, first = [], 0
    for cases in case_lists:
        starts.append(first)
        first += sum(len(case.probes) for case in cases)
    return lambda number, k: starts[number] + k


def timed_out_probes(raw: RawRun, n_probes: int) -> set[int]:
    """The probes of the segments (checks) whose own deadline a worker
    passed, after which a new worker went on."""
    firsts = [first for first, _ in raw.segments] + [n_probes]
    out: set[int] = set()
    for segment, _ in raw.timeouts:
        if 0 <= segment < len(raw.segments):
            out.update(range(firsts[segment], max(firsts[segment], firsts[segment + 1])))
    return out


def hang_text(function: str, limits: Limits) -> str:
    return (f"`{function}` did not return in time: its check ran out of its share of the "
            f"exercise's time budget of {limits.time_seconds:g} s (an endless loop, or very "
            "slow code?)")


def utf16_hint(path: Path) -> str | None:
    """"<name> is UTF-16 ..." when the file at ``path`` is saved in UTF-16
    or UTF-32 (as some Windows editors do), which Python cannot import."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if head.startswith(bom):
            break
    else:
        even, odd = head[0::2], head[1::2]
        if len(head) < 4 or not (even.count(0) > len(even) * 0.9 or odd.count(0) > len(odd) * 0.9):
            return None
        name = "UTF-16"
    return f"{path.name} is saved as {name}; save it as UTF-8 (the encoding Python reads)"


def import_verdict(path: Path, error: ProbeResult) -> Verdict:
    if error.error_type in ("SyntaxError", "ValueError", "UnicodeDecodeError") \
            and (wrong_encoding := utf16_hint(path)):
        return Verdict(Outcome.ERROR, Feedback(
            f"importing {path.name} failed: {wrong_encoding}",
            hint="In your editor, choose \"Save with encoding\" (or \"Save as\") and UTF-8."))
    if error.not_attempted:
        return Verdict(Outcome.NOT_ATTEMPTED, Feedback(
            f"not attempted: {path.name} raises NotImplementedError when imported"))
    if error.error_type in ("SyntaxError", "IndentationError", "TabError"):
        return Verdict(Outcome.ERROR, Feedback(
            f"importing {path.name} failed: {error.error_type}: {error.error_message}",
            hint="Fix the syntax error; the file and line are in the message."))
    if error.error_type == "SystemExit":
        return Verdict(Outcome.ERROR, Feedback(f"{path.name} calls sys.exit() when imported",
                                               hint="Remove the exit: the grader imports your file."))
    if error.error_type == "MemoryError":
        return Verdict(Outcome.LIMIT, Feedback(f"{path.name} exceeded the memory cap when imported"))
    return Verdict(Outcome.ERROR, Feedback(
        f"{path.name} raised {error.error_text()} when imported",
        hint="Code at the top level of the file runs on import: keep it to definitions."))


def spoiled_reason(raw: RawRun, report: WorkerReport, limits: Limits,
                   module: str = "") -> str:
    """Why some probes have no result, in words that name the limit hit."""
    if raw.memory_cap_line is not None:
        return (f"your code's processes together exceeded the memory cap of "
                f"{limits.describe_memory()} (a process was killed at the cap)")
    if raw.reason == "timeout" and not report.imported and module:
        return (f"importing {module}.py did not finish within the exercise's time budget of "
                f"{limits.time_seconds:g} s (an endless loop, or slow code, at the top level "
                "of the file?)")
    if raw.reason == "timeout":
        return (f"the exercise ran out of its time budget of {limits.time_seconds:g} s "
                "(an endless loop, or very slow code?)")
    if raw.reason == "result_too_large":
        return "your code returned more data than the grader accepts"
    if raw.reason == "server_died":
        return "the grader's sandbox stopped while running your code (did it kill processes?)"
    if raw.signal == signal.SIGXFSZ or raw.output_size >= limits.output_bytes:
        return (f"your code wrote more than the output cap of {limits.describe_output()} "
                "(printed, or to one file)")
    if raw.signal == signal.SIGXCPU:
        return "your code used more CPU time than its time budget"
    if raw.signal is not None:
        name = signal.Signals(raw.signal).name if raw.signal in signal.Signals._value2member_map_ else str(raw.signal)
        why = {"SIGSEGV": "it crashed the Python interpreter (segmentation fault)",
               "SIGABRT": "it aborted the Python interpreter",
               "SIGKILL": "it was killed (the memory cap, or a kill signal)"}.get(name, f"signal {name}")
        return f"the process running your code ended: {why}"
    if raw.exit_code not in (None, 0) or (report.imported and report.malformed == 0):
        code = raw.exit_code if raw.exit_code is not None else "?"
        return (f"your code ended the process (exit code {code}, e.g. os._exit or sys.exit) "
                "before this check ran")
    if report.malformed:
        return "the grader could not read what came back (did your code tamper with the output?)"
    return "your code ended the process before this check ran"

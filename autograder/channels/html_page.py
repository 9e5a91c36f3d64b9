"""``grade DIR --html FILE``: one self-contained page a student opens in a
browser — the score table, the feedback of every check, and the pictures
of the classroom notebooks, drawn from the student's own functions.

The pictures are the notebooks' (:mod:`autograder.course.plots` and
:mod:`autograder.course.optimizer_plots`, as each exercise's lesson names
them), drawn here in the grader's process.  The student's code never runs
in this process: each function a picture is handed is an :class:`Asked`,
which answers from a table filled by the sandbox.  A picture is drawn once
to learn which calls it makes (each unknown call raises, and the picture
notes it), those calls run in the sandbox as probes — one run per
exercise, under the grading's memory and output caps and a shorter time
budget — and the picture is drawn again from the plain numbers that came
back.  A picture whose calls depend on the answers (a path steered one step
at a time by the student's gradients) cannot be fetched in one run: it is
drawn from the reference alone, and says so.

Needs the ``html`` extra (Jinja2 for the page, matplotlib for the
pictures); :func:`missing_extra` says so in one line.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograder.channels import pages
from autograder.channels.pages import png_uri
from autograder.engine.outcomes import Outcome, SubmissionResult
from autograder.engine.spec import Assignment, Exercise, Picture, Probe
from autograder.sandbox.limits import Limits
from autograder.sandbox.protocol import Array, Returned, Tuple, describe

PICTURE_SECONDS = 5.0   # the most the calls of one exercise's pictures may take together
INSTALL = "pip install 'calculus-autograder[html]'"


def missing_extra() -> str | None:
    """None when the page can be made, else the one line that says what to install."""
    missing = []
    for module, name in (("jinja2", "Jinja2"), ("matplotlib", "matplotlib")):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(name)
    if not missing:
        return None
    return (f"--html needs {' and '.join(missing)}, which are not installed: {INSTALL} "
            "(or pip install -e '.[html]' in the repository)")


# ------------------------------------------------ the student's answers, fetched

class NotFetched(Exception):
    """A call whose answer the sandbox has not given (yet)."""
    why = "not drawn here: it depends on the function's own answers"


class Answered(Exception):
    """The student's function did not return a value; ``why`` says what
    happened, as :func:`autograder.course.plots.call_quietly` reports it."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


def encode(value: Any) -> Any:
    """A picture's argument as a probe argument: numbers and lists as they
    are, NumPy arrays and tuples as the protocol's, a function the course
    hands over (:class:`~autograder.course.plots.Given`) as its tree."""
    tree = getattr(value, "tree", None)
    if tree is not None and callable(value):
        return tree
    if isinstance(value, np.ndarray):
        if value.ndim == 2:
            return Array(tuple(tuple(float(v) for v in row) for row in value))
        return Array(tuple(float(v) for v in value.ravel()))
    if isinstance(value, tuple):
        return Tuple(tuple(encode(v) for v in value))
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def plain(r: Returned) -> Any:
    """What came back from the sandbox as plain Python values (numbers,
    lists, arrays of floats, dicts); anything else raises with what it was."""
    if r.kind == "number":
        return float(r.value)
    if r.kind in ("bool", "none"):
        return r.value if r.kind == "bool" else None
    if r.kind == "list":
        return [plain(v) for v in r.value]
    if r.kind == "tuple":
        return tuple(plain(v) for v in r.value)
    if r.kind == "array":
        return np.array(r.value, dtype=float)
    if r.kind == "dict":
        return {_key(plain(k)): plain(v) for k, v in r.value}
    raise Answered(f"returned {describe(r)}")


def _key(k: Any) -> Any:
    return tuple(k) if isinstance(k, list) else k


@dataclass
class Answers:
    """Probe (as JSON) -> what the sandbox said of it; calls not in it yet."""
    known: dict[str, Any] = field(default_factory=dict)
    asked: dict[str, Probe] = field(default_factory=dict)


@dataclass
class Asked:
    """Stands for the student's function ``name`` in a picture: each call
    is answered from ``answers`` or recorded there and refused."""
    name: str
    answers: Answers

    def __call__(self, *args, **kwargs):
        probe = Probe(self.name, tuple(encode(a) for a in args),
                      {k: encode(v) for k, v in kwargs.items()})
        key = json.dumps(probe.to_json(), sort_keys=True)
        if key not in self.answers.known:
            self.answers.asked.setdefault(key, probe)
            raise NotFetched()
        answer = self.answers.known[key]
        if isinstance(answer, Answered):
            raise Answered(answer.why)
        return answer


def _answer(result) -> Any:
    """One probe's result as a value, or an :class:`Answered` saying why not."""
    if result.status == "value":
        try:
            return plain(result.value)
        except Answered as exc:
            return exc
    if result.status == "error":
        if result.not_attempted:
            return Answered("not written yet")
        return Answered(f"raised {result.error_type}")
    if result.status == "missing":
        return Answered("is not defined")
    if result.status == "not_callable":
        return Answered("is not a function")
    return Answered(result.detail or "gave no answer")


def fetch(box, submission: Path, jobs: list[tuple[Exercise, Answers]], limits: Limits) -> None:
    """Run every recorded call in the sandbox (one run per exercise) and
    file the answers."""
    from autograder.engine.runner import read_report, spoiled_reason
    todo = [(e, a, list(a.asked.items())) for e, a in jobs if a.asked]
    if not todo:
        return
    runs = box.run_many(submission, [(e.module, [p.to_json() for _, p in calls])
                                     for e, _, calls in todo], limits)
    for (exercise, answers, calls), raw in zip(todo, runs):
        report = read_report(submission, exercise, raw, len(calls))
        spoiled = spoiled_reason(raw, report, limits)
        for i, (key, _) in enumerate(calls):
            if report.import_error is not None:
                answers.known[key] = Answered(
                    "not written yet" if report.import_error.not_attempted
                    else f"its module raised {report.import_error.error_type} when imported")
            elif i in report.results:
                answers.known[key] = _answer(report.results[i])
            else:
                answers.known[key] = Answered(f"gave no answer: {spoiled}")
        answers.asked.clear()


# --------------------------------------------------------------- the pictures

@dataclass
class Drawn:
    """One picture of the page: its caption, the PNG as a data: URI (or
    what kept it from being drawn), and what it shows of the student."""
    caption: str
    uri: str = ""
    note: str = ""


def pictures_of(exercise: Exercise) -> list[Picture]:
    """The exercise's pictures, each drawing once: where its lesson names one
    drawing several times (after a function, beside a failed check), the one
    handed the most of the student's functions."""
    if exercise.lesson is None:
        return []
    chosen: dict[tuple[str, str], Picture] = {}
    for picture in [*exercise.lesson.pictures.values(), *exercise.lesson.on_failure.values()]:
        key = (picture.module, picture.draw)
        if key not in chosen or len(picture.arguments) > len(chosen[key].arguments):
            chosen[key] = picture
    return list(chosen.values())


def _draw(picture: Picture, functions: list, seed: int):
    draw = getattr(importlib.import_module(picture.module), picture.draw)
    kwargs = {"seed": seed} if "seed" in inspect.signature(draw).parameters else {}
    return draw(*functions, **kwargs)


def _not_run(result) -> str:
    """Why the student's code is not run for this exercise's pictures ("" to run it)."""
    outcomes = {c.outcome for c in result.checks}
    if outcomes == {Outcome.NOT_ATTEMPTED}:
        return "not written yet: the pictures show the reference alone"
    if Outcome.LIMIT in outcomes:
        return ("your code hit a limit when it was graded, so it is not run again for the "
                "pictures: they show the reference alone")
    return ""


def draw_pictures(result: SubmissionResult, assignment: Assignment, submission: Path,
                  box, limits: Limits) -> dict[str, list[Drawn]]:
    """module -> its pictures, drawn from the student's functions as they
    answered in the sandbox."""
    graded = {e.module: e for e in result.exercises}
    plans = []   # (exercise, picture, Answers or None, why not run)
    for exercise in assignment.exercises:
        if exercise.module not in graded:
            continue
        why = _not_run(graded[exercise.module])
        answers = None if why else Answers()
        for picture in pictures_of(exercise):
            plans.append((exercise, picture, answers, why))
    # 1. Learn the calls each picture makes (its unknown calls are refused).
    for exercise, picture, answers, _ in plans:
        if answers is not None:
            try:
                _draw(picture, [Asked(n, answers) for n in picture.arguments], result.seed)
            except Exception:
                pass    # the second drawing says what went wrong
    # 2. Run them in the sandbox, one run per exercise.
    seen = {}
    for exercise, _, answers, _ in plans:
        if answers is not None:
            seen[exercise.module] = (exercise, answers)
    short = dataclasses.replace(limits, time_seconds=min(limits.time_seconds, PICTURE_SECONDS))
    fetch(box, submission, list(seen.values()), short)
    # 3. Draw from the answers; where calls are still unanswered, the reference alone.
    pages: dict[str, list[Drawn]] = {}
    for exercise, picture, answers, why in plans:
        pages.setdefault(exercise.module, []).append(
            _drawn(picture, answers, why, result.seed))
    return pages


def _drawn(picture: Picture, answers: Answers | None, why: str, seed: int) -> Drawn:
    try:
        plot, note = None, why
        if answers is not None:
            plot = _draw(picture, [Asked(n, answers) for n in picture.arguments], seed)
            if answers.asked:
                answers.asked.clear()
                plot, note = None, (
                    f"drawn from the reference alone: the path of your "
                    f"{' and '.join(picture.arguments)} is steered by its own answers, one "
                    "call at a time, which only the notebook draws")
        if plot is None:
            plot = _draw(picture, [None] * len(picture.arguments), seed)
        png = plot.png()
        return Drawn(plot.caption, png_uri(png), note)
    except Exception as exc:   # a picture is a bonus: never let it stop the page
        return Drawn(picture.draw, "", f"this picture could not be drawn ({type(exc).__name__})")


# ------------------------------------------------------------------- the page

def page_html(result: SubmissionResult, assignment: Assignment,
              pictures: dict[str, list[Drawn]]) -> str:
    """The page's HTML, from its template."""
    from autograder.channels.feedback import render
    exercises = []
    for e in result.exercises:
        try:
            title = assignment.exercise(e.module).title
        except KeyError:
            title = e.module
        exercises.append({
            "module": e.module, "title": title, "score": e.score, "max": e.max_score,
            "checks": [{"name": c.name, "function": c.function, "points": c.points,
                        "score": c.score, "outcome": c.outcome.value,
                        "label": c.outcome.label, "passed": c.outcome is Outcome.PASSED,
                        "feedback": render(c.verdict.feedback)
                        if c.outcome is not Outcome.PASSED or c.verdict.feedback.note else ""}
                       for c in e.checks],
            "output": e.output[:4000],
            "pictures": pictures.get(e.module, []),
        })
    return pages.render(
        "grade_page.html.j2", assignment=assignment, result=result, exercises=exercises,
        submission=Path(result.submission).name or result.submission,
        num=lambda x: f"{x:g}")


def build(result: SubmissionResult, assignment: Assignment, submission: Path, box,
          limits: Limits) -> str:
    """The whole page for ``result``, the student's functions run in ``box``
    (the sandbox that graded them) on ``submission``."""
    return page_html(result, assignment,
                     draw_pictures(result, assignment, submission, box, limits))

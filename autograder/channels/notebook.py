"""The grader inside a Jupyter notebook: ``check``, ``hint`` and ``require``.

A classroom notebook's first cell runs ``from autograder.channels.notebook import
check, hint, require``.  From then on every cell is recorded as it runs
(up to the statement that raised, if one did).  To grade, the recorded cells
are put together into the exercise's module by :mod:`autograder.intake.cells`,
which is graded by the same engine, with the same checks, limits and
isolation, as ``python -m autograder grade``: the student's code runs in the
sandbox, never in the grader's judgement.

The judgement itself runs in the student's kernel, as every nbgrader test
does; assigning into the grader's modules is detected and refused, but a
determined student controls that kernel.  The trusted grade is
``python -m autograder grade-class`` on the submitted notebooks, outside
any kernel.

- ``check("df")`` shows the feedback on every check of ``df``;
- ``hint("df")`` shows a hint: a nudge the first time, more on each next
  call (the lesson's levels, in order; never the answer), and the hint of
  a recognised misconception once a check has failed;
- ``solution("df")`` shows the reference solution of ``df``, unless the
  course has switched solutions off (``python -m autograder classroom``
  does, unless given ``--show-solutions``);
- ``require("<check name>", seed=...)`` is what nbgrader's test cells call:
  silent success, or an ``AssertionError`` carrying the feedback, so the
  cell scores its points or zero.  Nothing is written to stderr (nbgrader
  scores any stderr output as zero).

The visible checks use a fixed public seed, so a student sees the same
inputs every time; the hidden tests of the classroom use the course's
secret seed.

Every hint and solution shown is recorded in the notebook the student
hands in: it is a ``display_data`` output whose data holds, beside the
text, ``application/vnd.autograder.hint+json``: ``{"function": "df",
"level": 2}`` for a hint, ``{"function": "df", "solution": true}`` for a
solution (the class report counts them).  Which level comes next is
counted per kernel: a restarted kernel starts again at the nudge (the
kernel cannot see the outputs its notebook has recorded).
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import dataclasses
import hashlib
import html
import io
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from autograder.intake.cells import Cell, Module, assemble_cells, without_cell_magic
from autograder.engine.config import ENV, ConfigError, Limits, resolve
from autograder.course import ASSIGNMENTS
from autograder.channels.feedback import render_check
from autograder.engine.outcomes import CheckResult, Outcome
from autograder.engine.spec import Check, Exercise

__all__ = ["check", "hint", "require", "solution", "set_course", "CheckFailed",
           "PUBLIC_SEED", "HINT_MIME"]

PUBLIC_SEED = 20240101
# The media type of the record each hint and solution leaves in the notebook.
from autograder.channels.hint_log import HINT_MIME  # noqa: E402  (the record class grading reads)


class CheckFailed(AssertionError):
    """A test cell's check did not pass.  Shown without the grader's
    traceback: the message is the feedback."""

    def _render_traceback_(self) -> list[str]:   # IPython's hook for custom tracebacks
        return [str(self)]


# ----------------------------------------------------------- what is asked

def exercise_of(question: str) -> tuple[Exercise, tuple[Check, ...]]:
    """The exercise a question belongs to, in whichever of the course's
    assignments it is, and its checks: a question is a function's name (all
    its checks) or one check's full name (both are unique in the course)."""
    exercises = [e for a in ASSIGNMENTS.values() for e in a.exercises]
    for exercise in exercises:
        checks = tuple(c for c in exercise.checks if question in (c.function, c.name))
        if checks:
            return exercise, checks
    known = ", ".join(sorted({c.function for e in exercises for c in e.checks}))
    raise ValueError(f"no question named {question!r}; the questions are: {known}")


# ------------------------------------------------------- the kernel's state

class Session:
    """What one kernel remembers: the cells that ran, the sandbox, and the
    results already computed (by module, source and seed)."""

    def __init__(self, shell) -> None:
        from autograder.sandbox.client import Sandbox
        self.shell = shell
        self.cells: list[Cell] = []
        self.results: dict[tuple[str, str, int], tuple[CheckResult, ...]] = {}
        self.last: dict[str, tuple[CheckResult, ...]] = {}   # function -> latest checks
        self.hints_given: dict[str, int] = {}   # function -> the last hint level shown
        self.solutions = True                   # the course may switch them off (set_course)
        # Limits from the environment the instructor started Jupyter or
        # nbgrader in (AUTOGRADER_TIMEOUT, ...), read before any student
        # cell runs; never from a pyproject.toml a submission could bring.
        try:
            names = [ENV[key] for key in ("timeout", "memory", "output")]
            env = {name: os.environ[name] for name in names if name in os.environ}
            self.limits: Limits | ConfigError = resolve(env=env, pyproject=False).limits
        except ConfigError as exc:
            self.limits = exc
        # The sandbox starts in the background now, while the notebook's
        # other cells run: the first check waits less.  sympy is left to
        # the grading, which imports it only for an exercise whose judges
        # need it (most notebooks never do: a third of a second saved).
        with quiet():
            self.box = Sandbox()
            self.box.start()
            atexit.register(self.box.close)
        # Cells that ran before the grader was imported (normally none: the
        # setup cell comes first), not counting the one running now.
        history = getattr(shell, "history_manager", None)
        raw = list(getattr(history, "input_hist_raw", [])) if history else []
        now = getattr(shell, "execution_count", len(raw))
        for count, text in enumerate(raw[:now]):
            if count and text:
                self.cells.append(Cell(count, self._python(text)))
        shell.events.register("post_run_cell", self._record)

    def _python(self, raw: str) -> str:
        """The cell as Python.  A cell magic that runs its body as Python
        (%%time, %%capture) gives its body, on the same lines; others give
        nothing the module could use."""
        raw = without_cell_magic(raw)
        if not raw:
            return ""
        try:
            return self.shell.transform_cell(raw)
        except Exception:
            return raw

    def _record(self, result) -> None:
        if getattr(result, "error_before_exec", None) is not None:
            return                                   # did not run at all
        count = getattr(result, "execution_count", None)
        error = getattr(result, "error_in_exec", None)
        line, col = (None, 0) if error is None else _failing_place(error)
        self.cells.append(Cell(count, self._python(result.info.raw_cell), line, col))

    def grade(self, exercise: Exercise, seed: int) -> tuple[tuple[CheckResult, ...], Module]:
        module = assemble_cells(self.cells)
        key = (exercise.module, hashlib.sha256(module.source.encode()).hexdigest(), seed)
        if key not in self.results:
            self.results[key] = self._grade(exercise, module.source, seed)
        return tuple(in_cells(r, module) for r in self.results[key]), module

    def _grade(self, exercise: Exercise, source: str, seed: int) -> tuple[CheckResult, ...]:
        from autograder.engine.runner import grade_submission
        if isinstance(self.limits, ConfigError):
            raise ConfigError(f"{self.limits}; set it before starting Jupyter or nbgrader") \
                from None
        folder = Path(tempfile.mkdtemp(prefix="notebook-"))
        try:
            (folder / f"{exercise.module}.py").write_text(source, encoding="utf-8")
            with quiet():
                result = grade_submission(folder, (exercise,), seed=seed, limits=self.limits,
                                          sandbox=self.box)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return result.exercise(exercise.module).checks


def _failing_place(error: BaseException) -> tuple[int, int]:
    """(line, column) of the cell where ``error`` was raised (the cell's
    code is the first module-level frame); the column is 0 where Python
    does not record it, and (1, 0) when nothing is known, so that nothing
    of the cell counts."""
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "<module>":
            col = 0
            if hasattr(code, "co_positions"):              # Python 3.11+
                positions = list(code.co_positions())
                if 0 <= tb.tb_lasti // 2 < len(positions):
                    line, _, start, _ = positions[tb.tb_lasti // 2]
                    col = start if line == tb.tb_lineno and start is not None else 0
            return tb.tb_lineno, col
        tb = tb.tb_next
    return 1, 0


LINE = re.compile(r"\(line (\d+)\)")


def in_cells(result: CheckResult, module: Module) -> CheckResult:
    """The feedback with its line numbers (of the assembled module) given
    as the line of the notebook cell they came from."""
    def cell_line(match: re.Match) -> str:
        where = module.where(int(match.group(1)))
        return f"({where})" if where else ""
    feedback = result.verdict.feedback
    changed = {name: LINE.sub(cell_line, getattr(feedback, name))
               for name in ("summary", "got", "note") if LINE.search(getattr(feedback, name))}
    if not changed:
        return result
    verdict = dataclasses.replace(result.verdict,
                                  feedback=dataclasses.replace(feedback, **changed))
    return dataclasses.replace(result, verdict=verdict)


@contextlib.contextmanager
def quiet():
    """Nothing the grader does may reach stderr: nbgrader would score the
    cell zero.  Warnings are silenced and stray writes are kept."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


_SESSIONS: dict[int, Session] = {}   # one per IPython shell: kernel state, not run state


def session() -> Session:
    """The session of the running kernel (one per IPython shell)."""
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is None:
        raise RuntimeError("check(), hint() and require() work inside a Jupyter notebook; "
                           "outside one, grade a folder with: python -m autograder grade FOLDER")
    key = id(shell)
    if key not in _SESSIONS:
        _SESSIONS[key] = Session(shell)
    return _SESSIONS[key]


# ------------------------------------------------------------- what is shown

@dataclass
class Report:
    """The feedback on one question, shown as text or HTML."""
    question: str
    checks: tuple[CheckResult, ...]
    picture: object = None
    tampering: tuple[str, ...] = ()   # the notebook changed the grader: nothing counts

    @property
    def passed(self) -> bool:
        return not self.tampering and all(c.outcome is Outcome.PASSED for c in self.checks)

    @property
    def score(self) -> float:
        return 0.0 if self.tampering else sum(c.score for c in self.checks)

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)

    def text(self) -> str:
        head = f"{self.question}: {self.score:g}/{self.points:g} points"
        if self.tampering:
            return "\n".join([f"{head}: not graded, because the notebook changes the grader:",
                              *(f"  - {t}" for t in self.tampering),
                              "Remove those lines, restart the kernel and run all cells."])
        body = "\n".join(render_check(c) for c in self.checks)
        return f"{head}\n{body}"

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#b35900"
        out = (f'<div style="border-left:4px solid {colour};padding-left:8px">'
               f"<pre>{html.escape(self.text())}</pre></div>")
        png = getattr(self.picture, "_repr_png_", None)
        if png is not None:
            import base64
            with quiet():
                data = base64.b64encode(png()).decode()
            out += f'<img src="data:image/png;base64,{data}"/>'
        return out


@dataclass
class Hint:
    """One hint as shown: its level of the function's levels, and the hints
    of the mistakes the last check recognised."""
    question: str
    function: str
    level: int
    levels: int
    general: str
    recognised: tuple[str, ...]
    solutions: bool = True

    def text(self) -> str:
        lines = [f"hint {self.level} of {self.levels} for {self.question}: {self.general}"]
        lines += [f"about your last check: {h}" for h in self.recognised]
        if self.level < self.levels:
            lines.append(f'(hint("{self.question}") again says more)')
        elif self.solutions:
            lines.append(f'(that is the last hint; solution("{self.question}") shows the '
                         "reference, and your notebook records that you asked)")
        else:
            lines.append("(that is the last hint)")
        return "\n".join(lines)

    def record(self) -> dict:
        return {"function": self.function, "level": self.level}

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/plain": self.text(), HINT_MIME: self.record()}

    def __repr__(self) -> str:
        return self.text()


@dataclass
class Solution:
    """The reference solution of one function, as shown."""
    function: str
    code: str

    def text(self) -> str:
        return f"the reference solution of {self.function}:\n\n{self.code}"

    def record(self) -> dict:
        return {"function": self.function, "solution": True}

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/plain": self.text(),
                "text/markdown": f"The reference solution of `{self.function}`:\n\n"
                                 f"```python\n{self.code}\n```",
                HINT_MIME: self.record()}

    def __repr__(self) -> str:
        return self.text()


def _show(shown) -> None:
    """Display ``shown`` as a display_data output of the running cell (what
    the notebook keeps); as text where IPython's display is not there."""
    try:
        from IPython.display import display
    except ImportError:
        print(shown.text() if hasattr(shown, "text") else shown)
        return
    display(shown)


MARKER = re.compile(r"\s*###\s+(BEGIN|END)\s+SOLUTION\s*$")   # nbgrader's, left out


def reference_source(exercise: Exercise, function: str) -> str | None:
    """``function`` as the course's reference solution writes it (without
    nbgrader's markers), or None where the reference is not installed (it
    lives in the repository's ``solutions/<assignment>/``, beside the
    package)."""
    assignment = next((a for a in ASSIGNMENTS.values() if exercise in a.exercises), None)
    if assignment is None:
        return None
    path = (Path(__file__).resolve().parents[2] / "solutions" / assignment.name
            / f"{exercise.module}.py")
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, UnicodeDecodeError, SyntaxError):
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            code = ast.get_source_segment(source, node) or ""
            kept = [line for line in code.splitlines() if not MARKER.match(line)]
            return "\n".join(kept)
    return None


def _picture_for(exercise: Exercise, function: str, checks: tuple[CheckResult, ...],
                 seed: int):
    """The exercise's picture for a failed ``function`` (its lesson's
    ``on_failure``: the student's run beside the reference), drawn with the
    student's functions as the kernel holds them; only for a check that
    returned wrong numbers (not for crashes or limits: those would only
    happen again in the kernel).  A picture that shows the check's cases
    (it takes ``seed``) shows those of the check just graded, as
    ``grade --html`` does."""
    if not any(c.outcome is Outcome.FAILED for c in checks):
        return None
    picture = exercise.lesson.on_failure.get(function) if exercise.lesson else None
    if picture is None:
        return None
    try:
        import importlib
        draw = getattr(importlib.import_module(picture.module), picture.draw)
        namespace = session().shell.user_ns
        if not callable(namespace.get(function)):
            return None
        arguments = [namespace.get(name) for name in picture.arguments]
        import inspect
        kwargs = {"seed": seed} if "seed" in inspect.signature(draw).parameters else {}
        with quiet():
            return draw(*(a if callable(a) else None for a in arguments), **kwargs)
    except Exception:   # a picture is a bonus; never let it hide the feedback
        return None


# ------------------------------------------------------------- the commands

def _graded(question: str, seed: int) -> tuple[Exercise, str, Report]:
    """(the question's exercise and function, the report on its checks)."""
    exercise, checks = exercise_of(question)
    current = session()
    names = {c.name for c in checks}
    results, module = current.grade(exercise, seed)
    results = tuple(r for r in results if r.name in names)
    current.last[checks[0].function] = results
    return exercise, checks[0].function, Report(question, results,
                                                tampering=module.tampering)


def check(question: str, *, seed: int = PUBLIC_SEED) -> Report:
    """Grade ``question`` (a function's name, e.g. ``"df"``) now, with the
    code of the cells you have run, and show the feedback."""
    exercise, function, report = _graded(question, seed)
    report.picture = _picture_for(exercise, function, report.checks, seed)
    return report


def hint(question: str) -> None:
    """Show a hint for ``question``: the idea first, and on each next call
    the next level of the lesson's hints (the last one again once all were
    shown); after a failed check, also the hint for the mistake the grader
    recognised in your code.  Recorded in the notebook (see the module's
    docstring); levels are counted per kernel."""
    exercise, checks = exercise_of(question)
    function = checks[0].function
    levels = tuple(exercise.lesson.hints.get(function, ())) if exercise.lesson else ()
    levels = levels or ("Reread the text above the function.",)   # tests hold every one there
    current = session()
    level = min(current.hints_given.get(function, 0) + 1, len(levels))
    current.hints_given[function] = level
    recognised = []
    for result in current.last.get(function, ()):
        h = result.verdict.feedback.hint
        if result.outcome is not Outcome.PASSED and h and h not in recognised:
            recognised.append(h)
    _show(Hint(question, function, level, len(levels), levels[level - 1], tuple(recognised),
               current.solutions))


def solution(question: str) -> None:
    """Show the reference solution of ``question`` (a function's name),
    unless the course has switched solutions off.  Recorded in the notebook
    (see the module's docstring)."""
    exercise, checks = exercise_of(question)
    function = checks[0].function
    current = session()
    if not current.solutions:
        print(f"solution({question!r}): this course does not show solutions; "
              f"hint({question!r}) gives hints")
        return
    code = reference_source(exercise, function)
    if code is None:
        print(f"solution({question!r}): the reference solutions are not installed with "
              "this grader")
        return
    _show(Solution(function, code))


def set_course(*, solutions: bool) -> None:
    """The course's settings for this kernel; the setup cell of a classroom
    notebook calls it (``solutions=False``: ``solution()`` shows nothing)."""
    session().solutions = bool(solutions)


def require(name: str, *, seed: int = PUBLIC_SEED) -> None:
    """For nbgrader's test cells: pass silently (a line on stdout) or raise
    :class:`CheckFailed` with the feedback, so the cell scores all or nothing."""
    exercise, function, report = _graded(name, seed)
    if report.passed:
        which = "" if seed == PUBLIC_SEED else ", with other inputs too"
        print(f"passed: {name} ({report.points:g} points{which})")
        return
    picture = None if report.tampering else _picture_for(exercise, function, report.checks,
                                                         seed)
    if picture is not None:
        try:
            from IPython.display import display
            with quiet():
                display(picture)
        except Exception:
            pass
    raise CheckFailed(report.text())


def _attach() -> None:
    """Start recording when imported in a kernel (the setup cell), so every
    cell after it is seen as it runs, errors included."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    if get_ipython() is not None:
        session()


_attach()

"""Exercises as data: what is graded, how many points, with which cases,
and which misconceptions are recognised.

The runner loops over these records and knows nothing of any one exercise.
A check makes its cases from a seeded random generator (so a regrade with
the same seed is identical), and a pure function turns the probe results
into a :class:`~autograder.engine.outcomes.Verdict`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Callable

from autograder.engine.outcomes import Verdict
from autograder.engine.tolerance import Tolerance
from autograder.sandbox.protocol import ProbeResult


@dataclass(frozen=True)
class Probe:
    """One call of a student function in the worker.

    A sympy expression comes back as an expression tree; when the call
    raises and ``fallback_points`` are given, the worker calls the function
    again at each of them.
    ``watch_args`` asks for those arguments as they are after the call.
    """
    function: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    fallback_points: tuple[float, ...] | None = None
    watch_args: tuple[int, ...] = ()

    def to_json(self) -> dict:
        from autograder.sandbox.protocol import encode_arg
        data: dict[str, Any] = {
            "fn": self.function,
            "args": [encode_arg(a) for a in self.args],
            "kwargs": {k: encode_arg(v) for k, v in self.kwargs.items()},
        }
        if self.fallback_points is not None:
            data["fallback_points"] = list(self.fallback_points)
        if self.watch_args:
            data["watch_args"] = list(self.watch_args)
        return data

    def call_text(self) -> str:
        from autograder.sandbox.protocol import show_arg
        parts = [show_arg(a) for a in self.args]
        parts += [f"{k}={show_arg(v)}" for k, v in self.kwargs.items()]
        return f"{self.function}({', '.join(parts)})"


@dataclass(frozen=True)
class Case:
    """Probes plus what the grader computed for them.  ``expected`` is the
    grader's own answer; ``context`` holds what misconception models need."""
    probes: tuple[Probe, ...]
    expected: Any
    context: dict = field(default_factory=dict)
    label: str = ""   # "the contract's example", "steps = 0", ...
    # This case's own tolerance, where it differs from its check's (None: the check's).
    tolerance: Tolerance | None = None
    # Which of its check's kinds it belongs to ("lists", "steps = 0"; see Check.kinds).
    kind: str = ""

    @property
    def probe(self) -> Probe:
        return self.probes[0]


@dataclass(frozen=True)
class Misconception:
    """A wrong idea recognised from what the student's code returns.

    ``model(case)`` computes what code with this misconception returns for
    the case (None where it cannot tell); it is recognised when the student's
    results agree with the model on every case where the model applies and
    at least one case failed.  ``error_pattern`` instead recognises an
    exception (``"TypeError: only length-1 arrays"``).  ``family`` (an
    :mod:`autograder.engine.families` recogniser) names a whole family of
    answers instead of one model's: a constant factor, a run k steps off,
    a trajectory cut short, rounded values.
    """
    id: str
    title: str
    hint: str
    model: Callable[[Case], Any] | None = None
    error_pattern: str | None = None
    family: Any = None


@dataclass(frozen=True)
class Excuse:
    """A mistake another check of the exercise already charges, as it shows
    in this check's cases: one mistake costs once.  When another check's
    verdict named ``misconception``, or the check of ``function`` found it
    returns wrong values, a case of this check that ``accepts(case, results)`` counts as
    agreeing, and ``note`` says why."""
    accepts: Callable[[Case, list[ProbeResult]], bool]
    note: str
    misconception: str | None = None
    function: str | None = None


@dataclass(frozen=True)
class Check:
    """One graded test: a name, the function it is about, its points, how to
    make its cases, and how to judge them."""
    name: str
    function: str
    points: float
    cases: Callable[[random.Random], list[Case]]
    judge: Callable[["Check", list[Case], list[list[ProbeResult]]], Verdict]
    compare: Callable[[Case, list[ProbeResult], Any], Any] | None = None
    misconceptions: tuple[Misconception, ...] = ()
    depends_on: tuple[str, ...] = ()   # other functions the check calls through
    # A tighter comparison that tells apart misconceptions whose answers lie
    # within ``compare``'s tolerance of each other (None: the first wins).
    discern: Callable[[Case, list[ProbeResult], Any], Any] | None = None
    # Partial credit: (kind, points) for each kind of case (Case.kind), the
    # points summing to the check's.  A check that does not pass earns the
    # points of each kind whose cases all agree.
    kinds: tuple[tuple[str, float], ...] = ()
    excuses: tuple[Excuse, ...] = ()

    def __post_init__(self) -> None:
        if self.kinds and abs(sum(p for _, p in self.kinds) - self.points) > 1e-9:
            raise ValueError(f"{self.name}: the kinds' points add up to "
                             f"{sum(p for _, p in self.kinds):g}, not {self.points:g}")

    def make_cases(self, seed: int, module: str) -> list[Case]:
        return self.cases(random.Random(f"{seed}:{module}:{self.name}"))


@dataclass(frozen=True)
class Picture:
    """A drawing that teaches: the function that draws it, by name (``draw``
    in the module ``module``, so the exercise stays data), the student's
    functions it is handed, in order, and the text that introduces it."""
    draw: str
    arguments: tuple[str, ...]
    module: str
    text: str = ""

    @property
    def code(self) -> str:
        """The code that shows it, given the student's functions."""
        return f"{self.draw}({', '.join(self.arguments)})"


@dataclass(frozen=True)
class Lesson:
    """What an exercise teaches: the lesson that opens it (markdown), the
    text before each function the student writes, the hints per graded
    function, the pictures shown after some functions, and the picture
    shown beside the feedback when a check of a function fails (the
    student's run against the reference).  Keys are function names.

    ``hints[function]`` is a sequence of levels, at least two: the first a
    nudge (the idea, no code), each next one says more, none gives the
    answer.  A student asking again and again gets them in order."""
    intro: str
    hints: dict[str, tuple[str, ...]]
    before: dict[str, str] = field(default_factory=dict)
    pictures: dict[str, Picture] = field(default_factory=dict)
    on_failure: dict[str, Picture] = field(default_factory=dict)


@dataclass(frozen=True)
class Exercise:
    """One module of an assignment: its checks and the lesson that teaches
    it.  The lesson is the course's text, not part of what is graded: two
    exercises with the same checks grade alike."""
    module: str
    title: str
    checks: tuple[Check, ...]
    lesson: Lesson | None = field(default=None, compare=False)

    @property
    def functions(self) -> tuple[str, ...]:
        """The graded functions, in the order of their first check."""
        return tuple(dict.fromkeys(c.function for c in self.checks))

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)


@dataclass(frozen=True)
class Assignment:
    """What every channel grades: a name (``calculus``), a title, and its
    exercises in lesson order.  The engine takes one as an argument and
    never knows which course it belongs to."""
    name: str
    title: str
    exercises: tuple[Exercise, ...]

    @property
    def modules(self) -> tuple[str, ...]:
        return tuple(e.module for e in self.exercises)

    @property
    def points(self) -> float:
        return sum(e.points for e in self.exercises)

    def exercise(self, module: str) -> Exercise:
        for e in self.exercises:
            if e.module == module:
                return e
        raise KeyError(f"{self.name} has no exercise {module!r} (one of "
                       f"{', '.join(self.modules)})")

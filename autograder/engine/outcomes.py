"""What a check can conclude, and the records that carry it.

Outcomes are distinct kinds, never a yes/no: a student needs to know whether
they have not started, are wrong, crashed, hit a limit, or wrote something the
grader could not decide.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Outcome(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"                # ran and returned a wrong answer
    NOT_ATTEMPTED = "not attempted"  # the untouched stub, or the module is missing
    ERROR = "error"                  # student code raised, or the module does not import
    LIMIT = "limit"                  # time, memory or output cap, or the process ended
    UNDECIDED = "undecided"          # neither sympy nor the numeric fallback could decide

    @property
    def label(self) -> str:
        return {
            Outcome.PASSED: "passed",
            Outcome.FAILED: "wrong",
            Outcome.NOT_ATTEMPTED: "not attempted",
            Outcome.ERROR: "crashed",
            Outcome.LIMIT: "hit a limit",
            Outcome.UNDECIDED: "undecided",
        }[self]


@dataclass(frozen=True)
class Feedback:
    """The parts of a message to the student; rendered in one place
    (:mod:`autograder.channels.feedback`)."""

    summary: str
    inputs: str = ""
    got: str = ""
    expected: str = ""
    table: str = ""
    hint: str = ""
    note: str = ""
    printed: str = ""   # what the student's code printed during the call shown


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    feedback: Feedback
    misconception: str | None = None   # id from the catalogue, when recognised
    # The share of the check's points earned though it did not pass (the
    # kinds of cases that agree: see spec.Check.kinds).
    credit: float = 0.0


@dataclass(frozen=True)
class CheckResult:
    exercise: str
    name: str
    function: str
    points: float
    verdict: Verdict

    @property
    def score(self) -> float:
        if self.verdict.outcome is Outcome.PASSED:
            return self.points
        return round(self.points * min(max(self.verdict.credit, 0.0), 1.0), 6)

    @property
    def outcome(self) -> Outcome:
        return self.verdict.outcome


@dataclass(frozen=True)
class ExerciseResult:
    module: str
    path: str
    checks: tuple[CheckResult, ...]
    elapsed: float = 0.0
    output: str = ""            # the start of what the student's code printed
    isolated: bool | None = None  # whether the grader's files were hidden (None: not run)
    gaps: tuple[str, ...] = ()    # as root, the isolation the system refused (wire.ISOLATION_GAPS)

    @property
    def score(self) -> float:
        return sum(c.score for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks)


@dataclass(frozen=True)
class SubmissionResult:
    submission: str
    seed: int
    exercises: tuple[ExerciseResult, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def score(self) -> float:
        return sum(e.score for e in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises)

    def exercise(self, module: str) -> ExerciseResult:
        for e in self.exercises:
            if e.module == module:
                return e
        raise KeyError(module)

    def checks(self):
        for e in self.exercises:
            yield from e.checks

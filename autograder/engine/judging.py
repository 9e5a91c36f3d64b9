"""Pure functions from probe results to verdicts, shared by every check.

A check's ``compare(case, results, expected)`` returns None when the
student's results agree with ``expected`` and a :class:`Mismatch` when not;
the same comparison decides whether a misconception's model explains what
came back.  Nothing here runs student code or touches the sandbox.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace
from typing import Any, Callable

from autograder.engine.families import explained
from autograder.engine.outcomes import CheckResult, Feedback, Outcome, Verdict
from autograder.engine.spec import Case, Check, Misconception
from autograder.engine.tolerance import (DEFAULT, Tolerance, fmt, fmt_approx, fmt_pair, is_close,
                                         mismatch_table)
from autograder.sandbox.protocol import ProbeResult, Returned, as_float, as_vector, describe, low_precision


class Mismatch:
    """How the student's results differ from the expected ones, in words:
    what came back, what was expected, a table of the values that differ,
    and why (a hint), where there is one.

    Recognising a misconception compares the results with many models' and
    only asks whether they agree: :meth:`later` makes a Mismatch whose
    words are built only when first read."""

    __slots__ = ("_words", "_build")

    def __init__(self, got: str, expected: str, table: str = "", why: str = "") -> None:
        self._words: tuple[str, str, str, str] | None = (got, expected, table, why)
        self._build: Callable[[], Mismatch] | None = None

    @classmethod
    def later(cls, build: Callable[[], "Mismatch"]) -> "Mismatch":
        """A Mismatch whose words ``build()`` (a Mismatch) makes when first read."""
        m = cls.__new__(cls)
        m._words, m._build = None, build
        return m

    def _read(self) -> tuple[str, str, str, str]:
        if self._words is None:
            assert self._build is not None
            self._words, self._build = self._build()._read(), None
        return self._words

    @property
    def got(self) -> str:
        return self._read()[0]

    @property
    def expected(self) -> str:
        return self._read()[1]

    @property
    def table(self) -> str:
        return self._read()[2]

    @property
    def why(self) -> str:
        return self._read()[3]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mismatch):
            return NotImplemented
        return self._read() == other._read()

    def __hash__(self) -> int:
        return hash(self._read())

    def __repr__(self) -> str:
        got, expected, table, why = self._read()
        return f"Mismatch(got={got!r}, expected={expected!r}, table={table!r}, why={why!r})"


Compare = Callable[[Case, list[ProbeResult], Any], "Mismatch | None"]


# ----------------------------------------------------------- comparisons

# Single precision keeps about 7 digits: its answers are held to this.
SINGLE_REL = 1e-5


def _single(tol: Tolerance, value: Returned | None) -> Tolerance:
    """Single precision keeps about 7 digits: its answers are held to
    SINGLE_REL where the check's own tolerance is tighter."""
    if low_precision(value) and tol.rel < SINGLE_REL:
        return Tolerance(SINGLE_REL, tol.abs, "single precision keeps about 7 digits")
    return tol


def number(tolerance: Tolerance = DEFAULT) -> Compare:
    """The first probe returns one number close to ``expected`` (within the
    case's own tolerance where it has one, else ``tolerance``)."""

    def compare(case: Case, results: list[ProbeResult], expected: float) -> Mismatch | None:
        value = results[0].value
        tol = _single(case.tolerance or tolerance, value)
        got = as_float(value)
        if got is None:
            return Mismatch(describe(value), f"a number, {tol.approx(expected)}",
                            why=_type_hint(value, "a number"))
        if tol.close(got, expected):
            return None

        def words() -> Mismatch:
            shown_got, shown_expected = fmt_pair(got, expected)
            return Mismatch(shown_got, fmt_approx(expected, tol.rel, tol.abs, shown_expected))
        return Mismatch.later(words)
    return compare


def vector(tolerance: Tolerance = DEFAULT, label: str = "index",
           what: str = "numbers") -> Compare:
    """The first probe returns a flat sequence (list, tuple or 1-D array)
    of numbers, element by element close to ``expected``."""

    def compare(case: Case, results: list[ProbeResult], expected: list[float]) -> Mismatch | None:
        value = results[0].value
        tol = _single(case.tolerance or tolerance, value)
        got = as_vector(value)
        want = f"a sequence of {len(expected)} {what}"
        if got is None:
            return Mismatch(describe(value), want, why=_type_hint(value, want))
        if len(got) != len(expected):
            return Mismatch(f"{describe(value)} ({len(got)} {what})", want)
        rel, abs_ = tol.rel, tol.abs
        if all(is_close(g, e, rel, abs_) for g, e in zip(got, expected)):
            return None

        def words() -> Mismatch:
            table = mismatch_table(got, expected, rel, abs_, label=label)
            # Each number with as many digits as it takes to tell it from its pair.
            pairs = [fmt_pair(g, e) for g, e in zip(got, expected)]
            return Mismatch(describe(value, shown=lambda i, v: pairs[i][0]),
                            "[" + ", ".join(b for _, b in pairs[:12]) +
                            (", ...]" if len(expected) > 12 else "]"), table=table)
        return Mismatch.later(words)
    return compare


def _type_hint(value: Returned | None, want: str) -> str:
    if value is None:
        return ""
    if value.kind == "none":
        return "Got None: did you forget a `return`?"
    if value.kind == "array" and len(value.shape) != 1 and "number" in want:
        return f"Return {want}, not an array of shape {value.shape}."
    if value.kind == "other":
        return f"Return {want}: plain Python or NumPy numbers, not {describe(value)}."
    if value.kind in ("list", "tuple"):
        for i, item in enumerate(value.value):
            if as_float(item) is None:
                return f"Item {i} is {describe(item)}, not a number."
    return ""


# --------------------------------------------------------------- verdicts

def screen(check: Check, results: list[list[ProbeResult]],
           cases: list[Case] | None = None) -> Verdict | None:
    """The verdict when a probe did not return a value at all: the stub,
    a missing function, an exception, a limit.  None when all returned."""
    for n, probe_results in enumerate(results):
        for k, r in enumerate(probe_results):
            if r.status == "value":
                continue
            call = ""
            if cases is not None:
                case = cases[n]
                call = case.probes[k].call_text() + (f"  [{case.label}]" if case.label else "")
            if r.status == "missing":
                return Verdict(Outcome.NOT_ATTEMPTED, Feedback(
                    f"not attempted: there is no function `{check.function}` "
                    "(was it renamed or deleted?)"))
            if r.status == "not_callable":
                return Verdict(Outcome.ERROR, Feedback(
                    f"`{check.function}` is a {r.detail}, not a function"))
            if r.not_attempted:
                stub = r.detail or check.function
                where = f" (line {r.error_line})" if r.error_line else ""
                needs = (f"`{check.function}` calls `{stub}`, which " if stub != check.function
                         else f"`{stub}` ")
                return Verdict(Outcome.NOT_ATTEMPTED, Feedback(
                    f"not attempted: {needs}still raises NotImplementedError{where}; "
                    "replace `raise NotImplementedError()` with your code"))
            if r.status == "spoiled":
                if r.cut_by:
                    return Verdict(Outcome.LIMIT, Feedback(
                        f"no result: {r.detail}; that happened in {r.cut_by}, a call of an "
                        "earlier check, and this check's calls never ran"))
                return Verdict(Outcome.LIMIT, Feedback(f"no result: {r.detail}",
                                                       inputs="" if r.never_ran else call))
            if r.error_type == "MemoryError":
                return Verdict(Outcome.LIMIT, Feedback(
                    "your code ran out of memory (MemoryError: it exceeded the memory cap)",
                    inputs=call))
            if r.error_type == "OSError" and "File too large" in r.error_message:
                return Verdict(Outcome.LIMIT, Feedback(
                    "your code wrote more than the output cap (printed, or to one file)",
                    inputs=call))
            if r.error_type == "SystemExit":
                return Verdict(Outcome.ERROR, Feedback(
                    "your code called sys.exit() or exit(): return a value instead",
                    inputs=call))
            m = _recognise_error(check.misconceptions, r)
            return Verdict(Outcome.ERROR, Feedback(
                f"your code raised {r.error_text()}", inputs=call, hint=m.hint if m else ""),
                misconception=m.id if m else None)
    return None


def _recognise_error(misconceptions, r: ProbeResult) -> Misconception | None:
    text = f"{r.error_type}: {r.error_message}"
    for m in misconceptions:
        if m.error_pattern and re.search(m.error_pattern, text):
            return m
    return None


def recognise(check: Check, cases: list[Case], results: list[list[ProbeResult]],
              compare: Compare) -> Misconception | None:
    """The misconception whose model (or family) explains every applicable
    case: the first in the catalogue's order, or, where several do within
    the tolerance, the first that the check's ``discern`` comparison
    (tighter: a model computes just what the mistaken code computes) still
    accepts.  A family's description of what it saw ("every value is ½
    times the expected one") is added to the title it is named with."""
    candidates = []
    for m in check.misconceptions:
        seen = _explanation(m, cases, results, compare)
        if seen is not None:
            candidates.append((m, seen))
            if check.discern is None:
                break
    if len(candidates) > 1 and check.discern is not None:
        closer = [(m, seen) for m, seen in candidates
                  if _explanation(m, cases, results, check.discern) is not None]
        if closer:
            candidates = closer
    if not candidates:
        return None
    m, seen = candidates[0]
    return replace(m, title=f"{m.title}: {seen}") if seen else m


def _explanation(m: Misconception, cases: list[Case], results: list[list[ProbeResult]],
                 compare: Compare) -> str | None:
    """What ``m`` recognised in the results ("" for a model, which has
    nothing to add), or None."""
    if m.family is not None:
        return m.family.explain(cases, results, compare)
    return "" if _explains(m, cases, results, compare) else None


def _explains(m: Misconception, cases: list[Case], results: list[list[ProbeResult]],
              compare: Compare) -> bool:
    if m.model is None:
        return False
    return explained(m.model, cases, results, compare, key=m.model)


def judge_cases(check: Check, cases: list[Case], results: list[list[ProbeResult]]) -> Verdict:
    """The usual judge: every case compared with the grader's answer; a
    check with kinds of cases (Check.kinds) earns the points of each kind
    that agrees."""
    verdict = _judge_all(check, cases, results)
    if verdict.outcome is Outcome.PASSED or not check.kinds:
        return verdict
    return with_kinds(check, cases, results, verdict)


def _judge_all(check: Check, cases: list[Case], results: list[list[ProbeResult]]) -> Verdict:
    early = screen(check, results, cases)
    if early is not None:
        return _with_printed(early, cases, results)
    assert check.compare is not None
    failures = []
    for n, (case, res) in enumerate(zip(cases, results)):
        mismatch = check.compare(case, res, case.expected)
        if mismatch is not None:
            failures.append((n, case, mismatch))
    if not failures:
        return Verdict(Outcome.PASSED, Feedback(f"all {len(cases)} cases agree"))
    m = recognise(check, cases, results, check.compare)
    n, case, mismatch = failures[0]
    fb = feedback_for(case, mismatch, len(failures), len(cases), m)
    fb = dataclasses.replace(fb, printed=printed_text(results[n]))
    return Verdict(Outcome.FAILED, fb, misconception=m.id if m else None)


def _with_printed(verdict: Verdict, cases: list[Case], results) -> Verdict:
    """The early verdict with what the call it shows printed."""
    for res in results:
        if any(r.status != "value" for r in res):
            return dataclasses.replace(verdict, feedback=dataclasses.replace(
                verdict.feedback, printed=printed_text(res)))
    return verdict


# What a failing check shows of the student's printed output, at most.
PRINTED_LINES, PRINTED_CHARS = 20, 2000


def printed_text(results: list[ProbeResult]) -> str:
    """What the calls of one case printed, capped at PRINTED_LINES lines
    and PRINTED_CHARS characters ("..." says where it was cut)."""
    text = "".join(r.printed for r in results)
    if not text.strip():
        return ""
    lines = text.rstrip("\n").split("\n")
    cut = len(lines) > PRINTED_LINES or len(text) > PRINTED_CHARS
    shown = "\n".join(lines[:PRINTED_LINES])[:PRINTED_CHARS]
    return shown + ("\n..." if cut else "")


def _agrees(check: Check, case: Case, res: list[ProbeResult]) -> bool:
    return (all(r.status == "value" for r in res) and check.compare is not None
            and check.compare(case, res, case.expected) is None)


def with_kinds(check: Check, cases: list[Case], results, verdict: Verdict,
               agrees=None) -> Verdict:
    """``verdict`` with the credit of the kinds whose cases all agree, and
    its summary saying which kinds did."""
    agrees = agrees or (lambda case, res: _agrees(check, case, res))
    right, wrong = [], []
    for kind, points in check.kinds:
        mine = [(c, r) for c, r in zip(cases, results) if c.kind == kind]
        (right if mine and all(agrees(c, r) for c, r in mine) else wrong).append((kind, points))
    if not right:
        return verdict
    earned = sum(p for _, p in right)
    said = (f"right for {_names(right)}, not for {_names(wrong)}: "
            f"{earned:g} of {check.points:g} points")
    fb = dataclasses.replace(verdict.feedback, summary=f"{verdict.feedback.summary}; {said}")
    return dataclasses.replace(verdict, feedback=fb, credit=earned / check.points)


def _names(kinds) -> str:
    names = [k for k, _ in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def forgive(check: Check, cases: list[Case], results: list[list[ProbeResult]],
            verdict: Verdict, others: list[CheckResult]) -> Verdict:
    """One mistake costs once: where another check of the exercise charges
    a mistake (named a misconception, or the check of a function did not
    return the right values) that this check's excuses (Check.excuses)
    recognise in its cases,
    those cases count as agreeing.  Passed when every case then agrees
    (the note says why), else the original verdict with the kinds that
    then agree credited."""
    if verdict.outcome is Outcome.PASSED or not check.excuses:
        return verdict
    charged = [e for e in check.excuses if any(
        (e.misconception and o.verdict.misconception == e.misconception)
        or (e.function and o.function == e.function and o.outcome is Outcome.FAILED)
        for o in others)]
    if not charged:
        return verdict
    used: list[str] = []

    def agrees(case: Case, res: list[ProbeResult]) -> bool:
        if _agrees(check, case, res):
            return True
        for e in charged:
            try:
                if e.accepts(case, res):
                    if e.note not in used:
                        used.append(e.note)
                    return True
            except Exception:
                continue
        return False

    if all(agrees(c, r) for c, r in zip(cases, results)):
        return Verdict(Outcome.PASSED, Feedback(
            f"all {len(cases)} cases agree, but for a mistake another check charges",
            note=" ".join(used)))
    if check.kinds:
        base = dataclasses.replace(verdict, credit=0.0, feedback=_unkinded(verdict.feedback))
        return with_kinds(check, cases, results, base, agrees) if any(
            agrees(c, r) for c, r in zip(cases, results)) else verdict
    return verdict


def _unkinded(fb: Feedback) -> Feedback:
    return dataclasses.replace(fb, summary=fb.summary.split("; right for ")[0])


def feedback_for(case: Case, mismatch: Mismatch, n_failed: int, n_cases: int,
                 m: Misconception | None) -> Feedback:
    label = f"  [{case.label}]" if case.label else ""
    return Feedback(
        summary=f"wrong in {n_failed} of {n_cases} cases",
        inputs=case.probe.call_text() + label,
        got=mismatch.got, expected=mismatch.expected, table=mismatch.table,
        hint=m.hint if m else mismatch.why,
        note=(f"{mismatch.why} (recognised: {m.title})" if mismatch.why
              else f"recognised: {m.title}") if m else "")


def blame_dependencies(checks: list[CheckResult],
                       depends_on: dict[str, tuple[str, ...]]) -> list[CheckResult]:
    """A check that failed while a function it calls failed its own check
    points there instead of guessing a misconception: the student's code
    may be right and only its input wrong.  ``depends_on``: check name ->
    the functions it calls."""
    def ran(c: CheckResult) -> bool:
        # A check that hit a limit in a call of its own (not one cut short
        # before its calls ran).
        return c.outcome is not Outcome.LIMIT or bool(c.verdict.feedback.inputs)

    broken = {c.function: c.verdict for c in checks
              if c.outcome in (Outcome.FAILED, Outcome.ERROR, Outcome.UNDECIDED, Outcome.LIMIT)
              and ran(c)}
    out = []
    for c in checks:
        # A shared cause (the module does not import) is not the other's fault.
        culprits = [f for f in depends_on.get(c.name, ()) if f in broken and f != c.function
                    and broken[f] is not c.verdict]
        if c.outcome in (Outcome.FAILED, Outcome.ERROR, Outcome.LIMIT) and ran(c) and culprits:
            names = ", ".join(f"`{f}`" for f in culprits)
            fb = c.verdict.feedback
            fb = dataclasses.replace(
                fb, hint=f"`{c.function}` may call {names}, which failed its own check: "
                         f"fix {names} first; this check may then pass.",
                note=fb.note if not c.verdict.misconception else "")
            c = CheckResult(c.exercise, c.name, c.function, c.points,
                            dataclasses.replace(c.verdict, feedback=fb, misconception=None))
        out.append(c)
    return out

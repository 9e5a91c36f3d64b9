"""The cases made for a seed are shared by every submission graded with it
(autograder.engine.runner.planned_cases): grading must only read them."""

from __future__ import annotations

from pathlib import Path

from autograder.course import EXERCISES, misconceptions
from autograder.engine.runner import planned_cases

CORPUS = Path(__file__).resolve().parent / "corpus"
SEED = 424242


def snapshot(seed: int) -> list[str]:
    """A deep picture of every shared case (probes, expected values, context)."""
    return [repr(planned_cases(e, seed)) for e in EXERCISES]


def test_shared_cases_are_made_once_per_seed():
    for e in EXERCISES:
        assert planned_cases(e, SEED) is planned_cases(e, SEED)
        fresh = [c.make_cases(SEED, e.module) for c in e.checks]
        assert [[case.expected for case in cases] for cases in fresh] == \
               [[case.expected for case in cases] for cases in planned_cases(e, SEED)[0]]


def test_grading_never_changes_the_shared_cases(submission, grade):
    """Grade the reference and one submission per misconception (every
    judge and misconception model runs): the shared cases stay as made."""
    before = snapshot(SEED)
    grade(submission(), seed=SEED)
    for mid, path in sorted((m.id, CORPUS / "misconceptions" / m.id / f"{module}.py")
                            for module, _, m in misconceptions()):
        module = path.stem
        grade(submission({module: path}), only=(module,), seed=SEED)
    assert snapshot(SEED) == before

"""Every misconception in the catalogue is recognised in a realistic submission.

``tests/corpus/misconceptions/<id>/<module>.py`` is the reference module of
the exercise with the change a student holding misconception ``<id>`` would
make.  Graded on its own (the other modules stay the reference), the check
the misconception belongs to must fail, name the misconception, show its hint
and say what came back and what was expected.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder.course import EXERCISES, misconceptions
from autograder.channels.feedback import render_check
from autograder.engine.outcomes import Outcome

CORPUS = Path(__file__).resolve().parent / "corpus" / "misconceptions"
STUBS = Path(__file__).resolve().parents[1] / "exercises" / "calculus"   # the untouched stubs

# id -> (module, check name, Misconception), in catalogue order.
CATALOGUE = {m.id: (module, check, m) for module, check, m in misconceptions()}
MODULES = tuple(e.module for e in EXERCISES)


def test_catalogue_ids_are_unique():
    ids = [m.id for _, _, m in misconceptions()]
    assert len(ids) == len(set(ids))


def test_every_corpus_folder_has_a_catalogue_entry():
    folders = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    unknown = [name for name in folders if name not in CATALOGUE]
    assert not unknown, f"corpus folders with no misconception in the catalogue: {unknown}"


def test_every_catalogue_entry_has_a_corpus_folder():
    missing = [mid for mid in CATALOGUE if not (CORPUS / mid).is_dir()]
    assert not missing, f"misconceptions with no corpus submission: {missing}"


def test_each_corpus_folder_holds_exactly_its_module():
    for mid, (module, _, _) in CATALOGUE.items():
        folder = CORPUS / mid
        if folder.is_dir():
            assert sorted(p.name for p in folder.iterdir()) == [f"{module}.py"], mid


@pytest.mark.parametrize("mid", list(CATALOGUE))
def test_misconception_is_recognised(mid, submission, grade):
    module, check_name, m = CATALOGUE[mid]
    path = CORPUS / mid / f"{module}.py"
    assert path.is_file(), f"no corpus submission {path.relative_to(CORPUS.parent.parent)}"

    result = grade(submission({module: path}), only=(module,))
    exercise = result.exercise(module)
    assert exercise.score < exercise.max_score

    (check,) = [c for c in exercise.checks if c.name == check_name]
    text = render_check(check)
    assert check.outcome is not Outcome.PASSED, text
    assert check.verdict.misconception == mid, text
    assert m.hint in text, text
    feedback = check.verdict.feedback

    if m.error_pattern:
        # Recognised from an exception: the feedback names what was raised.
        assert check.outcome is Outcome.ERROR, text
        assert feedback.summary.startswith("your code raised"), text
        assert re.search(m.error_pattern, feedback.summary), text
    else:
        # Recognised from values: what came back and what was expected.
        assert check.outcome is Outcome.FAILED, text
        assert feedback.got and feedback.expected, text
        assert f"got:      {feedback.got}" in text, text
        assert f"expected: {feedback.expected}" in text, text
        assert f"recognised: {m.title}" in text, text


def test_reference_scores_full_marks(submission, grade):
    result = grade(submission())
    assert [e.module for e in result.exercises] == list(MODULES)
    for exercise in result.exercises:
        failed = [render_check(c) for c in exercise.checks if c.outcome is not Outcome.PASSED]
        assert not failed, "\n".join(failed)
        assert exercise.score == exercise.max_score
        for check in exercise.checks:
            assert check.verdict.misconception is None
    assert result.score == result.max_score == 100


def test_untouched_stubs_score_zero_not_attempted(submission, grade):
    result = grade(submission(base=STUBS))
    assert [e.module for e in result.exercises] == list(MODULES)
    for exercise in result.exercises:
        assert exercise.score == 0
        for check in exercise.checks:
            text = render_check(check)
            assert check.outcome is Outcome.NOT_ATTEMPTED, text
            assert check.verdict.misconception is None, text
            assert f"`{check.function}`" in check.verdict.feedback.summary, text
            assert "Traceback" not in text

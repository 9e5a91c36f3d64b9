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
    """Families included: each has a submission of one of its members here
    (more, in the shapes students write them, in ``families/``)."""
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


# ------------------------------------------------------------ families
#
# ``tests/corpus/wrong/<name>/`` and ``tests/corpus/families/<name>/`` (and
# the same under ``tests/corpus/optimizers/``) are wrong submissions in the
# shapes real students write them; the corpus' ``expected.json`` says which
# misconception each must be named with, and which family of mistakes it
# stands for (benchmarks/misconception_naming.py measures the rates).

import dataclasses  # noqa: E402
import json  # noqa: E402

from autograder.course import CALCULUS, OPTIMIZERS  # noqa: E402
from autograder.engine import families  # noqa: E402
from autograder.engine.families import Factor, OneTerm, Rounded, Steps, Truncated  # noqa: E402
from autograder.engine.spec import Case, Probe  # noqa: E402
from autograder.sandbox.protocol import ProbeResult, decode_value  # noqa: E402

ROOT = CORPUS.parent
COURSES = {"calculus": (CALCULUS, ROOT, Path(__file__).resolve().parents[1] / "solutions" / "calculus"),
           "optimizers": (OPTIMIZERS, ROOT / "optimizers",
                          Path(__file__).resolve().parents[1] / "solutions" / "optimizers")}


def _expected(corpus: Path) -> dict:
    return json.loads((corpus / "expected.json").read_text(encoding="utf-8"))


def _named_entries():
    for name, (_, corpus, _) in COURSES.items():
        for key, said in _expected(corpus).items():
            yield name, key, said["misconception"]


def test_every_wrong_and_family_entry_is_listed_with_a_catalogued_misconception():
    for name, (course, corpus, _) in COURSES.items():
        listed = _expected(corpus)
        ids = {m.id for _, _, m in misconceptions(course)}
        folders = {f"{kind}/{p.name}" for kind in ("wrong", "families")
                   if (corpus / kind).is_dir() for p in (corpus / kind).iterdir() if p.is_dir()}
        assert folders <= set(listed), f"{name}: not in expected.json: {folders - set(listed)}"
        for key, said in listed.items():
            assert (corpus / key).is_dir(), f"{name}: {key} listed but missing"
            assert said["misconception"] in ids, (name, key, said)
            assert said["family"], (name, key)


@pytest.mark.parametrize("assignment, key, mid", list(_named_entries()))
def test_every_wrong_entry_names_its_misconception(assignment, key, mid, submission, grade):
    course, corpus, reference = COURSES[assignment]
    modules = sorted((corpus / key).glob("*.py"))
    result = grade(submission({p.stem: p for p in modules}, base=reference),
                   only=tuple(p.stem for p in modules), course=course)
    checks = [c for e in result.exercises for c in e.checks]
    named = [c for c in checks if c.verdict.misconception == mid]
    assert named, "\n".join(render_check(c) for c in checks)
    (check,) = named
    m = next(m for _, _, m in misconceptions(course) if m.id == mid)
    text = render_check(check)
    assert check.outcome in (Outcome.FAILED, Outcome.ERROR), text
    assert m.hint in text, text
    if not m.error_pattern:
        assert f"recognised: {m.title}" in text, text


def _family_checks():
    for name, (course, _, _) in COURSES.items():
        for exercise in course.exercises:
            for check in exercise.checks:
                if any(m.family is not None for m in check.misconceptions):
                    yield pytest.param(course, exercise.module, check, id=f"{name}-{check.function}")


def _results(check, case, value):
    from optimizers_inprocess import encoded
    if check.function == "df":   # compared at points: df could not take a symbol
        return [ProbeResult("error", error_type="TypeError", error_message="math.pow",
                            fallback=tuple(encoded(v) for v in value))]
    return [encoded(case.expected if value is None else value)]


@pytest.mark.parametrize("course, module, check", list(_family_checks()))
def test_every_family_member_is_wrong_and_named_under_200_seeds(course, module, check):
    """The cases' shapes are fixed and the seed draws only values: each
    member of each family (its ``examples``) must fail its check and be
    named under every seed, as the models are."""
    fams = [m for m in check.misconceptions if m.family is not None]
    for seed in range(200):
        cases = check.make_cases(seed, module)
        for m in fams:
            assert m.family.examples, m.id
            for i, example in enumerate(m.family.examples):
                results = [_results(check, case, example(case)) for case in cases]
                verdict = check.judge(check, cases, results)
                assert verdict.outcome is Outcome.FAILED, (m.id, i, seed, verdict.feedback)
                assert verdict.misconception == m.id, (m.id, i, seed, verdict.misconception,
                                                       verdict.feedback)


def test_the_families_come_after_the_models_they_generalise():
    """A family never takes a name a model gave before: each check lists
    its models first."""
    for course in (CALCULUS, OPTIMIZERS):
        for exercise in course.exercises:
            for check in exercise.checks:
                kinds = ["family" if m.family is not None else "model"
                         for m in check.misconceptions if not m.error_pattern]
                assert kinds == sorted(kinds, key=lambda k: k == "family"), check.name


# --------------------------------------------- the recognisers themselves

def _case(expected, **context):
    return Case((Probe("f"),), expected=expected, context=context, label=context.pop("label", ""))


def _value(v):
    from optimizers_inprocess import encoded
    return [encoded(v)]


def _compare(case, res, want):
    got = families.returned_numbers(res[0].value, want)
    ok = got is not None and len(got) == len(families.numbers(want)) and all(
        abs(a - b) <= 1e-9 * max(1, abs(b)) for a, b in zip(got, families.numbers(want)))
    return None if ok else "differs"


def test_factor_finds_one_k_for_every_case_and_says_it_simply():
    cases = [_case(2.0), _case([1.0, -3.0]), _case({"a": [4.0]})]
    half = [_value(1.0), _value([0.5, -1.5]), _value({"a": [2.0]})]
    assert Factor().explain(cases, half, _compare) == "every value is ½ times the expected one"
    mixed = [_value(1.0), _value([2.0, -6.0]), _value({"a": [2.0]})]
    assert Factor().explain(cases, mixed, _compare) is None
    same = [_value(2.0), _value([1.0, -3.0]), _value({"a": [4.0]})]
    assert Factor().explain(cases, same, _compare) is None   # k = 1 is no mistake
    per_n = Factor(per_case=lambda case: 1 / case.context["n"], unit="/n")
    cases = [_case(6.0, n=2), _case(6.0, n=3)]
    assert per_n.explain(cases, [_value(3.0), _value(2.0)], _compare) == \
        "every value is 1/n times the expected one"
    assert per_n.explain(cases, [_value(3.0), _value(3.0)], _compare) is None


def test_truncated_wants_a_start_of_every_list_and_one_cut_short():
    cases = [_case([1.0, 0.5, 0.25, 0.125], label="steps = 3"), _case([2.0, 1.0]),
             _case([8.0, 16.0, 32.0])]
    cut = [_value([1.0, 0.5]), _value([2.0, 1.0]), _value([8.0, 16.0, 32.0])]
    seen = Truncated().explain(cases, cut, _compare)
    assert seen == ("in one case (steps = 3) your list stops after 1 of 3 steps; "
                    "the last step you kept moved by 0.5")
    full = [_value([1.0, 0.5, 0.25, 0.125]), _value([2.0, 1.0]), _value([8.0, 16.0, 32.0])]
    assert Truncated().explain(cases, full, _compare) is None   # nothing cut: not this family
    wrong_start = [_value([1.0, 0.6]), _value([2.0, 1.0]), _value([8.0, 16.0, 32.0])]
    assert Truncated().explain(cases, wrong_start, _compare) is None
    assert Truncated().explain(cases, [_value([])] + cut[1:], _compare) is None
    # Every longer run cut (a `return` inside the loop) is not a tolerance.
    every = [_value([1.0, 0.5]), _value([2.0, 1.0]), _value([8.0, 16.0])]
    assert Truncated().explain(cases, every, _compare) is None


def test_steps_and_rounded_say_which_member_they_found():
    run = lambda case, n: [0.5 ** t for t in range(n + 1)]
    cases = [_case(run(None, s), steps=s) for s in (0, 1, 4)]
    two_more = [_value(run(None, s + 2)) for s in (0, 1, 4)]
    assert Steps(run).explain(cases, two_more, _compare) == "2 steps too many in every case"
    one_less = [_value(run(None, max(0, s - 1))) for s in (0, 1, 4)]
    assert Steps(run).explain(cases, one_less, _compare) == "1 step too few in every case"
    cases = [_case([1.23456789, 2.5]), _case(0.000123456)]
    assert Rounded().explain(cases, [_value([1.235, 2.5]), _value(0.0)], _compare) == \
        "every value rounded to 3 decimals"
    assert Rounded().explain(cases, [_value([1.235, 2.5]), _value(0.0001235)], _compare) == \
        "every value rounded to 4 significant digits"
    assert Rounded().explain(cases, [_value([1.2, 2.5]), _value(0.000123456)], _compare) is None
    # Nothing but zeros left is no rounding: `return 0.0` is not named so.
    small = [_case(0.3), _case(0.04)]
    assert Rounded().explain(small, [_value(0.0), _value(0.0)], _compare) is None


def test_one_term_names_the_students_term_and_never_the_reference():
    term = OneTerm((1.0, -4.0, 9.0))   # 9x² − 4x + 1
    points = [2.0, -1.5, 3.25, 0.0, 4.0]
    expected = [9 * x * x - 4 * x + 1 for x in points]
    slip = [9 * x * x - 2 * x + 1 for x in points]
    seen = term.explain_values(points, slip, expected)
    assert seen == "only your x term is wrong: you have −2x; every other term is right"
    assert "−4x" not in seen and "9x²" not in seen
    six = [6 * x * x - 4 * x + 1 for x in points]
    assert "you have 6x²" in term.explain_values(points, six, expected)
    no_constant = [9 * x * x - 4 * x for x in points]
    assert "no constant term" in term.explain_values(points, no_constant, expected)
    two_terms = [3 * x * x - 2 * x + 1 for x in points]
    assert term.explain_values(points, two_terms, expected) is None


def test_the_power_rule_slip_shows_the_students_term(submission, grade):
    path = CORPUS / "df-one-term" / "derivatives.py"
    result = grade(submission({"derivatives": path}), only=("derivatives",))
    (check,) = [c for c in result.exercise("derivatives").checks if c.function == "df"]
    text = render_check(check)
    assert check.verdict.misconception == "df-one-term", text
    assert "only your x term is wrong: you have −2x" in text, text
    for reference in ("9*x**2 - 4*x + 1", "9x² − 4x + 1", "−4x"):
        assert reference not in text, text

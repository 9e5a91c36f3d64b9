"""One mistake costs once, and feedback a person reads (issue 13).

Each test grades a small student module from ``tests/corpus/feedback/``
(the reference solutions with one realistic change) and asserts the score
and the feedback text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.channels.feedback import render, render_check
from autograder.engine.config import Limits
from autograder.engine.outcomes import Outcome

CORPUS = Path(__file__).resolve().parent / "corpus" / "feedback"
MIB = 1024**2
# A short budget keeps the hangs short: 4 s for the exercise, split over its checks.
QUICK = Limits(time_seconds=4, memory_bytes=512 * MIB, output_bytes=64 * 1024)


def graded(submission, grade, name: str, limits: Limits | None = None):
    (path,) = (CORPUS / name).glob("*.py")
    result = grade(submission({path.stem: path}), only=(path.stem,), limits=limits)
    exercise = result.exercise(path.stem)
    return exercise, {c.name: c for c in exercise.checks}


def check_of(checks, function: str, nth: int = 0):
    return [c for c in checks.values() if c.function == function][nth]


# ------------------------------------------------------------ time budget

def test_a_hang_costs_the_checks_that_hang_and_names_the_call(submission, grade):
    """An endless loop in gradient_descent: its own check and
    minimize_quadratic (which calls it) hit the time limit; quadratic_grad
    and critical_learning_rate are graded as usual, and nothing blames
    quadratic_grad(4.0)."""
    exercise, checks = graded(submission, grade, "gd_endless_loop", QUICK)
    gd = check_of(checks, "gradient_descent")
    assert gd.outcome is Outcome.LIMIT and gd.score == 0
    text = render(gd.verdict.feedback)
    assert "`gradient_descent` did not return in time" in text
    assert "call:     gradient_descent(lambda x: 2*x, 10.0, 0.1, 10)" in text
    assert check_of(checks, "quadratic_grad").outcome is Outcome.PASSED
    assert check_of(checks, "critical_learning_rate").outcome is Outcome.PASSED
    mq = check_of(checks, "minimize_quadratic")
    assert mq.outcome is Outcome.LIMIT
    assert "`minimize_quadratic` may call `gradient_descent`" in mq.verdict.feedback.hint
    assert exercise.score == 10
    assert not any("quadratic_grad(4.0)" in render_check(c) for c in exercise.checks)
    # The exercise's budget holds: the hung checks shared it.
    assert exercise.elapsed <= QUICK.time_seconds + 0.5


def test_a_hang_at_import_says_so_for_every_check(submission, grade):
    exercise, checks = graded(submission, grade, "gd_hang_at_import",
                              Limits(time_seconds=2, memory_bytes=512 * MIB,
                                     output_bytes=64 * 1024))
    assert exercise.score == 0
    for c in exercise.checks:
        assert c.outcome is Outcome.LIMIT
        assert "importing gradient_descent.py did not finish within the exercise's time " \
               "budget of 2 s" in c.verdict.feedback.summary
        assert not c.verdict.feedback.inputs     # no call of the check is blamed


def test_a_crash_names_the_call_it_happened_in(submission, grade):
    """os._exit in gradient_descent ends the worker: the later checks say
    which call of an earlier check it was, and show no call of their own."""
    source = (CORPUS / "gd_steps_zero_empty" / "gradient_descent.py").read_text()
    source = source.replace("    if steps == 0:\n        return []",
                            "    if steps == 0:\n        import os\n        os._exit(3)")
    result = grade(submission({"gradient_descent": source}), only=("gradient_descent",))
    checks = {c.function: c for c in result.exercise("gradient_descent").checks}
    later = checks["quadratic_grad"].verdict.feedback
    assert checks["quadratic_grad"].outcome is Outcome.LIMIT
    assert "that happened in gradient_descent(lambda x: 2*3.0*(x - 3.0)" in later.summary \
        or "that happened in gradient_descent(lambda x: 2*1.0*(x - 3.0)" in later.summary
    assert "this check's calls never ran" in later.summary
    assert not later.inputs


# ------------------------------------------------------ side effects

def test_changing_the_input_in_place_costs_only_the_side_effect_check(submission, grade):
    """weights[i] -= ...: the side-effect check fails and names it; the
    tuple case (which cannot be changed in place) and the sweep (each rate
    landing on the previous one's weights) are not charged again."""
    exercise, checks = graded(submission, grade, "wu_in_place")
    values, unchanged, sweep = exercise.checks
    assert unchanged.outcome is Outcome.FAILED and unchanged.score == 0
    assert unchanged.verdict.misconception == "wu-mutates-input"
    assert values.outcome is Outcome.PASSED and values.score == 7
    assert "charged once, in the check that it leaves its input unchanged" in \
        values.verdict.feedback.note
    assert sweep.outcome is Outcome.PASSED and sweep.score == 5
    assert "the weights the previous one left" in sweep.verdict.feedback.note
    assert exercise.score == 12


def test_returning_nothing_useful_does_not_earn_the_side_effect_check(submission, grade):
    exercise, checks = graded(submission, grade, "wu_return_zero")
    unchanged = exercise.checks[1]
    assert unchanged.outcome is Outcome.FAILED and unchanged.score == 0
    assert "only when update_weights also returns the new weights" in \
        render(unchanged.verdict.feedback)
    assert exercise.score == 0


def test_a_wrong_loss_does_not_fail_the_gradients_consistency_check(submission, grade):
    exercise, checks = graded(submission, grade, "loss_no_half")
    by_name = {c.name: c for c in exercise.checks}
    loss = by_name["loss is the half sum of squared errors"]
    assert loss.outcome is Outcome.FAILED and loss.verdict.misconception == "loss-no-half"
    consistent = by_name["gradients agree with the slopes of loss"]
    assert consistent.outcome is Outcome.PASSED and consistent.score == 2
    assert "charged once, in loss's own check" in consistent.verdict.feedback.note
    assert exercise.score == 30 - 6


# --------------------------------------------------- credit per kind

def test_partial_credit_per_kind_of_step_count(submission, grade):
    exercise, checks = graded(submission, grade, "gd_steps_zero_empty")
    gd = exercise.checks[0]
    assert gd.outcome is Outcome.FAILED
    assert gd.score == 10
    assert "right for steps = 1 and several steps, not for steps = 0: 10 of 12 points" in \
        gd.verdict.feedback.summary


def test_partial_credit_per_kind_of_input(submission, grade):
    exercise, checks = graded(submission, grade, "wu_copy_method")
    values = exercise.checks[0]
    assert values.outcome is Outcome.ERROR
    assert values.score == 5.5
    assert "right for lists and NumPy arrays, not for tuples: 5.5 of 7 points" in \
        values.verdict.feedback.summary
    assert "AttributeError" in values.verdict.feedback.summary


def test_math_exp_earns_the_numbers_but_not_the_arrays(submission, grade):
    source = (CORPUS.parent / "misconceptions" / "sigmoid-math-exp" / "neuron.py")
    result = grade(submission({"neuron": source}), only=("neuron",))
    sigmoid = result.exercise("neuron").checks[0]
    assert sigmoid.verdict.misconception == "sigmoid-math-exp"
    assert sigmoid.score == 3
    assert "right for numbers, not for NumPy arrays: 3 of 4 points" in \
        sigmoid.verdict.feedback.summary


# ------------------------------------------------- what a person reads

def test_numbers_read_plainly_and_printed_output_is_shown(submission, grade):
    exercise, checks = graded(submission, grade, "gd_prints_and_ascends")
    gd = exercise.checks[0]
    text = render(gd.verdict.feedback)
    assert gd.verdict.misconception == "gd-ascent"
    assert "NumPy number" not in text
    assert "got:      [10.0, 12.0, 14.4, 17.28" in text
    # What the failing call printed, capped at 20 lines.
    assert "printed:  (what your code printed during this call)" in text
    assert "    | step 0 x = 12.0" in text
    assert "    | step 9 x = 61.917364224" in text
    # A check that passes shows nothing of it.
    assert "printed" not in render_check(check_of(checks, "quadratic_grad"))


def test_printed_output_is_capped(submission, grade):
    source = (CORPUS / "gd_prints_and_ascends" / "gradient_descent.py").read_text()
    source = source.replace('print("step", t, "x =", x)',
                            'print("step", t, "x =", x)\n        print("#" * 300)')
    result = grade(submission({"gradient_descent": source}), only=("gradient_descent",))
    printed = result.exercise("gradient_descent").checks[0].verdict.feedback.printed
    assert len(printed) <= 2004 and printed.endswith("\n...")
    assert len(printed.splitlines()) <= 21


def test_single_precision_is_said_once(submission, grade):
    exercise, checks = graded(submission, grade, "gd_single_precision")
    got = exercise.checks[0].verdict.feedback.got
    assert got.count("float32") == 1 and "single precision" in got
    assert "NumPy number" not in got


def test_the_students_own_df_is_shown_never_the_reference(submission, grade):
    exercise, checks = graded(submission, grade, "df_power_rule_slip")
    df = exercise.checks[0]
    assert df.outcome is Outcome.FAILED
    got = df.verdict.feedback.got
    assert got.startswith("df(x) = 9*x**2 - 2*x + 1, so df(2.0) = 33.0")
    text = render(df.verdict.feedback)
    assert "9*x**2 - 4*x + 1" not in text
    assert "expected: f′(2.0) = 29.0" in text


def test_enough_digits_to_show_the_difference(submission, grade):
    """Iterates off in the tenth significant digit read differently in the
    got and expected lines."""
    source = (CORPUS / "gd_steps_zero_empty" / "gradient_descent.py").read_text()
    source = source.replace("    if steps == 0:\n        return []\n", "").replace(
        "        iterates.append(float(x))", "        iterates.append(float(x) * (1 + 3e-9))")
    result = grade(submission({"gradient_descent": source}), only=("gradient_descent",))
    fb = result.exercise("gradient_descent").checks[0].verdict.feedback
    got = fb.got.strip("[]").split(", ")
    expected = fb.expected.strip("[]").split(", ")
    assert got[0] == expected[0] == "10.0"
    assert all(g != e for g, e in zip(got[1:6], expected[1:6]))
    assert all(float(g) != float(e) for g, e in zip(got[1:6], expected[1:6]))


def test_each_check_keeps_time_for_those_after_it():
    from autograder.engine.runner import check_segments
    # Four checks of 8, 6, 6 and 1 probes in a 10 s budget: each keeps back
    # 1.25 s (half an even share) for every check after it; the last one's
    # deadline is the whole budget, which is never exceeded.
    assert check_segments([8, 6, 6, 1], 10) == [(0, 6.25), (8, 7.5), (14, 8.75), (20, 10.0)]
    assert check_segments([3], 10) == [(0, 10.0)]
    # A check without probes has no deadline of its own.
    assert check_segments([2, 0, 1], 9) == [(0, 6.0), (2, 9.0)]


def test_seeds_graded_together_agree_with_seeds_graded_apart_after_a_hang(
        submission, grade, sandbox):
    """A seed sweep gives the first seed its checks' own deadlines and
    grades the others again where the hang took their time."""
    from autograder.course import CALCULUS
    from autograder.engine.runner import grade_seeds
    from autograder.engine.seed_sweep import signature
    from conftest import SEED
    limits = Limits(time_seconds=2, memory_bytes=512 * MIB, output_bytes=64 * 1024)
    folder = submission({"gradient_descent": CORPUS / "gd_endless_loop" / "gradient_descent.py"})
    seeds = (SEED, SEED + 1)
    together = grade_seeds(folder, CALCULUS, seeds, limits=limits, only=("gradient_descent",),
                           sandbox=sandbox)
    apart = [grade(folder, only=("gradient_descent",), limits=limits, seed=s) for s in seeds]
    assert [signature(r) for r in together] == [signature(r) for r in apart]
    assert [r.score for r in apart] == [10, 10]

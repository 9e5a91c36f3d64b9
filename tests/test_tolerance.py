"""Tolerances: validated as pytest's approx validates its own, and feedback
that shows the digits where two numbers differ."""

from __future__ import annotations

import math

import pytest

from autograder.channels.feedback import render_check
from autograder.engine.tolerance import Tolerance, fmt_pair, mismatch_table

from conftest import SOLUTIONS


@pytest.mark.parametrize("rel, abs_", [(-1e-9, 0.0), (1e-9, -1.0), (math.nan, 0.0),
                                       (0.0, math.inf)])
def test_a_negative_nan_or_infinite_tolerance_is_refused(rel, abs_):
    with pytest.raises(ValueError, match="finite number >= 0"):
        Tolerance(rel, abs_)


def test_a_tolerance_that_is_not_a_number_is_refused():
    with pytest.raises(TypeError):
        Tolerance("1e-9", 0.0)


def test_numbers_that_differ_are_printed_so_that_they_read_differently():
    assert fmt_pair(6.110498761, 6.110498764) == ("6.110498761", "6.110498764")
    got, expected = fmt_pair(4.000000001222221, 4.000000001222222)
    assert got != expected and float(got) != float(expected)
    assert fmt_pair(2.0, 2.0) == ("2.0", "2.0")
    table = mismatch_table([1.0000000000001], [1.0], 1e-15, 0.0)
    assert "1.0000000000001" in table and "tolerance: 1e-15 relative" in table


def test_feedback_on_a_near_miss_shows_the_difference_and_the_tolerance(submission, grade):
    """minimize_quadratic 3e-8 off: outside the 1e-8 tolerance; at ten
    digits both numbers would read 4.000000001."""
    source = (SOLUTIONS / "gradient_descent.py").read_text(encoding="utf-8")
    source = source.replace(
        "    return gradient_descent(quadratic_grad, x0, learning_rate, steps)[-1]",
        "    return gradient_descent(quadratic_grad, x0, learning_rate, steps)[-1] + 3e-8")
    result = grade(submission({"gradient_descent": source}), only=("gradient_descent",))
    (check,) = [c for c in result.exercise("gradient_descent").checks
                if c.function == "minimize_quadratic"]
    assert check.score == 0
    fb = check.verdict.feedback
    got, expected = fb.got, fb.expected.split(" ± ")[0]
    assert got != expected, render_check(check)
    assert abs(float(got) - float(expected) - 3e-8) < 1e-12
    assert "± 1e-08" in fb.expected

"""Correct is correct: other correct ways to write a module get full marks.

``tests/corpus/correct/<name>/<module>.py`` is a correct module written
differently from the reference (another algebraic form, loops instead of
comprehensions, NumPy arrays or floats, tuples, ...).  Graded on its own,
with the other modules the reference, its exercise must score full marks
with every check passed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.course import MODULES
from autograder.channels.feedback import render_check
from autograder.engine.outcomes import Outcome

CORPUS = Path(__file__).resolve().parent / "corpus" / "correct"
VARIANTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())

# What the feedback of a check must also say for a variant: {name: {check name: text}}.
NOTES = {
    # df calls math.pow, which cannot take a sympy symbol: the grader compares
    # values at points instead, and must say so.
    "df-math-pow": {"df is the derivative of f": "compared with f′ at"},
}


def _module(name: str) -> tuple[str, Path]:
    files = sorted((CORPUS / name).glob("*.py"))
    assert len(files) == 1, f"{name}: expected one module, found {[f.name for f in files]}"
    assert files[0].stem in MODULES, f"{name}: {files[0].name} is not a module of the contract"
    return files[0].stem, files[0]


def test_there_are_enough_variants():
    assert len(VARIANTS) >= 12
    assert {_module(name)[0] for name in VARIANTS} == set(MODULES)


@pytest.mark.parametrize("name", VARIANTS)
def test_correct_variant_gets_full_marks(name, submission, grade):
    module, path = _module(name)
    result = grade(submission({module: path}), only=(module,))
    exercise = result.exercise(module)
    not_passed = [render_check(c) for c in exercise.checks if c.outcome is not Outcome.PASSED]
    assert not not_passed, "\n".join(not_passed)
    assert exercise.score == exercise.max_score
    for check in exercise.checks:
        assert check.verdict.misconception is None, render_check(check)
    for check_name, text in NOTES.get(name, {}).items():
        (check,) = [c for c in exercise.checks if c.name == check_name]
        assert text in check.verdict.feedback.note, render_check(check)
        assert text in render_check(check)


# Correct answers written in ways the corpus above does not cover.

def _variant(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


def test_zero_dimensional_arrays_and_single_precision_are_numbers(submission, grade):
    from conftest import SOLUTIONS
    neuron = _variant((SOLUTIONS / "neuron.py").read_text(), "return 1.0 / (1.0 + np.exp(-z))",
                      "e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))")
    # update_weights in single precision: a float32 array, exact to ~7 digits.
    weights = _variant((SOLUTIONS / "weight_updates.py").read_text(),
                       "def update_weights(weights, gradients, learning_rate):",
                       "def update_weights(weights, gradients, learning_rate):\n"
                       "    import numpy as np\n"
                       "    return np.asarray(weights, dtype=np.float32) - "
                       "np.float32(learning_rate) * np.asarray(gradients, dtype=np.float32)\n"
                       "\n\ndef _unused(weights, gradients, learning_rate):")
    result = grade(submission({"neuron": neuron, "weight_updates": weights}),
                   only=("neuron", "weight_updates"))
    for exercise in result.exercises:
        assert exercise.score == exercise.max_score, [
            (c.name, c.verdict.feedback) for c in exercise.checks if c.score < c.points]


def test_a_tiny_rounding_term_in_df_passes_with_a_note(submission, grade):
    from conftest import SOLUTIONS
    source = _variant((SOLUTIONS / "derivatives.py").read_text(), "return 9 * x**2 - 4 * x + 1",
                      "return 9 * x**2 - 4 * x + 1 + 1e-14 * x**3")
    result = grade(submission({"derivatives": source}), only=("derivatives",))
    df = result.exercise("derivatives").checks[0]
    assert df.score == df.points
    assert "equal up to rounding" in df.verdict.feedback.note
